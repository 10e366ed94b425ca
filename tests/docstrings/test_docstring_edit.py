"""apply (insert or replace a docstring in the file text), quote, and clean_model_docstring."""

from __future__ import annotations

import ast

import pytest

from copiloto.docstrings import DocstringError, apply, clean_model_docstring, find_by_qualname, quote

GOOGLE = "Add them.\n\nArgs:\n    x: One.\n\nReturns:\n    The sum."

# name, source, qualname, docstring, expected file text
APPLY = [
    (
        "insert into a function",
        "def f(x):\n    return x\n",
        "f",
        GOOGLE,
        'def f(x):\n    """Add them.\n\n    Args:\n        x: One.\n\n'
        '    Returns:\n        The sum.\n    """\n    return x\n',
    ),
    (
        "insert one line",
        "def f():\n    pass\n",
        "f",
        "Do nothing.",
        'def f():\n    """Do nothing."""\n    pass\n',
    ),
    (
        "insert into a method after decorators and a multi-line header",
        "class A:\n    @staticmethod\n    def f(\n        x,\n    ) -> int:\n        return x\n",
        "A.f",
        "Return x.",
        "class A:\n    @staticmethod\n    def f(\n        x,\n    ) -> int:\n"
        '        """Return x."""\n        return x\n',
    ),
    (
        "insert into an async def",
        "async def f():\n    await g()\n",
        "f",
        "Wait.",
        'async def f():\n    """Wait."""\n    await g()\n',
    ),
    (
        "insert into a nested function",
        "def f():\n    def g(a):\n        return a\n\n    return g\n",
        "f.g",
        "Echo.\n\nArgs:\n    a: It.",
        'def f():\n    def g(a):\n        """Echo.\n\n        Args:\n            a: It.\n        """\n'
        "        return a\n\n    return g\n",
    ),
    (
        "insert after a comment, before the first statement",
        "def f():\n    # why\n    return 1\n",
        "f",
        "One.",
        'def f():\n    # why\n    """One."""\n    return 1\n',
    ),
    (
        "blank lines after the header go",
        "def f():\n\n\n    return 1\n",
        "f",
        "One.",
        'def f():\n    """One."""\n    return 1\n',
    ),
    (
        "insert with tabs",
        "class A:\n\tdef f(self, x):\n\t\treturn x\n",
        "A.f",
        "Echo.\n\nArgs:\n    x: It.",
        'class A:\n\tdef f(self, x):\n\t\t"""Echo.\n\n\t\tArgs:\n\t\t    x: It.\n\t\t"""\n\t\treturn x\n',
    ),
    (
        "insert into a class: a blank line before its body",
        "class A:\n    x = 1\n",
        "A",
        "An A.",
        'class A:\n    """An A."""\n\n    x = 1\n',
    ),
    (
        "class that already has the blank line",
        "class A:\n    pass\n",
        "A",
        "An A.",
        'class A:\n    """An A."""\n\n    pass\n',
    ),
    (
        "replace a single-line docstring",
        'def f():\n    """Old."""\n    return 1\n',
        "f",
        "New.\n\nReturns:\n    One.",
        'def f():\n    """New.\n\n    Returns:\n        One.\n    """\n    return 1\n',
    ),
    (
        "replace a multi-line docstring with a single line",
        "def f():\n    '''Old.\n\n    Longer.\n    '''  # keep me\n    return 1\n",
        "f",
        "New.",
        'def f():\n    """New."""  # keep me\n    return 1\n',
    ),
    (
        "replace a raw, implicitly concatenated docstring",
        'def f():\n    r"a\\b" "c"\n    return 1\n',
        "f",
        "New.",
        'def f():\n    """New."""\n    return 1\n',
    ),
    (
        "replace a class docstring keeps one blank line",
        'class A:\n    """Old."""\n\n    x = 1\n',
        "A",
        "New.",
        'class A:\n    """New."""\n\n    x = 1\n',
    ),
    (
        "unicode",
        "def café(ü):\n    return ü\n",
        "café",
        "Gibt ü zurück — 🙂.",
        'def café(ü):\n    """Gibt ü zurück — 🙂."""\n    return ü\n',
    ),
    (
        "a backslash makes it raw",
        "def f():\n    pass\n",
        "f",
        "Split on \\n.",
        'def f():\n    r"""Split on \\n."""\n    pass\n',
    ),
    (
        "triple quotes inside are escaped",
        "def f():\n    pass\n",
        "f",
        'Write """ here.',
        'def f():\n    """Write ""\\" here."""\n    pass\n',
    ),
    (
        "a closing quote before the closing quotes",
        "def f():\n    pass\n",
        "f",
        'Say "hi"',
        'def f():\n    """Say "hi\\""""\n    pass\n',
    ),
    (
        "the docstring text is normalized",
        "def f():\n    pass\n",
        "f",
        "\n\n   Summary.   \n        Indented.\n        More.\n\n",
        'def f():\n    """Summary.\n    Indented.\n    More.\n    """\n    pass\n',
    ),
]


@pytest.mark.parametrize(
    ("source", "qualname", "docstring", "expected"), [a[1:] for a in APPLY], ids=[a[0] for a in APPLY]
)
def test_apply(source: str, qualname: str, docstring: str, expected: str) -> None:
    result = apply(source, find_by_qualname(source, qualname), docstring)
    assert result == expected
    assert find_by_qualname(result, qualname).docstring == find_by_qualname(expected, qualname).docstring


@pytest.mark.parametrize(
    "docstring", ["Summary.", "Summary.\n\nArgs:\n    x: One.", 'Say "hi"', "Back\\slash.", 'Has """ quotes.']
)
def test_apply_round_trips_the_text(docstring: str) -> None:
    source = "def f(x):\n    return x\n"
    result = apply(source, find_by_qualname(source, "f"), docstring)
    expected = docstring.replace('"""', '""\\"') if "\\" in docstring else docstring
    assert find_by_qualname(result, "f").docstring == expected


CRLF = [
    (
        "insert",
        "def f():\r\n    return 1\r\n",
        'def f():\r\n    """One.\r\n\r\n    More.\r\n    """\r\n    return 1\r\n',
    ),
    (
        "replace multi-line",
        'def f():\r\n    """Old.\r\n\r\n    Old.\r\n    """\r\n    return 1\r\n',
        'def f():\r\n    """One.\r\n\r\n    More.\r\n    """\r\n    return 1\r\n',
    ),
    (
        "replace single-line",
        'def f():\r\n    """Old."""\r\n    return 1\r\n',
        'def f():\r\n    """One.\r\n\r\n    More.\r\n    """\r\n    return 1\r\n',
    ),
]


@pytest.mark.parametrize(("source", "expected"), [c[1:] for c in CRLF], ids=[c[0] for c in CRLF])
def test_apply_keeps_crlf(source: str, expected: str) -> None:
    assert apply(source, find_by_qualname(source, "f"), "One.\n\nMore.") == expected


def test_apply_empty_docstring() -> None:
    source = "def f():\n    pass\n"
    with pytest.raises(DocstringError, match="empty"):
        apply(source, find_by_qualname(source, "f"), "  \n ")


def test_apply_refuses_an_edit_that_breaks_the_file() -> None:
    # A target found in another text: the insertion lands inside a bracket.
    target = find_by_qualname("def f():\n    return 1\n", "f")
    with pytest.raises(DocstringError, match="would break the file"):
        apply("x = (\n    1)\n", target, "One.")


QUOTE = [
    ("one line", "Sum.", '"""Sum."""'),
    ("multi-line", "Sum.\n\nMore.", '"""Sum.\n\n    More.\n    """'),
    ("raw", "A \\d+ regex.", 'r"""A \\d+ regex."""'),
    ("raw ending in a backslash", "Ends in \\", 'r"""Ends in \\\n    """'),
]


@pytest.mark.parametrize(("text", "expected"), [q[1:] for q in QUOTE], ids=[q[0] for q in QUOTE])
def test_quote(text: str, expected: str) -> None:
    literal = quote(text, "    ")
    assert literal == expected
    ast.parse(f"def f():\n    {literal}\n")


CLEAN = [
    ("plain", "Sum.\n\nArgs:\n    x: One.", "Sum.\n\nArgs:\n    x: One."),
    ("fenced", "```python\nSum.\n\nArgs:\n    x: One.\n```", "Sum.\n\nArgs:\n    x: One."),
    ("prose around a fence", "Here it is:\n\n```\nSum.\n```\nHope it helps!", "Sum."),
    ("unclosed fence", "```python\nSum.\n", "Sum."),
    ("triple quotes", '"""Sum.\n\n    Args:\n        x: One.\n    """', "Sum.\n\nArgs:\n    x: One."),
    ("single quotes, raw", "r'''Sum \\d.'''", "Sum \\d."),
    ("only closing quotes", 'Sum.\n\n    More.\n    """\n', "Sum.\n\nMore."),
    (
        "the whole function, fenced",
        "```python\n@cache\ndef f(\n    x: int,\n) -> int:\n"
        '    """Sum.\n\n    Returns:\n        x.\n    """\n    return x\n```',
        "Sum.\n\nReturns:\n    x.",
    ),
    ("a repeated def line without quotes", "def f(x):\n    Sum.\n\n    More.", "Sum.\n\nMore."),
    ("async def", 'async def f():\n    """Wait."""\n    await g()', "Wait."),
    ("indented with trailing spaces", "    Sum.   \n\n    More.  \n\n\n", "Sum.\n\nMore."),
    ("crlf", "Sum.\r\n\r\n    More.\r\n", "Sum.\n\nMore."),
]


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in CLEAN], ids=[c[0] for c in CLEAN])
def test_clean_model_docstring(raw: str, expected: str) -> None:
    assert clean_model_docstring(raw) == expected
