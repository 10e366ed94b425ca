"""Run generated tests in a sandbox against the current code, and measure what they cover.

Each run is a fresh `python -m pytest` in a temporary folder that holds the test module; nothing is
written to the project (not even .pyc files). The child gets its own process group, killed whole when
the run ends (a test's leftover children go too), rlimits on address space, CPU time, file size and
process count, HOME and TMPDIR inside the sandbox, no network where `unshare -rn` works, and, where the
kernel has Landlock (jail.py), no writes outside the sandbox, no TCP where the network could not be cut,
and no signals to processes outside the run. `confinement()` says which of these hold here.

Limits the OS does not give: RLIMIT_NPROC does nothing for root, and a child that calls setsid() leaves
the process group: it is found by a mark in its environment and killed, unless it cleared its environment
too. POSIX only.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from copiloto.testgen import jail
from copiloto.testgen.errors import TestgenError

if sys.platform != "win32":
    import resource

Outcome = Literal["passed", "failed", "error", "timeout"]
FailureKind = Literal["assertion", "error", "timeout"]
# cut: a network namespace of its own; tcp: TCP refused (Landlock); open: neither works here; allowed: asked for
Network = Literal["cut", "tcp", "open", "allowed"]

OUTPUT_CHARS = 4000  # what is fed back to the model about a failing run
TEST_MODULE = "test_copiloto_generated"
_PROBE_MODULE = "copiloto_testgen_probe"
_PROBE_ENV = "COPILOTO_TESTGEN_PROBE"
_PYTEST_ARGS = ("-q", "--tb=short", "-p", "no:cacheprovider", "-p", _PROBE_MODULE)
_POLL_S = 0.02
_MAX_FILE_BYTES = 256 * 1024 * 1024
_TAIL_BYTES = 64 * 1024
_CHECK_TIMEOUT_S = 20.0
_JAIL = Path(jail.__file__)
_RUN_ENV = "COPILOTO_TESTGEN_RUN"  # marks every process of one run, so that strays can be found
_STRAY_SWEEPS = 5
# Variables that would change what the child's Python, pytest or coverage do, or where it writes
# (XDG_* dirs would point outside the sandbox's HOME).
_DROPPED_ENV_PREFIXES = ("PYTHON", "PYTEST_", "COVERAGE_", "XDG_")
# Secrets never reach a generated test: the server's own keys (Claude, a remote engine, Hugging Face) and
# anything named like one, and the SSH/GPG agents that would let a test act as the user elsewhere.
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION", re.IGNORECASE)
_DROPPED_NAMES = frozenset({"SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO"})
# RLIMIT_AS counts reserved address space: every BLAS thread reserves a stack and a malloc arena.
_FEWER_THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

# Loaded into the child's pytest with -p: how each failing test failed, one JSON line per report.
# An AssertionError (or pytest.fail, as pytest.raises reports "DID NOT RAISE") counts as the test's own
# assertion only when its innermost frame outside pytest is in the test module, not in the code under test.
_PROBE = """
import json, os
from pathlib import Path

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    excinfo = call.excinfo
    if not report.failed or excinfo is None:
        return
    frames = [e for e in excinfo.traceback if not {"_pytest", "pluggy"} & set(Path(str(e.path)).parts)]
    in_test = bool(frames) and Path(str(frames[-1].path)) == Path(str(item.path))
    expected = excinfo.errisinstance((AssertionError, pytest.fail.Exception))
    record = {"when": report.when, "type": excinfo.typename, "assertion": bool(expected and in_test)}
    with open(os.environ["COPILOTO_TESTGEN_PROBE"], "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\\n")
"""


@dataclass(frozen=True)
class RunLimits:
    timeout_s: float = 20.0  # wall clock, per run
    memory_mb: int = 1024  # address space (RLIMIT_AS)
    cpu_s: int = 20  # RLIMIT_CPU
    runs: int = 3  # a test is kept only when it passes every time
    network: bool = False  # False: cut the network off where `unshare -rn` works
    processes: int = 64  # RLIMIT_NPROC counts all the user's processes and threads: this many more than now


@dataclass(frozen=True)
class Confinement:
    """How far a run is fenced in here: each part holds only where the system gives it."""

    files: bool  # writes only inside the sandbox folder (Landlock)
    network: Network
    signals: bool  # cannot signal processes outside the run (Landlock ABI 6)

    def gaps(self) -> list[str]:
        """What the sandbox cannot do here, in words for the user; empty when fully confined."""
        gaps = []
        if not self.files:
            gaps.append("tests can write outside the sandbox (this kernel has no Landlock)")
        if self.network == "open":
            gaps.append("tests can use the network (neither `unshare -rn` nor Landlock network rules work here)")
        elif self.network == "tcp":
            gaps.append("only TCP is blocked, not UDP (`unshare -rn` does not work here)")
        return gaps


@dataclass(frozen=True)
class RunResult:
    passed: bool  # every run passed: keep the test
    runs: tuple[Outcome, ...]  # stops at the first run that does not pass
    output: str  # the tail of the first failing run's output (else the last run's), for the model
    failure_kind: FailureKind | None  # "assertion": the test's own assert failed; None when passed
    confinement: Confinement

    @property
    def network_isolated(self) -> bool:
        return self.confinement.network == "cut"


@dataclass(frozen=True)
class Coverage:
    lines_pct: float | None
    branches_pct: float | None  # also None when the target has no branches
    missing_lines: tuple[int, ...]  # 1-based, within the target
    reason: str | None = None  # why the numbers are missing, or that the tests failed while measured


@dataclass(frozen=True)
class _Run:
    outcome: Outcome
    output: str
    failure_kind: FailureKind | None


def run_test(
    test_source: str,
    test_name: str,
    plan_sys_path: Sequence[Path],
    interpreter: Path,
    limits: RunLimits | None = None,
    cover: Path | None = None,
    *,
    conftest: Path | None = None,
) -> RunResult:
    """Run `test_name` from the module `test_source` `limits.runs` times, each in a fresh sandboxed pytest.

    `test_name` is a pytest node id within the module ("test_x", "TestA::test_x", "test_x[1]").
    `plan_sys_path` (TestPlan.sys_path) goes on PYTHONPATH so the test imports the project's current code.
    With `cover`, every run goes under `coverage run --branch --append` into that data file (the
    interpreter needs coverage). `conftest` (TestPlan.conftest) is copied beside the test for its fixtures.
    """
    limits = limits or RunLimits()
    _check_can_run(limits, interpreter)
    if not test_name.strip() or any(c.isspace() for c in test_name):
        raise TestgenError(f"{test_name!r} is not a test name")
    with _sandbox(conftest) as box:
        test_file = box / f"{TEST_MODULE}.py"
        test_file.write_text(test_source, encoding="utf-8")
        args = ["-m", "pytest", *_PYTEST_ARGS, "--rootdir", str(box), f"{test_file}::{test_name}"]
        writable = [box]
        if cover is not None:
            args = ["-m", "coverage", "run", "--branch", "--append", f"--data-file={cover.resolve()}", *args]
            writable.append(cover.resolve().parent)
        runs: list[_Run] = []
        for number in range(limits.runs):
            runs.append(_run_once(interpreter, args, box, plan_sys_path, limits, number, writable))
            if runs[-1].outcome != "passed":
                break  # kept only when every run passes: the remaining runs would change nothing
    failed = next((run for run in runs if run.outcome != "passed"), None)
    return RunResult(
        passed=failed is None and len(runs) == limits.runs,
        runs=tuple(run.outcome for run in runs),
        output=(failed or runs[-1]).output if runs else "",
        failure_kind=failed.failure_kind if failed else None,
        confinement=confinement(limits),
    )


def collects(
    test_file_text: str,
    plan_sys_path: Sequence[Path],
    interpreter: Path,
    limits: RunLimits | None = None,
    *,
    conftest: Path | None = None,
) -> tuple[bool, str]:
    """Whether pytest collects at least one test from `test_file_text`, with its output (the errors if not)."""
    limits = limits or RunLimits()
    _check_can_run(limits, interpreter)
    with _sandbox(conftest) as box:
        test_file = box / f"{TEST_MODULE}.py"
        test_file.write_text(test_file_text, encoding="utf-8")
        args = ["-m", "pytest", *_PYTEST_ARGS, "--collect-only", "--rootdir", str(box), str(test_file)]
        run = _run_once(interpreter, args, box, plan_sys_path, limits, 0)
    return run.outcome == "passed", run.output


def coverage_of(
    test_sources: Sequence[tuple[str, str]],
    target_file: Path,
    target_lines: tuple[int, int],
    plan_sys_path: Sequence[Path],
    interpreter: Path,
    limits: RunLimits | None = None,
    *,
    conftest: Path | None = None,
) -> Coverage:
    """Line and branch coverage of `target_lines` in `target_file` by the kept tests, run once together.

    `test_sources` holds (module source, test name) pairs, as given to run_test. `target_lines` is
    1-based and inclusive: the function's `def` line to its last line; a branch counts when it
    leaves a line in that range.
    """
    limits = limits or RunLimits()
    _check_can_run(limits, interpreter)
    first, last = target_lines
    if not test_sources:
        raise TestgenError("there are no tests to measure")
    if not 1 <= first <= last:
        raise TestgenError(f"{target_lines} is not a range of 1-based lines")
    target = target_file.resolve()
    # Both spellings: coverage matches the file name the module was imported under.
    include = f"--include={target_file.absolute()},{target}"
    with _sandbox(conftest) as box:
        missing = _coverage_missing(interpreter, box, limits)
        if missing:
            return Coverage(None, None, (), missing)
        node_ids = []
        for number, (source, name) in enumerate(test_sources):
            test_file = box / f"{TEST_MODULE}_{number}.py"
            test_file.write_text(source, encoding="utf-8")
            node_ids.append(f"{test_file}::{name}")
        data, report = box / "coverage.data", box / "coverage.json"
        coverage_run = ["-m", "coverage", "run", "--branch", f"--data-file={data}", include]
        args = [*coverage_run, "-m", "pytest", *_PYTEST_ARGS, "--rootdir", str(box), *node_ids]
        run = _run_once(interpreter, args, box, plan_sys_path, limits, 0)
        if run.outcome == "timeout":
            return Coverage(None, None, (), f"the tests ran past their limits under coverage:\n{run.output}")
        files = _coverage_json(interpreter, box, data, report, include, limits)
    if files is None:
        return Coverage(None, None, (), f"the tests never ran {target_file}:\n{run.output}")
    found = next((v for k, v in files.items() if Path(box, k).resolve() == target), None)
    if found is None:
        return Coverage(None, None, (), f"the tests never ran {target_file}:\n{run.output}")
    measured = _measure(found, first, last)
    if run.outcome != "passed":
        reason = f"the tests did not all pass under coverage:\n{run.output}"
        return Coverage(measured.lines_pct, measured.branches_pct, measured.missing_lines, reason)
    return measured


def confinement(limits: RunLimits | None = None) -> Confinement:
    """Which parts of the sandbox hold for runs under `limits` on this system."""
    limits = limits or RunLimits()
    abi = _landlock_abi()
    network: Network = "allowed"
    if not limits.network:
        network = "cut" if _unshare() is not None else "tcp" if abi >= 4 else "open"
    return Confinement(files=abi >= 1, network=network, signals=abi >= 6)


@functools.cache
def _landlock_abi() -> int:
    return jail.abi_version()


@functools.cache
def _unshare() -> str | None:
    """The path of an `unshare` that can start a process in new user and network namespaces, else None."""
    path = shutil.which("unshare")
    if not sys.platform.startswith("linux") or path is None:
        return None
    try:
        done = subprocess.run([path, "-rn", "true"], capture_output=True, timeout=_CHECK_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if done.returncode == 0 else None


def _check_can_run(limits: RunLimits, interpreter: Path) -> None:
    if sys.platform == "win32":
        raise TestgenError("running generated tests needs a POSIX system (process groups and rlimits)")
    # Checked here: behind unshare, a missing interpreter would only show as a failed run.
    if shutil.which(str(interpreter)) is None:
        raise TestgenError(f"{interpreter} could not be started: it is not an executable file")
    if limits.runs < 1 or limits.timeout_s <= 0 or limits.memory_mb < 1 or limits.cpu_s < 1:
        raise TestgenError(f"the limits leave no room to run a test: {limits}")


@contextlib.contextmanager
def _sandbox(conftest: Path | None) -> Iterator[Path]:
    """A fresh folder for the test modules, the probe plugin, HOME and TMPDIR; removed afterwards."""
    # A test may leave read-only files behind; they must not turn its result into an exception.
    with tempfile.TemporaryDirectory(prefix="copiloto-testgen-", ignore_cleanup_errors=True) as tmp:
        box = Path(tmp).resolve()
        for folder in ("home", "tmp", "probe"):
            (box / folder).mkdir()
        # Its own ini file: the rootdir and settings never come from whatever lies above the temp dir.
        (box / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        (box / "probe" / f"{_PROBE_MODULE}.py").write_text(_PROBE, encoding="utf-8")
        if conftest is not None:
            shutil.copyfile(conftest, box / "conftest.py")
        yield box


def _run_once(
    interpreter: Path,
    args: list[str],
    box: Path,
    sys_path: Sequence[Path],
    limits: RunLimits,
    number: int | str,
    writable: Sequence[Path] = (),
) -> _Run:
    """One sandboxed run of `interpreter args` in `box`; it may write only in `box` and `writable`."""
    log, probe = box / f"run-{number}.log", box / f"probe-{number}.jsonl"
    command = _confined([str(interpreter), *args], [box, *writable], confinement(limits))
    tasks = _user_tasks()
    nproc = tasks + limits.processes if tasks is not None else None
    env = _environment(box, sys_path, probe)
    env[_RUN_ENV] = mark = uuid.uuid4().hex
    # Output goes to a file, not a pipe: a leftover grandchild holding a pipe open would block reading it.
    with log.open("wb") as out:
        try:
            process = subprocess.Popen(
                command,
                cwd=box,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_limiter(limits, nproc),
            )
        except OSError as exc:
            raise TestgenError(f"{interpreter} could not be started: {exc}") from None
    returncode = _wait_then_kill_group(process, limits.timeout_s)
    _kill_strays(f"{_RUN_ENV}={mark}".encode())
    output = _tail(log)
    if returncode is None:
        return _Run("timeout", _last(output + f"\n[copiloto] stopped after {limits.timeout_s:g} s"), "timeout")
    if returncode == -signal.SIGXCPU:
        return _Run("timeout", _last(output + f"\n[copiloto] stopped after {limits.cpu_s} s of CPU time"), "timeout")
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return _Run("error", _last(output + f"\n[copiloto] killed by {name}"), "error")
    if returncode == 0:
        return _Run("passed", _last(output), None)
    outcome: Outcome = "failed" if returncode == 1 else "error"
    return _Run(outcome, _last(output), "assertion" if _first_failure_asserted(probe) else "error")


def _confined(command: list[str], writable: Sequence[Path], fence: Confinement) -> list[str]:
    """`command` behind what confines it here: its own network namespace, then Landlock (jail.py)."""
    if fence.files:
        rules = [f"--write={path}" for path in writable] + (["--no-tcp"] if fence.network == "tcp" else [])
        # -I -S: the jail needs nothing but the standard library, and nothing from the environment.
        command = [sys.executable, "-I", "-S", str(_JAIL), *rules, "--", *command]
    unshare = _unshare()
    if fence.network == "cut" and unshare is not None:
        # First: unshare writes the new namespace's uid_map, which Landlock would refuse.
        command = [unshare, "-rn", *command]
    return command


def _wait_then_kill_group(process: subprocess.Popen[bytes], timeout_s: float) -> int | None:
    """The exit status, or None when it ran past `timeout_s`; either way its whole process group is killed."""
    deadline = time.monotonic() + timeout_s
    exited = False
    while not exited and time.monotonic() < deadline:
        # WNOWAIT leaves the leader unreaped: its pid, the group's id, cannot be reused before killpg.
        exited = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        if not exited:
            time.sleep(_POLL_S)
    with contextlib.suppress(ProcessLookupError):  # the group had nobody left in it
        os.killpg(process.pid, signal.SIGKILL)
    returncode = process.wait()
    return returncode if exited else None


def _kill_strays(mark: bytes) -> None:
    """Kill what the run left outside its process group (a setsid() daemon): whatever still carries its mark in
    its environment. Code that also clears its environment escapes this (docs/security.md)."""
    for _ in range(_STRAY_SWEEPS):  # a stray may fork while we look: sweep until none is left
        strays = [pid for pid in _pids() if mark in _environ(pid)]
        if not strays:
            return
        for pid in strays:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:  # no /proc: nothing to sweep
        return []


def _environ(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:  # gone, or not ours to read
        return b""


def _limiter(limits: RunLimits, nproc: int | None) -> Callable[[], None]:
    """The child's rlimits, set after fork and before exec (so they hold for unshare and Python alike)."""
    memory = limits.memory_mb * 1024 * 1024

    def limit() -> None:
        _lower(resource.RLIMIT_AS, memory, memory)
        # The soft limit sends SIGXCPU (reported as a timeout); the hard one a second later, SIGKILL.
        _lower(resource.RLIMIT_CPU, limits.cpu_s, limits.cpu_s + 1)
        _lower(resource.RLIMIT_FSIZE, _MAX_FILE_BYTES, _MAX_FILE_BYTES)
        _lower(resource.RLIMIT_CORE, 0, 0)
        if nproc is not None:
            _lower(resource.RLIMIT_NPROC, nproc, nproc)

    return limit


def _lower(kind: int, soft: int, hard: int) -> None:
    """Set a limit, never above the hard limit already in place (raising it would fail)."""
    _, current_hard = resource.getrlimit(kind)
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(kind, (soft, hard))


def _user_tasks() -> int | None:
    """How many processes and threads this user runs now (RLIMIT_NPROC counts them all); None without /proc."""
    if not Path("/proc/self/task").is_dir():
        return None
    uid, count = os.getuid(), 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue  # it exited while we looked
    return count


def child_environment() -> dict[str, str]:
    """The server's environment as a child running the project's code gets it: without what would change how
    Python, pytest or coverage behave, and without secrets."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_DROPPED_ENV_PREFIXES) and k not in _DROPPED_NAMES and not _SECRET_NAME.search(k)
    }


def _environment(box: Path, sys_path: Sequence[Path], probe: Path) -> dict[str, str]:
    env = child_environment()
    env.update(_FEWER_THREADS)
    for name in ("TMPDIR", "TEMP", "TMP"):
        env[name] = str(box / "tmp")
    env.update(
        HOME=str(box / "home"),
        PYTHONPATH=os.pathsep.join([*(str(Path(p).resolve()) for p in sys_path), str(box / "probe")]),
        PYTHONDONTWRITEBYTECODE="1",  # no __pycache__ written into the project
        MALLOC_ARENA_MAX="2",  # glibc reserves 64 MB of address space per arena
    )
    env[_PROBE_ENV] = str(probe)
    return env


def _tail(log: Path) -> str:
    with log.open("rb") as f:
        f.seek(max(0, log.stat().st_size - _TAIL_BYTES))
        return f.read().decode("utf-8", errors="replace")


def _last(output: str) -> str:
    return output[-OUTPUT_CHARS:]


def _first_failure_asserted(probe: Path) -> bool:
    """Whether the first failure the probe saw was the test's own assertion (no probe file: it was not)."""
    if not probe.is_file():
        return False
    for line in probe.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        return bool(record.get("assertion")) and record.get("when") == "call"
    return False


def _coverage_missing(interpreter: Path, box: Path, limits: RunLimits) -> str | None:
    """Why `interpreter` cannot measure coverage, or None when it can (asked in the sandbox, as it is the project's)."""
    run = _run_once(interpreter, ["-c", "import coverage"], box, (), limits, "has-coverage")
    if run.outcome != "passed":
        return f"coverage is not installed for {interpreter} (pip install coverage): {run.output.strip()[-300:]}"
    return None


def _coverage_json(
    interpreter: Path, box: Path, data: Path, report: Path, include: str, limits: RunLimits
) -> dict[str, Any] | None:
    """coverage.py's JSON report, file name to its numbers; None when nothing was measured."""
    if not data.is_file():
        return None
    args = ["-m", "coverage", "json", f"--data-file={data}", "-o", str(report), include]
    run = _run_once(interpreter, args, box, (), limits, "report")
    if run.outcome != "passed" or not report.is_file():
        return None  # "No data to report": the target was never imported
    files: dict[str, Any] = json.loads(report.read_text(encoding="utf-8")).get("files", {})
    return files


def _measure(numbers: dict[str, Any], first: int, last: int) -> Coverage:
    """Percentages over the statements and branches (by their source line) within first..last."""

    def within(lines: list[int]) -> list[int]:
        return [line for line in lines if first <= line <= last]

    executed, missing = within(numbers.get("executed_lines", [])), within(numbers.get("missing_lines", []))
    taken = [arc for arc in numbers.get("executed_branches", []) if first <= arc[0] <= last]
    not_taken = [arc for arc in numbers.get("missing_branches", []) if first <= arc[0] <= last]
    statements, branches = len(executed) + len(missing), len(taken) + len(not_taken)
    return Coverage(
        lines_pct=100.0 * len(executed) / statements if statements else None,
        branches_pct=100.0 * len(taken) / branches if branches else None,
        missing_lines=tuple(sorted(missing)),
    )
