"""Generate tests for a function, method or class, keeping only those proven to run and pass.

Round one: the docstring's own examples, and the model's drafts (asserts on the return value, one
`pytest.raises` per exception the body raises, or a setup-and-check body for methods). Every test runs
three times, sandboxed, against the code on disk; only those that pass every run are kept. Later rounds
(bounded by `tests.rounds`) tell the model what the failed calls really returned and ask for more,
until the kept tests cover the whole target. A documented example that fails on its assertion is
reported as a possible bug, never kept and never "fixed" by a model test of the same call.

Objects first: a method's drafts start with its instance built (objects.py) and its call begun, so the
model only writes arguments and expectations. Characterization: a local model's test whose call runs but
whose expectation is wrong is written again with the value the code gives and the object's changed state
(pin.py), marked `# pinned: observed behaviour, not checked against a spec`, verified like any test and
counted apart (`GeneratedTests.pinned`). A call that raises what neither the docstring nor the code allows,
or returns what the annotation does not allow, is never pinned: it is reported as a possible bug. When
the kept tests leave lines uncovered, the next round's prompt names them. A unit the model wrote no passing
test for is called with values of its parameters' types, pinned the same way (fallback.py).

Partners (other writers: orchestrate/tests.py brings Claude) plug in three ways. Refiners (the sequential
pattern) plug in between drafting and verification: they get the local draft and return the tests to verify
instead; what they return is verified the same way.
Companions (the concurrent pattern) write their own tests from the code alone while the local model drafts;
both sets are verified together, all passing tests are kept, and the result says where the two agree and
disagree (testgen/compare.py). Takeovers (the handoff pattern) are asked only when the local rounds fall
short — nothing kept, or the target not fully covered — with the kept tests and the failures as context;
their tests are added to the kept ones after the same verification.

One module, over 400 lines: the rounds, their session state and the result the user sees.
"""

from __future__ import annotations

import ast
import dataclasses
import math
import os
import re
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from copiloto.config import TestSettings
from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.target import Target, find_by_qualname
from copiloto.engine.types import Engine, Stopped, never_stopped
from copiloto.testgen.compare import Agreement, compare_tests
from copiloto.testgen.draft import (
    Candidate,
    candidates_from_body,
    checked_call,
    complete_body,
    example_key,
    from_example,
    renamed,
    unique_name,
)
from copiloto.testgen.errors import TestgenError
from copiloto.testgen.examples import Example, documented_examples
from copiloto.testgen.failure_words import failure_words
from copiloto.testgen.fallback import pinned_calls
from copiloto.testgen.layout import TestPlan, merge, plan, unimportable
from copiloto.testgen.objects import construction, preparation
from copiloto.testgen.pin import PROBE_NAME, Probe, is_pinned, pin, probe_source, read_probe, suspect
from copiloto.testgen.runner import (
    Confinement,
    Coverage,
    RunLimits,
    RunResult,
    collects,
    confinement,
    coverage_of,
    run_test,
)
from copiloto.testgen.write import Observation, Prompt, observations_from, starts, write_body

MAX_METHODS = 6  # public methods of a class drafted for, in source order
_VENVS = (".venv", "venv", "env")
_IMPORT_ERROR = re.compile(r"^E?\s*((?:ModuleNotFoundError|ImportError)\b.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Unit:
    """One callable under test: a function, or a method with the class it belongs to."""

    target: Target
    owner: Target | None
    is_async: bool


@dataclass(frozen=True)
class Failure:
    candidate: Candidate
    result: RunResult


@dataclass(frozen=True)
class PossibleBug:
    example: Example | None  # None: a model test's call that raised or returned what the code does not allow
    line: int  # 0-based line of the example (or of the raise) in the source file
    message: str


@dataclass(frozen=True)
class TestDraft:
    """What a refiner sees: the code, the local draft, and what failed before."""

    __test__ = False

    qualname: str
    module_source: str
    plan: TestPlan
    candidates: tuple[Candidate, ...]  # the draft (for a takeover: the tests kept so far)
    failures: tuple[Failure, ...]
    coverage: Coverage | None = None  # for a takeover: what the kept tests leave uncovered
    module_path: str | None = None  # the file under test (cloud.exclude applies to it)


class Refiner(Protocol):
    def __call__(self, draft: TestDraft) -> Sequence[Candidate]: ...


@dataclass(frozen=True)
class Partners:
    """Other writers plugged into a generation (orchestrate/tests.py brings Claude in this way). Their tests are
    verified exactly like the local model's; none by default."""

    refiners: Sequence[Refiner] = ()  # turn each round's draft into the tests to verify (sequential)
    takeovers: Sequence[Refiner] = ()  # asked when the rounds fall short: none kept or lines uncovered (handoff)
    companions: Sequence[Refiner] = ()  # write from the code alone while the local model drafts (concurrent)
    name: str = "the partner"  # who they are, in what the user is told ("Claude")


@dataclass(frozen=True)
class GeneratedTests:
    plan: TestPlan
    qualname: str
    kept: tuple[Candidate, ...]
    written: int  # tests drafted and run
    rounds: int
    coverage: Coverage | None
    possible_bugs: tuple[PossibleBug, ...]
    failures: tuple[Failure, ...]
    test_file_text: str | None  # the test file with the kept tests merged in; None when none was kept
    interpreter: Path = field(default=Path(sys.executable))
    agreement: Agreement | None = None  # the concurrent pattern: how the local model's and the partner's compare
    confinement: Confinement | None = None  # how far the runs were sandboxed here

    @property
    def pinned(self) -> int:
        """Kept tests whose expected values were observed, not written by the model (characterization)."""
        return sum(is_pinned(c) for c in self.kept)

    @property
    def reason(self) -> str | None:
        """Why nothing is offered, or None when tests were kept."""
        if self.kept:
            return None
        if self.written == 0:
            return (
                f"the model wrote no test for {self.qualname} that calls it "
                "(an example call in its docstring gives the model one to follow)"
            )
        told = next(((f.candidate.name, w) for f in self.failures if (w := failure_words(f.result.output))), None)
        shown = f" (for example {told[0]}: {told[1]})" if told is not None else ""
        return f"none of the {self.written} tests written for {self.qualname} passed against the current code{shown}"

    def added_text(self) -> str:
        """The imports and kept tests, as a test file of their own (what --write merges in)."""
        return self.merged_into(None)

    def merged_into(self, existing: str | None) -> str:
        """`existing` test file text (None: a new file) with the imports and kept tests added."""
        return merge(existing, _imports(self.kept, self.plan), [c.source for c in self.kept])

    def summary(self, root: Path) -> str:
        """One line for the user: what was kept, how much it covers, where it goes."""
        where = _relative(self.plan.test_file, root)
        if not self.kept:
            return f"no tests written: {self.reason}"
        numbers = _coverage_words(self.coverage)
        compared = f"; {self.agreement.words()}" if self.agreement is not None else ""
        gaps = self.confinement.gaps() if self.confinement is not None else []
        sandbox = f" (sandbox: {'; '.join(gaps)})" if gaps else ""
        kept = f"{len(self.kept)} of {self.written} tests kept for {self.qualname}{numbers}"
        if self.pinned:
            kept += f", {self.pinned} pinned to the observed behaviour"
        return f"{kept} → {where}{compared}{sandbox}"


def generate_tests(
    engine: Engine,
    project_root: Path,
    module_path: Path,
    source: str,
    qualname: str,
    *,
    settings: TestSettings | None = None,
    partners: Partners = Partners(),
    stopped: Stopped = never_stopped,
) -> GeneratedTests:
    """Draft, verify and merge tests for `qualname` in `module_path` (whose text on disk is `source`).

    Raises TestgenError when no test can be tried at all: the target cannot be found or imported,
    the interpreter lacks pytest, or the user cancelled.
    """
    settings = settings or TestSettings()
    root = project_root.resolve()
    units = _units(source, qualname)
    test_plan = plan(root, module_path, [qualname.split(".")[0]])
    test_plan = dataclasses.replace(test_plan, helpers=_helper_classes(source, qualname.split(".")[0]))
    interpreter = choose_interpreter(root, settings.python)
    limits = RunLimits(
        timeout_s=settings.timeout_s,
        memory_mb=settings.memory_mb,
        cpu_s=math.ceil(settings.timeout_s),
        env_allow=tuple(settings.env_allow),
    )
    _check_importable(test_plan, interpreter, limits)
    session = _Session(engine, root, root / module_path, source, test_plan, interpreter, limits, units, stopped)
    rounds, coverage = 0, None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="copiloto-companion") as pool:
        blank = TestDraft(qualname, source, test_plan, (), (), module_path=str(module_path))
        # the partners write while we draft
        pending = [pool.submit(companion, blank) for companion in partners.companions]
        fresh = _take_evenly(session.drafts(first=True), settings.max_tests)
        theirs = [c for p in pending for c in list(p.result())[: settings.max_tests]]
    for rounds in range(1, settings.rounds + 1):
        if rounds > 1:  # round one's drafts were written above, next to the companions'
            fresh = _take_evenly(session.drafts(first=False), settings.max_tests)
        else:
            fresh += theirs
        for refine in partners.refiners:
            draft = TestDraft(
                qualname, source, test_plan, tuple(fresh), tuple(session.failures), module_path=str(module_path)
            )
            fresh = list(refine(draft))[: settings.max_tests]
        session.verify(fresh)
        if session.kept:
            coverage = session.last_coverage = session.coverage()
            if _complete(coverage):
                break
    for take_over in partners.takeovers if not session.kept or not _complete(coverage) else ():
        draft = TestDraft(
            qualname, source, test_plan, tuple(session.kept), tuple(session.failures), coverage, str(module_path)
        )
        known = {c.source for c in session.kept}
        session.verify([c for c in take_over(draft) if c.source not in known][: settings.max_tests])
        coverage = session.coverage() if session.kept else None
    if session.fall_back():  # after a partner's takeover: its tests check a spec, the fallback's only pin values
        coverage = session.coverage()
    agreement = None
    if partners.companions:
        written = {id(c) for c in theirs}  # the very objects: names may repeat across the two sides
        failed = [f.candidate for f in session.failures]
        agreement = compare_tests(session.kept, failed, lambda c: id(c) in written, partner=partners.name)
    final: set[str] = set()
    kept = [renamed(c, unique_name(c.stem or c.name, final)) for c in session.kept]
    text = None
    if kept:
        existing = test_plan.test_file.read_text(encoding="utf-8") if test_plan.exists else None
        text = merge(existing, _imports(kept, test_plan), [c.source for c in kept])
    return GeneratedTests(
        plan=test_plan,
        qualname=qualname,
        kept=tuple(kept),
        written=session.written,
        rounds=rounds,
        coverage=coverage,
        possible_bugs=tuple(_possible_bugs(session.failures, source, units) + session.suspects),
        failures=tuple(session.failures),
        test_file_text=text,
        interpreter=interpreter,
        agreement=agreement,
        confinement=confinement(limits),
    )


@dataclass
class _Session:
    """One "Generate tests" run: what it works on, and what the rounds so far have learned."""

    engine: Engine
    root: Path
    module_file: Path
    source: str
    plan: TestPlan
    interpreter: Path
    limits: RunLimits
    units: list[Unit]
    stopped: Stopped
    kept: list[Candidate] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    written: int = 0
    taken: set[str] = field(default_factory=set)  # test names handed out
    seen: set[str] = field(default_factory=set)  # what the tests so far check: not tried twice
    observations: dict[str, list[Observation]] = field(default_factory=dict)  # per unit: what failed calls did
    examples: list[tuple[Unit, Example]] = field(default_factory=list)
    suspects: list[PossibleBug] = field(default_factory=list)  # model tests' calls that look like bugs
    pinned_keys: set[str] = field(default_factory=set)
    last_coverage: Coverage | None = None  # what the kept tests covered after the last round

    def __post_init__(self) -> None:
        self.examples = [(u, e) for u in self.units for e in documented_examples(u.target.docstring, u.target.name)]
        self.seen |= {example_key(example) for _, example in self.examples}  # the docs say what these give
        self.observations = {unit.target.qualname: [] for unit in self.units}

    def drafts(self, first: bool) -> list[list[Candidate]]:
        """This round's new tests, in groups: the documented examples (first round), then each model draft."""
        groups: list[list[Candidate]] = []
        if first:
            groups.append([from_example(e, u.target.name, n, self.taken) for n, (u, e) in enumerate(self.examples, 1)])
        for unit in self.units:
            groups += self._model_drafts(unit)
        return groups

    def _model_drafts(self, unit: Unit) -> list[list[Candidate]]:
        """One group per start line of the unit, split into tests, repeats left out."""
        prompt = Prompt(
            module_path=_relative(self.module_file, self.root),
            module_source=self.source,
            test_path=_relative(self.plan.test_file, self.root),
            header="import pytest\n\n" + _import_line(self.plan, self.plan.helpers),
            target=unit.target,
            owner=unit.owner,
        )
        shown = [_body(c) for c in self.kept if _tests_unit(c, unit) and c.source.count("\n") <= 3][:4]
        name = unit.owner.name if unit.owner is unit.target and unit.owner else unit.target.qualname
        stem = _snake(name.replace(".", "_"))
        groups = []
        construct = prepare = None
        if unit.owner is not None:
            construct = construction(self.source, unit.owner.name)
            prepare = preparation(self.source, unit.owner.name, unit.target.name)
        for start in starts(unit.target, unit.owner, unit.is_async, construct, prepare):
            notes = self.observations[unit.target.qualname]
            text = write_body(self.engine, prompt, start, notes, shown, self.stopped, self._uncovered(unit))
            groups.append(candidates_from_body(complete_body(text), name, "model", self.taken, self.seen, stem))
        return groups

    def _uncovered(self, unit: Unit) -> list[str]:
        """The unit's lines the kept tests do not reach yet (at most three), as written in the source."""
        if self.last_coverage is None:
            return []
        lines = self.source.splitlines()
        first, last = unit.target.insert_line + 1, unit.target.end_line + 1
        missing = [n for n in self.last_coverage.missing_lines if first <= n <= last and n <= len(lines)]
        return [lines[n - 1].strip()[:80] for n in missing[:3]]

    def verify(self, fresh: Sequence[Candidate]) -> None:
        """Run each test; keep what passed every run, and note what the failed calls really did."""
        if self.stopped():
            raise TestgenError("cancelled")
        failed: list[Candidate] = []
        for candidate, result in _verify(fresh, self.plan, self.interpreter, self.limits, self.stopped):
            self.written += 1
            if result.passed:
                self.kept.append(candidate)
                continue
            self.failures.append(Failure(candidate, result))
            if candidate.origin == "model" and result.failure_kind != "timeout":
                failed.append(candidate)  # the local model's guess: a partner's tests are kept only as written
            call = checked_call(candidate)
            if call is None or candidate.origin == "docstring":
                continue  # a documented call's real value must not become a test of it (possible bug)
            observation = observations_from(call, result.output)
            unit = next((u for u in self.units if _tests_unit(candidate, u)), self.units[0])
            if observation is not None:
                self.observations[unit.target.qualname].append(observation)
        self._pin(failed)

    def _pin(self, failed: Sequence[Candidate]) -> None:
        """Characterization: the failed model tests whose call runs are written again with the values the code
        gives (marked as pinned) and verified like any test; calls that look like bugs become possible bugs."""
        probed = _probe(failed, self.plan, self.module_file, self.interpreter, self.limits, self.stopped)
        pinned: list[Candidate] = []
        for candidate, probe in probed:
            unit = next((u for u in self.units if _tests_unit(candidate, u)), self.units[0])
            bug = suspect(candidate, probe, unit.target, _annotated(self.source, unit.target))
            if bug is not None:
                line = bug.line - 1 if bug.line is not None else unit.target.def_line
                if all(known.message != bug.message for known in self.suspects):
                    self.suspects.append(PossibleBug(None, line, bug.message))
                continue
            again = pin(candidate, probe, unit.target)
            if again is not None and again.source not in self.pinned_keys:
                self.pinned_keys.add(again.source)
                pinned.append(again)
        if self.stopped():
            raise TestgenError("cancelled")
        for candidate, result in _verify(pinned, self.plan, self.interpreter, self.limits, self.stopped):
            if result.passed:
                self.kept.append(candidate)

    def fall_back(self) -> bool:
        """Units no kept test calls get calls built from their signature, pinned to what they give and verified
        like any test (fallback.py). Whether any was kept."""
        added = False
        for unit in self.units:
            if unit.is_async or any(_tests_unit(c, unit) for c in self.kept):
                continue
            pinned = pinned_calls(self.source, unit.target, unit.owner, self.taken, self._probe)
            self.written += len(pinned)  # tests of their own, not rewrites of failed ones: "4 of 4 kept"
            for candidate, result in _verify(pinned, self.plan, self.interpreter, self.limits, self.stopped):
                if result.passed:
                    self.kept.append(candidate)
                    added = True
        return added

    def _probe(self, candidates: Sequence[Candidate]) -> list[tuple[Candidate, Probe]]:
        return _probe(candidates, self.plan, self.module_file, self.interpreter, self.limits, self.stopped)

    def coverage(self) -> Coverage:
        """What the kept tests cover of the target's lines, from the first unit's `def` to the last one's end."""
        lines = (min(u.target.def_line for u in self.units) + 1, max(u.target.end_line for u in self.units) + 1)
        sources = [(test_module(c, self.plan), c.name) for c in self.kept]
        plan = self.plan
        return coverage_of(
            sources, self.module_file, lines, plan.sys_path, self.interpreter, self.limits, conftest=plan.conftest
        )


def choose_interpreter(root: Path, configured: Path | None) -> Path:
    """The configured interpreter, else the project's own virtual environment, else the server's Python."""
    if configured is not None:
        return configured if configured.is_absolute() else root / configured
    for name in _VENVS:
        candidate = root / name / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        if candidate.is_file():
            return candidate
    return Path(sys.executable)


def test_module(candidate: Candidate, test_plan: TestPlan) -> str:
    """The module a candidate runs in: the imports it needs and the test itself."""
    return "\n".join(_imports([candidate], test_plan)) + "\n\n\n" + candidate.source


def _units(source: str, qualname: str) -> list[Unit]:
    try:
        target = find_by_qualname(source, qualname)
    except DocstringError as exc:
        raise TestgenError(str(exc)) from None
    if (why := unimportable(target)) is not None:
        raise TestgenError(why)
    lines = source.splitlines()

    def unit(found: Target, owner: Target | None) -> Unit:
        return Unit(found, owner, lines[found.def_line].lstrip().startswith("async "))

    if target.kind == "function":
        return [unit(target, None)]
    if target.kind == "method":
        return [unit(target, find_by_qualname(source, target.qualname.split(".")[0]))]
    methods = [name for name in _public_methods(source, target) if name][:MAX_METHODS]
    if not methods:
        return [unit(target, target)]  # only a constructor: build it and check what it holds
    return [unit(find_by_qualname(source, f"{target.qualname}.{name}"), target) for name in methods]


def _public_methods(source: str, cls: Target) -> list[str]:
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls.name:
            return [
                item.name
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not item.name.startswith("_")
            ]
    return []


def _check_importable(test_plan: TestPlan, interpreter: Path, limits: RunLimits) -> None:
    """Before any model work: can pytest, under the project's interpreter, import the module at all?"""
    probe = f"{test_plan.import_line}\n\n\ndef test_import():\n    pass\n"
    ok, output = collects(probe, test_plan.sys_path, interpreter, limits, conftest=test_plan.conftest)
    if ok:
        return
    if "No module named pytest" in output:
        raise TestgenError(
            f"pytest is not installed for {interpreter}: install it there, or set copiloto.tests.python "
            "to an interpreter that has it; nothing was written"
        )
    found = _IMPORT_ERROR.findall(output)
    why = found[-1].strip() if found else _last_error_line(output) or "pytest could not collect a test importing it"
    raise TestgenError(
        f"the tests cannot import {test_plan.module} with {interpreter}: {why}. Install what it needs there "
        "(or set copiloto.tests.python to the project's interpreter); nothing was written"
    )


def _take_evenly(groups: Sequence[Sequence[Candidate]], most: int) -> list[Candidate]:
    """Up to `most` candidates, taken in turn from each group: the documented examples, the asserts and
    the raises blocks all get their share instead of the longest draft taking every place."""
    taken: list[Candidate] = []
    for row in range(max((len(group) for group in groups), default=0)):
        taken += [group[row] for group in groups if row < len(group)]
    return taken[:most]


def _verify(
    candidates: Sequence[Candidate],
    test_plan: TestPlan,
    interpreter: Path,
    limits: RunLimits,
    stopped: Stopped,
) -> list[tuple[Candidate, RunResult]]:
    """Each candidate run `limits.runs` times in its own sandbox, a few at a time (runs are processes)."""

    def verify(candidate: Candidate) -> RunResult:
        if stopped():
            raise TestgenError("cancelled")
        source = test_module(candidate, test_plan)
        return run_test(source, candidate.name, test_plan.sys_path, interpreter, limits, conftest=test_plan.conftest)

    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="copiloto-testgen") as pool:
        return list(zip(candidates, pool.map(verify, candidates), strict=True))


def _probe(
    candidates: Sequence[Candidate],
    test_plan: TestPlan,
    module_file: Path,
    interpreter: Path,
    limits: RunLimits,
    stopped: Stopped,
) -> list[tuple[Candidate, Probe]]:
    """What each candidate's checked expression does, run once in the sandbox (pin.probe_source)."""
    once = dataclasses.replace(limits, runs=1)
    sources = [(c, probe_source(c, str(module_file.resolve()))) for c in candidates]
    wanted = [(c, "\n".join(_imports([c], test_plan)) + "\n\n\n" + s) for c, s in sources if s is not None]

    def run(item: tuple[Candidate, str]) -> Probe | None:
        if stopped():
            raise TestgenError("cancelled")
        result = run_test(item[1], PROBE_NAME, test_plan.sys_path, interpreter, once, conftest=test_plan.conftest)
        return read_probe(result.output)

    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="copiloto-testgen-probe") as pool:
        probes = list(pool.map(run, wanted))
    return [(c, p) for (c, _), p in zip(wanted, probes, strict=True) if p is not None]


def _annotated(source: str, target: Target) -> bool:
    """Whether every parameter of the target (but self/cls) carries a type annotation."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.lineno == target.def_line + 1:
            args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            if args and args[0].arg in ("self", "cls"):
                args = args[1:]
            return bool(args) and all(a.annotation is not None for a in args)
    return False


def _complete(coverage: Coverage | None) -> bool:
    if coverage is None or coverage.lines_pct is None:
        return True  # nothing more to learn from another round: coverage cannot be measured
    return coverage.lines_pct >= 100.0 and (coverage.branches_pct is None or coverage.branches_pct >= 100.0)


def _possible_bugs(failures: Sequence[Failure], source: str, units: Sequence[Unit]) -> list[PossibleBug]:
    """Documented examples the code fails on its assertion: the code or its docstring is wrong."""
    bugs = []
    for failure in failures:
        example = failure.candidate.example
        if example is None or failure.result.failure_kind != "assertion":
            continue
        seen = observations_from(example.call, failure.result.output)
        actual = f", but it {seen.seen}" if seen else ", but the test of it fails"
        unit = next((u for u in units if _tests_unit(failure.candidate, u)), units[0])
        line = _example_line(source, unit.target, example)
        message = f"possible bug: the docstring says {example.call} gives {example.expected}{actual}"
        bugs.append(PossibleBug(example, line, message))
    return bugs


def _example_line(source: str, target: Target, example: Example) -> int:
    """Where the example is written in the file (the docstring lost its leading blank lines when cleaned)."""
    lines = source.splitlines()
    first, last = (
        (target.docstring_span[0], target.docstring_span[2]) if target.docstring_span else (target.def_line,) * 2
    )
    needle = example.call.strip()[:40]
    for number in range(first, last + 1):
        if needle in lines[number]:
            return number
    return first


def _tests_unit(candidate: Candidate, unit: Unit) -> bool:
    name = unit.target.name
    return bool(re.search(rf"\b{re.escape(name)}\(", candidate.source))


def _imports(candidates: Sequence[Candidate], test_plan: TestPlan) -> list[str]:
    needed = []
    used = [h for h in test_plan.helpers if any(re.search(rf"\b{h}\b", c.source) for c in candidates)]
    if any("asyncio." in c.source for c in candidates):
        needed.append("import asyncio")
    if any(c.uses_pytest for c in candidates):
        needed.append("import pytest")
    return [*needed, _import_line(test_plan, used)]


def _import_line(test_plan: TestPlan, helpers: Sequence[str]) -> str:
    if not helpers or not test_plan.import_line.startswith("from "):
        return test_plan.import_line
    return f"{test_plan.import_line}, {', '.join(helpers)}"


def _helper_classes(source: str, target: str) -> tuple[str, ...]:
    """The module's other public top-level classes (LeetCode's ListNode, a dataclass the target takes)."""
    tree = ast.parse(source)
    return tuple(
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name != target and not node.name.startswith("_")
    )


def _body(candidate: Candidate) -> str:
    """A kept test's statements, dedented: shown to the model as what is known to hold."""
    lines = candidate.source.splitlines()[1:]
    return "\n".join(line[4:] for line in lines)


def _coverage_words(coverage: Coverage | None) -> str:
    if coverage is None or coverage.lines_pct is None:
        return f" (coverage not measured: {coverage.reason})" if coverage and coverage.reason else ""
    branches = f", branch {coverage.branches_pct:.0f} %" if coverage.branches_pct is not None else ""
    return f" (line {coverage.lines_pct:.0f} %{branches})"


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _last_error_line(output: str) -> str:
    lines = [line[1:].strip() for line in output.splitlines() if line.startswith("E ")]
    return lines[-1] if lines else ""


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)
