"""Source → sink flows inside each Python function, over tree-sitter.

Per function (and once for the module's own statements), in the order of the code: a name holds outside data
once it is assigned an expression that holds some; the data goes on through f-strings, `%`, `.format`, `+`,
and calls that hand back their argument (str(), .strip(), os.path.join); int(), float() and the like stop
it, and a few sanitisers stop it for one category only (shlex.quote for the shell, secure_filename for
paths, escape for HTML). Each call is checked against the sinks (flows/sinks/) with the names as they are at
that point. An assignment inside a branch or loop adds taint and never takes it away.

Sources: Flask's and Django's request data (`request.args`, `request.GET`, `self.request.POST`, ...), the
parameters of a web route (Flask `@app.route` path parameters, FastAPI `@app.get` parameters other than
Depends() and typed numbers), and the local user (`input()`, `sys.argv`), which only counts for the shell,
SQL, code and deserialisation.

One module, over 400 lines: one walk of each function, tracking names through every statement kind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import replace
from typing import TYPE_CHECKING

from copiloto.grammars import parser
from copiloto.review.flows.rules import UNKNOWN, Flow, Sink, Taint, clear, counts
from copiloto.review.flows.sinks import Call, checkers, literal
from copiloto.review.names import HTTP_CLIENTS

if TYPE_CHECKING:
    from tree_sitter import Node

Env = dict[str, Taint]

REQUEST_DATA = frozenset(
    {
        # Flask / werkzeug
        "args",
        "form",
        "values",
        "json",
        "cookies",
        "headers",
        "files",
        "data",
        "stream",
        "query_string",
        "view_args",
        "url",
        "full_path",
        "base_url",
        "referrer",
        "get_full_path",
        "get_json",
        "get_data",
        # Django / DRF
        "GET",
        "POST",
        "COOKIES",
        "body",
        "FILES",
        "META",
        "query_params",
        # starlette / FastAPI Request
        "path_params",
    }
)
REQUEST_NAMES = frozenset({"request", "req", "self.request", "flask.request"})
ROUTE_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "api_route", "websocket"})
# FastAPI parameters that are not request text: validated numbers, injected objects
CLEAN_TYPES = frozenset(
    {
        "int",
        "float",
        "bool",
        "UUID",
        "uuid.UUID",
        "datetime",
        "date",
        "Decimal",
        "Request",
        "Response",
        "BackgroundTasks",
        "WebSocket",
        "Session",
        "AsyncSession",
        "HTTPConnection",
    }
)
INJECTED = frozenset({"Depends", "Security", "fastapi.Depends", "fastapi.Security"})
CLEANING = frozenset(
    {
        "int",
        "float",
        "bool",
        "len",
        "abs",
        "round",
        "hash",
        "id",
        "isinstance",
        "ord",
        "uuid.UUID",
        "UUID",
        "Decimal",
        "datetime.fromisoformat",
        "date.fromisoformat",
    }
)
SANITISERS: dict[str, frozenset[str]] = {
    "shlex.quote": frozenset({"shell"}),
    "pipes.quote": frozenset({"shell"}),
    "quote": frozenset({"shell"}),
    "secure_filename": frozenset({"path"}),
    "werkzeug.utils.secure_filename": frozenset({"path"}),
    "os.path.basename": frozenset({"path"}),
    "escape": frozenset({"template", "xss"}),
    "html.escape": frozenset({"template", "xss"}),
    "markupsafe.escape": frozenset({"template", "xss"}),
    "flask.escape": frozenset({"template", "xss"}),
    "conditional_escape": frozenset({"template", "xss"}),
    "bleach.clean": frozenset({"template", "xss"}),
    "re.escape": frozenset({"regex"}),
    "escape_filter_chars": frozenset({"ldap"}),
    "ldap.filter.escape_filter_chars": frozenset({"ldap"}),
    "ldap3.utils.conv.escape_filter_chars": frozenset({"ldap"}),
    "urllib.parse.quote": frozenset({"redirect", "ssrf", "shell"}),
    "quote_plus": frozenset({"redirect", "ssrf", "shell"}),
    "urllib.parse.quote_plus": frozenset({"redirect", "ssrf", "shell"}),
}
PASS_THROUGH = frozenset(
    {
        "str",
        "bytes",
        "repr",
        "format",
        "os.path.join",
        "os.path.abspath",
        "os.path.normpath",
        "os.path.realpath",
        "os.path.expanduser",
        "os.fspath",
        "posixpath.join",
        "Path",
        "pathlib.Path",
        "PurePath",
        "urljoin",
        "urllib.parse.urljoin",
        "unquote",
        "unquote_plus",
        "urllib.parse.unquote",
        "urllib.parse.unquote_plus",
        "base64.b64decode",
        "base64.urlsafe_b64decode",
        "b64decode",
        "bytes.fromhex",
        "codecs.decode",
        "json.loads",
        "dict",
        "list",
        "tuple",
        "sorted",
        "reversed",
        "io.BytesIO",
        "BytesIO",
        "io.StringIO",
    }
)
# methods whose answer is not the receiver's text
CLEAN_METHODS = frozenset(
    {
        "startswith",
        "endswith",
        "isdigit",
        "isalpha",
        "isalnum",
        "isnumeric",
        "isdecimal",
        "isidentifier",
        "count",
        "find",
        "rfind",
        "index",
        "rindex",
        "exists",
        "is_file",
        "is_dir",
        "keys",
        "getlist_length",
        "__len__",
    }
)
LINE_BREAK_SAFE = frozenset({"log", "header"})  # what a value with its line breaks replaced is safe for
URL_CHECKS = frozenset({"url_has_allowed_host_and_scheme", "is_safe_url", "url_is_safe", "is_safe_redirect_url"})
MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "appendleft", "setdefault"})
TAINT_OPERATORS = frozenset({"+", "%", "/"})
NO_TAINT = frozenset(
    {
        "comparison_operator",
        "not_operator",
        "integer",
        "float",
        "true",
        "false",
        "none",
        "lambda",
        "unary_operator",
    }
)
OWN_ADDRESS = re.compile(r"^[\w.]*request\.(url|base_url|full_path|get_full_path)\b")
# the file's imports, name → what it stands for: `loads` → `pickle.loads`, `sp` → `subprocess`
_ALIASES: ContextVar[dict[str, str]] = ContextVar("aliases", default={})  # noqa: B039 - never mutated
FLASK_CONVERTERS = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# frameworks whose views may return the page as a str (FastAPI's str is JSON; Django wants an HttpResponse)
PAGE_FRAMEWORKS = re.compile(r"^\s*(?:from|import)\s+(?:flask|bottle|quart)\b", re.MULTILINE)
# a returned expression that is text when it carries request data (a dict or list is not a page; a call is
# judged by its taint: jsonify() carries none, request.args.get() and "...".format() do)
PAGE_TEXT = frozenset(
    {"identifier", "string", "concatenated_string", "binary_operator", "subscript", "attribute", "call"}
)
JSON_BODY = re.compile(r"^request\.(json|get_json\(.*\))$")
_PAGE_VIEW: ContextVar[bool] = ContextVar("page_view", default=False)


def python_flows(text: str) -> list[Flow]:
    """Every source → sink flow of `text`, in the order of the sinks."""
    root = parser("python").parse(text.encode("utf-8", errors="surrogatepass")).root_node
    flows: list[Flow] = []
    imports = _imports(root)
    token = _ALIASES.set({**imports, **_clients(root, imports)})
    try:
        _block(root, {}, flows, strong=True)
        pages = bool(PAGE_FRAMEWORKS.search(text))
        for function, decorators in _functions(root):
            body = function.child_by_field_name("body")
            if body is not None:
                view = _PAGE_VIEW.set(pages and _route(decorators) is not None)
                try:
                    _block(body, _parameters(function, decorators), flows, strong=True)
                finally:
                    _PAGE_VIEW.reset(view)
    finally:
        _ALIASES.reset(token)
    unique = {(f.line, f.column, f.sink.category): f for f in flows}
    return sorted(unique.values(), key=lambda f: (f.line, f.column))


def _imports(root: Node) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for statement in (*_descendants(root, "import_statement"), *_descendants(root, "import_from_statement")):
        module = _text(statement.child_by_field_name("module_name"))
        for child in statement.children_by_field_name("name"):
            full = _text(child.child_by_field_name("name") if child.type == "aliased_import" else child)
            local = _text(child.child_by_field_name("alias")) if child.type == "aliased_import" else full.split(".")[0]
            aliases[local] = f"{module}.{full}" if module else (full if child.type == "aliased_import" else local)
    return {local: full for local, full in aliases.items() if local != full}


def _clients(root: Node, imports: dict[str, str]) -> dict[str, str]:
    """Names that only ever hold an HTTP client (`client = httpx.AsyncClient()`, `with requests.Session() as s`),
    read as their library: `client.get(url)` → `httpx.get(url)`, so a client's requests are outbound URLs too. A
    name that is also a parameter somewhere (`def cached(client)`) may hold anything there."""
    bound: dict[str, set[str]] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        if node.type in ("parameters", "lambda_parameters"):
            for name in _descendants(node, "identifier"):
                bound.setdefault(_text(name), set()).add("")
            continue
        if node.type == "assignment":
            target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        elif node.type == "as_pattern" and node.parent is not None and node.parent.type == "with_item":
            alias = node.child_by_field_name("alias")
            target = alias.named_children[0] if alias is not None and alias.named_children else None
            value = node.named_children[0] if node.named_children else None
        else:
            continue
        if target is not None and target.type == "identifier":
            callee = _callee(value) if value is not None and value.type == "call" else ""
            first, dot, rest = callee.partition(".")
            library = HTTP_CLIENTS.get(imports.get(first, first) + dot + rest, "")
            bound.setdefault(_text(target), set()).add(library)
    return {
        name: next(iter(libraries)) for name, libraries in bound.items() if len(libraries) == 1 and "" not in libraries
    }


def _canonical(name: str) -> str:
    """The callee with its first name read through the file's imports: `loads` → `pickle.loads`."""
    first, dot, rest = name.partition(".")
    full = _ALIASES.get().get(first)
    return name if full is None else full + dot + rest


# -- scopes ---------------------------------------------------------------------------------------------------


def _functions(node: Node) -> Iterator[tuple[Node, list[Node]]]:
    for child in node.named_children:
        if child.type == "decorated_definition":
            target = child.child_by_field_name("definition")
            decorators = [d for d in child.named_children if d.type == "decorator"]
        else:
            target, decorators = child, []
        if target is not None and target.type == "function_definition":
            yield target, decorators
        yield from _functions(target if target is not None else child)


def _parameters(function: Node, decorators: list[Node]) -> Env:
    """The parameters that hold request data: a route's, but for injected and number-typed ones; a Lambda
    handler's event."""
    params = function.child_by_field_name("parameters")
    route = _route(decorators)
    if params is not None and route is None and (event := _lambda_event(params)) is not None:
        return {_text(event): Taint(origin=f"Lambda event {_text(event)}", line=event.start_point[0] + 1)}
    if params is None or route is None:
        return {}
    clean_names = {name for kind, name in FLASK_CONVERTERS.findall(route) if kind in ("int", "float", "uuid")}
    env: Env = {}
    for param in params.named_children:
        kind = param.child_by_field_name("type")
        default = param.child_by_field_name("value")
        if (name_node := _parameter_name(param)) is None:
            continue
        name = _text(name_node)
        if name in ("self", "cls", "request", "req") or name in clean_names or _not_text(_text(kind)):
            continue
        if default is not None and default.type == "call" and _callee(default) in INJECTED:
            continue
        env[name] = Taint(origin=f"route parameter {name}", line=name_node.start_point[0] + 1)
    return env


def _lambda_event(params: Node) -> Node | None:
    """An AWS Lambda handler's first parameter, `(event, context)` by the platform's convention: what the caller
    sent (an API Gateway request, a queue message), so request data."""
    names = [_parameter_name(p) for p in params.named_children]
    if len(names) == 2 and names[0] is not None and names[1] is not None and _text(names[1]) == "context":
        return names[0] if _text(names[0]) in ("event", "evt") else None
    return None


def _parameter_name(param: Node) -> Node | None:
    """The name of a plain, typed or defaulted parameter (`x`, `x: int`, `x=1`); None for `*args`, `/`, `*`."""
    if param.type == "identifier":
        return param
    name = param.named_children[0] if param.type == "typed_parameter" else param.child_by_field_name("name")
    return name if name is not None and name.type == "identifier" else None


def _not_text(annotation: str) -> bool:
    """An annotation FastAPI fills with something other than request text: a number, a Request, a Depends()."""
    words = [w for w in re.findall(r"[\w.]+", annotation) if w not in ("Optional", "Annotated", "Union", "None")]
    return bool(words) and (words[0] in CLEAN_TYPES or any(w in INJECTED for w in words))


def _route(decorators: list[Node]) -> str | None:
    """The route's path if a decorator makes the function a web route (`@app.route`, `@router.get`)."""
    for decorator in decorators:
        call = next((c for c in decorator.named_children if c.type == "call"), None)
        if call is None:
            continue
        name = _callee(call)
        if "." in name and (name.rsplit(".", 1)[1] in ROUTE_VERBS | {"route"}):
            return _text(call.child_by_field_name("arguments"))
    return None


# -- statements -----------------------------------------------------------------------------------------------


def _block(node: Node, env: Env, flows: list[Flow], strong: bool) -> None:
    for statement in node.named_children:
        _statement(statement, env, flows, strong)


def _statement(node: Node, env: Env, flows: list[Flow], strong: bool) -> None:
    kind = node.type
    if kind in ("function_definition", "class_definition", "decorated_definition", "comment"):
        return
    if kind == "block":
        _block(node, env, flows, strong=False)
        return
    if kind.endswith("_statement") and kind not in ("expression_statement", "return_statement"):
        _compound(node, env, flows)
        return
    if kind.endswith("_clause") and kind != "with_clause":
        for child in node.named_children:
            if child.type == "block":
                _statement(child, env, flows, strong=False)
            else:
                _check(child, env, flows)
        return
    _check(node, env, flows)
    if kind == "return_statement" and _PAGE_VIEW.get():
        _returned_page(node, env, flows)
    for child in node.named_children if kind == "expression_statement" else []:
        _header_assignment(child, env, flows)
        _assignment(child, env, strong)
        _mutation(child, env)


def _compound(node: Node, env: Env, flows: list[Flow]) -> None:
    if node.type == "if_statement":
        _guard(node, env)
    if node.type == "for_statement":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if right is not None:
            _check(right, env, flows)
            if left is not None and (taint := _taint(right, env)) is not None:
                _bind(left, replace(taint, container=False), env, strong=False)
    for child in node.named_children:
        if child.type == "block" or (child.type.endswith("_clause") and child.type != "with_clause"):
            _statement(child, env, flows, strong=False)
        elif node.type != "for_statement":
            _check(child, env, flows)
            if child.type == "with_clause":
                _with_aliases(child, env)
        elif child.type.endswith("_statement"):
            _statement(child, env, flows, strong=False)


def _guard(node: Node, env: Env) -> None:
    """`if x not in ALLOWED: return` (or raise, abort): after it, x is one of the allowed values."""
    condition, body = node.child_by_field_name("condition"), node.child_by_field_name("consequence")
    if condition is None or body is None or condition.type != "comparison_operator" or not body.named_children:
        return
    operators = [_text(c) for c in condition.children if not c.is_named]
    last = body.named_children[-1]
    exits = last.type in ("return_statement", "raise_statement") or (
        last.type == "expression_statement"
        and last.named_children
        and last.named_children[0].type == "call"
        and _callee(last.named_children[0]) in ("abort", "flask.abort")
    )
    if operators == ["not in"] and exits and condition.named_children:
        env.pop(_text(condition.named_children[0]), None)


def _with_aliases(clause: Node, env: Env) -> None:
    for item in _descendants(clause, "as_pattern"):
        value = item.named_children[0] if item.named_children else None
        target = item.child_by_field_name("alias")
        if value is not None and target is not None and value.type != "call" and (t := _taint(value, env)):
            _bind(target, t, env, strong=False)


def _assignment(node: Node, env: Env, strong: bool) -> None:
    if node.type == "assignment":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return
        if right.type == "assignment":
            _assignment(right, env, strong)
            right = right.child_by_field_name("right") or right
        _bind(left, _taint(right, env), env, strong)
    elif node.type == "augmented_assignment":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is not None and right is not None and (taint := _taint(right, env)) is not None:
            _bind(left, env.get(_text(left)) or replace(taint, prefix=UNKNOWN), env, strong=False)


def _mutation(node: Node, env: Env) -> None:
    """`items.append(tainted)` and the like: the container holds outside data from then on."""
    function = node.child_by_field_name("function") if node.type == "call" else None
    if (
        function is None
        or function.type != "attribute"
        or _text(function.child_by_field_name("attribute")) not in MUTATORS
    ):
        return
    receiver = function.child_by_field_name("object")
    taint = _first(list(_call(node).args), env)
    if receiver is not None and taint is not None:
        _bind(receiver, replace(taint, container=True), env, strong=False)


def _bind(target: Node, taint: Taint | None, env: Env, strong: bool) -> None:
    if target.type in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list", "as_pattern_target"):
        for child in target.named_children:
            _bind(child, taint, env, strong)
        return
    if target.type not in ("identifier", "attribute", "subscript"):
        return
    key = _text(target if target.type != "subscript" else target.child_by_field_name("value") or target)
    if taint is not None:
        env[key] = taint if target.type != "subscript" else env.get(key) or taint
    elif strong and target.type != "subscript":
        env.pop(key, None)


# -- sinks ----------------------------------------------------------------------------------------------------


def _check(node: Node, env: Env, flows: list[Flow]) -> None:
    for call in _descendants(node, "call"):
        view = _call(call)
        canonical = _canonical(view.name)
        views = [view] if canonical == view.name else [view, replace(view, name=canonical)]
        if view.last in URL_CHECKS:  # the URL is checked against the allowed hosts before it is used
            for argument in (*view.args, *view.kwargs.values()):
                if (key := _text(argument)) in env:
                    env[key] = replace(env[key], cleared=env[key].cleared | {"redirect", "ssrf"})
        hits = {(a.start_byte, a.end_byte, s.category): (a, s) for v in views for c in checkers() for a, s in c(v)}
        for argument, sink in hits.values():
            _report(call, _taint(argument, env), sink, flows)
    for named in _descendants(node, "named_expression"):
        name, value = named.child_by_field_name("name"), named.child_by_field_name("value")
        if name is not None and value is not None:
            _bind(name, _taint(value, env), env, strong=False)


def _returned_page(node: Node, env: Env, flows: list[Flow]) -> None:
    """What a Flask view returns is the page (a `(body, status)` tuple's first item): request data in it is
    served as HTML."""
    value = node.named_children[0] if node.named_children else None
    if value is not None and value.type in ("expression_list", "tuple"):
        value = value.named_children[0] if value.named_children else None
    if value is None or value.type not in PAGE_TEXT or JSON_BODY.match(" ".join(_text(value).split())):
        return
    _report(value, _taint(value, env), Sink("xss", "the view's returned", string_only=True), flows)


def _header_assignment(node: Node, env: Env, flows: list[Flow]) -> None:
    """`resp.headers["X-Name"] = value`: the value becomes a response header. A dict of one's own named `headers`
    (`headers["Authorization"] = ...` for an outbound call) is not an object's headers."""
    left = node.child_by_field_name("left") if node.type == "assignment" else None
    target = left.child_by_field_name("value") if left is not None and left.type == "subscript" else None
    right = node.child_by_field_name("right")
    attribute = target.child_by_field_name("attribute") if target is not None and target.type == "attribute" else None
    if target is not None and right is not None and _text(attribute) == "headers":
        _report(node, _taint(right, env), Sink("header", _text(target), string_only=True), flows)


def _report(node: Node, taint: Taint | None, sink: Sink, flows: list[Flow]) -> None:
    if taint is not None and counts(taint, sink):
        row, column = node.start_point
        end = node.end_point
        flows.append(Flow(taint, sink, row + 1, column, end[1] if end[0] == row else None))


def _descendants(node: Node, kind: str) -> Iterator[Node]:
    """Nodes of `kind` in `node`, outermost first, not looking into nested functions."""
    if node.type == kind:
        yield node
    for child in node.children:
        if child.type not in ("lambda", "function_definition", "class_definition"):
            yield from _descendants(child, kind)


def _call(node: Node) -> Call:
    args: list[Node] = []
    kwargs: dict[str, Node] = {}
    arguments = node.child_by_field_name("arguments")
    for arg in arguments.named_children if arguments is not None else []:
        if arg.type == "keyword_argument":
            name, value = arg.child_by_field_name("name"), arg.child_by_field_name("value")
            if name is not None and value is not None:
                kwargs[_text(name)] = value
        elif arg.type != "comment":
            args.append(arg)
    return Call(_callee(node), tuple(args), kwargs)


# -- taint of an expression -----------------------------------------------------------------------------------


def _taint(node: Node, env: Env) -> Taint | None:
    kind = node.type
    if kind in NO_TAINT:
        return None
    if kind in ("identifier", "attribute"):
        if (source := _source(node)) is not None:
            return source
        if (found := env.get(_text(node))) is not None:
            return found
        obj = node.child_by_field_name("object")
        return _taint(obj, env) if obj is not None else None
    if kind == "subscript":
        value = node.child_by_field_name("value")
        if value is not None and _is_request_data(value):
            return _origin(node)
        return _taint(value, env) if value is not None else None
    if kind == "call":
        return _call_taint(node, env)
    if kind == "string":
        return _string_taint(node, env)
    if kind == "binary_operator":
        return _binary_taint(node, env)
    if kind in ("list", "tuple", "set", "list_comprehension", "generator_expression", "set_comprehension"):
        found = _first(node.named_children, env)
        return replace(found, container=True) if found is not None else None
    if kind == "conditional_expression":
        return _first(node.named_children[0::2], env)
    return _first(node.named_children, env)


def _first(nodes: list[Node], env: Env) -> Taint | None:
    """The taint of the first tainted node, with the constant text before it as its prefix."""
    prefix = ""
    for child in nodes:
        if (taint := _taint(child, env)) is not None:
            return replace(taint, prefix=prefix + taint.prefix)
        prefix += _literal(child)
    return None


def _literal(node: Node) -> str:
    """The value of a plain string literal; UNKNOWN for anything else."""
    value = literal(node)
    return UNKNOWN if value is None else value


def _string_taint(node: Node, env: Env) -> Taint | None:
    prefix = ""
    for child in node.named_children:
        if child.type == "string_content":
            prefix += _text(child)
        elif child.type == "interpolation":
            expression = child.child_by_field_name("expression")
            if expression is not None and (taint := _taint(expression, env)) is not None:
                return replace(taint, prefix=prefix + taint.prefix, container=False)
            prefix += UNKNOWN
    return None


def _binary_taint(node: Node, env: Env) -> Taint | None:
    operator = node.child_by_field_name("operator")
    if operator is None or _text(operator) not in TAINT_OPERATORS:
        return None
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None:
        return None
    if (taint := _taint(left, env)) is not None:
        return replace(taint, container=False)
    if (taint := _taint(right, env)) is None:
        return None
    before = _literal(left)
    if _text(operator) == "%":
        before = before.split("%", 1)[0]
    return replace(taint, prefix=before + taint.prefix, container=False)


def _call_taint(node: Node, env: Env) -> Taint | None:
    written = _callee(node)
    canonical = _canonical(written)
    # a bare name imported from a module is known by its full name (`quote` from shlex → shlex.quote)
    name = canonical if canonical in CLEANING | PASS_THROUGH | SANITISERS.keys() else written
    function = node.child_by_field_name("function")
    call = _call(node)
    if name in ("input", "raw_input", "getpass.getpass"):
        return Taint(origin=f"{name}()", line=node.start_point[0] + 1, local=True)
    if function is not None and function.type == "attribute":
        obj = function.child_by_field_name("object")
        if _is_request_data(function):  # request.get_json()
            return _origin(node)
        if obj is not None and _is_request_data(obj):  # request.args.get('name')
            return None if call.keyword_text("type") in ("int", "float", "bool") else _origin(node)
    if name in CLEANING or name.rsplit(".", 1)[-1] in ("int", "float", "bool", "len"):
        return None
    if name in SANITISERS:
        return clear(_first(list(call.args), env), SANITISERS[name])
    if name in PASS_THROUGH or name.endswith(("path.join", ".urljoin")):
        return _first([*call.args, *call.kwargs.values()], env)
    if function is None or function.type != "attribute":
        return None
    obj = function.child_by_field_name("object")
    method = name.rsplit(".", 1)[-1]
    receiver = _taint(obj, env) if obj is not None else None
    if method == "format":
        before = _literal(obj).split("{", 1)[0] if obj is not None else UNKNOWN
        found = receiver or _first([*call.args, *call.kwargs.values()], env)
        return None if found is None else replace(found, prefix=found.prefix if receiver else before + found.prefix)
    if method == "replace" and receiver is None and len(call.args) > 1:  # a template filled in: "<p>{n}</p>".replace
        found = _taint(call.args[1], env)
        return replace(found, prefix=UNKNOWN, container=False) if found is not None else None
    if method == "join" and receiver is None:
        found = _first(list(call.args), env)
        return replace(found, prefix=UNKNOWN, container=False) if found is not None else None
    if (
        receiver is not None
        and method == "replace"
        and call.args
        and _literal(call.args[0]) in ("\\n", "\\r", "\\r\\n")
    ):
        return replace(clear(receiver, LINE_BREAK_SAFE) or receiver, container=False)  # line breaks taken out
    if receiver is not None and method not in CLEAN_METHODS:
        return replace(receiver, container=False) if method not in ("get", "pop", "getlist") else receiver
    return None


def _source(node: Node) -> Taint | None:
    if _is_request_data(node):
        return _origin(node)
    if _text(node) == "sys.argv":
        return Taint(origin="sys.argv", line=node.start_point[0] + 1, local=True)
    return None


def _is_request_data(node: Node) -> bool:
    """`request.args`, `self.request.GET`, `request.get_json`: request data, or a method that gives it."""
    if node.type != "attribute":
        return False
    obj, attribute = node.child_by_field_name("object"), node.child_by_field_name("attribute")
    return (
        obj is not None and attribute is not None and _text(obj) in REQUEST_NAMES and _text(attribute) in REQUEST_DATA
    )


def _origin(node: Node) -> Taint:
    text = " ".join(_text(node).split())
    # the page's own address: attacker-shaped text, but redirecting to it keeps the user on this site
    own = bool(OWN_ADDRESS.search(text))
    return Taint(
        origin=text if len(text) <= 60 else text[:57] + "...",
        line=node.start_point[0] + 1,
        cleared=frozenset({"redirect"}) if own else frozenset(),
    )


def _callee(node: Node) -> str:
    function = node.child_by_field_name("function")
    return "".join(_text(function).split()) if function is not None else ""


def _text(node: Node | None) -> str:
    return "" if node is None or node.text is None else node.text.decode("utf-8", "replace")
