"""Run generated tests in a sandbox against the current code, and measure what they cover.

Each run is a fresh `python -m pytest` in a temporary folder that holds the test module; nothing is
written to the project (not even .pyc files). The child gets its own process group, killed whole when
the run ends (a test's leftover children go too), rlimits on address space, CPU time, file size and
process count, an environment built from an allow-list, HOME and TMPDIR inside the sandbox, and what
jail.py can set up here: namespaces of its own (no network; a root of its own that shows the system, the
project and its interpreter read-only, the sandbox folder read-write, and nothing of the user's home,
/tmp, /run or /dev/shm, so no filesystem socket either; a PID namespace whose processes all die with the
run) and Landlock (no writes outside the sandbox, no TCP where the network could not be cut, no signals
to processes outside the run). `confinement()` says which of these hold here. What a run prints is
redacted (copiloto.cloud.redact) before anyone sees it: it goes to the model and to Claude.

Limits the OS does not give: RLIMIT_NPROC does nothing for root; without a PID namespace, a child that
calls setsid() leaves the process group: it is found by a mark in its environment and killed, unless it
cleared its environment too. POSIX only.

One module, over 400 lines: running a test, confining it and measuring its coverage share the run's setup.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import pwd
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

from copiloto.cloud.redact import is_excluded, redact
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
_ROOT = ".root"  # in the sandbox folder: where jail.py builds the run's root (a mount namespace)
_PATHS_TTL_S = 30.0  # how long what an interpreter needs is remembered
_NOT_STARTED = -1000  # _execute's answer when the command could not be started at all
_STRAY_SWEEPS = 5
# The server's environment reaches a generated test only through this allow-list (and tests.env_allow):
# whatever else it holds (keys, DATABASE_URL, agents' sockets, CI tokens) stays with the server.
ALLOWED_ENV = ("PATH", "LANG", "LANGUAGE", "LC_*", "TZ", "TERM")
_PATHS_TAG = "copiloto-interpreter-paths:"
# What the interpreter needs to start and import its packages, asked of it (in the sandbox, without the
# project's paths): its prefixes, sys.path (.pth files included) and setuptools' editable finders.
_PATHS_QUERY = f"""
import json, sys
paths = [sys.executable, sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix, *sys.path]
for module in list(sys.modules.values()):
    mapping = getattr(module, "MAPPING", None)
    if getattr(module, "__name__", "").startswith("__editable__") and isinstance(mapping, dict):
        paths += [str(path) for path in mapping.values()]
print()
print({_PATHS_TAG!r} + json.dumps([p for p in paths if isinstance(p, str) and p.startswith("/")]))
"""
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
    env_allow: tuple[str, ...] = ()  # more of the server's environment variables for the test (names, or NAME_*)


@dataclass(frozen=True)
class Confinement:
    """How far a run is fenced in here: each part holds only where the system gives it."""

    files: bool  # writes only inside the sandbox folder (Landlock, or a mount namespace's read-only view)
    network: Network
    signals: bool  # cannot signal processes outside the run (Landlock ABI 6, or a PID namespace)
    private: bool = False  # a mount namespace: the user's files, /tmp, /run, /dev/shm and their sockets out of sight
    pid: bool = False  # a PID namespace: every process of the run dies with it

    def gaps(self) -> list[str]:
        """What the sandbox cannot do here, in words for the user; empty when fully confined."""
        gaps = []
        if not self.files:
            gaps.append("tests can write outside the sandbox (neither Landlock nor a mount namespace here)")
        if not self.private:
            gaps.append(
                "tests can read the user's files (~/.ssh, other projects) and reach Unix sockets such as "
                "ssh-agent's (no mount namespace here)"
            )
        if self.network == "open":
            gaps.append("tests can use the network (neither a network namespace nor Landlock network rules here)")
        elif self.network == "tcp":
            gaps.append("only TCP is blocked, not UDP (no network namespace here)")
        if not self.pid:
            gaps.append("a daemon that clears its environment can outlive the run (no PID namespace here)")
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
        readable = _readable(interpreter, plan_sys_path, box, limits)
        runs: list[_Run] = []
        for number in range(limits.runs):
            runs.append(_run_once(interpreter, args, box, plan_sys_path, limits, number, writable, readable))
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
        readable = _readable(interpreter, plan_sys_path, box, limits)
        run = _run_once(interpreter, args, box, plan_sys_path, limits, 0, readable=readable)
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
        readable = _readable(interpreter, plan_sys_path, box, limits, (target_file.absolute(), target))
        missing = _coverage_missing(interpreter, box, limits, readable)
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
        run = _run_once(interpreter, args, box, plan_sys_path, limits, 0, readable=readable)
        if run.outcome == "timeout":
            return Coverage(None, None, (), f"the tests ran past their limits under coverage:\n{run.output}")
        files = _coverage_json(interpreter, box, data, report, include, limits, readable)
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
    namespaces = _namespaces(limits)
    network: Network = "allowed"
    if not limits.network:
        network = "cut" if "net" in namespaces else "tcp" if abi >= 4 else "open"
    private, pid = "mount" in namespaces, "pid" in namespaces
    return Confinement(files=abi >= 1 or private, network=network, signals=abi >= 6 or pid, private=private, pid=pid)


@functools.cache
def _landlock_abi() -> int:
    return jail.abi_version()


@functools.cache
def _available_namespaces() -> tuple[str, ...]:
    """The namespaces jail.py can set up here (it tries them for real, once): all of user, net, mount and pid,
    fewer, or none (another OS, user namespaces forbidden to this user)."""
    if not sys.platform.startswith("linux"):
        return ()
    command = [sys.executable, "-I", "-S", str(_JAIL), "--probe"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=_CHECK_TIMEOUT_S, check=False)
        found = json.loads(done.stdout.strip().splitlines()[-1])["namespaces"]
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError, IndexError):
        return ()
    return tuple(name for name in jail.NAMESPACES if name in found)


def _namespaces(limits: RunLimits) -> tuple[str, ...]:
    """The namespaces a run under `limits` gets: all that work here, but the network's when it is allowed."""
    return tuple(name for name in _available_namespaces() if not (name == "net" and limits.network))


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
        for folder in ("home", "tmp", "probe", _ROOT):
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
    readable: Sequence[Path] = (),
) -> _Run:
    """One sandboxed run of `interpreter args` in `box`; it may write only in `box` and `writable`, and (in a
    mount namespace) read only the system, `readable` and `sys_path`. Its output comes back redacted."""
    log, probe = box / f"run-{number}.log", box / f"probe-{number}.jsonl"
    view = [*readable, *sys_path]
    returncode = _execute(
        [str(interpreter), *args],
        box,
        _environment(box, sys_path, probe, limits),
        limits,
        log,
        [box, *writable],
        view,
        private=True,
        covered=_secret_files(sys_path) if readable else (),
    )
    if returncode == _NOT_STARTED:
        raise TestgenError(f"{interpreter} could not be started: {_tail(log).strip()}")
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


def _execute(
    command: list[str],
    box: Path,
    env: dict[str, str],
    limits: RunLimits,
    log: Path,
    writable: Sequence[Path],
    readable: Sequence[Path],
    *,
    private: bool,
    covered: Sequence[Path] = (),
) -> int | None:
    """Run `command` confined, its output into `log`: its exit status (negative: the signal that killed it), None
    when it ran past the timeout, _NOT_STARTED when it could not be started. `private`: in a mount namespace
    where there is one (else it sees the file system as the user does)."""
    namespaces = tuple(n for n in _namespaces(limits) if private or n != "mount")
    command = _confined(command, box, writable, readable, namespaces, confinement(limits), covered)
    tasks = _user_tasks()
    nproc = tasks + limits.processes if tasks is not None else None
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
            out.write(str(exc).encode())
            return _NOT_STARTED
    returncode = _wait_then_kill_group(process, limits.timeout_s)
    _kill_strays(f"{_RUN_ENV}={mark}".encode())  # only needed without a PID namespace
    return returncode


def _confined(
    command: list[str],
    box: Path,
    writable: Sequence[Path],
    readable: Sequence[Path],
    namespaces: Sequence[str],
    fence: Confinement,
    covered: Sequence[Path] = (),
) -> list[str]:
    """`command` behind what confines it here (jail.py): namespaces of its own, then Landlock."""
    abi = _landlock_abi()
    if not namespaces and abi == 0:
        return command
    rules = [f"--write={path}" for path in dict.fromkeys(map(str, writable))]
    if namespaces:
        rules.append(f"--namespaces={','.join(namespaces)}")
    if "mount" in namespaces:
        rules.append(f"--root={box / _ROOT}")
        rules += [f"--read={path}" for path in _both_spellings(readable)]
        rules += [f"--hide={path}" for path in _homes()]
        rules += [f"--cover={path}" for path in _both_spellings(covered)]
    if fence.network == "tcp":
        rules.append("--no-tcp")
    if abi == 0:
        rules.append("--if-available")  # the namespaces alone
    # -I -S: the jail needs nothing but the standard library, and nothing from the environment.
    return [sys.executable, "-I", "-S", str(_JAIL), *rules, "--", *command]


def _both_spellings(paths: Sequence[Path]) -> list[str]:
    """Each path as given (made absolute) and with its links resolved: a run may use either."""
    spelled: dict[str, None] = {}
    for path in paths:
        spelled[str(Path(path).absolute())] = None
        with contextlib.suppress(OSError, RuntimeError):
            spelled[str(Path(path).resolve())] = None
    return list(spelled)


def _homes() -> list[str]:
    """What a run must never see, as the server knows it: the user's home (HOME, the account's, root's) and
    the per-user runtime folder (the agents' sockets); /tmp, /run and /dev/shm are always fresh."""
    found = {os.environ.get("HOME", ""), "/root", os.environ.get("XDG_RUNTIME_DIR", "")}
    with contextlib.suppress(KeyError):
        found.add(pwd.getpwuid(os.getuid()).pw_dir)
    return _both_spellings([Path(path) for path in sorted(found) if path.startswith("/")])


# Folders never searched for secret files: they hold no project configuration, and can be huge.
_NOT_SEARCHED = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        "site-packages",
        "dist-packages",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "venv",
        ".venv",
    }
)
_SEARCH_DEPTH = 4
_SEARCH_ENTRIES = 20_000  # a bound on the walk; what lies beyond it stays readable (docs/security.md)


def _secret_files(folders: Sequence[Path]) -> list[Path]:
    """Files in the folders a run is shown that are never sent to Claude either (`.env`, `config_db.php`, keys,
    kubeconfigs…: copiloto/excludes.py), except source a test may import: the run sees them empty."""
    found: list[Path] = []
    seen = 0
    for top in folders:
        if not top.is_dir() or top.name in _NOT_SEARCHED:
            continue
        for folder, subfolders, files in os.walk(top):
            depth = len(Path(folder).relative_to(top).parts)
            subfolders[:] = [] if depth >= _SEARCH_DEPTH else [d for d in subfolders if d not in _NOT_SEARCHED]
            seen += len(files) + len(subfolders)
            found += [
                Path(folder, f) for f in files if not f.endswith((".py", ".pyi")) and is_excluded(Path(folder, f))
            ]
            if seen > _SEARCH_ENTRIES:
                return found
    return found


_interpreter_paths_seen: dict[str, tuple[float, tuple[Path, ...]]] = {}


def _readable(
    interpreter: Path, sys_path: Sequence[Path], box: Path, limits: RunLimits, extra: Sequence[Path] = ()
) -> list[Path]:
    """What a run in a mount namespace must be able to read besides the system: the interpreter with its
    prefixes and packages, the project's import paths and `extra`."""
    if "mount" not in _namespaces(limits):
        return []
    return [
        Path(shutil.which(str(interpreter)) or interpreter),
        *_interpreter_paths(interpreter, box, limits),
        *sys_path,
        *extra,
    ]


def _interpreter_paths(interpreter: Path, box: Path, limits: RunLimits) -> tuple[Path, ...]:
    """The folders `interpreter` starts and imports from, asked of it (in the sandbox without the mount
    namespace: it needs them to answer), remembered a little while."""
    key = str(interpreter)
    seen = _interpreter_paths_seen.get(key)
    if seen is not None and time.monotonic() - seen[0] < _PATHS_TTL_S:
        return seen[1]
    log = box / "interpreter-paths.log"
    env = _environment(box, (), box / "probe-paths.jsonl", limits)
    returncode = _execute([str(interpreter), "-c", _PATHS_QUERY], box, env, limits, log, [box], [], private=False)
    found: list[Path] = []
    if returncode == 0:
        for line in _tail(log).splitlines():
            if line.startswith(_PATHS_TAG):
                with contextlib.suppress(ValueError):
                    found = [Path(p) for p in json.loads(line[len(_PATHS_TAG) :]) if isinstance(p, str)]
    if not found:  # it could not say: its own folder's parent, as a guess (the run will tell)
        found = [Path(shutil.which(str(interpreter)) or interpreter).resolve().parent.parent]
    paths = tuple(path for path in found if path.exists() and not path.is_relative_to(box))  # box: this run's own
    _interpreter_paths_seen[key] = (time.monotonic(), paths)
    return paths


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


def child_environment(allow: Sequence[str] = ()) -> dict[str, str]:
    """The server's environment as a child running the project's code gets it: only the variables named in
    ALLOWED_ENV and `allow` (a name, or a prefix ending in `*`: `LC_*`); nothing else, secrets or not."""
    patterns = [*ALLOWED_ENV, *allow]
    exact = {p for p in patterns if not p.endswith("*")}
    prefixes = tuple(p[:-1] for p in patterns if p.endswith("*"))
    return {k: v for k, v in os.environ.items() if k in exact or (prefixes and k.startswith(prefixes))}


def _environment(box: Path, sys_path: Sequence[Path], probe: Path, limits: RunLimits) -> dict[str, str]:
    env = child_environment(limits.env_allow)
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
    """The end of a run's output, redacted: it is shown to the user, fed to the model and sent to Claude, and a
    test can print whatever it read (an assertion message with a password in it)."""
    return redact(output[-2 * OUTPUT_CHARS :]).text[-OUTPUT_CHARS:]


def _first_failure_asserted(probe: Path) -> bool:
    """Whether the first failure the probe saw was the test's own assertion (no probe file: it was not)."""
    if not probe.is_file():
        return False
    for line in probe.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        return bool(record.get("assertion")) and record.get("when") == "call"
    return False


def _coverage_missing(interpreter: Path, box: Path, limits: RunLimits, readable: Sequence[Path]) -> str | None:
    """Why `interpreter` cannot measure coverage, or None when it can (asked in the sandbox, as it is the project's)."""
    run = _run_once(interpreter, ["-c", "import coverage"], box, (), limits, "has-coverage", readable=readable)
    if run.outcome != "passed":
        return f"coverage is not installed for {interpreter} (pip install coverage): {run.output.strip()[-300:]}"
    return None


def _coverage_json(
    interpreter: Path, box: Path, data: Path, report: Path, include: str, limits: RunLimits, readable: Sequence[Path]
) -> dict[str, Any] | None:
    """coverage.py's JSON report, file name to its numbers; None when nothing was measured."""
    if not data.is_file():
        return None
    args = ["-m", "coverage", "json", f"--data-file={data}", "-o", str(report), include]
    run = _run_once(interpreter, args, box, (), limits, "report", readable=readable)
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
