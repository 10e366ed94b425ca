"""Confine a generated test, then run it: `python -I -S jail.py [options] -- CMD...`.

Layers, each used where the system gives it (`--probe` prints which namespaces can be had here):

Namespaces (`--namespaces=user,net,mount,pid`; Linux, unprivileged where user namespaces are allowed, or root):
  - net: a network of its own with only loopback: no network, no abstract Unix socket of the host;
  - mount (with --root, an empty folder to build the new root in): the command sees a root of its own: the
    system folders (/usr, /bin, /lib*, /etc, /opt, /nix, /gnu) and the --read paths read-only, the --write
    folders read-write, and fresh, empty /tmp, /var/tmp, /run, /dev/shm and --hide folders (the user's home);
    a minimal /dev, its own /proc, no /sys, /home, /root, /srv, /var or /mnt. In /etc, whatever not every user
    may read (/etc/shadow, ssh host keys, ssl/private) is covered by an empty file or folder. So the user's
    files, other projects and filesystem sockets (ssh-agent, docker.sock, D-Bus) are out of reach, and whatever
    the command writes outside its --write folders is gone with it. Needs pid too (for /proc);
  - pid: its own process tree. This script stays as its init (PID 1) and runs the command as PID 2, so that
    signals (RLIMIT_CPU's SIGXCPU) reach it as usual; when the command ends, PID 1 exits and the kernel kills
    whatever is left in the namespace (setsid daemons with a cleared environment included). The parent,
    outside, exits as the command did (the same code, or killed by the same signal);
  - user: what lets an unprivileged user have the others (uid and gid mapped to themselves).
After the set-up the command gets no capabilities (bounding set dropped, SECBIT_NOROOT, no_new_privs): it
cannot unmount what hides the user's files, even as root.

Landlock (Linux 5.13+; for the command and all it starts, across exec and fork):
  - writing, creating, deleting or renaming files anywhere but the --write folders (and /dev/null, /dev/shm,
    and the private /tmp under a mount namespace);
  - with --no-tcp (ABI 4+), connecting or binding any TCP port: the network cut where a namespace can't;
  - (ABI 6+) signalling processes outside it, and connecting to abstract Unix sockets outside it.

Standalone on purpose (standard library only, run with -I -S, single-threaded as unshare(2) needs). Without
Landlock (an older kernel, another OS) it says so on stderr and fails, unless --if-available, when it runs
the command with what it has.

One module, over 400 lines, on purpose: it runs alone as a standard-library launcher (`python -I -S`).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import platform
import signal
import stat
import sys
import tempfile
from collections.abc import Iterable, Sequence
from typing import NoReturn

# Syscall numbers: the same on every Linux architecture (allocated after the tables were unified).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_MOUNT_SETATTR = 442
# pivot_root predates that: its number depends on the architecture (else: MS_MOVE and chroot).
_PIVOT_ROOT = {
    "x86_64": 155,
    "amd64": 155,
    "aarch64": 41,
    "arm64": 41,
    "riscv64": 41,
    "loongarch64": 41,
    "ppc64le": 203,
    "ppc64": 203,
    "s390x": 217,
    "i386": 217,
    "i686": 217,
    "armv7l": 218,
}
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_PDEATHSIG, _PR_CAPBSET_DROP, _PR_SET_SECUREBITS = 1, 24, 28
_PR_SET_NO_NEW_PRIVS, _PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
# SECBIT_NOROOT and SECBIT_NO_CAP_AMBIENT_RAISE, each with its lock: exec as uid 0 grants no capabilities.
_SECUREBITS = (1 << 0) | (1 << 1) | (1 << 6) | (1 << 7)

# Filesystem rights (include/uapi/linux/landlock.h), the ones that change something on disk.
_WRITE_FILE = 1 << 1
_REMOVE_DIR, _REMOVE_FILE, _MAKE_CHAR, _MAKE_DIR, _MAKE_REG = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
_MAKE_SOCK, _MAKE_FIFO, _MAKE_BLOCK, _MAKE_SYM = 1 << 9, 1 << 10, 1 << 11, 1 << 12
_REFER = 1 << 13  # ABI 2: linking or renaming across folders
_TRUNCATE = 1 << 14  # ABI 3
_WRITES_V1 = (
    _WRITE_FILE | _REMOVE_DIR | _REMOVE_FILE | _MAKE_CHAR | _MAKE_DIR | _MAKE_REG | _MAKE_SOCK | _MAKE_FIFO
) | (_MAKE_BLOCK | _MAKE_SYM)
_FILE_RIGHTS = _WRITE_FILE | _TRUNCATE  # the write rights that apply to a file itself (not a folder)
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6

ALWAYS_WRITABLE = ("/dev/null", "/dev/shm")  # pytest and multiprocessing need these; nothing runs from them

# Namespaces (include/uapi/linux/sched.h) and mount flags (include/uapi/linux/mount.h).
_CLONE = {"mount": 0x00020000, "user": 0x10000000, "pid": 0x20000000, "net": 0x40000000}
NAMESPACES = ("user", "net", "mount", "pid")
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 1, 2, 4, 8
_MS_REMOUNT, _MS_BIND, _MS_MOVE, _MS_REC, _MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
_MS_NOATIME, _MS_NODIRATIME, _MS_RELATIME = 1024, 2048, 1 << 21
_MNT_DETACH = 2
_AT_FDCWD, _AT_RECURSIVE = -100, 0x8000
_MOUNT_ATTR_RDONLY = 1
# statvfs's f_flag bits that a bind remount must keep (the kernel refuses to drop them in a user namespace).
_KEPT_FLAGS = {1: _MS_RDONLY, 2: _MS_NOSUID, 4: _MS_NODEV, 8: _MS_NOEXEC, 1024: _MS_NOATIME, 2048: _MS_NODIRATIME}
_ST_RELATIME = 4096

# What the new root shows of the system, read-only; whatever else the system holds is not there.
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix", "/gnu")
_SCRUBBED = "/etc"  # within it, only what every user may read stays visible
_FRESH = ("/tmp", "/var/tmp", "/run")  # always new and empty (sockets, other runs' files, the agent's socket)
_DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
_TMP_SIZE = "size=256m"  # like RLIMIT_FSIZE: tmpfs lives in memory


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when it has none (or this is not Linux)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        version = _libc().syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(0, int(version))


def confine(writable: Sequence[str], *, block_tcp: bool, abi: int) -> None:
    """Restrict this process (and all it starts) with Landlock, as the module docstring says. Raises OSError."""
    libc = _libc()
    writes = _WRITES_V1 | (_REFER if abi >= 2 else 0) | (_TRUNCATE if abi >= 3 else 0)
    attr = _RulesetAttr(
        handled_access_fs=writes,
        handled_access_net=(_NET_BIND_TCP | _NET_CONNECT_TCP) if block_tcp and abi >= 4 else 0,
        scoped=(_SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL) if abi >= 6 else 0,
    )
    # An older kernel rejects a larger struct with fields it does not know: give it the part it reads.
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = _check(libc, libc.syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)))
    try:
        for path in [*writable, *ALWAYS_WRITABLE]:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except FileNotFoundError:
                continue  # /dev/shm is not everywhere
            try:
                rights = writes if os.path.isdir(path) else writes & _FILE_RIGHTS
                rule = _PathBeneathAttr(allowed_access=rights, parent_fd=fd)
                _check(
                    libc, libc.syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), ctypes.c_uint32(0))
                )
            finally:
                os.close(fd)
        _check(libc, libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))  # what lets an unprivileged process restrict itself
        _check(libc, libc.syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)))
    finally:
        os.close(ruleset)


def _check(libc: ctypes.CDLL, result: int) -> int:
    if result < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    return result


# --- namespaces ---------------------------------------------------------------------------------------------


def enter(namespaces: Iterable[str]) -> None:
    """Move this process into new namespaces (a new PID namespace holds only its next child). Raises OSError."""
    wanted = set(namespaces)
    if not wanted:
        return
    libc = _libc()
    uid, gid = os.getuid(), os.getgid()
    flags = 0
    for name in wanted:
        flags |= _CLONE[name]
    _check(libc, libc.unshare(ctypes.c_int(flags)))
    if "user" in wanted:
        # Each id mapped to itself: files keep their owners, and the user stays who they are.
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as f:
        f.write(text)


def _as_init(status_in: int, status_out: int) -> int:
    """In a new PID namespace: fork; the child (PID 1) gets `status_out`, the write end of a pipe on which it
    reports the command's wait status; this parent waits for it, then exits as the command did (never returns)."""
    child = os.fork()
    if child == 0:
        _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # if the parent goes, the namespace goes
        return status_out
    os.close(status_out)
    _, status = os.waitpid(child, 0)
    reported = b""
    with contextlib.suppress(OSError):
        reported = os.read(status_in, 64)
    if reported.strip().isdigit():
        status = int(reported)  # how the command ended; else PID 1's own end (killed at the timeout)
    _exit_as(status)


def _exit_as(status: int) -> NoReturn:
    """Exit the way a process with wait status `status` ended: the same code, or killed by the same signal."""
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        code = 128 - code  # a signal whose default is not to end the process
    sys.stdout.flush()
    os._exit(code)


def _init_runs(command: Sequence[str] | None, report: int, setup: _Setup) -> NoReturn:
    """PID 1: run the command as PID 2, reap whatever is orphaned meanwhile, report how the command ended."""
    child = os.fork()
    if child == 0:
        os.close(report)
        _exec(command, setup)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        if pid == child:
            break
    os.write(report, str(status).encode("ascii"))
    # Exiting, PID 1 takes every other process of the namespace with it (the kernel kills them).
    os._exit(0)


# --- the new root -------------------------------------------------------------------------------------------


def _mount(libc: ctypes.CDLL, source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    _check(
        libc,
        libc.mount(
            source.encode() if source is not None else None,
            target.encode(),
            fstype.encode() if fstype is not None else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
    )


def _read_only(libc: ctypes.CDLL, target: str, recursive: bool) -> None:
    attr = _MountAttr(attr_set=_MOUNT_ATTR_RDONLY)
    flags = _AT_RECURSIVE if recursive else 0
    done = libc.syscall(
        _MOUNT_SETATTR, _AT_FDCWD, target.encode(), ctypes.c_uint(flags), ctypes.byref(attr), ctypes.c_size_t(32)
    )
    if done == 0:
        return
    # Before Linux 5.12: a remount of the top mount only, keeping the flags the kernel would refuse to drop.
    kept = 0
    f_flag = os.statvfs(target).f_flag
    for bit, flag in _KEPT_FLAGS.items():
        if f_flag & bit:
            kept |= flag
    if f_flag & _ST_RELATIME:
        kept |= _MS_RELATIME
    _mount(libc, None, target, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | kept)


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _depth(path: str) -> int:
    return len([part for part in path.split("/") if part])


class _Setup:
    """What the command will see and where it may write; built in a new mount namespace by `build`."""

    def __init__(
        self,
        root: str | None,
        readable: Sequence[str],
        writable: Sequence[str],
        hidden: Sequence[str],
        *,
        covered: Sequence[str] = (),
        namespaces: Sequence[str] = (),
        block_tcp: bool = False,
        abi: int = 0,
    ) -> None:
        self.root = root
        self.namespaces = tuple(namespaces)
        self.block_tcp = block_tcp
        self.abi = abi
        self.readable = sorted({os.path.abspath(p) for p in readable if os.path.lexists(p)} - {"/"}, key=_depth)
        self.writable = [os.path.abspath(p) for p in writable]
        protected = {"/", *SYSTEM}
        # A folder to hide that holds (or is) the system would hide the system: never mind it.
        self.hidden = sorted(
            {os.path.abspath(p) for p in hidden if p and not any(_under(s, os.path.abspath(p)) for s in protected)},
            key=_depth,
        )
        self.covered = sorted({os.path.abspath(p) for p in covered})  # files shown empty
        self.landlock_writable = list(self.writable)

    def build(self) -> None:
        """Make `root` the new root (mount namespace; run as PID 1 of a new PID namespace)."""
        assert self.root is not None
        libc = _libc()
        cwd = os.getcwd()
        root = os.path.abspath(self.root)
        secrets = sorted(_not_for_everyone(_SCRUBBED))
        _mount(libc, None, "/", None, _MS_REC | _MS_PRIVATE)  # nothing done here shows outside
        _mount(libc, "tmpfs", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755,size=16m")
        shown: list[str] = []  # what is bound so far: what lies below these is already visible
        empty = os.path.join(root, ".empty")
        with open(empty, "w", encoding="ascii"):
            pass
        os.chmod(empty, 0o444)
        for folder in SYSTEM:
            target = root + folder
            if os.path.islink(folder):
                os.symlink(os.readlink(folder), target)
            elif os.path.isdir(folder):
                self._bind(libc, folder, target, read_only=True)
                shown.append(folder)
        for path in secrets:
            if os.path.isdir(path) and not os.path.islink(path):
                _mount(libc, "tmpfs", root + path, "tmpfs", _MS_RDONLY | _MS_NOSUID | _MS_NODEV, "mode=0755,size=4k")
            else:
                _mount(libc, empty, root + path, None, _MS_BIND)
                _read_only(libc, root + path, recursive=False)
        os.makedirs(root + "/var", exist_ok=True)
        os.symlink("../run", root + "/var/run")
        # Shown and covered, from the top down: a folder to hide inside one shown (the home holding the project)
        # is covered, and what the run needs inside a covered one (a venv in the home) is shown again.
        steps = {path: "show" for path in self.readable}
        steps.update({path: "cover" for path in (*_FRESH, *self.hidden)})  # hiding wins over showing
        done = [(path, "show") for path in shown]
        for path in sorted(steps, key=lambda p: (_depth(p), p)):
            step = steps[path]
            above = [d for d in done if _under(path, d[0])]
            nearest = max(above, key=lambda d: _depth(d[0]))[1] if above else None
            if step == "show":
                if nearest == "show":
                    continue  # already visible
                self._bind(libc, path, root + path, read_only=True)
            else:
                target = root + path
                if path in _FRESH:
                    os.makedirs(target, exist_ok=True)
                elif not os.path.isdir(target) or os.path.islink(target):
                    continue  # not visible: nothing to hide
                mode = "1777" if path in ("/tmp", "/var/tmp") else "0755"
                _mount(libc, "tmpfs", target, "tmpfs", _MS_NOSUID | _MS_NODEV, f"mode={mode},{_TMP_SIZE}")
            done.append((path, step))
        for path in self.covered:  # secrets kept in the project (.env, config_db.php): there, but empty
            if os.path.isfile(root + path) and not os.path.islink(root + path):
                _mount(libc, empty, root + path, None, _MS_BIND)
                _read_only(libc, root + path, recursive=False)
        os.unlink(empty)  # the binds keep it
        for path in self.writable:  # last: the sandbox folder, usually in /tmp
            self._bind(libc, path, root + path, read_only=False, recursive=False)
        self._devices(libc, root)
        os.makedirs(root + "/proc", exist_ok=True)
        _mount(libc, "proc", root + "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
        _pivot(libc, root)
        _mount(libc, None, "/", None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
        os.chdir(cwd if os.path.isdir(cwd) else "/")
        self.landlock_writable.append("/tmp")  # its own: gone with the run

    def _bind(self, libc: ctypes.CDLL, source: str, target: str, *, read_only: bool, recursive: bool = True) -> None:
        if os.path.isdir(source):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if not os.path.lexists(target):
                with open(target, "w", encoding="ascii"):
                    pass
        _mount(libc, source, target, None, _MS_BIND | (_MS_REC if recursive else 0))
        if read_only:
            _read_only(libc, target, recursive)

    @staticmethod
    def _devices(libc: ctypes.CDLL, root: str) -> None:
        dev = root + "/dev"
        os.makedirs(dev, exist_ok=True)
        _mount(libc, "tmpfs", dev, "tmpfs", _MS_NOSUID | _MS_NOEXEC, "mode=0755,size=64k")
        for name in _DEVICES:
            if os.path.exists(f"/dev/{name}"):
                with open(f"{dev}/{name}", "w", encoding="ascii"):
                    pass
                _mount(libc, f"/dev/{name}", f"{dev}/{name}", None, _MS_BIND)
        for name, target in (("fd", "/proc/self/fd"), ("stdin", "0"), ("stdout", "1"), ("stderr", "2")):
            os.symlink(target if name == "fd" else f"/proc/self/fd/{target}", f"{dev}/{name}")
        os.mkdir(f"{dev}/shm")
        _mount(libc, "tmpfs", f"{dev}/shm", "tmpfs", _MS_NOSUID | _MS_NODEV, f"mode=1777,{_TMP_SIZE}")


def _not_for_everyone(top: str) -> Iterable[str]:
    """Files and folders under `top` that not every user may read (the ones root alone may see)."""
    for folder, folders, files in os.walk(top, onerror=lambda _: None):
        for name in list(folders):
            path = os.path.join(folder, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISDIR(mode) and (mode & 0o005) != 0o005:
                folders.remove(name)
                yield path
        for name in files:
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                mode = os.lstat(path).st_mode
                if not stat.S_ISLNK(mode) and not mode & 0o004:
                    yield path


def _pivot(libc: ctypes.CDLL, root: str) -> None:
    """Make `root` the root folder and let go of the old one."""
    os.chdir(root)
    number = _PIVOT_ROOT.get(platform.machine())
    if number is not None:
        _check(libc, libc.syscall(number, b".", b"."))
        _check(libc, libc.umount2(b".", ctypes.c_int(_MNT_DETACH)))  # the old root, stacked under the new one
    else:
        _mount(libc, ".", "/", None, _MS_MOVE)
        os.chroot(".")
    os.chdir("/")


# --- the command --------------------------------------------------------------------------------------------


def _drop_privileges(strict: bool) -> None:
    """No capability survives the exec, even for uid 0 (which the user may be)."""
    libc = _libc()
    try:
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as f:
            last = int(f.read())
    except (OSError, ValueError):
        last = 63
    results = [libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)]
    for cap in range(last + 1):
        results.append(libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0))
    results.append(libc.prctl(_PR_SET_SECUREBITS, _SECUREBITS, 0, 0, 0))
    _check(libc, libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
    if strict and any(r < 0 for r in results):
        raise OSError(ctypes.get_errno(), "the capabilities could not be dropped")


def _exec(command: Sequence[str] | None, setup: _Setup) -> NoReturn:
    """Landlock, no capabilities, then the command (None: exit 0, for --probe)."""
    try:
        if setup.abi > 0:
            confine(setup.landlock_writable, block_tcp=setup.block_tcp, abi=setup.abi)
        # In namespaces it made itself the launcher holds the capabilities to drop: failing to is fatal there.
        _drop_privileges(strict=bool(setup.namespaces))
    except OSError as exc:
        _fail(f"jail.py: the command could not be confined ({exc}): it was not run")
    if command is None:
        os._exit(0)
    try:
        os.execvp(command[0], list(command))
    except OSError as exc:
        _fail(f"jail.py: {command[0]} could not be started: {exc}")


def _fail(message: str) -> NoReturn:
    with contextlib.suppress(OSError):
        os.write(2, (message + "\n").encode("utf-8", "replace"))
    os._exit(1)


def _run(command: Sequence[str] | None, setup: _Setup) -> NoReturn:
    namespaces = setup.namespaces
    try:
        enter(namespaces)
    except OSError as exc:
        _fail(f"jail.py: no {'/'.join(namespaces)} namespaces here ({exc}): the command was not run")
    if "pid" not in namespaces:
        if "mount" in namespaces:
            _fail("jail.py: a mount namespace needs a PID namespace (for /proc): the command was not run")
        _exec(command, setup)
    read, write = os.pipe()
    os.set_inheritable(write, False)
    # The parent learns how the command ended through the pipe: PID 1 itself cannot die by a signal it sends.
    report = _as_init(read, write)
    os.close(read)
    if "mount" in namespaces:
        try:
            setup.build()
        except OSError as exc:
            _fail(f"jail.py: the sandbox's root could not be built ({exc}): the command was not run")
    _init_runs(command, report, setup)


def probe() -> list[str]:
    """The namespaces a run can have here: all four, else without mount, else only user and net, else none
    (root without user namespaces gets the others alone). Each candidate is tried for real in a child."""
    candidates: list[tuple[str, ...]] = [("user", "net", "mount", "pid"), ("user", "net", "pid"), ("user", "net")]
    if os.geteuid() == 0:
        candidates += [("net", "mount", "pid"), ("net", "pid"), ("net",)]
    for candidate in candidates:
        with tempfile.TemporaryDirectory(prefix="copiloto-jail-probe-") as box:
            root = os.path.join(box, ".root")
            os.mkdir(root)
            child = os.fork()
            if child == 0:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)
                _run(None, _Setup(root if "mount" in candidate else None, [], [box], [], namespaces=candidate))
            _, status = os.waitpid(child, 0)
        if os.waitstatus_to_exitcode(status) == 0:
            return list(candidate)
    return []


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="jail.py", description="Run a command confined by namespaces and Landlock.")
    parser.add_argument("--write", action="append", default=[], help="a folder the command may write in")
    parser.add_argument("--read", action="append", default=[], help="a file or folder it may read (mount ns)")
    parser.add_argument("--hide", action="append", default=[], help="a folder shown empty (mount ns)")
    parser.add_argument("--cover", action="append", default=[], help="a file shown empty (mount ns)")
    parser.add_argument("--root", help="an empty folder to build the new root in (mount ns)")
    parser.add_argument("--namespaces", default="", help="comma-separated: user, net, mount, pid")
    parser.add_argument("--no-tcp", action="store_true", help="no TCP connect or bind (Landlock ABI 4+)")
    parser.add_argument("--if-available", action="store_true", help="without Landlock, run the command anyway")
    parser.add_argument("--probe", action="store_true", help="print which namespaces work here, as JSON")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps({"namespaces": probe(), "landlock": abi_version()}))
        return
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")
    namespaces = [n for n in args.namespaces.split(",") if n]
    unknown = set(namespaces) - set(NAMESPACES)
    if unknown:
        parser.error(f"unknown namespaces: {', '.join(sorted(unknown))}")
    if "mount" in namespaces and not args.root:
        parser.error("a mount namespace needs --root")
    abi = abi_version()
    if abi == 0 and not args.if_available:
        sys.exit("jail.py: this kernel has no Landlock: the command was not run")
    setup = _Setup(
        args.root if "mount" in namespaces else None,
        args.read,
        args.write,
        args.hide,
        covered=args.cover,
        namespaces=namespaces,
        block_tcp=args.no_tcp,
        abi=abi,
    )
    _run(command, setup)


if __name__ == "__main__":
    main()
