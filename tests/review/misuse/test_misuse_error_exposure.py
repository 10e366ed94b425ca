from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # the traceback handed back by a Flask view
    """
    import traceback
    from flask import Flask
    app = Flask(__name__)
    @app.route("/run")
    def run():
        try:
            return work()
        except Exception:
            return traceback.format_exc(), 500
    """,
    # the exception's text as the body
    """
    from flask import Blueprint
    bp = Blueprint("api", __name__)
    @bp.post("/items")
    def create():
        try:
            save()
        except Exception as e:
            return str(e), 500
    """,
    # in an f-string
    """
    from flask import Flask
    app = Flask(__name__)
    @app.get("/items")
    def items():
        try:
            return load()
        except KeyError as exc:
            return f"error: {exc}"
    """,
    # jsonify(error=str(e)), jsonify imported under another name
    """
    from flask import Flask, jsonify as as_json
    app = Flask(__name__)
    @app.route("/pay", methods=["POST"])
    def pay():
        try:
            charge()
        except Exception as e:
            return as_json(error=str(e)), 500
    """,
    # a dict with repr(e)
    """
    from fastapi import FastAPI
    app = FastAPI()
    @app.get("/x")
    async def x():
        try:
            return await work()
        except RuntimeError as e:
            return {"error": repr(e)}
    """,
    # make_response built first, returned later
    """
    from flask import Flask, make_response
    app = Flask(__name__)
    @app.route("/y")
    def y():
        try:
            work()
        except Exception as e:
            response = make_response(str(e), 500)
            return response
    """,
    # Django: HttpResponse with the traceback, by way of a name
    """
    import traceback
    from django.http import HttpResponse
    def report(request):
        try:
            work()
        except Exception:
            details = traceback.format_exc()
            return HttpResponse(details, status=500)
    """,
    # Response(e.args[0])
    """
    from flask import Flask, Response
    app = Flask(__name__)
    @app.route("/z")
    def z():
        try:
            work()
        except ValueError as e:
            return Response(e.args[0], status=400)
    """,
    # FastAPI: the exception's text as the HTTPException detail
    """
    from fastapi import APIRouter, HTTPException
    router = APIRouter()
    @router.post("/upload")
    async def upload():
        try:
            await store()
        except OSError as e:
            raise HTTPException(status_code=500, detail=str(e))
    """,
    # "%s" % e, through a message name
    """
    from django.http import JsonResponse
    def api(request):
        try:
            work()
        except Exception as error:
            message = "failed: %s" % error
            return JsonResponse({"message": message}, status=500)
    """,
]
CLEAN = [
    # logged, a generic message returned
    """
    import logging
    from flask import Flask, jsonify
    app = Flask(__name__)
    log = logging.getLogger(__name__)
    @app.route("/pay", methods=["POST"])
    def pay():
        try:
            charge()
        except Exception as e:
            log.exception("payment failed: %s", e)
            return jsonify(error="payment failed"), 500
    """,
    # a helper that is no view may describe the error to its caller
    """
    def describe(path):
        try:
            return open(path).read()
        except OSError as e:
            return str(e)
    """,
    # a fixed detail
    """
    from fastapi import APIRouter, HTTPException
    router = APIRouter()
    @router.post("/upload")
    async def upload():
        try:
            await store()
        except OSError:
            raise HTTPException(status_code=400, detail="bad input")
    """,
    # the except returns a constant
    """
    from flask import Flask
    app = Flask(__name__)
    @app.get("/items")
    def items():
        try:
            return load()
        except KeyError as exc:
            return "not found", 404
    """,
    # a validation error's message is written for the user
    """
    from django.core.exceptions import ValidationError
    from django.http import JsonResponse
    def signup(request):
        try:
            validate(request.POST)
        except ValidationError as e:
            return JsonResponse({"error": str(e)}, status=400)
    """,
    # a Django-style function that returns a string is no view (no response built)
    """
    def cleanse(self, request, value):
        try:
            return check(value)
        except Exception as e:
            return "{!r} while evaluating {!r}".format(e, value)
    """,
    # the traceback only when the server runs in debug mode
    """
    import traceback
    from django.conf import settings
    from django.http import HttpResponseServerError
    def fallback(request):
        try:
            return work()
        except Exception:
            return HttpResponseServerError(traceback.format_exc() if settings.DEBUG else "Internal Server Error")
    """,
    # the traceback printed to the server log, not returned
    """
    import sys, traceback
    from flask import Flask
    app = Flask(__name__)
    @app.route("/run")
    def run():
        try:
            return work()
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return "internal error", 500
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-ERROR-EXPOSURE"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
