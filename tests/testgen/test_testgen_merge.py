"""The test file's text after adding imports and tests to it (merge)."""

from __future__ import annotations

import ast

import pytest

from copiloto.testgen import TestgenError, merge

TEST_A = "def test_a():\n    assert f(1) == 1\n"
TEST_A_OTHER = "def test_a():\n    assert f(2) == 2\n"


def test_a_new_file() -> None:
    text = merge(None, ["from mod import f", "import os"], [TEST_A, "def test_b():\n    assert os.sep\n"])
    assert text == (
        "from mod import f\nimport os\n\n\ndef test_a():\n    assert f(1) == 1\n\n\ndef test_b():\n    assert os.sep\n"
    )


@pytest.mark.parametrize(
    ("existing", "imports", "expected_head"),
    [
        # after the docstring and the __future__ import; `os` is already imported
        (
            '"""Tests."""\n\nfrom __future__ import annotations\n\nimport os\n',
            ["import os", "from mod import f"],
            '"""Tests."""\n\nfrom __future__ import annotations\nfrom mod import f\n\nimport os\n',
        ),
        # after a docstring alone, with a blank line between
        ('"""Tests."""\nimport os\n', ["from mod import f"], '"""Tests."""\n\nfrom mod import f\nimport os\n'),
        # `from mod import f, g` already binds f; g as h is new
        (
            "from mod import f, g\n",
            ["from mod import f", "from mod import g as h"],
            "from mod import g as h\nfrom mod import f, g\n",
        ),
        # a new __future__ import goes before the other new ones
        ("x = 1\n", ["import os", "from __future__ import annotations"], "from __future__ import annotations\n"),
        # a shebang and a comment header stay first
        (
            "#!/usr/bin/env python\n# Licence.\nx = 1\n",
            ["import os"],
            "#!/usr/bin/env python\n# Licence.\nimport os\n\n",
        ),
        # one string may hold several import statements
        ("", ["import os\nimport sys"], "import os\nimport sys\n"),
    ],
)
def test_imports(existing: str, imports: list[str], expected_head: str) -> None:
    text = merge(existing, imports, [])
    assert text.startswith(expected_head)
    ast.parse(text)


def test_existing_content_is_kept_and_tests_are_appended() -> None:
    existing = '"""Tests."""\n\nfrom mod import f\n\n\ndef test_old():\n    assert f(0) == 0\n'
    text = merge(existing, ["from mod import f"], [TEST_A])
    assert text == existing + "\n\n" + TEST_A


def test_a_taken_name_is_renamed_and_an_identical_test_is_skipped() -> None:
    text = merge(TEST_A, [], [TEST_A_OTHER, TEST_A_OTHER.replace("2", "3"), TEST_A])
    names = [node.name for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)]
    assert names == ["test_a", "test_a_2", "test_a_3"]
    # merging the same tests again adds nothing, whatever they were renamed to
    assert merge(text, [], [TEST_A_OTHER, TEST_A]) == text


def test_renaming_keeps_decorators_and_async() -> None:
    test = "@pytest.mark.slow\nasync def test_a():\n    pass\n"
    text = merge(TEST_A, ["import pytest"], [test])
    assert "@pytest.mark.slow\nasync def test_a_2():\n" in text


def test_an_indented_test_is_dedented() -> None:
    assert merge(None, [], ["    def test_a():\n        pass\n"]) == "def test_a():\n    pass\n"


def test_crlf_line_endings_are_kept() -> None:
    text = merge('"""T."""\r\nimport os\r\n', ["from mod import f"], [TEST_A])
    assert "\n" not in text.replace("\r\n", "")
    ast.parse(text)


@pytest.mark.parametrize(
    ("existing", "imports", "tests", "message"),
    [
        ("def broken(:\n", [], [], "the existing test file does not parse"),
        (None, ["x = 1"], [], "is not an import line"),
        (None, ["import"], [], "does not parse"),
        (None, [], ["def test_a(:\n"], "a generated test does not parse"),
    ],
)
def test_merge_errors(existing: str | None, imports: list[str], tests: list[str], message: str) -> None:
    with pytest.raises(TestgenError, match=message):
        merge(existing, imports, tests)
