"""gitleaks' rule set as data: RE2 read as Python `re`, every vendored rule loaded, what each rule's own settings
(secret group, entropy, allow-lists) do, and the refresh script that replaces the file."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from copiloto.cloud.redact import gitleaks
from copiloto.cloud.redact.refresh import RefreshError, main, refresh

VENDORED = gitleaks.RULES_FILE


@pytest.mark.parametrize(
    ("re2", "python"),
    [
        (r"(?i)abc", r"(?i)abc"),  # a flag at the start is Python's too
        (r"abc(?i)def", r"abc(?i:def)"),  # ... elsewhere it runs to the end of its group
        (r"\b(p8e-(?i)[a-z0-9]{32})\b", r"\b(p8e-(?i:[a-z0-9]{32}))\b"),
        (r"(a(?i)b)c(?i)d", r"(a(?i:b))c(?i:d)"),
        (r"x(?:[^\w-]|\z)", r"x(?:[^\w-]|\Z)"),
        (r"pat[[:alnum:]]{14}", r"pat[a-zA-Z0-9]{14}"),
        (r"[[a]", r"[\[a]"),
        (r"[]a]", r"[\]a]"),
        (r"\(?i\)", r"\(?i\)"),  # escaped: not a flag
        (r"(?-i:acc)", r"(?-i:acc)"),
    ],
)
def test_re2_patterns_are_translated(re2: str, python: str) -> None:
    assert gitleaks.translate(re2) == python
    re.compile(gitleaks.translate(re2))


def test_every_vendored_rule_with_a_regex_loads() -> None:
    data = tomllib.loads(VENDORED.read_text(encoding="utf-8"))
    rules, everywhere = gitleaks.load()
    assert len(rules) == sum(1 for r in data["rules"] if r.get("regex")) >= 200
    assert everywhere.regexes, "the global allow-list came along"
    assert (VENDORED.parent / "LICENSE-gitleaks").read_text(encoding="utf-8").startswith("MIT License")


def test_a_flag_in_the_middle_matches_case_insensitively_from_there_on() -> None:
    hex64 = "0123456789abcdef" * 4
    token = "s-s4t2ud-" + hex64.upper()
    assert "intra42-client-secret" in {h.kind for h in gitleaks.find(f"x {token}\n")}
    assert "intra42-client-secret" not in {h.kind for h in gitleaks.find(f"x S-S4T2UD-{hex64}\n")}, "the prefix stays"


def test_the_secret_is_the_rules_group_and_allow_lists_hold() -> None:
    text = "aws_key = " + "AKIA" + "ABCDEFGHIJKLMNOP" + "\n"
    (hit,) = [h for h in gitleaks.find(text) if h.kind == "aws-access-token"]
    assert text[hit.start : hit.end] == "AKIA" + "ABCDEFGHIJKLMNOP"
    assert not [h for h in gitleaks.find("k = " + "AKIA" + "IOSFODNN7EXAMPLE\n") if h.kind == "aws-access-token"]
    low = "api_key = 'aaaaaaaaaaaaaaaaaaaa'\n"  # below generic-api-key's entropy, and on the global allow-list
    assert not [h for h in gitleaks.find(low) if h.kind == "generic-api-key"]


def test_refresh_replaces_the_file_and_reports_what_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "gitleaks.toml"
    fewer = VENDORED.read_text(encoding="utf-8").replace('id = "1password-secret-key"', 'id = "renamed-rule"')
    target.write_text(fewer, encoding="utf-8")
    added, removed, kept = refresh(str(VENDORED), target)
    assert (added, removed) == ({"1password-secret-key"}, {"renamed-rule"}) and len(kept) >= 200
    assert target.read_text(encoding="utf-8") == VENDORED.read_text(encoding="utf-8")
    assert main(["--source", str(VENDORED), "--to", str(target)]) == 0
    assert "rules kept, 0 added, 0 removed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not = [toml", "not TOML"),
        ('title = "x"\n', r"no \[\[rules\]\]"),
        ("[[rules]]\nid = 'x'\nregex = '''(unclosed'''\n", "does not load"),
    ],
)
def test_a_bad_source_leaves_the_rules_as_they_were(tmp_path: Path, content: str, reason: str) -> None:
    source, target = tmp_path / "new.toml", tmp_path / "gitleaks.toml"
    source.write_text(content, encoding="utf-8")
    target.write_text(VENDORED.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(RefreshError, match=reason):
        refresh(str(source), target)
    assert target.read_text(encoding="utf-8") == VENDORED.read_text(encoding="utf-8")
    assert main(["--source", str(source), "--to", str(target)]) == 1
    with pytest.raises(RefreshError, match="https"):
        refresh("http://example.invalid/gitleaks.toml", target)
