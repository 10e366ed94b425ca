"""A GLPI log that grows by 1 GiB between two looks: read to its end in bounded memory, every entry counted,
and the next append read from where it stopped."""

from __future__ import annotations

import resource
import time
from pathlib import Path

from copiloto.logs.watch import LogWatch

# GLPI's search queries are long: about 2 KB of SQL per entry.
COLUMNS = ", ".join(f"`glpi_tickets`.`field_{i}` AS `ITEM_Ticket_{i}`" for i in range(40))
ENTRY = (
    "[2025-01-02 10:00:{s:02d}] glpisqllog.ERROR: DBmysql::doQuery() in /var/www/glpi/src/DBmysql.php line 370\n"
    "  *** MySQL query error:\n"
    "  SQL: SELECT " + COLUMNS + " FROM `glpi_tickets` WHERE `id` = {n}\n"
    "  Error: Unknown column 'c{n}' in 'where clause'\n"
    "  Backtrace :\n"
    "  src/DBmysql.php:1080                               DBmysql->doQuery()\n"
)


def test_a_gigabyte_appended_is_read_in_bounded_memory(tmp_path: Path) -> None:
    log = tmp_path / "files" / "_log" / "sql-errors.log"
    log.parent.mkdir(parents=True)
    log.write_text(ENTRY.format(s=0, n=0))
    watch = LogWatch([tmp_path])
    assert watch.update(log)
    block = "".join(ENTRY.format(s=n % 60, n=n) for n in range(500)).encode()
    reps = 2**30 // len(block) + 1
    with log.open("ab") as fh:
        for _ in range(reps):
            fh.write(block)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB, the peak so far
    started = time.perf_counter()
    assert watch.update(log)
    elapsed = time.perf_counter() - started
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(f"\n{log.stat().st_size / 2**30:.2f} GiB read in {elapsed:.1f} s, peak RSS grew by {grown / 1024:.1f} MiB")
    [group] = watch.findings(log)
    assert group.count == 1 + reps * 500, "every entry of the gigabyte is counted, in one group"
    assert grown < 64 * 1024, "memory stays bounded (the peak grew by less than 64 MiB)"
    with log.open("ab") as fh:
        fh.write(ENTRY.format(s=1, n=1).encode())
    assert watch.update(log) and watch.findings(log)[0].count == 2 + reps * 500, "then only the append is read"
    log.unlink()
