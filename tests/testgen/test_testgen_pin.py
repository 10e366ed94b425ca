"""Characterization tests: a model test with a wrong expectation keeps its call and gets the observed value,
marked as pinned; a call that looks like a bug is reported, never pinned. Real sandboxed runs, no model."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from copiloto.docstrings.target import find_by_qualname
from copiloto.testgen import RunLimits, generate, plan, run_test
from copiloto.testgen.draft import Candidate
from copiloto.testgen.pin import MARKER, Probe, pin, probe_source, read_probe, suspect

PYTHON = Path(sys.executable)
LIMITS = RunLimits(timeout_s=20, runs=1)

MODULE = '''class Shelf:
    def __init__(self, capacity: int):
        self.capacity = capacity
        self.items: dict[str, int] = {}

    def put(self, sku: str, qty: int) -> int:
        """Put up to qty of sku on the shelf; return how many did not fit. Raises ValueError when qty < 0."""
        if qty < 0:
            raise ValueError("qty must not be negative")
        if sku == "boom":
            raise KeyError(sku)
        placed = min(self.capacity - sum(self.items.values()), qty)
        if placed > 0:
            self.items[sku] = self.items.get(sku, 0) + placed
        return qty - placed

    def ratio(self) -> int:
        return sum(self.items.values()) / self.capacity

    def share(self, sku: str) -> float:
        return self.items.get(sku, 0) / sum(self.items.values())

    def drain(self, into: list[str]) -> None:
        into.extend(sorted(self.items))
        self.items.clear()
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    (tmp_path / "shelf.py").write_text(MODULE, encoding="utf-8")
    return tmp_path


def model_test(name: str, body: str) -> Candidate:
    lines = "\n".join(f"    {line}" for line in body.strip().splitlines())
    return Candidate(name, f"def {name}():\n{lines}\n", "model", key=name)


def probed(project: Path, candidate: Candidate) -> Probe:
    test_plan = plan(project, Path("shelf.py"), ["Shelf"])
    found = generate._probe([candidate], test_plan, project / "shelf.py", PYTHON, LIMITS, lambda: False)
    assert found, "the probe reported nothing"
    return found[0][1]


def passes_against_the_code(project: Path, pinned: Candidate) -> None:
    """The pinned test, in the module it would be offered in, passes against the code it pins."""
    test_plan = plan(project, Path("shelf.py"), ["Shelf"])
    result = run_test(generate.test_module(pinned, test_plan), pinned.name, test_plan.sys_path, PYTHON, LIMITS)
    assert result.passed, result.output


def test_a_wrong_expectation_becomes_the_observed_value_with_the_marker(project: Path) -> None:
    wrong = model_test("test_shelf_put", "shelf = Shelf(10)\nassert shelf.put('apple', 12) == 12")
    probe = probed(project, wrong)
    assert probe.value == "2" and probe.raised is None and probe.args_fit
    assert probe.changed == {"items": "{'apple': 10}"}
    target = find_by_qualname(MODULE, "Shelf.put")
    assert suspect(wrong, probe, target, annotated=True) is None
    pinned = pin(wrong, probe, target)
    assert pinned is not None and pinned.origin == "pinned" and pinned.name == "test_shelf_put"
    assert pinned.source == (
        "def test_shelf_put():\n"
        "    shelf = Shelf(10)\n"
        f"    {MARKER}\n"
        "    assert shelf.put('apple', 12) == 2\n"
        "    assert shelf.items == {'apple': 10}\n"
    )
    passes_against_the_code(project, pinned)


def test_an_argument_changed_in_place_gets_a_variable_and_is_checked_afterwards(project: Path) -> None:
    wrong = model_test("test_shelf_drain", "shelf = Shelf(10)\nshelf.put('a', 1)\nassert shelf.drain([]) == ['a']")
    probe = probed(project, wrong)
    assert probe.value == "None" and probe.arguments == {0: "['a']"} and probe.changed == {"items": "{}"}
    pinned = pin(wrong, probe, find_by_qualname(MODULE, "Shelf.drain"))
    assert pinned is not None
    assert pinned.source == (
        "def test_shelf_drain():\n"
        "    shelf = Shelf(10)\n"
        "    shelf.put('a', 1)\n"
        "    into = []\n"
        f"    {MARKER}\n"
        "    assert shelf.drain(into) is None\n"
        "    assert shelf.items == {}\n"
        "    assert into == ['a']\n"
    )
    passes_against_the_code(project, pinned)


def test_an_exception_the_code_allows_is_pinned_as_raises(project: Path) -> None:
    wrong = model_test("test_shelf_put_negative", "shelf = Shelf(10)\nassert shelf.put('apple', -1) == 0")
    probe = probed(project, wrong)
    assert probe.raised == "ValueError" and probe.line == 9
    pinned = pin(wrong, probe, find_by_qualname(MODULE, "Shelf.put"))
    assert pinned is not None and pinned.uses_pytest
    assert "    with pytest.raises(ValueError):\n        shelf.put('apple', -1)\n" in pinned.source
    passes_against_the_code(project, pinned)


def test_an_exception_the_code_raises_itself_is_allowed(project: Path) -> None:
    wrong = model_test("test_shelf_put_boom", "shelf = Shelf(10)\nassert shelf.put('boom', 1) == 0")
    probe = probed(project, wrong)
    assert probe.raised == "KeyError" and probe.line == 11
    target = find_by_qualname(MODULE, "Shelf.put")
    assert suspect(wrong, probe, target, annotated=True) is None
    pinned = pin(wrong, probe, target)
    assert pinned is not None and "with pytest.raises(KeyError):" in pinned.source


def test_an_exception_the_docstring_does_not_allow_is_a_possible_bug_not_pinned(project: Path) -> None:
    wrong = model_test("test_shelf_share", "shelf = Shelf(10)\nassert shelf.share('a') == 0.0")
    probe = probed(project, wrong)
    assert probe.raised == "ZeroDivisionError" and probe.line == 21 and probe.args_fit
    target = find_by_qualname(MODULE, "Shelf.share")
    assert pin(wrong, probe, target) is None
    bug = suspect(wrong, probe, target, annotated=True)
    assert bug is not None and bug.line == 21
    assert bug.message.startswith("possible bug: shelf.share('a') raises ZeroDivisionError: division by zero")


def test_arguments_that_do_not_fit_the_signature_are_the_tests_mistake(project: Path) -> None:
    wrong = model_test("test_shelf_put_str", "shelf = Shelf(10)\nassert shelf.put('a', '3') == 0")
    probe = probed(project, wrong)
    assert probe.raised == "TypeError" and not probe.args_fit
    target = find_by_qualname(MODULE, "Shelf.put")
    assert suspect(wrong, probe, target, annotated=True) is None and pin(wrong, probe, target) is None


def test_a_value_the_return_annotation_does_not_allow_is_not_pinned(project: Path) -> None:
    wrong = model_test("test_shelf_ratio", "shelf = Shelf(4)\nshelf.put('a', 1)\nassert shelf.ratio() == 1")
    probe = probed(project, wrong)
    assert probe.value == "0.25" and not probe.value_fits
    target = find_by_qualname(MODULE, "Shelf.ratio")
    assert pin(wrong, probe, target) is None
    bug = suspect(wrong, probe, target, annotated=False)
    assert bug is not None and "returns 0.25, which the annotation -> int does not allow" in bug.message


def test_a_test_whose_setup_fails_is_not_probed_into_a_pin(project: Path) -> None:
    broken = model_test("test_shelf_broken", "shelf = Shelf()\nassert shelf.put('a', 1) == 0")
    test_plan = plan(project, Path("shelf.py"), ["Shelf"])
    assert generate._probe([broken], test_plan, project / "shelf.py", PYTHON, LIMITS, lambda: False) == []


def test_what_cannot_be_written_down_is_not_pinned() -> None:
    candidate = model_test("test_it", "assert make() == 1")
    assert probe_source(model_test("test_it", "assert 1 == 1"), "m.py") is None
    assert read_probe("no report here") is None
    target = find_by_qualname(MODULE, "Shelf.put")
    assert pin(candidate, Probe(value="<object at 0x7f>"), target) is None
