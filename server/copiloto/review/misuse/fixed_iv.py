"""An IV or nonce written in the code (CWE-329): pycryptodome's `AES.new(key, AES.MODE_CBC, b"0" * 16)` or
`nonce=NONCE`, cryptography's `modes.CBC(IV)` / `modes.GCM(...)` / `modes.CTR(...)`, `ChaCha20(key, nonce)`,
`AESGCM(key).encrypt(b"...", data, None)`. The same IV under the same key shows which messages start alike
(CBC); the same nonce in CTR, GCM or ChaCha20 repeats the keystream, so two ciphertexts give away both
plaintexts, and in GCM the authentication key as well."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, argument, constants, dotted, fixed, functions, keyword

RULE = Rule("CM-FIXED-IV", 329, "error", "fixed_iv_or_nonce")
PYCRYPTODOME = ("Crypto.Cipher.", "Cryptodome.Cipher.")
STREAM = frozenset({"ChaCha20", "XChaCha20", "Salsa20", "ChaCha20_Poly1305"})  # new(key, nonce)
# cryptography: class → (position, keyword) of its IV or nonce
MODES = {
    "CBC": (0, "initialization_vector"),
    "CFB": (0, "initialization_vector"),
    "CFB8": (0, "initialization_vector"),
    "OFB": (0, "initialization_vector"),
    "GCM": (0, "initialization_vector"),
    "CTR": (0, "nonce"),
    "ChaCha20": (1, "nonce"),
}
AEAD = frozenset({"AESGCM", "AESCCM", "AESOCB3", "AESGCMSIV", "ChaCha20Poly1305"})  # .encrypt(nonce, data, aad)


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for scope, known in _scopes(tree):
        aeads = _aead_objects(scope, imports)
        for call in _own_calls(scope):
            name = imports.called(call)
            iv = _iv(call, name, imports, aeads)
            if iv is not None and _fixed(iv, known):
                what = name or "encrypt"
                yield Hit(
                    iv,
                    f"{what} is given an IV or nonce written in the code: draw a fresh one per message "
                    "with os.urandom (or get_random_bytes) and send it with the ciphertext",
                )


def _iv(call: ast.Call, name: str, imports: Imports, aeads: set[str]) -> ast.expr | None:
    """The IV or nonce `call` is given, if it is a cipher that takes one."""
    if name.startswith(PYCRYPTODOME) and name.endswith(".new"):
        cipher = name.rsplit(".", 2)[-2]
        if cipher in STREAM:
            return argument(call, 1, "nonce")
        return argument(call, 2, "iv") or keyword(call, "nonce") or keyword(call, "IV")
    if name.startswith("cryptography.") and name.rsplit(".", 1)[-1] in MODES:
        index, word = MODES[name.rsplit(".", 1)[-1]]
        return argument(call, index, word)
    if isinstance(call.func, ast.Attribute) and call.func.attr == "encrypt":
        made = call.func.value
        if (isinstance(made, ast.Call) and _aead(imports.called(made))) or dotted(made) in aeads:
            return argument(call, 0, "nonce")
    return None


def _aead(name: str) -> bool:
    return name.startswith("cryptography.") and name.rsplit(".", 1)[-1] in AEAD


def _aead_objects(scope: ast.AST, imports: Imports) -> set[str]:
    """Names bound in `scope` to an AEAD cipher: `box = AESGCM(key)` → {"box"}."""
    return {
        dotted(target)
        for node in _own(scope)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _aead(imports.called(node.value))
        for target in node.targets
        if dotted(target)
    }


def _fixed(node: ast.AST | None, known: dict[str, ast.expr]) -> bool:
    """Written out in the code, also `b"\\0" * AES.block_size` (the same bytes whatever the size)."""
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
