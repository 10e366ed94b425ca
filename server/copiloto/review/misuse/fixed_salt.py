"""A salt written in the code (CWE-760): `hashlib.pbkdf2_hmac("sha256", pw, b"salt", n)`, `hashlib.scrypt(...,
salt=SALT)` with `SALT = b"..."`, cryptography's `PBKDF2HMAC(salt=...)` / `Scrypt(salt=...)`, `bcrypt.hashpw(pw,
b"$2b$12$...")`. A salt is only worth its randomness: one salt for every password lets an attacker build one
table for the whole database, and equal passwords get equal hashes."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, constants, fixed, functions, keyword

RULE = Rule("CM-FIXED-SALT", 760, "error", "fixed_salt")
# what derives a key from a password → (position, keyword) of its salt; position -1: keyword only
SALTED: dict[str, tuple[int, str]] = {
    "hashlib.pbkdf2_hmac": (2, "salt"),
    "hashlib.scrypt": (-1, "salt"),
    "bcrypt.hashpw": (1, "salt"),
    "django.contrib.auth.hashers.make_password": (1, "salt"),
}
CRYPTOGRAPHY_KDF = {"PBKDF2HMAC": (2, "salt"), "Scrypt": (0, "salt")}


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for scope, known in _scopes(tree):
        for call in _own_calls(scope):
            name = imports.called(call)
            where = SALTED.get(name) or (
                CRYPTOGRAPHY_KDF.get(name.rsplit(".", 1)[-1]) if name.startswith("cryptography.") else None
            )
            if where is None:
                continue
            index, word = where
            salt = argument(call, index, word) if index >= 0 else keyword(call, word)
            if _fixed(salt, known):
                yield Hit(
                    salt or call,
                    f"{name} is given a salt written in the code: draw a new one per password with os.urandom(16) "
                    "(or bcrypt.gensalt()) and store it beside the hash",
                )


def _fixed(node: ast.AST | None, known: dict[str, ast.expr]) -> bool:
    """Written out in the code, also `b"\\0" * block_size` (the same bytes whatever the size)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _fixed(node.left, known) or _fixed(node.right, known)
    return fixed(node, known)


def _scopes(tree: ast.Module) -> Iterator[tuple[ast.AST, dict[str, ast.expr]]]:
    """The module and each function, with the names bound there to a value written in the code (a function
    sees the module's, unless it binds the name itself)."""
    module = _constants(tree)
    yield tree, module
    for function in functions(tree):
        own = _constants(function)
        bound = _bound(function)
        yield function, {**{k: v for k, v in module.items() if k not in bound}, **own}


def _constants(scope: ast.AST) -> dict[str, ast.expr]:
    """`constants(scope)`, and the names bound once to a run of zeros sized by a name: `IV = b"\\0" * size`."""
    known = constants(scope)
    stores = [n.id for n in _own(scope) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
    for node in _own(scope):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and stores.count(node.targets[0].id) == 1
            and _fixed(node.value, {})
        ):
            known[node.targets[0].id] = node.value
    return known


def _bound(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = function.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a}
    return names | {n.id for n in _own(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _own_calls(scope: ast.AST) -> Iterator[ast.Call]:
    return (node for node in _own(scope) if isinstance(node, ast.Call))


def _own(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of `scope`, not those of the functions defined in it (they are scopes of their own)."""
    for child in ast.iter_child_nodes(scope):
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield child
            yield from _own(child)
