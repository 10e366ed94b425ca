"""A secret compared with `==` (CWE-208): `if signature == expected_signature`, `if request.headers["X-Token"]
!= token`, `if hmac.new(...).hexdigest() == sent`. `==` stops at the first byte that differs, so the time it
takes tells an attacker how much of a guess is right, and a signature or token can be found a byte at a time.
Only a secret against a value that is not written in the code counts (`token == ""`, `password == "admin"`
are other findings), not `len(token) == 32`, not `tokens == []`, not an `assert` (a test), not a password
checked against its confirmation (both from the same user), not a value the object keeps on `self` (a cache
telling its own tokens apart, an `__eq__`), not a plain `hashlib` digest (a file's checksum is no secret)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, dotted, functions, own_nodes

RULE = Rule("CM-TIMING-COMPARE", 208, "warning", "secret_compared_in_variable_time")
# the last part of a name that holds a secret or a digest: expected_signature, X-Signature, csrfToken
SECRET = re.compile(r"(?:^|_)(password|passwd|token|secret|signature|digest|hexdigest|hmac|mac|api_?key)$")
CONFIRM = re.compile(r"(?i)confirm|repeat|again|retype|\d$")  # password2: the same user typing it twice
SHAPES = frozenset({"len", "type", "id", "isinstance", "bool"})


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    asserted = {id(n) for node in ast.walk(tree) if isinstance(node, ast.Assert) for n in ast.walk(node.test)}
    for scope in [tree, *functions(tree)]:
        own = _own_state(scope)
        for node in own_nodes(scope):
            if not isinstance(node, ast.Compare) or id(node) in asserted:
                continue
            sides = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, sides, sides[1:], strict=False):
                secret = isinstance(op, (ast.Eq, ast.NotEq)) and _timed(left, right, own, imports)
                if secret:
                    yield Hit(
                        node,
                        f"{secret} is compared with {'==' if isinstance(op, ast.Eq) else '!='}, which takes longer "
                        "the more leading bytes match: use hmac.compare_digest",
                    )
                    break


def _timed(left: ast.expr, right: ast.expr, own: set[str], imports: Imports) -> str | None:
    """The secret's name when `left == right` compares a secret with a value that is not written out."""
    if any(_fixed(side) or _shape(side) or _owned(side, own) for side in (left, right)):
        return None
    if any(CONFIRM.search(_name(side)) for side in (left, right)):
        return None
    return _secret(left, imports) or _secret(right, imports)


def _secret(node: ast.expr, imports: Imports) -> str | None:
    """The name of the secret `node` holds: a variable, attribute or subscript key, or an HMAC's digest."""
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("digest", "hexdigest"):
            made = node.func.value
            maker = imports.called(made) if isinstance(made, ast.Call) else ""
            if maker.startswith("hmac.") or maker.endswith(".HMAC") or SECRET.search(_snake(_name(made))):
                return f"{dotted(node.func) or node.func.attr}()"
        return None
    if isinstance(node, ast.Attribute) and node.attr.isupper() and dotted(node.value).rsplit(".", 1)[-1][:1].isupper():
        return None  # a class's constant, `Restriction.PASSWORD`: the name of a kind, not a secret value
    name = _name(node)
    return name if name and SECRET.search(_snake(name)) else None


def _owned(node: ast.expr, own: set[str]) -> bool:
    """A value the object keeps for itself (`self.token`, `cached.token` with `cached = self._cached`): compared
    to tell its own states apart (a cache, `__eq__`), not to check what a caller sent."""
    root = node
    while isinstance(root, (ast.Attribute, ast.Subscript)):
        root = root.value
    return isinstance(root, ast.Name) and root.id in own and root is not node


def _own_state(scope: ast.AST) -> set[str]:
    """`self`, `cls`, and the names the function binds to one of their attributes."""
    own = {"self", "cls"}
    for node in own_nodes(scope):
        if isinstance(node, ast.Assign) and dotted(node.value).split(".")[0] in ("self", "cls"):
            own |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return own


def _name(node: ast.expr) -> str:
    """The last name part of `node`: `x` of `a.b.x`, the key of `headers["X-Token"]`, "" otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    return ""


def _snake(name: str) -> str:
    """`csrfToken` → `csrf_token`, `X-Signature` → `x_signature`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).replace("-", "_").lower()


def _fixed(node: ast.expr) -> bool:
    """A value written in the code: None, a number, a string, an empty collection, `-1`."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return _fixed(node.operand)
    return isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and not any(
        getattr(node, "elts", None) or getattr(node, "keys", None) or []
    )


def _shape(node: ast.expr) -> bool:
    """`len(x)`, `type(x)`: what is compared is a shape, not the secret."""
    return isinstance(node, ast.Call) and dotted(node.func) in SHAPES
