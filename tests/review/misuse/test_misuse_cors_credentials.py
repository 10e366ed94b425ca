from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # flask-cors: credentials with the default origins (every one)
    """
    from flask import Flask
    from flask_cors import CORS
    app = Flask(__name__)
    CORS(app, supports_credentials=True)
    """,
    # origins="*" written out, the module imported
    """
    import flask_cors
    flask_cors.CORS(app, origins="*", supports_credentials=True)
    """,
    # through resources, as a decorator's options
    """
    from flask_cors import CORS as cors
    cors(app, resources={r"/api/*": {"origins": ["*"]}}, supports_credentials=True)
    """,
    # FastAPI
    """
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware
    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"])
    """,
    # Starlette, a regex that matches every origin
    """
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    middleware = [Middleware(CORSMiddleware, allow_origin_regex=".*", allow_credentials=True)]
    """,
    # Django settings (django-cors-headers)
    """
    CORS_ALLOW_ALL_ORIGINS = True
    CORS_ALLOW_CREDENTIALS = True
    """,
    # the request's Origin echoed back, with credentials
    """
    from flask import request
    def add_cors(resp):
        resp.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin")
        resp.headers["Access-Control-Allow-Credentials"] = "true"
        return resp
    """,
    # through a name, Django style
    """
    def cors(request, response):
        origin = request.META["HTTP_ORIGIN"]
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Credentials"] = "true"
        return response
    """,
]
CLEAN = [
    # an explicit list with credentials
    """
    from flask_cors import CORS
    CORS(app, origins=["https://app.example.com"], supports_credentials=True)
    """,
    # every origin, no credentials
    """
    from flask_cors import CORS
    CORS(app)
    """,
    """
    from fastapi.middleware.cors import CORSMiddleware
    app.add_middleware(CORSMiddleware, allow_origins=["*"])
    """,
    """
    from fastapi.middleware.cors import CORSMiddleware
    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True)
    """,
    # the old setting name, without credentials
    """
    CORS_ORIGIN_ALLOW_ALL = True
    CORS_ALLOW_CREDENTIALS = False
    """,
    # the Origin echoed only when it is on the allowlist
    """
    from flask import request
    def add_cors(resp):
        origin = request.headers.get("Origin")
        if origin in ALLOWED:
            resp.headers["Access-Control-Allow-Origin"] = origin
            resp.headers["Access-Control-Allow-Credentials"] = "true"
        return resp
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-CORS-ANY-ORIGIN"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
