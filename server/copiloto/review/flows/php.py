"""Source → sink flows inside each PHP function (and the file's own statements), over tree-sitter-php.

Sources: `$_GET`, `$_POST`, `$_REQUEST`, `$_COOKIE`, directly or through variables. The data goes on through
`.`, strings with `$var` or `{$var}` in them, and functions that hand it back (trim, sprintf, implode, ...);
casts to numbers and intval() stop it; htmlspecialchars stops it for output, escaping functions
($DB->escape, mysqli_real_escape_string) for SQL, basename for includes, escapeshellarg for the shell.
Sinks: SQL text (`$DB->query`, `$DB->doQuery`, `mysqli_query`, ...), output (`echo`, `print`, `<?=`),
`include`/`require`, shell functions, unserialize() and file functions. Nodes are handled children first,
so `$x = $DB->query($x)` checks the query with the old `$x`; an assignment inside a branch or loop adds
taint and never takes it away.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from copiloto.grammars import parser
from copiloto.review.flows.rules import UNKNOWN, Flow, Sink, Taint, clear, counts

if TYPE_CHECKING:
    from tree_sitter import Node

Env = dict[str, Taint]
SUPERGLOBALS = frozenset({"$_GET", "$_POST", "$_REQUEST", "$_COOKIE", "$_FILES"})
SCOPES = frozenset({"function_definition", "method_declaration", "anonymous_function", "arrow_function"})
SKIP = SCOPES | {"class_declaration", "interface_declaration", "trait_declaration"}
BRANCHES = frozenset(
    {
        "if_statement",
        "else_clause",
        "else_if_clause",
        "while_statement",
        "do_statement",
        "for_statement",
        "foreach_statement",
        "switch_statement",
        "case_statement",
        "try_statement",
        "catch_clause",
        "conditional_expression",
    }
)
SQL_METHODS = frozenset({"query", "doquery", "queryordie", "doqueryordie", "exec", "prepare", "multi_query"})
SQL_FUNCTIONS = {"mysqli_query": 1, "mysqli_multi_query": 1, "mysqli_real_query": 1, "mysql_query": 0}
SHELL = frozenset({"system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec"})
FILES = frozenset({"fopen", "readfile", "unlink", "file_get_contents", "file_put_contents", "file", "rmdir"})
INCLUDES = frozenset({"include_expression", "include_once_expression", "require_expression", "require_once_expression"})
CLEANING = frozenset(
    {
        "intval",
        "floatval",
        "boolval",
        "count",
        "strlen",
        "is_numeric",
        "isset",
        "empty",
        "md5",
        "sha1",
        "crc32",
        "abs",
        "in_array",
        "ctype_digit",
        "preg_match",
        "array_key_exists",
        "password_hash",
        "hash",
    }
)
SANITISERS: dict[str, frozenset[str]] = {
    "htmlspecialchars": frozenset({"xss"}),
    "htmlentities": frozenset({"xss"}),
    "strip_tags": frozenset({"xss"}),
    "addslashes": frozenset({"sql"}),
    "mysqli_real_escape_string": frozenset({"sql"}),
    "mysql_real_escape_string": frozenset({"sql"}),
    "pg_escape_string": frozenset({"sql"}),
    "basename": frozenset({"include", "path"}),
    "escapeshellarg": frozenset({"shell"}),
    "escapeshellcmd": frozenset({"shell"}),
    "urlencode": frozenset({"xss", "shell", "include", "path"}),
    "rawurlencode": frozenset({"xss", "shell", "include", "path"}),
    "json_encode": frozenset({"xss"}),
}
PASS_THROUGH = frozenset(
    {
        "trim",
        "ltrim",
        "rtrim",
        "strtolower",
        "strtoupper",
        "ucfirst",
        "urldecode",
        "rawurldecode",
        "stripslashes",
        "sprintf",
        "vsprintf",
        "implode",
        "join",
        "str_replace",
        "substr",
        "base64_decode",
        "json_decode",
        "html_entity_decode",
        "nl2br",
        "strval",
        "str_pad",
        "array_values",
        "reset",
        "end",
        "current",
    }
)


def php_flows(text: str) -> list[Flow]:
    """Every source → sink flow of the PHP file `text`, in the order of the sinks."""
    root = parser("php").parse(text.encode("utf-8", errors="surrogatepass")).root_node
    flows: list[Flow] = []
    for scope in [root, *_scopes(root)]:
        env: Env = {}
        for child in scope.children if scope is root else _bodies(scope):
            _visit(child, scope, env, flows)
    unique = {(f.line, f.column, f.sink.category): f for f in flows}
    return sorted(unique.values(), key=lambda f: (f.line, f.column))


def _scopes(node: Node) -> Iterator[Node]:
    for child in node.children:
        if child.type in SCOPES:
            yield child
        yield from _scopes(child)


def _bodies(scope: Node) -> list[Node]:
    body = scope.child_by_field_name("body")
    return [body] if body is not None else []


def _visit(node: Node, scope: Node, env: Env, flows: list[Flow]) -> None:
    """Children first, then this node: its sinks, then what it assigns."""
    if node.type in SKIP:
        return
    for child in node.children:
        _visit(child, scope, env, flows)
    for argument, sink in _sinks(node):
        taint = _taint(argument, env)
        if taint is not None and counts(taint, sink):
            row, column = node.start_point
            end = node.end_point
            flows.append(Flow(taint, sink, row + 1, column, end[1] if end[0] == row else None))
    if node.type in ("assignment_expression", "augmented_assignment_expression", "reference_assignment_expression"):
        _assign(node, scope, env)


def _assign(node: Node, scope: Node, env: Env) -> None:
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None:
        return
    key = _text(left.child_by_field_name("object") if left.type == "subscript_expression" else left)
    if left.type == "subscript_expression" and left.named_children:
        key = _text(left.named_children[0])
    taint = _taint(right, env)
    if node.type == "augmented_assignment_expression" and taint is not None:
        env[key] = env.get(key) or replace(taint, prefix=UNKNOWN)
    elif taint is not None:
        env[key] = taint if left.type != "subscript_expression" else env.get(key) or taint
    elif left.type == "variable_name" and not _in_branch(node, scope):
        env.pop(key, None)


def _in_branch(node: Node, scope: Node) -> bool:
    parent = node.parent
    while parent is not None and parent != scope:
        if parent.type in BRANCHES:
            return True
        parent = parent.parent
    return False


# -- sinks ----------------------------------------------------------------------------------------------------


def _sinks(node: Node) -> list[tuple[Node, Sink]]:
    kind = node.type
    if kind == "echo_statement":
        return [(child, Sink("xss", "echo")) for child in _expressions(node)]
    if kind == "print_intrinsic":
        return [(child, Sink("xss", "print")) for child in node.named_children]
    if kind == "expression_statement" and _after_short_echo(node):
        return [(child, Sink("xss", "<?=")) for child in node.named_children]
    if kind in INCLUDES:
        return [(child, Sink("include", kind.removesuffix("_expression"))) for child in node.named_children]
    if kind == "shell_command_expression":
        return [(node, Sink("shell", "backticks"))]
    if kind == "member_call_expression":
        name = _text(node.child_by_field_name("name"))
        if name.lower() in SQL_METHODS:
            label = f"{_text(node.child_by_field_name('object'))}->{name}"
            return _argument(node, 0, Sink("sql", label))
        return []
    if kind != "function_call_expression":
        return []
    name = _text(node.child_by_field_name("function")).lstrip("\\").lower()
    if name in SQL_FUNCTIONS:
        return _argument(node, SQL_FUNCTIONS[name], Sink("sql", name))
    if name == "pg_query":
        return _argument(node, len(_arguments(node)) - 1, Sink("sql", name))
    if name in SHELL:
        return _argument(node, 0, Sink("shell", name))
    if name == "unserialize":
        return _argument(node, 0, Sink("deserialise", name))
    if name in FILES:
        return _argument(node, 0, Sink("path", name))
    return []


def _expressions(node: Node) -> list[Node]:
    out: list[Node] = []
    for child in node.named_children:
        out += _expressions(child) if child.type == "sequence_expression" else [child]
    return out


def _after_short_echo(node: Node) -> bool:
    before = node.prev_sibling
    return before is not None and before.type == "text_interpolation" and _text(before).rstrip().endswith("<?=")


def _arguments(node: Node) -> list[Node]:
    arguments = node.child_by_field_name("arguments")
    if arguments is None:
        return []
    return [a.named_children[-1] if a.type == "argument" and a.named_children else a for a in arguments.named_children]


def _argument(node: Node, index: int, sink: Sink) -> list[tuple[Node, Sink]]:
    arguments = _arguments(node)
    return [(arguments[index], sink)] if 0 <= index < len(arguments) else []


# -- taint of an expression -----------------------------------------------------------------------------------


def _taint(node: Node, env: Env) -> Taint | None:
    kind = node.type
    if kind == "variable_name":
        if _text(node) in SUPERGLOBALS:
            return _origin(node)
        return env.get(_text(node))
    if kind == "subscript_expression":
        base = node.named_children[0] if node.named_children else None
        if base is None:
            return None
        if _text(base) in SUPERGLOBALS:
            return _origin(node)
        return _taint(base, env)
    if kind == "binary_expression":
        operator = _text(node.child_by_field_name("operator"))
        if operator not in (".", "??", "?:"):
            return None
        return _first([c for c in (node.child_by_field_name("left"), node.child_by_field_name("right")) if c], env)
    if kind in ("encapsed_string", "heredoc", "heredoc_body", "parenthesized_expression", "argument"):
        return _first(node.named_children, env)
    if kind == "conditional_expression":
        return _first(node.named_children[1:], env)
    if kind == "cast_expression":
        cast = _text(node.child_by_field_name("type")).lower()
        value = node.child_by_field_name("value")
        return (
            None
            if cast in ("int", "integer", "float", "double", "bool", "boolean") or value is None
            else _taint(value, env)
        )
    if kind == "array_creation_expression":
        found = _first(list(_descend(node, "array_element_initializer")), env)
        return replace(found, container=True) if found is not None else None
    if kind == "array_element_initializer":
        return _first(node.named_children, env)
    if kind in ("function_call_expression", "member_call_expression", "scoped_call_expression"):
        return _call_taint(node, env)
    if kind == "member_access_expression":
        obj = node.child_by_field_name("object")
        return _taint(obj, env) if obj is not None else None
    return None


def _call_taint(node: Node, env: Env) -> Taint | None:
    arguments = _arguments(node)
    if node.type == "function_call_expression":
        name = _text(node.child_by_field_name("function")).lstrip("\\").lower()
        if name in CLEANING:
            return None
        if name in SANITISERS:
            return clear(_first(arguments[:1], env), SANITISERS[name])
        return _first(arguments, env) if name in PASS_THROUGH else None
    name = _text(node.child_by_field_name("name")).lower()
    if any(word in name for word in ("escape", "quote", "clean", "sanitize", "integer")):
        return clear(_first(arguments[:1], env), frozenset({"sql", "xss"}))
    obj = node.child_by_field_name("object") or node.child_by_field_name("scope")
    return _taint(obj, env) if obj is not None and node.type == "member_call_expression" else None


def _first(nodes: list[Node], env: Env) -> Taint | None:
    prefix = ""
    for child in nodes:
        if (taint := _taint(child, env)) is not None:
            return replace(taint, prefix=prefix + taint.prefix, container=False)
        prefix += _text(child) if child.type == "string_content" else UNKNOWN
    return None


def _descend(node: Node, kind: str) -> Iterator[Node]:
    for child in node.named_children:
        if child.type == kind:
            yield child


def _origin(node: Node) -> Taint:
    text = " ".join(_text(node).split())
    return Taint(origin=text if len(text) <= 60 else text[:57] + "...", line=node.start_point[0] + 1)


def _text(node: Node | None) -> str:
    return "" if node is None or node.text is None else node.text.decode("utf-8", "replace")
