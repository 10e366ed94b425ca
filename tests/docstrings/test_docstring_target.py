"""find_by_qualname / find_at: what a docstring must mention, and where it goes."""

from __future__ import annotations

import pytest

from copiloto.docstrings import DocstringError, class_outline, find_at, find_by_qualname

MODULE = '''\
import functools


def plain(a, b=1, /, c=2, *args, d, e=3, **kwargs):
    return a


async def fetch(url: str) -> bytes:
    """Fetch it."""
    await other()
    raise errors.HTTPError(url)


@functools.cache
@other.decorator(lambda: 1)
def decorated(
    x: int,
    y: dict[str, int] = {"a": 1},
) -> int:
    # a comment before the first statement
    return x


def outer(n):
    def inner(m):
        raise KeyError(m)

    class Local:
        def method(self):
            raise TypeError

    f = lambda: (yield)
    if n:
        raise ValueError("n")
    raise
    return inner


def gen(items) -> Iterator[int]:
    for item in items:
        yield item
    raise StopIteration()


def agen():
    yield from range(3)
    return 5


def returns_none() -> None:
    return None


def never() -> NoReturn:
    raise SystemExit(1)


def reraise(x):
    try:
        x()
    except Exception as err:
        raise err
    raise self_error()


class Shop:
    """A shop.

    More.
    """

    tax = 0.2

    def __init__(self, name, *, open=True):
        self.name = name

    def price(self, item):
        return 1

    @classmethod
    def create(cls, name, *more):
        return cls(name)

    @staticmethod
    def helper(a, b):
        pass

    class Inner:
        def deep(this, k):
            pass

    @property
    def size(self) -> int:
        return 1

    @size.setter
    def size(self, value):
        self._size = value


class Empty:
    pass


if TYPE_CHECKING:

    def guarded(z):
        ...
'''

# qualname, kind, params, returns, yields, raises
SEMANTICS = [
    ("plain", "function", ("a", "b", "c", "*args", "d", "e", "**kwargs"), True, False, ()),
    ("fetch", "function", ("url",), True, False, ("errors.HTTPError",)),
    ("decorated", "function", ("x", "y"), True, False, ()),
    ("outer", "function", ("n",), True, False, ("ValueError",)),
    ("outer.inner", "function", ("m",), False, False, ("KeyError",)),
    ("outer.Local", "class", (), False, False, ()),
    ("outer.Local.method", "method", (), False, False, ("TypeError",)),
    ("outer.<locals>.inner", "function", ("m",), False, False, ("KeyError",)),
    ("gen", "function", ("items",), False, True, ("StopIteration",)),
    ("agen", "function", (), True, True, ()),
    ("returns_none", "function", (), False, False, ()),
    ("never", "function", (), False, False, ("SystemExit",)),
    ("reraise", "function", ("x",), False, False, ()),
    ("Shop", "class", ("name", "open"), False, False, ()),
    ("Shop.__init__", "method", ("name", "open"), False, False, ()),
    ("Shop.price", "method", ("item",), True, False, ()),
    ("Shop.create", "method", ("name", "*more"), True, False, ()),
    ("Shop.helper", "method", ("a", "b"), False, False, ()),
    ("Shop.Inner", "class", (), False, False, ()),
    ("Shop.Inner.deep", "method", ("k",), False, False, ()),
    ("Shop.size", "method", (), True, False, ()),
    ("Empty", "class", (), False, False, ()),
    ("guarded", "function", ("z",), False, False, ()),
]


@pytest.mark.parametrize(
    ("qualname", "kind", "params", "returns", "yields", "raises"), SEMANTICS, ids=[c[0] for c in SEMANTICS]
)
def test_semantics(
    qualname: str, kind: str, params: tuple[str, ...], returns: bool, yields: bool, raises: tuple[str, ...]
) -> None:
    target = find_by_qualname(MODULE, qualname)
    assert (target.kind, target.params, target.returns, target.yields, target.raises) == (
        kind,
        params,
        returns,
        yields,
        raises,
    )
    assert target.qualname == qualname.replace("<locals>.", "")


# qualname, start_line, def_line, header_end_line, insert_line, end_line, body_indent
LAYOUT = [
    ("plain", 3, 3, 3, 4, 4, "    "),
    ("decorated", 13, 15, 18, 20, 20, "    "),
    ("Shop.create", 79, 80, 80, 81, 81, "        "),
    ("Shop.Inner.deep", 88, 88, 88, 89, 89, "            "),
    ("guarded", 106, 106, 106, 107, 107, "        "),
]


@pytest.mark.parametrize(
    ("qualname", "start", "def_line", "header_end", "insert", "end", "indent"), LAYOUT, ids=[c[0] for c in LAYOUT]
)
def test_layout(qualname: str, start: int, def_line: int, header_end: int, insert: int, end: int, indent: str) -> None:
    target = find_by_qualname(MODULE, qualname)
    assert (target.start_line, target.def_line, target.header_end_line, target.insert_line, target.end_line) == (
        start,
        def_line,
        header_end,
        insert,
        end,
    )
    assert target.body_indent == indent


def test_property_picks_the_getter() -> None:
    target = find_by_qualname(MODULE, "Shop.size")
    assert target.return_annotation == "int"
    assert target.params == ()


def test_existing_docstrings() -> None:
    fetch = find_by_qualname(MODULE, "fetch")
    assert fetch.docstring == "Fetch it."
    assert fetch.docstring_span == (8, 4, 8, 19)
    shop = find_by_qualname(MODULE, "Shop")
    assert shop.docstring == "A shop.\n\nMore."
    assert shop.docstring_span == (66, 4, 69, 7)
    assert find_by_qualname(MODULE, "plain").docstring is None
    assert find_by_qualname(MODULE, "plain").docstring_span is None


def test_span_columns_count_characters_not_bytes() -> None:
    source = 'def café(ü):\n    """Ça coûte €."""\n    return ü\n'
    target = find_by_qualname(source, "café")
    assert target.params == ("ü",)
    start_line, start_col, _, end_col = target.docstring_span or (0, 0, 0, 0)
    line = source.split("\n")[start_line]
    assert line[start_col:end_col] == '"""Ça coûte €."""'


def test_tabs_and_crlf() -> None:
    source = "class A:\r\n\tdef f(self, x):\r\n\t\treturn x\r\n"
    target = find_by_qualname(source, "A.f")
    assert target.body_indent == "\t\t"
    assert (target.header_end_line, target.insert_line) == (1, 2)


# line → qualname of the innermost definition there (None: outside every def and class)
POSITIONS = [
    (0, None),
    (2, None),
    (3, "plain"),
    (4, "plain"),
    (5, None),
    (13, "decorated"),
    (17, "decorated"),
    (19, "decorated"),
    (24, "outer.inner"),
    (26, "outer"),
    (28, "outer.Local.method"),
    (65, "Shop"),
    (71, "Shop"),
    (75, "Shop"),
    (77, "Shop.price"),
    (87, "Shop.Inner"),
    (89, "Shop.Inner.deep"),
    (91, "Shop.size"),
    (102, None),
    (105, None),
    (107, "guarded"),
]


@pytest.mark.parametrize(("line", "qualname"), POSITIONS, ids=[str(p[0]) for p in POSITIONS])
def test_find_at(line: int, qualname: str | None) -> None:
    target = find_at(MODULE, line, 4)
    assert (target.qualname if target else None) == qualname


ERRORS = [
    ("syntax error", "def f(:\n    pass\n", "f", ["does not parse", "line 1"]),
    ("unclosed bracket", "x = 1\ny = (\n", "f", ["does not parse", "line 2"]),
    (
        "missing qualname",
        "def a():\n    pass\n\nclass B:\n    def c(self):\n        pass\n",
        "B.d",
        ["'B.d'", "a, B, B.c"],
    ),
    ("no definitions", "x = 1\n", "f", ["no functions or classes"]),
    ("lone CR line endings", "def f():\r    return 1\r", "f", ["lone CR"]),
    ("one-line body", "def f(): return 1\n", "f", ["line 1", "body on the header line", "reformatting"]),
    ("one-line class", "class A: pass\n", "A", ["body on the header line"]),
    ("one-line docstring body", 'def f(x): """Doc."""\n', "f", ["body on the header line"]),
    ("one-line multi-line header", "def f(\n    x,\n): return x\n", "f", ["line 3"]),
]


@pytest.mark.parametrize(("source", "qualname", "expected"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors(source: str, qualname: str, expected: list[str]) -> None:
    with pytest.raises(DocstringError) as info:
        find_by_qualname(source, qualname)
    assert isinstance(info.value, ValueError)
    for part in expected:
        assert part in str(info.value)


def test_missing_qualname_lists_at_most_20() -> None:
    source = "".join(f"def f{i}():\n    pass\n" for i in range(25))
    with pytest.raises(DocstringError) as info:
        find_by_qualname(source, "g")
    message = str(info.value)
    assert "f19" in message and "f20" not in message and "and 5 more" in message


def test_find_at_one_line_body_raises() -> None:
    with pytest.raises(DocstringError):
        find_at("def f(): return 1\n", 0, 0)


STATEFUL = """\
class Stack:
    limit = 10

    def __init__(self, items=()):
        self.items = list(items)
        self.pushes = 0
        if not items:
            self.items = []

    def push(self, item):
        self.items.append(item)
        self.pushes += 1

    def reset(self):
        del self.items
        self.log.entries = []
        self.cache[item] = None

    def peek(self):
        top = self.items[-1]
        seen = []
        seen.append(top)
        return self.items.index(top), self[0], other.count

    def swap(self, key, value):
        self[key] = value
        self.other(value)

        def inner():
            self.hidden = 1

        return inner

    @classmethod
    def configure(cls, limit):
        cls.limit = limit

    @staticmethod
    def helper(self, value):
        self.value = value


def fill(box):
    box.items = []


class Point:
    def __new__(cls, x, y=0):
        return super().__new__(cls)


class Both:
    def __new__(cls, *args):
        return super().__new__(cls)

    def __init__(self, a):
        self.a = a
"""

# qualname → the attributes its own code changes; reads, locals, other objects, `self[k] = v`, calls to
# other methods, nested functions, a staticmethod's first parameter and a plain function's never count.
CHANGES = [
    ("Stack.__init__", ("self.items", "self.pushes")),
    ("Stack.push", ("self.items", "self.pushes")),
    ("Stack.reset", ("self.items", "self.log", "self.cache")),
    ("Stack.peek", ()),
    ("Stack.swap", ()),
    ("Stack.configure", ("cls.limit",)),
    ("Stack.helper", ()),
    ("Stack", ()),
    ("fill", ()),
]


@pytest.mark.parametrize(("qualname", "changes"), CHANGES, ids=[c[0] for c in CHANGES])
def test_state_changes(qualname: str, changes: tuple[str, ...]) -> None:
    assert find_by_qualname(STATEFUL, qualname).changes == changes


# A method's `self` / `cls` is never a parameter to document; a staticmethod's first parameter is one.
SELF_PARAMS = [
    ("Stack.push", ("item",)),
    ("Stack.configure", ("limit",)),
    ("Stack.helper", ("self", "value")),
    ("Stack", ("items",)),  # the class: __init__'s parameters
    ("Point", ("x", "y")),  # no __init__: __new__'s
    ("Both", ("a",)),  # __init__ wins over __new__
]


@pytest.mark.parametrize(("qualname", "params"), SELF_PARAMS, ids=[c[0] for c in SELF_PARAMS])
def test_self_and_cls_are_not_parameters(qualname: str, params: tuple[str, ...]) -> None:
    assert find_by_qualname(STATEFUL, qualname).params == params


def test_the_class_outline_shows_what_the_prompt_cut_off() -> None:
    # The prompt keeps lines 13 on (from `def reset`): the outline covers the class above them.
    assert class_outline(STATEFUL, "Stack.peek", 13) == (
        "class Stack:\n"
        "    limit = 10\n"
        "    def __init__(self, items=()):\n"
        "        self.items = list(items)\n"
        "        self.pushes = 0\n"  # one line per attribute: the `if` branch setting items again is left out
        "    def push(self, item): ...\n"
        "    ...\n"
    )


def test_no_outline_when_the_prompt_shows_the_class_header() -> None:
    assert class_outline(STATEFUL, "Stack.peek", 0) == ""
    assert class_outline(STATEFUL, "fill", 40) == ""  # not a method


def test_the_outline_is_bounded() -> None:
    params = ", ".join(f"parameter_{i}" for i in range(12))
    methods = "".join(f"    def m{i}(self):\n        return {i}\n\n" for i in range(40))
    source = (
        f"class Big:\n    def __init__(self, {params}):\n        pass\n\n{methods}    def last(self):\n        pass\n"
    )
    outline = class_outline(source, "Big.last", source.count("\n") - 3)
    lines = outline.splitlines()
    assert lines[:3] == ["class Big:", "    def __init__(...):", "        ..."]  # the long signature shortened
    assert len(lines) == 24 and lines[-1] == "    ..."
