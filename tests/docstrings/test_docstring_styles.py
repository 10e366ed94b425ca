"""sections / coverage_problems / skeleton in the Google, NumPy and Sphinx conventions."""

from __future__ import annotations

import pytest

from copiloto.docstrings import (
    STYLES,
    DocstringError,
    Sections,
    Style,
    apply,
    check_style,
    coverage_problems,
    find_by_qualname,
    lint_lines,
    ruff_problems,
    sections,
    skeleton,
    unmentioned_changes,
)

SOURCE = '''\
"""Orders."""

from errors import PricingError


def total(items, discount=0.0, *extra, currency="EUR", **options):
    if discount < 0:
        raise ValueError("negative discount")
    if not items:
        raise PricingError("nothing to price")
    return sum(items) * (1 - discount)


def batches(rows, size):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class Cart:
    def __init__(self, owner, *, limit=10):
        self.owner = owner
'''

GOOGLE_FULL = """\
Price the items.

Args:
    items: The prices.
    discount (float): A fraction
        of the total.
    *extra: More items.
    currency: Its code.
    **options: Passed on.

Returns:
    The total.

Raises:
    ValueError: If the discount is negative.
    errors.PricingError: If there is nothing to price.
"""

NUMPY_FULL = """\
Price the items.

Parameters
----------
items : list of float
    The prices.
discount : float, optional
    A fraction: of the total.
*extra
    More items.
currency, options
    Its code, and what is passed on.

Returns
-------
float
    The total.

Raises
------
ValueError
    If the discount is negative.
PricingError
    If there is nothing to price.
"""

SPHINX_FULL = """\
Price the items.

:param items: The prices.
:param float discount: A fraction of the total.
:param \\*extra: More items.
:param currency: Its code.
:keyword options: Passed on.
:returns: The total.
:raises ValueError: If the discount is negative.
:raises PricingError: If there is nothing to price.
"""

ALL_PARAMS = ("items", "discount", "extra", "currency", "options")
FULL: dict[Style, str] = {"google": GOOGLE_FULL, "numpy": NUMPY_FULL, "sphinx": SPHINX_FULL}


@pytest.mark.parametrize("style", STYLES)
def test_sections_of_a_complete_docstring(style: Style) -> None:
    found = sections(FULL[style], style)
    assert found.params == ALL_PARAMS
    assert found.returns and not found.yields
    assert {name.rpartition(".")[2] for name in found.raises} == {"ValueError", "PricingError"}
    assert coverage_problems(FULL[style], find_by_qualname(SOURCE, "total"), style) == []


SECTIONS = [
    (
        "google: prose after a section ends it",
        "google",
        "Sum.\n\nArgs:\n    a: One.\n\nThe b: thing is prose.\n\nYields:\n    Rows.",
        Sections(("a",), False, True, ()),
    ),
    (
        "google: aliases and typed items",
        "google",
        "Sum.\n\nArguments:\n    a (int): One.\n    b (str, optional): Two.\n\n"
        "Return:\n    Sum.\n\nRaise:\n    KeyError: x",
        Sections(("a", "b"), True, False, ("KeyError",)),
    ),
    (
        "google: section names in other places are not sections",
        "google",
        "Returns: the sum of a and b.\n\nArgs:\n    a: One.",
        Sections(("a",), False, False, ()),
    ),
    (
        "numpy: needs the underline",
        "numpy",
        "Sum.\n\nReturns\nthe thing.\n\nYields\n------\nint\n    Rows.",
        Sections((), False, True, ()),
    ),
    (
        "numpy: indented docstring",
        "numpy",
        "Sum.\n\n    Parameters\n    ----------\n    a : int\n        One.\n    b\n        Two.",
        Sections(("a", "b"), False, False, ()),
    ),
    (
        "sphinx: return, yield, except spellings",
        "sphinx",
        "Sum.\n\n:arg a: One.\n:return: Sum.\n:yield: Rows.\n:except KeyError, IndexError: x",
        Sections(("a",), True, True, ("KeyError", "IndexError")),
    ),
    # shapes seen in installed packages' docstrings (numpy, requests, coverage): read through docstring_parser
    (
        "google: keyword arguments are parameters; prose read as an item is not",
        "google",
        "Read.\n\nArgs:\n    path: Where.\n    all others: Passed on.\n\nKeyword Args:\n    strict: How.",
        Sections(("path", "strict"), False, False, ()),
    ),
    (
        "numpy: several names on one line, escaped stars, a described exception",
        "numpy",
        "Sum.\n\nParameters\n----------\nx, y : int\n    Two.\n\\*args\n    More.\n\n"
        "Raises\n------\nnumpy.linalg.LinAlgError: Singular matrix\n    When.",
        Sections(("x", "y", "args"), False, False, ("numpy.linalg.LinAlgError",)),
    ),
    (
        "sphinx: an escaped **kwargs, and :rtype: alone is no return",
        "sphinx",
        "Get.\n\n:param url: Where.\n:param \\*\\*kwargs: Options.\n:rtype: Response",
        Sections(("url", "kwargs"), False, False, ()),
    ),
    ("empty", "google", "", Sections((), False, False, ())),
]


@pytest.mark.parametrize(("style", "docstring", "expected"), [c[1:] for c in SECTIONS], ids=[c[0] for c in SECTIONS])
def test_sections(style: Style, docstring: str, expected: Sections) -> None:
    assert sections(docstring, style) == expected


PROBLEMS: list[tuple[str, Style, str, str, list[str]]] = [
    (
        "google missing param",
        "google",
        "total",
        GOOGLE_FULL.replace("    currency: Its code.\n", ""),
        ["parameter currency is not documented"],
    ),
    (
        "google extra param",
        "google",
        "total",
        GOOGLE_FULL.replace("    currency: Its code.\n", "    currency: Its code.\n    rate: Unknown.\n"),
        ["documented parameter rate is not a parameter of total"],
    ),
    (
        "google missing returns",
        "google",
        "total",
        GOOGLE_FULL.replace("Returns:\n    The total.\n\n", ""),
        ["missing Returns: section: total returns a value"],
    ),
    (
        "google missing raises",
        "google",
        "total",
        GOOGLE_FULL.replace("    ValueError: If the discount is negative.\n", ""),
        ["raised exception ValueError is not documented (Raises:)"],
    ),
    (
        "google missing yields",
        "google",
        "batches",
        "Split.\n\nArgs:\n    rows: R.\n    size: S.\n",
        ["missing Yields: section: batches is a generator"],
    ),
    (
        "numpy missing param",
        "numpy",
        "total",
        NUMPY_FULL.replace("currency, options", "options"),
        ["parameter currency is not documented"],
    ),
    (
        "numpy extra param",
        "numpy",
        "total",
        NUMPY_FULL.replace("*extra\n", "*extra\nrate : float\n    Unknown.\n"),
        ["documented parameter rate is not a parameter of total"],
    ),
    (
        "numpy missing returns",
        "numpy",
        "total",
        NUMPY_FULL.replace("Returns\n-------\nfloat\n    The total.\n\n", ""),
        ["missing Returns section: total returns a value"],
    ),
    (
        "numpy missing raises",
        "numpy",
        "total",
        NUMPY_FULL.replace("PricingError\n    If there is nothing to price.\n", ""),
        ["raised exception PricingError is not documented (Raises)"],
    ),
    (
        "sphinx missing param",
        "sphinx",
        "total",
        SPHINX_FULL.replace(":param \\*extra: More items.\n", ""),
        ["parameter *extra is not documented"],
    ),
    (
        "sphinx extra param",
        "sphinx",
        "total",
        SPHINX_FULL + ":param rate: Unknown.\n",
        ["documented parameter rate is not a parameter of total"],
    ),
    (
        "sphinx missing returns",
        "sphinx",
        "total",
        SPHINX_FULL.replace(":returns: The total.\n", ":rtype: float\n"),
        ["missing :returns: section: total returns a value"],
    ),
    (
        "sphinx missing raises",
        "sphinx",
        "total",
        SPHINX_FULL.replace(":raises ValueError: If the discount is negative.\n", ""),
        ["raised exception ValueError is not documented (:raises X:)"],
    ),
    (
        "summary only",
        "google",
        "total",
        "Price the items.",
        [
            "parameter items is not documented",
            "parameter discount is not documented",
            "parameter *extra is not documented",
            "parameter currency is not documented",
            "parameter **options is not documented",
            "missing Returns: section: total returns a value",
            "raised exception PricingError is not documented (Raises:)",
            "raised exception ValueError is not documented (Raises:)",
        ],
    ),
    (
        "class: __init__ params",
        "google",
        "Cart",
        "A cart.\n\nArgs:\n    owner: Who.\n",
        ["parameter limit is not documented"],
    ),
    (
        "method: self not asked for",
        "google",
        "Cart.__init__",
        "Set up.\n\nArgs:\n    owner: Who.\n    limit: Max.\n",
        [],
    ),
    (
        "method: self documented",
        "google",
        "Cart.__init__",
        "Set up.\n\nArgs:\n    self: The cart.\n    owner: Who.\n    limit: Max.\n",
        ["documented parameter self is not a parameter of Cart.__init__"],
    ),
    (
        "method: sphinx self documented",
        "sphinx",
        "Cart.__init__",
        "Set up.\n\n:param self: The cart.\n:param owner: Who.\n:param limit: Max.\n",
        ["documented parameter self is not a parameter of Cart.__init__"],
    ),
]


@pytest.mark.parametrize(
    ("style", "qualname", "docstring", "expected"), [p[1:] for p in PROBLEMS], ids=[p[0] for p in PROBLEMS]
)
def test_coverage_problems(style: Style, qualname: str, docstring: str, expected: list[str]) -> None:
    assert coverage_problems(docstring, find_by_qualname(SOURCE, qualname), style) == expected


@pytest.mark.parametrize("qualname", ["total", "batches", "Cart", "Cart.__init__"])
@pytest.mark.parametrize("style", STYLES)
def test_skeleton_passes_coverage_and_ruff(style: Style, qualname: str) -> None:
    target = find_by_qualname(SOURCE, qualname)
    docstring = skeleton(target, style, summary="Compute the result.")
    assert docstring.startswith("Compute the result.")
    assert coverage_problems(docstring, target, style) == []
    edited = apply(SOURCE, target, docstring)
    assert ruff_problems(edited, style, lint_lines(find_by_qualname(edited, qualname))) == []


SKELETONS: list[tuple[Style, str]] = [
    (
        "google",
        "TODO.\n\nArgs:\n    items: TODO.\n    discount: TODO.\n    *extra: TODO.\n    currency: TODO.\n"
        "    **options: TODO.\n\nReturns:\n    TODO.\n\nRaises:\n    PricingError: TODO.\n    ValueError: TODO.",
    ),
    (
        "numpy",
        "TODO.\n\nParameters\n----------\nitems\n    TODO.\ndiscount\n    TODO.\n*extra\n    TODO.\n"
        "currency\n    TODO.\n**options\n    TODO.\n\nReturns\n-------\nobject\n    TODO.\n\n"
        "Raises\n------\nPricingError\n    TODO.\nValueError\n    TODO.",
    ),
    (
        "sphinx",
        "TODO.\n\n:param items: TODO.\n:param discount: TODO.\n:param extra: TODO.\n:param currency: TODO.\n"
        ":param options: TODO.\n:returns: TODO.\n:raises PricingError: TODO.\n:raises ValueError: TODO.",
    ),
]


@pytest.mark.parametrize(("style", "expected"), SKELETONS, ids=[s[0] for s in SKELETONS])
def test_skeleton_text(style: Style, expected: str) -> None:
    assert skeleton(find_by_qualname(SOURCE, "total"), style) == expected


def test_skeleton_of_a_bare_function_is_the_summary() -> None:
    target = find_by_qualname("def f():\n    pass\n", "f")
    assert {skeleton(target, style) for style in STYLES} == {"TODO."}


@pytest.mark.parametrize(("name", "style"), [("google", "google"), (" NumPy ", "numpy"), ("SPHINX", "sphinx")])
def test_check_style(name: str, style: Style) -> None:
    assert check_style(name) == style


def test_check_style_unknown() -> None:
    with pytest.raises(DocstringError, match="google, numpy, sphinx"):
        check_style("epytext")


STATE = """\
class Queue:
    def put(self, item):
        self.unfinished_tasks += 1
        self._queue.append(item)
        self.a = item
        self.max_size_hint = None
"""

# docstring → the changed attributes it does not name. `self.a` is too short to find as a word ("a queue"):
# only `self.a` or a quoted `a` names it.
MENTIONS = [
    ("Put an item.", ["self.unfinished_tasks", "self._queue", "self.a", "self.max_size_hint"]),
    (
        "Add the item to the queue and count it among the unfinished tasks; set ``a`` and the max size hint.",
        [],
    ),
    ("Increment self.unfinished_tasks, append to self._queue, store self.a and clear self.max_size_hint.", []),
    ("Put it in a queue of UNFINISHED_TASKS.", ["self.a", "self.max_size_hint"]),  # "queue" names `_queue`
    ("Put an item in the queues.", ["self.unfinished_tasks", "self.a", "self.max_size_hint"]),  # plural counts
    ("Store it in self.ab and self._queue.", ["self.unfinished_tasks", "self.a", "self.max_size_hint"]),
    (
        "Put it in the queueing area with a max size.",
        ["self.unfinished_tasks", "self._queue", "self.a", "self.max_size_hint"],
    ),
]


@pytest.mark.parametrize(("docstring", "expected"), MENTIONS, ids=[str(i) for i in range(len(MENTIONS))])
def test_unmentioned_changes(docstring: str, expected: list[str]) -> None:
    assert unmentioned_changes(docstring, find_by_qualname(STATE, "Queue.put")) == expected


def test_nothing_is_unmentioned_when_nothing_changes() -> None:
    assert unmentioned_changes("Price the items.", find_by_qualname(SOURCE, "total")) == []
    assert unmentioned_changes("A cart.", find_by_qualname(SOURCE, "Cart")) == []
