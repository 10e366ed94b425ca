"""B506 (yaml_load): `yaml.load(x)` → `yaml.safe_load(x)`.

The rewrite renames the attribute (`yaml.load` → `yaml.safe_load`, any module alias kept) and drops a
Loader that PyYAML ships (`Loader=yaml.FullLoader`, `yaml.UnsafeLoader`, ... given by keyword or as the
second argument): `safe_load` has no such parameter and builds plain data only.

It refuses when the call is a bare `load(...)` (a `from yaml import load`: `safe_load` may not be imported),
when the Loader is not one of PyYAML's (a custom Loader carries constructors the code relies on; `BaseLoader`
is safe already and reads every scalar as a str, which safe_load would not), when the call has other arguments
(`safe_load` takes the stream only, positionally or as `stream=`), or when a comment sits where text is removed.
"""

from __future__ import annotations

import ast

from copiloto.review.fixes._edit import Source, attribute_name_span, dotted, keyword, removing_keyword, replace
from copiloto.review.security import SecurityFinding

CODE = "B506"
TITLE = "use yaml.safe_load"
# PyYAML's own loaders: replacing them by safe_load loses only the Python-object tags bandit warns about.
_PYYAML_LOADERS = {"Loader", "FullLoader", "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader"}


def _is_pyyaml_loader(node: ast.AST, module: str | None, tree: ast.Module) -> bool:
    """`yaml.FullLoader` through the module the call uses (`y.FullLoader` after `import yaml as y`), or a
    bare name imported from yaml."""
    name = dotted(node)
    if name is None:
        return False
    prefix, _, last = name.rpartition(".")
    if last not in _PYYAML_LOADERS:
        return False
    if prefix:
        return prefix in (module, "yaml")
    return any(
        isinstance(stmt, ast.ImportFrom)
        and stmt.module == "yaml"
        and any(alias.name == last and alias.asname is None for alias in stmt.names)
        for stmt in ast.walk(tree)
    )


def rewrite(text: str, finding: SecurityFinding) -> str | None:
    source = Source.parse(text)
    if source is None:
        return None
    call = source.call_at(
        finding.line, finding.column, lambda c: isinstance(c.func, ast.Attribute) and c.func.attr == "load"
    )
    if call is None or not isinstance(call.func, ast.Attribute):
        return None
    name = attribute_name_span(source, call.func)
    if name is None:
        return None
    edits = [(name[0], name[1], "safe_load")]
    module = dotted(call.func.value)
    loader_kw, stream_kw = keyword(call, "Loader"), keyword(call, "stream")
    others = [kw for kw in call.keywords if kw is not loader_kw and kw is not stream_kw]
    if others or len(call.args) > 2 or (len(call.args) == 2 and loader_kw is not None):
        return None  # **kwargs, or a loader given twice: not ours to guess
    if (len(call.args) == 0) == (stream_kw is None):
        return None  # no stream, or two (safe_load takes `stream`, positionally or by name)
    if len(call.args) == 2:
        if not _is_pyyaml_loader(call.args[1], module, source.tree):
            return None
        start = source.span(call.args[0])[1]
        first, last = source.span(call.args[1])
        if source.text[start:first].strip() != ",":
            return None
        edits.append((start, last, ""))
    elif loader_kw is not None:
        if not _is_pyyaml_loader(loader_kw.value, module, source.tree):
            return None
        removal = removing_keyword(source, call, loader_kw)
        if removal is None:
            return None
        edits.append(removal)
    return replace(text, edits)
