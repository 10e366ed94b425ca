"""Confine a generated test with Landlock (Linux 5.13+), then run it: `python -I -S jail.py [options] -- CMD...`.

What it takes away, for the command and everything it starts (Landlock holds across exec and fork, and a
process can only ever narrow it):
  - writing, creating, deleting or renaming files anywhere but the folders given with --write (and
    /dev/null, /dev/shm): a test can no longer plant code in ~/.bashrc, .git/hooks or the project;
  - with --no-tcp (ABI 4+), connecting or binding any TCP port: the network cut where `unshare -rn` can't;
  - (ABI 6+) signalling processes outside it, and connecting to abstract Unix sockets outside it: a test
    cannot kill the language server that started it.
Reading stays open: the project's interpreter and packages may live anywhere.

Standalone on purpose (standard library only, run with -I -S): it runs inside `unshare -rn`, whose own
writes to /proc/self/uid_map would be refused if Landlock came first. Without Landlock (an older kernel,
another OS) it says so on stderr and fails, unless --if-available, when it runs the command as it is.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
from collections.abc import Sequence

# Syscall numbers: the same on every Linux architecture (allocated after the tables were unified).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

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


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


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
    """Restrict this process (and all it starts) as the module docstring says. Raises OSError."""
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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="jail.py", description="Run a command confined by Landlock.")
    parser.add_argument("--write", action="append", default=[], help="a folder the command may write in")
    parser.add_argument("--no-tcp", action="store_true", help="no TCP connect or bind (Landlock ABI 4+)")
    parser.add_argument("--if-available", action="store_true", help="without Landlock, run the command anyway")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run")
    abi = abi_version()
    if abi == 0 and not args.if_available:
        sys.exit("jail.py: this kernel has no Landlock: the command was not run")
    if abi > 0:
        try:
            confine(args.write, block_tcp=args.no_tcp, abi=abi)
        except OSError as exc:
            sys.exit(f"jail.py: Landlock refused the rules ({exc}): the command was not run")
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        sys.exit(f"jail.py: {command[0]} could not be started: {exc}")


if __name__ == "__main__":
    main()
