from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # Django: the decorator
    """
    from django.views.decorators.csrf import csrf_exempt
    @csrf_exempt
    def transfer(request):
        return move_money(request.POST)
    """,
    # through method_decorator on a class-based view, the module imported
    """
    from django.utils.decorators import method_decorator
    from django.views.decorators import csrf
    @method_decorator(csrf.csrf_exempt, name="dispatch")
    class Transfer(View):
        pass
    """,
    # wrapped in urlpatterns, imported under another name
    """
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt as no_csrf
    urlpatterns = [path("transfer/", no_csrf(TransferView.as_view()))]
    """,
    # Flask-WTF: a CSRFProtect instance's exempt
    """
    from flask import Flask
    from flask_wtf.csrf import CSRFProtect
    app = Flask(__name__)
    csrf = CSRFProtect(app)
    @csrf.exempt
    @app.route("/transfer", methods=["POST"])
    def transfer():
        return move_money()
    """,
    # Flask-WTF switched off in the config
    """
    from flask import Flask
    app = Flask(__name__)
    app.config["WTF_CSRF_ENABLED"] = False
    """,
    # in a production config class
    """
    class ProductionConfig:
        SECRET_KEY = load_key()
        WTF_CSRF_ENABLED = False
    """,
]
CLEAN = [
    # a framework wrapping whatever view it is given, and checking CSRF itself (DRF's APIView.as_view)
    """
    from django.views.decorators.csrf import csrf_exempt
    class APIView:
        @classmethod
        def as_view(cls, **initkwargs):
            view = super().as_view(**initkwargs)
            return csrf_exempt(view)
    """,
    # csrf_protect and ensure_csrf_cookie keep the check
    """
    from django.views.decorators.csrf import csrf_protect, ensure_csrf_cookie
    @csrf_protect
    def transfer(request):
        return move_money(request.POST)
    @ensure_csrf_cookie
    def form(request):
        return render(request, "form.html")
    """,
    # a view without it
    """
    def transfer(request):
        return move_money(request.POST)
    """,
    # some other object's exempt
    """
    from flask_wtf.csrf import CSRFProtect
    csrf = CSRFProtect()
    rules.exempt(user)
    """,
    # on in the config
    """
    from flask import Flask
    app = Flask(__name__)
    app.config["WTF_CSRF_ENABLED"] = True
    """,
    # a test configuration may switch it off
    """
    class TestConfig:
        TESTING = True
        WTF_CSRF_ENABLED = False
    """,
    """
    def make_test_app():
        app = create_app()
        app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
        return app
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-CSRF-EXEMPT"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
