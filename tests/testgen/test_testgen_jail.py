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

import pytest

from copiloto.testgen import confinement, jail

JAIL = Path(jail.__file__)
ABI = jail.abi_version()
needs_landlock = pytest.mark.skipif(ABI < 1, reason="this kernel has no Landlock")


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
    assert fence.files == (ABI >= 1)
    assert fence.signals == (ABI >= 6)
    assert fence.network in {"cut", "tcp", "open"}
    assert (fence.gaps() == []) == (fence.files and fence.network == "cut")
