"""Refresh the vendored gitleaks rules: `python -m copiloto.cloud.redact.refresh [--source URL|FILE] [--to FILE]`.

Fetches gitleaks' default configuration (MIT; its licence stays beside it in rules/), checks that it is TOML with
rules and that every rule's regex translates and compiles for Python's `re`, and only then replaces the file, so
a bad download never leaves redaction without rules. It prints how many rules came, went and stayed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
import urllib.request
from pathlib import Path

from copiloto.cloud.redact.gitleaks import RULES_FILE, load

SOURCE = "https://raw.githubusercontent.com/gitleaks/gitleaks/master/config/gitleaks.toml"
TIMEOUT_S = 30


class RefreshError(RuntimeError):
    """The new rules could not be fetched or do not work here; the old ones stay."""


def fetch(source: str) -> str:
    if Path(source).is_file():
        return Path(source).read_text(encoding="utf-8")
    if not source.startswith("https://"):
        raise RefreshError(f"{source} is neither a file nor an https:// address")
    try:
        with urllib.request.urlopen(source, timeout=TIMEOUT_S) as response:
            body: bytes = response.read()
    except OSError as exc:
        raise RefreshError(f"cannot fetch {source}: {exc}") from exc
    return body.decode("utf-8")


def rule_ids(text: str) -> set[str]:
    """The ids of the rules in a gitleaks configuration; RefreshError when it is not one or a rule will not compile."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RefreshError(f"not TOML: {exc}") from exc
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise RefreshError("no [[rules]] in it")
    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp, "gitleaks.toml")
        candidate.write_text(text, encoding="utf-8")
        try:
            load(candidate)
        except Exception as exc:  # a regex that does not compile, a field of the wrong type
            raise RefreshError(f"a rule does not load: {exc}") from exc
    return {str(r.get("id")) for r in rules}


def refresh(source: str = SOURCE, target: Path = RULES_FILE) -> tuple[set[str], set[str], set[str]]:
    """Replace `target` with the rules at `source`; (added, removed, kept) rule ids."""
    text = fetch(source)
    new = rule_ids(text)
    old = rule_ids(target.read_text(encoding="utf-8")) if target.is_file() else set()
    partial = target.with_suffix(".part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return new - old, old - new, new & old


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m copiloto.cloud.redact.refresh", description=__doc__)
    parser.add_argument("--source", default=SOURCE, help=f"an https:// address or a file (default: {SOURCE})")
    parser.add_argument("--to", type=Path, default=RULES_FILE, help="the file to replace (default: the vendored one)")
    args = parser.parse_args(argv)
    try:
        added, removed, kept = refresh(args.source, args.to)
    except RefreshError as exc:
        print(f"gitleaks rules not refreshed: {exc}", file=sys.stderr)
        return 1
    print(f"{args.to}: {len(kept)} rules kept, {len(added)} added, {len(removed)} removed")
    for label, ids in (("added", added), ("removed", removed)):
        if ids:
            print(f"  {label}: {', '.join(sorted(ids))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
