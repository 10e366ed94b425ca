"""The mutation score (mutmut 3) of a strong test file beats a weak one's; failing tests are reported, not scored."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from mutation import MutationScore, mutation_score

pytestmark = pytest.mark.skipif(importlib.util.find_spec("mutmut") is None, reason="mutmut is not installed")

# mutmut 3 mutates inside functions only: comparison operators, arithmetic, the string, call arguments.
# `x < low` -> `x <= low` and `x > high` -> `x >= high` are equivalent mutants (at the bound both return it).
MODULE = """\
def clamp(x, low, high):
    if low > high:
        raise ValueError("low must not exceed high")
    if x < low:
        return low
    if x > high:
        return high
    return x


def scale(x, low, high):
    return (clamp(x, low, high) - low) / (high - low)
"""

STRONG = """\
import pytest

from clamp import clamp, scale


def test_clamp():
    assert clamp(-5, 0, 10) == 0
    assert clamp(5, 0, 10) == 5
    assert clamp(15, 0, 10) == 10
    assert clamp(0, 0, 10) == 0
    assert clamp(10, 0, 10) == 10
    assert clamp(3, 3, 3) == 3


def test_clamp_rejects_an_empty_range():
    with pytest.raises(ValueError, match="^low must not exceed high$"):
        clamp(1, 2, 0)


def test_scale():
    assert scale(-5, 0, 10) == 0
    assert scale(5, 0, 10) == 0.5
    assert scale(15, 0, 10) == 1
    assert scale(6, 2, 10) == 0.5
"""

WEAK = """\
from clamp import clamp


def test_clamp():
    assert clamp(1, 0, 2) is not None
"""

FAILING = """\
from clamp import clamp


def test_clamp():
    assert clamp(5, 0, 2) == 5
"""


def measure(test_source: str, timeout_s: float = 120) -> MutationScore:
    # One mutant at a time keeps the load light; the module has 15 mutants.
    result = mutation_score("clamp", MODULE, test_source, max_children=1, timeout_s=timeout_s)
    print(result)
    return result


@pytest.fixture(scope="module")
def strong() -> MutationScore:
    return measure(STRONG)


def test_strong_tests_kill_most_mutants(strong: MutationScore) -> None:
    assert strong.error is None
    assert strong.total > 0
    assert strong.killed > 0
    assert strong.score is not None and strong.score > 0.5
    assert strong.killed + strong.survived <= strong.total
    assert strong.score == pytest.approx(strong.killed / (strong.killed + strong.survived))
    assert strong.no_tests == 0  # both functions are called


def test_weak_tests_score_lower(strong: MutationScore) -> None:
    weak = measure(WEAK)
    assert weak.error is None
    assert weak.total == strong.total  # the same module, the same mutants
    assert weak.score is not None and strong.score is not None
    assert weak.score < strong.score
    assert weak.no_tests > 0  # nothing calls scale(): its mutants count as survived


def test_tests_failing_on_the_unmutated_code_are_an_error() -> None:
    failing = measure(FAILING)
    assert failing.error is not None
    assert "fail" in failing.error and "unmutated" in failing.error
    assert failing.score is None
    assert failing.killed == failing.survived == failing.total == 0


def test_timeout_is_an_error() -> None:
    result = measure(STRONG, timeout_s=0.2)
    assert result.score is None
    assert result.error is not None and "timed out" in result.error
    assert result.seconds < 5


def test_an_interpreter_without_mutmut_is_an_error(tmp_path: Path) -> None:
    missing = mutation_score("clamp", MODULE, STRONG, python=tmp_path / "no-python")
    assert missing.score is None
    assert missing.error is not None and "could not start" in missing.error


def test_a_module_name_that_pytest_would_collect_is_refused() -> None:
    result = mutation_score("test_clamp", MODULE, STRONG, python=Path(sys.executable))
    assert result.score is None
    assert result.error is not None and "module name" in result.error
