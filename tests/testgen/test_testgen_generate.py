"""Tests generated end to end with the real `tiny` model and the real sandbox: only what passes three
runs is kept, a refiner's tests go through the same checks, bad projects are explained before any work."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from plain_pytest import run_offered

from copiloto.config import TestSettings
from copiloto.engine.local import LocalEngine
from copiloto.testgen import Confinement, RunLimits, TestgenError, confinement, plan, run_test
from copiloto.testgen.draft import Candidate
from copiloto.testgen.generate import GeneratedTests, Partners, Refiner, TestDraft, choose_interpreter, generate_tests
from copiloto.testgen.write import observations_from

MODULE = '''import re


def slug(title, sep="-"):
    """Lower-case words of title joined by sep.

    >>> slug("Hello World")
    'hello-world'
    """
    if not sep:
        raise ValueError("sep must not be empty")
    words = re.findall(r"[a-z0-9]+", title.lower())
    return sep.join(words)


class Counter:
    def __init__(self, start=0):
        self.count = start

    def bump(self, by=1):
        self.count += by
        return self.count
'''

FAST = TestSettings(timeout_s=5.0, rounds=1, max_tests=6)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n", encoding="utf-8")
    (tmp_path / "textutil.py").write_text(MODULE, encoding="utf-8")
    return tmp_path


def generate(
    engine: LocalEngine,
    project: Path,
    qualname: str,
    settings: TestSettings = FAST,
    refiners: Sequence[Refiner] = (),
) -> GeneratedTests:
    path = project / "textutil.py"
    source = path.read_text(encoding="utf-8")
    return generate_tests(engine, project, path, source, qualname, settings=settings, partners=Partners(refiners))


@pytest.mark.model
def test_kept_tests_pass_and_the_file_is_what_pytest_runs(tiny_engine: LocalEngine, project: Path) -> None:
    done = generate(tiny_engine, project, "slug", TestSettings(timeout_s=5.0))
    assert done.kept, done.reason
    assert done.written >= len(done.kept) and done.rounds >= 1
    assert done.kept[0].name == "test_slug_documented_example_1", "the docstring's example comes first"
    assert done.coverage is not None and done.coverage.lines_pct is not None and done.coverage.lines_pct > 0
    assert done.test_file_text is not None and "from textutil import slug" in done.test_file_text
    # What was verified in the sandbox passes in the project too, all together.
    run = run_offered(project, project / "tests" / "test_textutil.py", done.test_file_text)
    assert run.returncode == 0 and f"{len(done.kept)} passed" in run.stdout, run.stdout
    assert "line" in done.summary(project) and "tests/test_textutil.py" in done.summary(project)
    # The summary says what the sandbox could not do on this system, and only then.
    assert done.confinement == confinement(RunLimits())
    assert ("sandbox:" in done.summary(project)) == bool(done.confinement.gaps())
    weak = dataclasses.replace(done, confinement=Confinement(files=False, network="open", signals=False))
    assert "(sandbox: tests can write outside the sandbox" in weak.summary(project)
    assert "tests can use the network" in weak.summary(project)
    assert "tests can read the user's files" in weak.summary(project) and "no PID namespace" in weak.summary(project)


@pytest.mark.model
def test_a_refiners_tests_are_verified_the_same_way(tiny_engine: LocalEngine, project: Path) -> None:
    """The Claude step plugs in here: what it returns is run three times too, and a test that hangs or
    forks is killed at the timeout and never kept."""
    seen: list[TestDraft] = []

    def refine(draft: TestDraft) -> Sequence[Candidate]:
        seen.append(draft)

        def test(name: str, body: str) -> Candidate:
            return Candidate(name, f"def {name}():\n{body}\n", "refined", key=name, stem=name)

        return [
            test("test_slug_refined", "    assert slug('A b', sep='_') == 'a_b'"),
            test("test_slug_hangs", "    while True:\n        pass"),
            test("test_slug_forks", "    import os\n    while True:\n        os.fork()"),
            test("test_slug_wrong", "    assert slug('A') == 'B'"),
        ]

    done = generate(tiny_engine, project, "slug", TestSettings(timeout_s=3.0, rounds=1), [refine])
    [draft] = seen
    assert draft.qualname == "slug" and draft.candidates, "the refiner gets the local draft"
    assert [c.name for c in done.kept] == ["test_slug_refined"]
    outcomes = {f.candidate.name: f.result.failure_kind for f in done.failures}
    assert outcomes["test_slug_hangs"] == "timeout"
    assert outcomes["test_slug_wrong"] == "assertion"
    assert outcomes["test_slug_forks"] in {"timeout", "error"}
    assert done.possible_bugs == (), "only documented examples can be possible bugs"


SHORT = '''def label(code):
    """Name of a status code.

    >>> label(1)
    'new'
    """
    if code == 7391:  # a case no small model guesses
        return "archived"
    return {1: "new", 2: "assigned"}.get(code, "unknown")


def double(x):
    """Twice x.

    >>> double(2)
    4
    """
    return x * 2
'''


@pytest.mark.model
def test_claude_takes_over_only_when_the_local_tests_fall_short(tiny_engine: LocalEngine, project: Path) -> None:
    """The handoff pattern: asked with the kept tests and the lines they miss; its new tests are verified, repeats
    of kept tests are not run again; a target the local tests already cover fully never reaches it."""
    (project / "textutil.py").write_text(SHORT, encoding="utf-8")
    seen: list[TestDraft] = []

    def take_over(draft: TestDraft) -> Sequence[Candidate]:
        seen.append(draft)
        test = "def test_label_archived():\n    assert label(7391) == 'archived'\n"
        wrong = "def test_label_wrong():\n    assert label(2) == 'new'\n"
        return [
            *draft.candidates,  # what it was shown: already kept
            Candidate("test_label_archived", test, "refined", key="a", stem="test_label_archived"),
            Candidate("test_label_wrong", wrong, "refined", key="w", stem="test_label_wrong"),
        ]

    settings = TestSettings(timeout_s=5.0, rounds=1, max_tests=2)
    path = project / "textutil.py"
    done = generate_tests(
        tiny_engine, project, path, SHORT, "label", settings=settings, partners=Partners(takeovers=[take_over])
    )
    [draft] = seen
    assert draft.candidates and draft.candidates[0].name == "test_label_documented_example_1", "the kept tests"
    assert draft.coverage is not None and 8 in draft.coverage.missing_lines, 'return "archived": no kept test runs it'
    names = [c.name for c in done.kept]
    assert "test_label_archived" in names and "test_label_wrong" not in names
    assert len(names) == len(set(names)) and names.count("test_label_documented_example_1") == 1
    assert done.coverage is not None and 8 not in done.coverage.missing_lines

    seen.clear()
    done = generate_tests(
        tiny_engine, project, path, SHORT, "double", settings=settings, partners=Partners(takeovers=[take_over])
    )
    assert done.coverage is not None and done.coverage.lines_pct == 100.0
    assert seen == [], "fully covered by the local tests: Claude is not asked"


@pytest.mark.model
def test_concurrent_claude_writes_its_own_tests_and_disagreements_are_named(
    tiny_engine: LocalEngine, project: Path
) -> None:
    """The concurrent pattern: the companion starts from the code alone, its tests run with the local ones, and
    a call where one side's test passes and the other's fails is named in the result."""
    (project / "textutil.py").write_text(SHORT, encoding="utf-8")
    seen: list[TestDraft] = []

    def companion(draft: TestDraft) -> Sequence[Candidate]:
        seen.append(draft)
        right = "def test_label_archived():\n    assert label(7391) == 'archived'\n"
        wrong = "def test_label_one():\n    assert label(1) == 'old'\n"  # the docstring's example says 'new'
        return [
            Candidate("test_label_archived", right, "refined", key="a", stem="test_label_archived"),
            Candidate("test_label_one", wrong, "refined", key="o", stem="test_label_one"),
        ]

    settings = TestSettings(timeout_s=5.0, rounds=1, max_tests=3)
    path = project / "textutil.py"
    claude = Partners(companions=[companion], name="Claude")
    done = generate_tests(tiny_engine, project, path, SHORT, "label", settings=settings, partners=claude)
    [draft] = seen
    assert draft.candidates == () and draft.failures == (), "it writes from the code alone"
    assert "test_label_archived" in [c.name for c in done.kept]
    assert done.agreement is not None
    assert "label(1): the local model's test passes, Claude's fails" in done.agreement.disagreements
    assert "disagree on" in done.summary(project) and "label(1)" in done.summary(project)


@pytest.mark.model
def test_a_class_gets_tests_for_its_public_methods(tiny_engine: LocalEngine, project: Path) -> None:
    done = generate(tiny_engine, project, "Counter")
    written = [c.name for c in [*done.kept, *(f.candidate for f in done.failures)]]
    assert written and all(name.startswith("test_counter_bump") for name in written)
    assert done.kept, done.reason  # an object's observed behaviour is pinned when the model's guesses fail
    assert done.test_file_text is not None and "from textutil import Counter" in done.test_file_text
    assert "Counter(" in done.test_file_text and ".bump(" in done.test_file_text


@pytest.mark.model
def test_a_module_that_cannot_be_imported_is_explained(tiny_engine: LocalEngine, project: Path) -> None:
    (project / "textutil.py").write_text("import no_such_module_q\n" + MODULE, encoding="utf-8")
    with pytest.raises(TestgenError, match=r"cannot import textutil .*No module named 'no_such_module_q'"):
        generate(tiny_engine, project, "slug")
    assert not (project / "tests").exists(), "nothing written"


@pytest.mark.model
def test_an_interpreter_without_pytest_is_explained(tiny_engine: LocalEngine, project: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True, timeout=120)
    settings = FAST.model_copy(update={"python": bare / "bin" / "python"})
    with pytest.raises(TestgenError, match="pytest is not installed"):
        generate(tiny_engine, project, "slug", settings)


def test_nested_functions_cannot_be_imported_by_tests(project: Path) -> None:
    source = "def outer():\n    def inner():\n        return 1\n    return inner\n"
    (project / "textutil.py").write_text(source, encoding="utf-8")
    with pytest.raises(TestgenError, match="nested inside another def or class: tests cannot import it"):
        generate_tests(None, project, project / "textutil.py", source, "outer.inner")  # type: ignore[arg-type]


def test_the_projects_own_virtualenv_runs_the_tests(tmp_path: Path) -> None:
    assert choose_interpreter(tmp_path, None) == Path(sys.executable)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.touch()
    assert choose_interpreter(tmp_path, None) == python
    assert choose_interpreter(tmp_path, Path("py/bin/python")) == tmp_path / "py/bin/python"


@pytest.mark.parametrize(
    ("test", "seen"),
    [
        ("assert slug('A B') == 'a b'", "returns 'a-b'"),
        ("assert slug('A B', sep='') == 'ab'", "raises ValueError: sep must not be empty"),
        ("assert slug(None) == ''", "raises AttributeError: 'NoneType' object has no attribute 'lower'"),
        ("assert len(slug('A B')) == pytest.approx(2.0)", "returns 3"),  # approx: no "where", a ± on the right
    ],
)
def test_what_a_failed_call_did_is_read_from_pytests_report(project: Path, test: str, seen: str) -> None:
    test_plan = plan(project, Path("textutil.py"), ["slug"])
    source = f"import pytest\n{test_plan.import_line}\n\n\ndef test_it():\n    {test}\n"
    result = run_test(source, "test_it", test_plan.sys_path, Path(sys.executable), RunLimits(runs=1))
    assert not result.passed
    call = test.removeprefix("assert ").split(" == ")[0]
    observation = observations_from(call, result.output)
    assert observation is not None and observation.seen == seen
    value = seen.removeprefix("returns ")
    assert observation.as_line() == (f"assert {call} == {value}" if seen.startswith("returns") else f"# {call} {seen}")
