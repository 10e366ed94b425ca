"""The three docstring conventions: what a docstring documents, what it misses, and an empty one to fill.

What a docstring documents is read by docstring_parser (the PyPI package), with Google's keyword-argument sections
added; it decides coverage, not formatting: ruff's pydocstyle rules (lint.py) judge the formatting. The layout of a
new docstring (`skeleton`) is written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

import docstring_parser
from docstring_parser import DocstringStyle
from docstring_parser.google import DEFAULT_SECTIONS, GoogleParser, Section, SectionType

from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.target import Target

Style = Literal["google", "numpy", "sphinx"]
STYLES: tuple[Style, ...] = get_args(Style)
DEFAULT_STYLE: Style = "google"

# Google's sections besides docstring_parser's own (Args, Arguments, Parameters, Params, Raises, Returns, ...):
# keyword arguments are parameters too, and the section names people write in any case.
_GOOGLE = GoogleParser(
    [
        *DEFAULT_SECTIONS,
        *(
            Section(title, "param", SectionType.MULTIPLE)
            for title in ("Keyword Args", "Keyword Arguments", "Other Parameters", "Kwargs")
        ),
        Section("Raise", "raises", SectionType.MULTIPLE),
        Section("Return", "returns", SectionType.SINGULAR_OR_MULTIPLE),
        Section("Yield", "yields", SectionType.SINGULAR_OR_MULTIPLE),
    ]
)
_EXCEPTION_NAME = re.compile(r"[A-Za-z_][\w.]*")  # "ValueError: when…" written as a numpydoc type
# Sphinx's `:raises A, B:` names two exceptions; docstring_parser takes one per field.
_SPHINX_RAISES = re.compile(r"^(?P<lead>\s*:(?:raises?|except|exception)\s+)(?P<names>[^:]+,[^:]+):", re.M)
_SHORT_NAME = 3  # attribute names shorter than this are English words too ("a"): see unmentioned_changes

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
    """What `docstring` documents, read by docstring_parser in `style`'s convention (none when it cannot)."""
    text = docstring.expandtabs()
    try:
        if style == "google":
            parsed = _GOOGLE.parse(text)
        elif style == "numpy":
            parsed = docstring_parser.parse(text, DocstringStyle.NUMPYDOC)
        else:
            parsed = docstring_parser.parse(_one_raise_per_field(text), DocstringStyle.REST)
    except docstring_parser.ParseError:
        return Sections((), False, False, ())
    names = [_bare(n.strip()) for p in parsed.params for n in p.arg_name.split(",")]  # numpydoc's "x, y : int"
    params = [n for n in names if n.isidentifier()]  # not prose read as an item ("all others: …")
    returns = [r for r in parsed.many_returns if r is not None and r.args]  # a Sphinx `:rtype:` alone says no more
    raises = [m[0] for r in parsed.raises if (m := _EXCEPTION_NAME.match((r.type_name or "").strip()))]
    return Sections(
        tuple(params),
        any(not r.is_generator for r in returns),
        any(r.is_generator for r in returns),
        tuple(raises),
    )


def _one_raise_per_field(text: str) -> str:
    def split(match: re.Match[str]) -> str:
        names = [n.strip() for n in match["names"].split(",") if n.strip()]
        return "\n".join(f"{match['lead']}{name}:" for name in names)

    return _SPHINX_RAISES.sub(split, text)


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
    return param.lstrip("\\*")  # Sphinx escapes the stars: `:param \\*args:`


def _last(dotted: str) -> str:
    return dotted.rpartition(".")[2]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


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
