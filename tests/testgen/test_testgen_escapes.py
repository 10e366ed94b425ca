"""Hostile generated tests, one per way out of the sandbox that worked before issue 18's fifth part: each is run
for real (real pytest subprocesses, real namespaces) and must find the way shut.

What a part needs is asked of the system itself, not of the runner (can this user get these namespaces?):
where the system cannot give it, the test is skipped with the reason, and where it can, the runner must use it.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sightings import Sightings

from copiloto.testgen import RunLimits, collects, run_test

PYTHON = Path(sys.executable)
ONCE = RunLimits(timeout_s=20, runs=1)
MODULE = "def sign(x):\n    return 'non-negative' if x >= 0 else 'negative'\n"


def _system_can(*options: str) -> bool:
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return False
    done = subprocess.run([unshare, *options, "true"], capture_output=True, timeout=20, check=False)
    return done.returncode == 0


MOUNT_NS = _system_can("-rnm", "--pid", "--fork", "--mount-proc") or (
    os.geteuid() == 0 and _system_can("-nm", "--pid", "--fork", "--mount-proc")
)
PID_NS = (
    MOUNT_NS or _system_can("-rn", "--pid", "--fork") or (os.geteuid() == 0 and _system_can("-n", "--pid", "--fork"))
)
needs_mount_ns = pytest.mark.skipif(not MOUNT_NS, reason="no mount and PID namespaces for this user here")
needs_pid_ns = pytest.mark.skipif(not PID_NS, reason="no PID namespace for this user here")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with one module, and the user's home inside the same tree (as ~/src/project would be)."""
    root = tmp_path / "work"
    root.mkdir()
    (root / "mod.py").write_text(MODULE)
    return root


@pytest.fixture
def home(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The server's HOME, holding an SSH key and cloud credentials, below a folder the run is shown (the project)."""
    home = project / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".aws").mkdir()
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nplanted\n")
    (home / ".aws" / "credentials").write_text("[default]\naws_secret_access_key = planted\n")
    monkeypatch.setenv("HOME", str(home))
    return home


class UnixListener:
    """A real Unix socket server (an ssh-agent, docker.sock, D-Bus): it hands whoever connects a secret."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.accepted = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen()
        self._server.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                self.accepted += 1
                connection.sendall(b"agent-secret")

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._server.close()


@pytest.fixture
def listeners(tmp_path: Path, home: Path) -> Iterator[list[UnixListener]]:
    """One socket in a folder of the machine's /tmp, one in the user's home (where agents keep theirs)."""
    started = [UnixListener(tmp_path / "elsewhere" / "agent.sock"), UnixListener(home / ".gnupg" / "S.agent")]
    for listener in started:  # they work, from outside
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(str(listener.path))
            assert client.recv(64) == b"agent-secret"
    yield started
    for listener in started:
        listener.close()


@needs_mount_ns
def test_unix_sockets_outside_the_sandbox_cannot_be_reached(project: Path, listeners: list[UnixListener]) -> None:
    paths = [str(listener.path) for listener in listeners]
    source = f"""\
import socket

from mod import sign


def test_steal():
    assert sign(1) == "non-negative"  # the project is there
    got = {{}}
    for path in {paths!r}:
        try:
            with socket.socket(socket.AF_UNIX) as client:
                client.connect(path)
                got[path] = client.recv(64)
        except OSError as exc:
            print(path, exc)
    assert got == {{}}
"""
    result = run_test(source, "test_steal", [project], PYTHON, ONCE)
    assert result.passed, result.output
    assert [listener.accepted for listener in listeners] == [1, 1]  # our own check's connection, nobody else's


@needs_mount_ns
def test_the_users_home_cannot_be_read(project: Path, home: Path) -> None:
    secrets = [str(home / ".ssh" / "id_rsa"), str(home / ".aws" / "credentials")]
    if os.geteuid() == 0:
        secrets += ["/etc/shadow", "/etc/gshadow"]  # root reads them; a user never could
    source = f"""\
import os

from mod import sign


def test_read():
    assert sign(-1) == "negative"  # the project, which holds the home folder, is there
    got = {{}}
    for path in {secrets!r}:
        try:
            with open(path) as f:
                got[path] = f.read()
        except OSError as exc:
            print(path, exc)
    assert not any(got.values()), sorted(got)
    assert not os.path.exists({str(home / ".ssh")!r})
"""
    result = run_test(source, "test_read", [project], PYTHON, ONCE)
    assert result.passed, result.output


@needs_mount_ns
def test_secret_files_kept_in_the_project_are_seen_empty(project: Path) -> None:
    """A project keeps its own credentials (`.env`, GLPI's `config_db.php`, a key): files never sent to Claude are
    shown to a run empty, while the project's code stays importable."""
    planted = {
        project / ".env": "DB_PASSWORD=planted-in-dotenv\n",
        project / "config" / "config_db.php": "<?php class DB extends DBmysql { public $dbpassword = 'planted'; }\n",
        project / "deploy" / "server.pem": "-----BEGIN PRIVATE KEY-----\nplanted\n",
    }
    for path, text in planted.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    (project / "settings.py").write_text("NAME = 'settings are code: imported, not hidden'\n")
    source = f"""\
from mod import sign
import settings


def test_read():
    assert sign(-1) == "negative" and settings.NAME
    for path in {[str(p) for p in planted]!r}:
        with open(path) as f:
            assert f.read() == "", path
"""
    result = run_test(source, "test_read", [project], PYTHON, ONCE)
    assert result.passed, result.output
    assert all(path.read_text() == text for path, text in planted.items()), "the files themselves are untouched"


@needs_mount_ns
def test_an_interpreter_in_the_users_home_still_runs(tmp_path: Path, home: Path) -> None:
    """A project's venv under $HOME: bound read-only before the home is hidden, so it starts and imports."""
    venv = home / "project" / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    site = next(venv.glob("lib/python*/site-packages"))
    ours = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "pytest").is_dir())
    (site / "server-packages.pth").write_text(f"{ours}\n")  # pytest from the server's venv, as a .pth line
    interpreter = venv / "bin" / "python"
    (home / "project" / "mod.py").write_text(MODULE)
    source = f"""\
import os, sys

from mod import sign


def test_runs():
    assert sign(1) == "non-negative"
    assert sys.prefix == {str(venv)!r}
    assert not os.path.exists({str(home / ".ssh")!r})
"""
    result = run_test(source, "test_runs", [home / "project"], interpreter, ONCE)
    assert result.passed, result.output


SECRET_ENV = ("DATABASE_URL", "MYSQL_PWD", "DB_PASS", "SENTRY_DSN", "GH_PAT", "CI_JOB_JWT")


def test_secrets_in_the_environment_are_not_passed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """An allow-list: names no deny-list thought of stay with the server."""
    for name in SECRET_ENV:
        monkeypatch.setenv(name, f"value-of-{name.lower()}")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    source = f"""\
import os


def test_env():
    leaked = [name for name in {list(SECRET_ENV)!r} if name in os.environ]
    assert leaked == []
    assert os.environ.get("LC_ALL") == "C.UTF-8" and os.environ["PATH"]
"""
    result = run_test(source, "test_env", [], PYTHON, ONCE)
    assert result.passed, result.output


def test_the_user_names_what_else_a_test_may_see(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests.env_allow: a name or a prefix; the rest still stays with the server."""
    monkeypatch.setenv("MYAPP_MODE", "test")
    monkeypatch.setenv("MYAPP_LEVEL", "2")
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db/app")
    source = """\
import os


def test_env():
    assert os.environ.get("MYAPP_MODE") == "test" and os.environ.get("MYAPP_LEVEL") == "2"
    assert "DATABASE_URL" not in os.environ
"""
    result = run_test(source, "test_env", [], PYTHON, RunLimits(timeout_s=20, runs=1, env_allow=("MYAPP_*",)))
    assert result.passed, result.output


@needs_pid_ns
def test_a_daemon_with_a_cleared_environment_dies_with_the_run() -> None:
    """setsid() leaves the process group and an empty environment carries no mark: only a PID namespace gets it."""
    with Sightings() as sightings:
        source = f"""\
import os, sys, time


def test_daemon():
    ready, told = os.pipe()
    os.set_inheritable(told, True)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            code = "import os, sys, time; os.write(int(sys.argv[1]), b'up'); time.sleep(60)"
            os.execve(sys.executable, [sys.executable, "-c", code, str(told), {sightings.token!r}], {{}})
        os._exit(0)
    os.close(told)
    assert os.read(ready, 2) == b"up"
    time.sleep(0.3)
"""
        result = run_test(source, "test_daemon", [], PYTHON, ONCE)
        assert result.passed, result.output
        assert sightings.seen, "the daemon never ran"
        assert sightings.gone(), "the daemon outlived the run"


@needs_mount_ns
def test_dev_shm_is_the_runs_own() -> None:
    shared = Path("/dev/shm")
    if not shared.is_dir():
        pytest.skip("no /dev/shm here")
    planted = shared / f"copiloto-escape-{uuid.uuid4().hex}"
    source = f"""\
import pathlib, time


def test_plant():
    path = pathlib.Path({str(planted)!r})
    path.write_text("left for the next run")
    assert path.read_text() == "left for the next run"
    time.sleep(0.5)
"""
    seen = threading.Event()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if planted.exists():
                seen.set()
            time.sleep(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        result = run_test(source, "test_plant", [], PYTHON, ONCE)
    finally:
        done.set()
        watcher.join()
        left = planted.exists()
        planted.unlink(missing_ok=True)
    assert result.passed, result.output  # it could write there: its own /dev/shm
    assert not seen.is_set(), "the file showed in this machine's /dev/shm during the run"
    assert not left, "the file outlived the run"


def _aws_like_key() -> str:
    """Built from pieces at run time, so that no scanner flags this file."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return "AK" + "IA" + "".join(random.choice(alphabet) for _ in range(16))


def test_what_a_test_reads_does_not_leave_through_its_failure_output(project: Path) -> None:
    password = "Tr0ub4dor-" + uuid.uuid4().hex[:12]
    key = _aws_like_key()
    (project / "settings_local.py").write_text(f'db_password = "{password}"\naws_access_key_id = "{key}"\n')
    source = f"""\
def test_exfiltrate():
    with open({str(project / "settings_local.py")!r}) as f:
        text = f.read()
    print(text)
    assert text == "", text
"""
    result = run_test(source, "test_exfiltrate", [project], PYTHON, ONCE)
    assert not result.passed and result.failure_kind == "assertion"
    assert "assert text ==" in result.output  # the failure is still there to learn from
    assert password not in result.output and key not in result.output
    assert "[REDACTED" in result.output
    # and through a collection error
    broken = f"raise RuntimeError(open({str(project / 'settings_local.py')!r}).read())\n"
    collected, output = collects(broken, [project], PYTHON, ONCE)
    assert not collected and "RuntimeError" in output
    assert password not in output and key not in output
