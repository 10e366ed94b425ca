"""copiloto.logs.tail: incremental reads, partial lines, truncation, rotation, a large file in bounded memory."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

from copiloto.logs.entries import Entry, Unparsed
from copiloto.logs.group import group
from copiloto.logs.tail import LogTail

PHP = (
    "[2025-01-02 10:00:00] glpiphplog.CRITICAL:   *** Uncaught Exception Error: Call to undefined function foo()"
    " in /var/www/glpi/src/Foo.php at line 12\n"
    "  Backtrace :\n"
    "  src/Foo.php:12                                     Foo->bar()\n"
    "  front/central.php:40                               include()\n"
)
ACCESS = (
    "[2025-01-02 10:03:00] User ID: `7` tried to access or perform an action on `/front/config.form.php`"
    " with insufficient rights.\n"
)


def append(path: Path, data: str | bytes) -> None:
    with open(path, "ab") as fh:
        fh.write(data.encode() if isinstance(data, str) else data)


def entries(items: list[Entry | Unparsed]) -> list[Entry]:
    assert all(isinstance(i, Entry) for i in items), items
    return [i for i in items if isinstance(i, Entry)]


def test_incremental_reads(tmp_path: Path) -> None:
    log = tmp_path / "php-errors.log"
    log.write_text(PHP)
    tail = LogTail(log)
    assert tail.read_new() == []  # the entry may still grow: held
    [e] = entries(tail.read_new())  # nothing new since: settled
    assert (e.start_line, e.end_line, len(e.frames)) == (1, 4, 2)
    assert tail.read_new() == []
    append(log, ACCESS + PHP)
    [a] = entries(tail.read_new())  # the access line is complete once the next header arrives
    assert (a.kind, a.start_line) == ("access", 5)
    [p] = entries(tail.read_new(flush=True))
    assert (p.start_line, p.end_line) == (6, 9)
    assert tail.offset == log.stat().st_size


def test_partial_last_line_kept(tmp_path: Path) -> None:
    log = tmp_path / "access-errors.log"
    log.write_text(ACCESS[:40])
    tail = LogTail(log)
    assert tail.read_new() == [] and tail.pending
    assert tail.read_new() == []  # still incomplete: no flush of a half line
    append(log, ACCESS[40:-1])
    assert tail.read_new() == []
    append(log, "\n")
    assert tail.read_new() == []
    [e] = entries(tail.read_new())
    assert e.get("url") == "/front/config.form.php" and e.raw == ACCESS.rstrip("\n")


def test_utf8_split_across_reads_and_invalid_bytes(tmp_path: Path) -> None:
    log = tmp_path / "event.log"
    data = "2025-01-02 10:01:00 [2@h]\ncafé ünïcode\n".encode()
    cut = data.index("é".encode()) + 1  # inside the two-byte é
    log.write_bytes(data[:cut])
    tail = LogTail(log, chunk_size=3)
    assert tail.read_new() == []
    append(log, data[cut:] + b"bad \xff\xfe bytes\n")
    [e] = entries(tail.read_new(flush=True))
    assert e.message == "café ünïcode\nbad \ufffd\ufffd bytes"


def test_truncation_restarts(tmp_path: Path) -> None:
    log = tmp_path / "cron.log"
    log.write_text(PHP + ACCESS)
    tail = LogTail(log)
    assert len(entries(tail.read_new(flush=True))) == 2
    log.write_text("2025-01-02 11:00:00 [@h]\nnew\n")  # truncated in place (same inode, smaller)
    items = tail.read_new(flush=True)
    [e] = entries(items)
    assert (e.start_line, e.message, tail.restarts) == (1, "new", 1)


def test_rotation_restarts(tmp_path: Path) -> None:
    log = tmp_path / "sql-errors.log"
    log.write_text(PHP)
    tail = LogTail(log)
    assert tail.read_new() == []
    os.replace(log, tmp_path / "sql-errors.log.1")
    assert tail.read_new() == []  # missing file: nothing new
    big = ACCESS * 3  # bigger than the old offset: only the inode tells
    log.write_text(big)
    items = tail.read_new(flush=True)
    # the held entry of the old file comes first, then the new file from line 1
    assert [(i.kind, i.start_line) for i in entries(items)] == [
        ("monolog", 1),
        ("access", 1),
        ("access", 2),
        ("access", 3),
    ]
    assert tail.restarts == 1


def test_from_end(tmp_path: Path) -> None:
    log = tmp_path / "php-errors.log"
    log.write_text(PHP + ACCESS[:20])
    tail = LogTail(log, from_end=True)
    assert tail.read_new() == []
    append(log, ACCESS[20:] + ACCESS)
    items = tail.read_new(flush=True)
    assert [(i.kind, i.start_line) for i in entries(items)] == [("access", 5), ("access", 6)]


def test_overlong_partial_line_capped(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    tail = LogTail(log, max_line_chars=100, chunk_size=1000)
    log.write_bytes(b"y" * 10_000)
    assert tail.read_new() == []
    append(log, b"z" * 10_000 + b"\n")
    [u] = tail.read_new()
    assert u == Unparsed(1, "y" * 100)


def test_large_file_bounded_memory(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    # GLPI's search queries are long: about 2 KB of SQL per entry, 8 lines per entry.
    columns = ", ".join(f"`glpi_tickets`.`field_{i}` AS `ITEM_Ticket_{i}`" for i in range(40))
    sql = (
        "[2025-01-02 10:00:05] glpisqllog.ERROR: DBmysql::doQuery() in /var/www/glpi/src/DBmysql.php line 370\n"
        "  *** MySQL query error:\n"
        "  SQL: SELECT " + columns + " FROM `glpi_tickets` WHERE `id` = {n} AND `name` LIKE '%{n}%'\n"
        "  Error: Unknown column 'c{n}' in 'where clause'\n"
        "  Backtrace :\n"
        "  src/DBmysql.php:1080                               DBmysql->doQuery()\n"
        "  src/CommonDBTM.php:{n}                             CommonDBTM->getFromDB()\n"
        '  {{"user":"2@glpi-host"}}\n'
    )
    block = "".join(sql.format(n=i) for i in range(200)) + PHP + ACCESS
    data = block.encode()
    target = 50 * 1024 * 1024
    reps = target // len(data) + 1
    with open(log, "wb") as fh:
        for _ in range(reps):
            fh.write(data)
    size = log.stat().st_size
    expected_entries = reps * 202

    tail = LogTail(log)
    count = unparsed = max_frames = 0
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        for item in tail.iter_new(flush=True):
            if isinstance(item, Entry):
                count += 1
                max_frames = max(max_frames, len(item.frames))
            else:
                unparsed += 1
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\n{size / 2**20:.1f} MiB, {count} entries: {elapsed:.2f} s, tracemalloc peak {peak / 2**20:.2f} MiB")
    assert count == expected_entries and unparsed == 0 and max_frames == 2
    assert tail.offset == size and tail.line == reps * block.count("\n") + 1
    assert peak < 16 * 2**20
    # grouping a slice of the same entries: a handful of groups whatever the ids
    first = LogTail(log)
    groups = group(item for item, _ in zip(first.iter_new(max_bytes=len(data)), range(1000), strict=False))
    assert [g.count for g in groups] == [200, 1]
