"""Routes that change state with no authorisation check (CWE-862), for Flask, FastAPI and Django views.

A route is flagged only when both hold:
- it changes something: it is bound to POST/PUT/PATCH/DELETE, or its body writes (a database commit, save or
  delete, an INSERT/UPDATE/DELETE statement, removing a file), and
- nothing in it checks who is calling: no decorator, parameter dependency or body reference that reads as an
  authentication or permission check (`@login_required`, `Depends(get_current_user)`, `current_user`,
  `request.user`, `session[...]`, an `abort(401/403)`),
and the module itself shows that callers are checked elsewhere: another route carries such a check, or the
route's own path or name is administrative (`/admin`, `delete_user`) and its body writes. Routes public by
design (sign-up, login, password reset, webhooks, health) and modules that check every route at once (a
router's `dependencies=`, Flask's `before_request`) are left alone. Public tutorial apps where no route checks
anyone are left alone: there the missing check is a design choice the module makes everywhere, not a gap.

GLPI's PHP: a front controller or ajax script (a file that defines no class) that takes `$_POST`/`$_GET`/
`$_REQUEST` and writes (`$item->add/update/delete/purge(...)`, `$DB->insert/update/delete(...)`, an UPDATE or
DELETE query) while calling none of GLPI's checks (`Session::checkRight`, `Session::checkLoginUser`,
`Session::haveRight`, `$item->check(...)`, `$item->can(...)`) is flagged at its first write.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from copiloto.review.flows.rules import SOURCE
from copiloto.review.security import SecurityFinding

CODE = "CF-AUTH"
CWE = 862
ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete", "api_route", "api_view", "action"})
WRITING_VERBS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# `session` only bare (Flask's login session), never `db.session` (SQLAlchemy's unit of work)
AUTH_WORDS = re.compile(
    r"login|logged_in|auth|permission|has_perm|requires?_\w+|\w+_required|staff_member|superuser|jwt|"
    r"protected|roles?_(required|accepted)|current_user|user_passes_test|is_authenticated|credentials|"
    r"api_?key|check_password|verify_(token|password|user)|bearer|Security\(|(?<![.\w])session(\[|\.get\()",
    re.IGNORECASE,
)
WRITES = re.compile(
    r"\.(commit|save|delete|remove|unlink|rmtree|bulk_create|bulk_update|update_one|insert_one|delete_one|"
    r"delete_many|drop)\(|\b(INSERT|UPDATE|DELETE|DROP)\b",
)
CALLER_CHECKS = re.compile(r"request\.user|g\.user|abort\(\s*40[13]|status_code\s*=\s*40[13]|HTTP_40[13]")
PHP_INPUT = re.compile(r"\$_(POST|GET|REQUEST)\b")
PHP_WRITE = re.compile(
    r"->(add|update|delete|purge|restore|insert|updateOrInsert)\s*\(|\b(UPDATE|DELETE\s+FROM|INSERT\s+INTO)\b"
)
PHP_CHECKS = re.compile(
    r"Session::(check\w*|have\w*|getLoginUserID)\s*\(|->(check|can\w*)\s*\(|checkRight|haveRight|checkCSRF"
)
PHP_CLASS = re.compile(r"^\s*(abstract\s+|final\s+)?(class|trait|interface)\s+\w+", re.MULTILINE)
# routes that are public by design: signing up, logging in, resetting a password, receiving a webhook
PUBLIC = re.compile(
    r"regist|sign_?up|sign_?in|log_?in|log_?out|token|password|forgot|verify|confirm|activate|webhook|callback|"
    r"health|status|ping",
    re.IGNORECASE,
)
# a check made once for every route of the module: FastAPI's router/app dependencies, Flask's before_request
MODULE_GUARD = re.compile(r"\b(APIRouter|FastAPI|include_router)\([^)]*dependencies\s*=|before_(app_)?request")
ADMIN = re.compile(r"admin|delete_user|remove_user|reset_password|set_role|promote|superuser", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    path: str
    verbs: frozenset[str]
    declared: bool  # by a route decorator (not only a Django-style `request` parameter)
    checked: bool  # some decorator, dependency or body line reads as an auth check


def unchecked_routes(text: str) -> list[SecurityFinding]:
    """CF-AUTH findings of `text` (nothing when it does not parse: bandit reports that)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    if MODULE_GUARD.search(text):
        return []
    routes = [r for node in ast.walk(tree) if (r := _route(node, text)) is not None]
    guarded_elsewhere = any(r.checked for r in routes)
    return [
        _finding(route, guarded_elsewhere)
        for route in routes
        if not route.checked
        and not _public(route)
        and (
            (guarded_elsewhere and _changes_state(route, text))
            or (_administrative(route) and _writes(route, text))  # an admin route's verb alone says little
        )
    ]


def _route(node: ast.AST, text: str) -> Route | None:
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    path, verbs, declared = "", set[str](), False
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        if not _route_decorator(decorator) or (_decorator_name(decorator) == "action" and call is None):
            continue
        last = _decorator_name(decorator)
        declared = True
        if last not in ("route", "api_route", "api_view", "action"):
            verbs.add(last.upper())
        if call is not None:
            if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
                path = call.args[0].value
            verbs |= _methods(call)
    if not (declared or _is_django_view(node)):
        return None
    return Route(node, path, frozenset(verbs), declared, _checked(node, text))


def _is_django_view(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A function whose first parameter is `request` (Django's function views)."""
    args = node.args.args
    return bool(args) and args[0].arg == "request"


def _methods(call: ast.Call) -> set[str]:
    for keyword in call.keywords:
        if keyword.arg == "methods" and isinstance(keyword.value, ast.List | ast.Tuple | ast.Set):
            return _strings(keyword.value.elts)
    methods = next((a for a in call.args if isinstance(a, ast.List | ast.Tuple)), None)  # DRF's @api_view([...])
    return set() if methods is None else _strings(methods.elts)


def _strings(nodes: list[ast.expr]) -> set[str]:
    return {n.value.upper() for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _checked(node: ast.FunctionDef | ast.AsyncFunctionDef, text: str) -> bool:
    def source(parts: list[ast.expr]) -> str:
        return " ".join(ast.get_source_segment(text, part) or "" for part in parts)

    # of the route's own decorator only its keywords count (`dependencies=[Depends(...)]`): a path like
    # "/login" is not a check
    decorators = [d for d in node.decorator_list if not _route_decorator(d)]
    decorators += [
        k.value for d in node.decorator_list if _route_decorator(d) and isinstance(d, ast.Call) for k in d.keywords
    ]
    defaults = [d for d in (*node.args.defaults, *node.args.kw_defaults) if d is not None]
    annotations = [a.annotation for a in node.args.args if a.annotation is not None]
    if AUTH_WORDS.search(source([*decorators, *defaults, *annotations])):
        return True
    body = "\n".join(ast.get_source_segment(text, s) or "" for s in node.body)
    return bool(AUTH_WORDS.search(body) or CALLER_CHECKS.search(body))


def _route_decorator(decorator: ast.expr) -> bool:
    """`@app.get(...)`, `@router.route(...)`, DRF's bare `@api_view`/`@action`; not `@mock.patch(...)`."""
    name = _name(decorator.func if isinstance(decorator, ast.Call) else decorator)
    receiver, _, last = name.rpartition(".")
    if last not in ROUTE_DECORATORS or "mock" in receiver.lower():
        return False
    return bool(receiver) or last in ("api_view", "action")


def _decorator_name(decorator: ast.expr) -> str:
    return _name(decorator.func if isinstance(decorator, ast.Call) else decorator).rsplit(".", 1)[-1]


def _changes_state(route: Route, text: str) -> bool:
    return bool(route.verbs & WRITING_VERBS) or _writes(route, text)


def _writes(route: Route, text: str) -> bool:
    body = "\n".join(ast.get_source_segment(text, s) or "" for s in route.node.body)
    return bool(WRITES.search(body))


def _public(route: Route) -> bool:
    return bool(PUBLIC.search(route.path) or PUBLIC.search(route.node.name))


def _administrative(route: Route) -> bool:
    """Only for declared routes: Django's admin site wraps its own views in a check we cannot see here."""
    return route.declared and bool(ADMIN.search(route.path) or ADMIN.search(route.node.name))


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    return ""


def _finding(route: Route, guarded_elsewhere: bool) -> SecurityFinding:
    node = route.node
    why = "other routes of this module check the caller" if guarded_elsewhere else "it is an administrative route"
    what = f"{node.name} ({route.path})" if route.path else node.name
    message = f"route {what} changes state and checks no caller (no login or permission check); {why}"
    return auth_finding(node.lineno, node.col_offset, message)


def auth_finding(line: int, column: int, message: str) -> SecurityFinding:
    return SecurityFinding(
        line=line,
        column=column,
        end_column=None,
        severity="warning",
        source=SOURCE,
        code=CODE,
        name="missing_authorisation",
        message=message,
        cwe=CWE,
        cwe_link=f"https://cwe.mitre.org/data/definitions/{CWE}.html",
        bandit_severity="MEDIUM",
        bandit_confidence="LOW",
    )


def unchecked_php_script(text: str) -> list[SecurityFinding]:
    """CF-AUTH for a GLPI-style PHP script that writes what the request sent without any rights check."""
    if PHP_CLASS.search(text) or not PHP_INPUT.search(text) or PHP_CHECKS.search(text):
        return []
    write = PHP_WRITE.search(text)
    if write is None:
        return []
    line = text.count("\n", 0, write.start()) + 1
    column = write.start() - (text.rfind("\n", 0, write.start()) + 1)
    message = (
        "this script writes what the request sent and checks no rights first (no Session::checkRight, "
        "Session::checkLoginUser or $item->check/can call)"
    )
    return [auth_finding(line, column, message)]
