"""From what the model wrote to tests: split per check, named for what they check, repeats and
unrelated statements left out, cut where generation stopped mid-line."""

from __future__ import annotations

import ast

import pytest

from copiloto.testgen.draft import (
    MAX_CHECKS_PER_BODY,
    Candidate,
    candidates_from_body,
    checked_call,
    complete_body,
    example_key,
    from_example,
    idiomatic,
    renamed,
    unique_name,
)
from copiloto.testgen.examples import Example


def split(text: str, target: str = "clamp", seen: set[str] | None = None, stem: str = "") -> list[Candidate]:
    return candidates_from_body(complete_body(text), target, "model", set(), set() if seen is None else seen, stem)


CUT_CASES = [
    ("    assert f(1) == 2\n    assert f(2) == ", 1),  # the unfinished last line goes
    ("    assert f(1) == 2\n    assert f(2) == 3\n", 2),
    ("    with pytest.raises(ValueError):\n        f(", 0),  # nothing complete
    ("    x = [1,\n    2]\n    assert f(x) == 3", 2),  # a statement over two lines stays whole
    ("", 0),
]


@pytest.mark.parametrize(("text", "statements"), CUT_CASES)
def test_complete_body_cuts_where_generation_stopped(text: str, statements: int) -> None:
    assert len(complete_body(text)) == statements


def test_a_run_of_asserts_becomes_one_test_per_assert_named_for_its_arguments() -> None:
    tests = split("    assert clamp(5, 0, 3) == 3\n    assert clamp(-1, 0, 3) == 0\n    assert clamp(1, 0, 3) ==")
    assert [t.name for t in tests] == ["test_clamp_5_0_3", "test_clamp_neg1_0_3"]
    assert tests[1].source == "def test_clamp_neg1_0_3():\n    assert clamp(-1, 0, 3) == 0\n"
    assert all(t.origin == "model" and not t.uses_pytest for t in tests)


def test_raises_blocks_are_tests_of_their_own_and_need_pytest() -> None:
    [test] = split("    with pytest.raises(errors.ValueError):\n        clamp(1, 3, 0)\n")
    assert test.name == "test_clamp_raises_valueerror" and test.uses_pytest
    assert checked_call(test) == "clamp(1, 3, 0)"


def test_repeats_of_a_call_are_left_out_even_with_another_expected_value() -> None:
    seen: set[str] = set()
    tests = split("    assert clamp(1, 0, 3) == 1\n    assert clamp(1, 0, 3) == 2\n", seen=seen)
    assert len(tests) == 1
    assert split("    assert clamp(1, 0, 3) == 1\n", seen=seen) == [], "seen in an earlier round"


def test_a_documented_call_is_not_tested_by_the_model() -> None:
    example = Example("clamp(5, 0, 3)", "3", 0)
    assert split("    assert clamp(5, 0, 3) == 5\n", seen={example_key(example)}) == []


def test_asserts_that_do_not_call_the_target_are_left_out() -> None:
    tests = split("    assert clamp(1, 0, 2) == 1\n    assert max(1, 2) == 2\n    assert True\n")
    assert [checked_call(t) for t in tests] == ["clamp(1, 0, 2)"]


def test_negative_numbers_are_named_apart_from_positive_ones() -> None:
    tests = split("    assert clamp(-5, -10, 10) == -5\n    assert clamp(5, 10 - 1, 10) == 9\n")
    assert [t.name for t in tests] == ["test_clamp_neg5_neg10_10", "test_clamp_5_10_1_10"]


def test_long_arguments_make_numbered_names() -> None:
    tests = split(
        "    assert clamp(list(range(100)), sorted([3, 2, 1]), 123456789) == 1\n"
        "    assert clamp(123456789, 1, 2) == 2\n"
    )
    assert [t.name for t in tests] == ["test_clamp", "test_clamp_123456789_1_2"]


def test_a_body_with_setup_gives_one_test_per_check_with_the_setup_before_it() -> None:
    body = (
        "    stack = Stack()\n"
        "    assert stack.push(1) == 1\n"  # a method call with an effect: later tests keep the push
        "    stack.push(2)\n"
        "    assert stack.size == 2\n"
    )
    first, second = split(body, target="Stack.push", stem="stack_push")
    assert first.source == "def test_stack_push():\n    stack = Stack()\n    assert stack.push(1) == 1\n"
    assert second.name == "test_stack_push_2"
    assert second.source.splitlines()[1:] == [
        "    stack = Stack()",
        "    stack.push(1)",
        "    stack.push(2)",
        "    assert stack.size == 2",
    ]


def test_a_repetitive_body_is_cut_after_a_few_checks() -> None:
    body = "    c = Counter()\n" + "".join(f"    c.bump()\n    assert c.count == {n}\n" for n in range(1, 30))
    assert len(split(body, target="Counter.bump")) == MAX_CHECKS_PER_BODY


def test_setup_without_a_check_or_without_the_target_is_no_test() -> None:
    assert split("    stack = Stack()\n    stack.push(1)\n", target="Stack.push") == []
    assert split("    x = 1\n    assert x == 1\n", target="Stack.push") == []


def test_documented_examples_compare_floats_approximately() -> None:
    exact = from_example(Example("add(1, 2)", "3", 0), "add", 1, set())
    assert exact.source == "def test_add_documented_example_1():\n    assert add(1, 2) == 3\n"
    assert exact.origin == "docstring" and exact.example is not None and not exact.uses_pytest
    rough = from_example(Example("mean([1, 2])", "1.5", 0), "mean", 2, set())
    assert "== pytest.approx(1.5)" in rough.source and rough.uses_pytest


def test_names_are_unique_and_renaming_changes_only_the_def_line() -> None:
    taken: set[str] = set()
    assert [unique_name("test_f", taken) for _ in range(3)] == ["test_f", "test_f_2", "test_f_3"]
    [test] = split("    assert clamp(1, 0, 2) == 1\n")
    moved = renamed(test, "test_clamp")
    assert moved.source == "def test_clamp():\n    assert clamp(1, 0, 2) == 1\n"
    assert moved.key == test.key and ast.parse(moved.source)


IDIOM_CASES = [
    ("assert is_prime(2) == True", "assert is_prime(2)"),
    ("assert is_prime(1) == False", "assert not is_prime(1)"),
    ("assert is_prime(1) != True", "assert not is_prime(1)"),
    ("assert find([], 1) == None", "assert find([], 1) is None"),
    ("assert find([1], 1) != None", "assert find([1], 1) is not None"),
    ("assert f(1) == 0", "assert f(1) == 0"),  # 0 is not False here: `f(1) == 0` says what f returns
    ("assert f(1) == True, 'why'", "assert f(1), 'why'"),
    ("x = f(1) == True", "x = f(1) == True"),  # only asserts
]


@pytest.mark.parametrize(("written", "idiom"), IDIOM_CASES)
def test_asserts_are_written_the_way_people_write_them(written: str, idiom: str) -> None:
    assert ast.unparse(idiomatic(ast.parse(written).body[0])) == idiom
