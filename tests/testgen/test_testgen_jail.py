"""jail.py, the Landlock launcher, run as the runner runs it: `python -I -S jail.py [rules] -- command`.

Each case runs a real child under the jail and checks what the kernel refused; they are skipped where the
kernel has no Landlock (or too old an ABI for the part under test).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from copiloto.testgen import confinement, jail
from copiloto.testgen.runner import _available_namespaces

JAIL = Path(jail.__file__)
ABI = jail.abi_version()
PROBED = set(_available_namespaces())
needs_landlock = pytest.mark.skipif(ABI < 1, reason="this kernel has no Landlock")
needs_namespaces = pytest.mark.skipif(
    not {"mount", "pid"} <= PROBED, reason="no mount and PID namespaces for this user here"
)


def jailed(code: str, *rules: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-I", "-S", str(JAIL), *rules, "--", sys.executable, "-c", textwrap.dedent(code)]
    return subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=cwd, check=False)


@pytest.fixture
def listener() -> Iterator[int]:
    """A real TCP server on localhost: its port."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


@needs_landlock
def test_writes_only_inside_the_folders_given(tmp_path: Path) -> None:
    box, outside = tmp_path / "box", tmp_path / "project"
    box.mkdir()
    outside.mkdir()
    (outside / "kept.py").write_text("x = 1\n")
    done = jailed(
        f"""
        import os, pathlib
        pathlib.Path({str(box / "made")!r}).write_text("ok")
        for attempt in (
            lambda: pathlib.Path({str(outside / "planted.py")!r}).write_text("import os"),
            lambda: open({str(outside / "kept.py")!r}, "a").write("y = 2"),
            lambda: os.remove({str(outside / "kept.py")!r}),
            lambda: os.rename({str(outside / "kept.py")!r}, {str(box / "stolen.py")!r}),
            lambda: os.mkdir({str(outside / "hooks")!r}),
            lambda: os.symlink("/bin/sh", {str(outside / "link")!r}),
        ):
            try:
                attempt()
                print("ALLOWED")
            except PermissionError:
                print("refused")
        print(open({str(outside / "kept.py")!r}).read().strip())  # reading stays open
        open(os.devnull, "w").write("fine")
        """,
        f"--write={box}",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:7] == ["refused"] * 6 + ["x = 1"]
    assert (box / "made").read_text() == "ok"
    assert sorted(p.name for p in outside.iterdir()) == ["kept.py"]
    assert (outside / "kept.py").read_text() == "x = 1\n"


@pytest.mark.skipif(ABI < 4, reason="Landlock network rules need ABI 4 (Linux 6.7)")
def test_no_tcp_refuses_connecting_and_binding(listener: int) -> None:
    code = f"""
        import socket
        for attempt in (
            lambda: socket.create_connection(("127.0.0.1", {listener}), timeout=5),
            lambda: socket.create_server(("127.0.0.1", 0)),
        ):
            try:
                attempt()
                print("ALLOWED")
            except PermissionError:
                print("refused")
        """
    assert jailed(code, "--no-tcp").stdout.split() == ["refused", "refused"]
    assert jailed(code).stdout.split() == ["ALLOWED", "ALLOWED"]  # the same, unconfined network


@pytest.mark.skipif(ABI < 6, reason="Landlock signal scoping needs ABI 6 (Linux 6.12)")
def test_cannot_signal_a_process_outside() -> None:
    with contextlib.ExitStack() as stack:
        outsider = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        stack.callback(outsider.kill)
        done = jailed(
            f"""
            import os, signal
            try:
                os.kill({outsider.pid}, signal.SIGKILL)
                print("ALLOWED")
            except PermissionError:
                print("refused")
            """
        )
        assert done.stdout.strip() == "refused"
        assert outsider.poll() is None  # still running
        outsider.send_signal(signal.SIGTERM)
        assert outsider.wait(10) == -signal.SIGTERM


def test_a_command_that_cannot_start_is_reported(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(JAIL), "--if-available", "--", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0
    assert "could not be started" in done.stderr


def test_confinement_says_what_holds_here() -> None:
    fence = confinement()
    assert fence.private == ("mount" in PROBED) and fence.pid == ("pid" in PROBED)
    assert fence.files == (ABI >= 1 or fence.private)
    assert fence.signals == (ABI >= 6 or fence.pid)
    assert fence.network in {"cut", "tcp", "open"}
    assert (fence.gaps() == []) == (fence.files and fence.network == "cut" and fence.private and fence.pid)


def namespaced(code: str, tmp_path: Path, *rules: str, namespaces: str = "user,net,mount,pid") -> CompletedProcess:
    """`code` run by the venv's interpreter under the jail with these namespaces (mount: a root built in tmp_path)."""
    box = tmp_path / "box"
    (box / ".root").mkdir(parents=True, exist_ok=True)
    prefixes = {sys.prefix, sys.base_prefix, *(p for p in sys.path if p.endswith("-packages"))}
    command = [
        sys.executable, "-I", "-S", str(JAIL), f"--namespaces={namespaces}", f"--root={box / '.root'}",
        f"--write={box}", *(f"--read={p}" for p in prefixes), *rules,
        "--if-available", "--", sys.executable, "-c", textwrap.dedent(code),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=30, cwd=box, check=False)


@needs_namespaces
def test_the_launcher_exits_as_the_command_did(tmp_path: Path) -> None:
    """The command is PID 2 under jail.py's PID 1: its exit code and the signal that killed it come back out."""
    assert namespaced("import os; assert os.getpid() == 2; raise SystemExit(3)", tmp_path).returncode == 3
    killed = namespaced("import os, signal; os.kill(os.getpid(), signal.SIGXCPU)", tmp_path)
    assert killed.returncode == -signal.SIGXCPU, killed.stderr


@needs_namespaces
def test_a_mount_namespace_shows_only_what_it_is_given(tmp_path: Path) -> None:
    shown, other, home = tmp_path / "shown", tmp_path / "other", tmp_path / "shown" / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text("key")
    (shown / "mod.py").write_text("x = 1\n")
    other.mkdir()
    (other / "secret.txt").write_text("secret")
    done = namespaced(
        f"""
        import os
        print(open({str(shown / "mod.py")!r}).read().strip())
        print(os.path.exists({str(other)!r}), os.listdir({str(home)!r}), os.listdir("/tmp") != [])
        print(open("/etc/shadow").read() == "" if os.path.exists("/etc/shadow") else True)
        for attempt in (lambda: open({str(shown / "new.py")!r}, "w"), lambda: open("/usr/planted", "w")):
            try:
                attempt()
                print("ALLOWED")
            except OSError as exc:
                print(exc.errno in (1, 13, 30))
        open({str(tmp_path / "box" / "made")!r}, "w").write("ok")
        """,
        tmp_path,
        f"--read={shown}",
        f"--hide={home}",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:5] == ["x = 1", "False [] True", "True", "True", "True"]
    assert (tmp_path / "box" / "made").read_text() == "ok"
    assert not (shown / "new.py").exists()


@needs_namespaces
def test_the_command_keeps_no_capabilities(tmp_path: Path) -> None:
    """It cannot unmount what hides the user's files, even as uid 0 in its namespace."""
    done = namespaced(
        """
        import ctypes
        status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
        print(int(status["CapEff"], 16), int(status["CapBnd"], 16))
        libc = ctypes.CDLL(None, use_errno=True)
        print(libc.umount2(b"/tmp", 2), ctypes.get_errno() in (1, 13))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "0", "-1", "True"]
