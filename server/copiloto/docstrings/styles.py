"""The three docstring conventions: what a docstring documents, what it misses, and an empty one to fill.

Parsing is deliberately forgiving (section names in any case, Google's aliases such as ``Arguments:``):
it decides coverage, not formatting; ruff's pydocstyle rules (lint.py) judge the formatting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.target import Target

Style = Literal["google", "numpy", "sphinx"]
STYLES: tuple[Style, ...] = get_args(Style)
DEFAULT_STYLE: Style = "google"

_PARAMS = frozenset(
    {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments", "other parameters"}
)
_RETURNS = frozenset({"returns", "return"})
_YIELDS = frozenset({"yields", "yield"})
_RAISES = frozenset({"raises", "raise", "exceptions"})
# Sections that hold nothing we check but end the one before them.
_OTHER = frozenset(
    {
        "attributes",
        "example",
        "examples",
        "methods",
        "note",
        "notes",
        "references",
        "see also",
        "todo",
        "warning",
        "warnings",
        "warns",
        "receives",
    }
)
_KNOWN = _PARAMS | _RETURNS | _YIELDS | _RAISES | _OTHER

_GOOGLE_HEADER_RE = re.compile(r"([A-Za-z][A-Za-z ]*?)\s*:\s*")
_GOOGLE_PARAM_RE = re.compile(r"(\*{0,2}[A-Za-z_]\w*)\s*(?:\([^)]*\))?\s*:")
_EXCEPTION_RE = re.compile(r"([A-Za-z_][\w.]*)\s*(?::|$)")
_UNDERLINE_RE = re.compile(r"\s*-{3,}\s*")
_SHORT_NAME = 3  # attribute names shorter than this are English words too ("a"): see unmentioned_changes
_SPHINX_PARAM_RE = re.compile(r"\s*:(?:param|parameter|arg|argument|key|keyword)\s+(?:[^:]*\s)?\\?(\*{0,2}\w+)\s*:")
_SPHINX_RETURNS_RE = re.compile(r"\s*:returns?\s*:")
_SPHINX_YIELDS_RE = re.compile(r"\s*:yields?\s*:")
_SPHINX_RAISES_RE = re.compile(r"\s*:(?:raises?|except|exception)\s+([^:]+):")

# How each style names its sections in a problem message.
_RETURNS_HEADER: dict[Style, str] = {"google": "Returns:", "numpy": "Returns", "sphinx": ":returns:"}
_YIELDS_HEADER: dict[Style, str] = {"google": "Yields:", "numpy": "Yields", "sphinx": ":yields:"}
_RAISES_HEADER: dict[Style, str] = {"google": "Raises:", "numpy": "Raises", "sphinx": ":raises X:"}


@dataclass(frozen=True)
class Sections:
    params: tuple[str, ...]  # as documented, stars stripped
    returns: bool
    yields: bool
    raises: tuple[str, ...]


def check_style(name: str) -> Style:
    """`name` as a Style, or a DocstringError listing the styles (for settings and the CLI)."""
    for style in STYLES:
        if name.strip().lower() == style:
            return style
    raise DocstringError(f"unknown docstring style {name!r}; choose one of {', '.join(STYLES)}")


def sections(docstring: str, style: Style) -> Sections:
    lines = docstring.expandtabs().split("\n")
    if style == "google":
        return _google(lines)
    if style == "numpy":
        return _numpy(lines)
    return _sphinx(lines)


def coverage_problems(docstring: str, target: Target, style: Style) -> list[str]:
    """What the docstring fails to document (or documents that isn't there), one sentence each."""
    found = sections(docstring, style)
    documented = set(found.params)
    problems = [f"parameter {p} is not documented" for p in target.params if _bare(p) not in documented]
    signature = {_bare(p) for p in target.params}
    problems += [
        f"documented parameter {p} is not a parameter of {target.qualname}" for p in found.params if p not in signature
    ]
    if target.returns and not found.returns:
        problems.append(f"missing {_RETURNS_HEADER[style]} section: {target.name} returns a value")
    if target.yields and not found.yields:
        problems.append(f"missing {_YIELDS_HEADER[style]} section: {target.name} is a generator")
    raised = {_last(name) for name in found.raises}
    problems += [
        f"raised exception {exc} is not documented ({_RAISES_HEADER[style]})"
        for exc in target.raises
        if _last(exc) not in raised
    ]
    return problems


def unmentioned_changes(docstring: str, target: Target) -> list[str]:
    """The attributes a method changes (`target.changes`) that its docstring never names.

    Not a coverage problem, a measure: no convention has a section for side effects. A name counts as
    mentioned without its owner and leading underscores, with "_" or spaces between its words, in any case
    and with a plural "s": "the unfinished tasks" names `self.unfinished_tasks`. Names of one or two
    letters (`self.a`) would match any "a": only `self.a` or a quoted `a` names them.
    """
    text = docstring.lower()
    return [name for name in target.changes if not _mentions(text, name.lower())]


def _mentions(text: str, name: str) -> bool:
    attr = name.partition(".")[2]
    words = [re.escape(w) for w in attr.strip("_").split("_") if w]
    if len("".join(words)) < _SHORT_NAME:
        return f"`{attr}`" in text or re.search(re.escape(name) + r"(?![a-z0-9_])", text) is not None
    return re.search(r"(?<![a-z0-9])" + r"[_ ]".join(words) + r"s?(?![a-z0-9])", text) is not None


def skeleton(target: Target, style: Style, summary: str = "TODO.") -> str:
    """A docstring body in `style` that names every parameter, the return, yield and each exception."""
    if style == "google":
        blocks = _google_skeleton(target)
    elif style == "numpy":
        blocks = _numpy_skeleton(target)
    else:
        blocks = _sphinx_skeleton(target)
    return "\n\n".join([summary, *blocks])


def _bare(param: str) -> str:
    return param.lstrip("*")


def _last(dotted: str) -> str:
    return dotted.rpartition(".")[2]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


# --------------------------------------------------------------------------- google


def _google(lines: list[str]) -> Sections:
    params: list[str] = []
    raises: list[str] = []
    seen: set[str] = set()
    current = ""
    header_indent = item_indent = -1
    for line in lines:
        if not line.strip():
            continue
        indent = _indent(line)
        header = _GOOGLE_HEADER_RE.fullmatch(line.strip())
        if header and header.group(1).lower() in _KNOWN:
            current, header_indent, item_indent = header.group(1).lower(), indent, -1
            seen.add(current)
            continue
        if current and indent <= header_indent:
            current = ""  # prose after the section
        if not current:
            continue
        if item_indent < 0:
            item_indent = indent
        if indent != item_indent:
            continue  # an item's continuation line
        if current in _PARAMS and (m := _GOOGLE_PARAM_RE.match(line.strip())):
            params.append(_bare(m.group(1)))
        elif current in _RAISES and (m := _EXCEPTION_RE.match(line.strip())):
            raises.append(m.group(1))
    return Sections(tuple(params), bool(seen & _RETURNS), bool(seen & _YIELDS), tuple(raises))


# --------------------------------------------------------------------------- numpy


def _numpy(lines: list[str]) -> Sections:
    params: list[str] = []
    raises: list[str] = []
    seen: set[str] = set()
    current = ""
    header_indent = 0
    underline = False
    for i, line in enumerate(lines):
        if underline:
            underline = False
            continue
        name = line.strip().lower()
        if name in _KNOWN and i + 1 < len(lines) and _UNDERLINE_RE.fullmatch(lines[i + 1]):
            current, header_indent, underline = name, _indent(line), True
            seen.add(current)
            continue
        # Items start at the section's own indentation; their descriptions are indented further.
        if not current or not name or _indent(line) != header_indent:
            continue
        if current in _PARAMS:
            names = line.split(":", 1)[0]  # "x, y : int"
            params.extend(_bare(n.strip()) for n in names.split(",") if n.strip())
        elif current in _RAISES and (m := _EXCEPTION_RE.match(line.strip())):
            raises.append(m.group(1))
    return Sections(tuple(params), bool(seen & _RETURNS), bool(seen & _YIELDS), tuple(raises))


# --------------------------------------------------------------------------- sphinx


def _sphinx(lines: list[str]) -> Sections:
    params: list[str] = []
    raises: list[str] = []
    returns = yields = False
    for line in lines:
        if m := _SPHINX_PARAM_RE.match(line):
            params.append(_bare(m.group(1)))
        elif m := _SPHINX_RAISES_RE.match(line):
            raises.extend(n.strip() for n in m.group(1).split(",") if n.strip())
        returns = returns or bool(_SPHINX_RETURNS_RE.match(line))
        yields = yields or bool(_SPHINX_YIELDS_RE.match(line))
    return Sections(tuple(params), returns, yields, tuple(raises))


# --------------------------------------------------------------------------- skeletons


def _google_skeleton(target: Target) -> list[str]:
    blocks = []
    if target.params:
        blocks.append("\n".join(["Args:", *(f"    {p}: TODO." for p in target.params)]))
    if target.returns:
        blocks.append("Returns:\n    TODO.")
    if target.yields:
        blocks.append("Yields:\n    TODO.")
    if target.raises:
        blocks.append("\n".join(["Raises:", *(f"    {e}: TODO." for e in target.raises)]))
    return blocks


def _numpy_section(name: str, items: list[str]) -> str:
    return "\n".join([name, "-" * len(name), *(f"{item}\n    TODO." for item in items)])


def _numpy_skeleton(target: Target) -> list[str]:
    blocks = []
    if target.params:
        blocks.append(_numpy_section("Parameters", list(target.params)))
    if target.returns:
        blocks.append(_numpy_section("Returns", [target.return_annotation or "object"]))
    if target.yields:
        blocks.append(_numpy_section("Yields", ["object"]))
    if target.raises:
        blocks.append(_numpy_section("Raises", list(target.raises)))
    return blocks


def _sphinx_skeleton(target: Target) -> list[str]:
    # Bare names for *args / **kwargs: a star would need escaping in reStructuredText.
    fields = [f":param {_bare(p)}: TODO." for p in target.params]
    if target.returns:
        fields.append(":returns: TODO.")
    if target.yields:
        fields.append(":yields: TODO.")
    fields += [f":raises {e}: TODO." for e in target.raises]
    return ["\n".join(fields)] if fields else []
