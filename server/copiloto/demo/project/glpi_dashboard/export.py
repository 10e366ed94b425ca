"""Export the dashboard's tickets for the weekly report."""

from __future__ import annotations

import subprocess
from pathlib import Path


def dump_tickets(database: str, target: Path) -> None:
    subprocess.run(f"mysqldump {database} glpi_tickets > {target}", shell=True, check=True)


def ticket_ids(lines: list[str]) -> list[int]:
    return [int(line.split(";")[0]) for line in lines if line.strip()]
