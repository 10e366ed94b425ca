"""The redaction benchmark's corpus (bench/redaction_corpus.py) is sound: deterministic with the seed, every case
holds its secrets, ids are unique, every placeholder is filled, and the secret scoring counts what it says.
The redactor's recall is the benchmark's business, not this file's."""

from __future__ import annotations

import random
import re

import pytest

import redaction_corpus as rc
from redaction import secret_status


@pytest.fixture(scope="module")
def corpus() -> rc.Corpus:
    return rc.build(real_code=True, real_code_limit=120)


def test_the_same_seed_builds_the_same_corpus(corpus: rc.Corpus) -> None:
    again = rc.build(real_code=True, real_code_limit=120)
    assert again.secrets == corpus.secrets
    assert again.ordinary == corpus.ordinary


def test_another_seed_draws_other_values() -> None:
    a = rc.build(seed=1, real_code=False)
    b = rc.build(seed=2, real_code=False)
    assert [c.id for c in a.secrets] == [c.id for c in b.secrets]
    differing = sum(x.secrets != y.secrets for x, y in zip(a.secrets, b.secrets, strict=True))
    assert differing > 0.95 * len(a.secrets)


def test_every_case_holds_its_secrets(corpus: rc.Corpus) -> None:
    for case in corpus.secrets:
        assert case.secrets, case.id
        for secret in case.secrets:
            assert secret and secret in case.text, case.id
        assert len(case.masks) == len(case.secrets), case.id
        for secret, mask in zip(case.secrets, case.masks, strict=True):
            assert len(mask) == len(secret) and set(mask) <= {"x", "."}, case.id


def test_ids_are_unique(corpus: rc.Corpus) -> None:
    ids = [c.id for c in corpus.secrets] + [c.id for c in corpus.ordinary]
    assert len(ids) == len(set(ids))


def test_every_placeholder_is_filled(corpus: rc.Corpus) -> None:
    for case in [*corpus.secrets, *corpus.ordinary]:
        assert not rc.PLACEHOLDER.search(case.text), case.id


def test_an_unknown_placeholder_is_an_error() -> None:
    with pytest.raises(KeyError):
        rc.fill("password = <<missing>>", {"s": "x"})


def test_sizes_and_sources(corpus: rc.Corpus) -> None:
    groups = {c.source.split(":")[0] for c in corpus.secrets}
    assert groups == {"gitleaks", "detect-secrets", "issue-18"}
    assert len(corpus.secrets) >= 500
    ordinary_groups = {c.source.split(":")[0] for c in corpus.ordinary}
    assert {"gitleaks-fps", "detect-secrets", "issue-18", "stdlib"} <= ordinary_groups
    assert len(corpus.ordinary) >= 300


def test_real_code_records_where_it_came_from(corpus: rc.Corpus) -> None:
    real = [c for c in corpus.ordinary if c.origin]
    assert real
    for case in real:
        assert re.fullmatch(r"[^:]+:\d+", case.origin), case.origin
        assert rc.MENTION.search(case.text), case.id


def test_gitleaks_values_match_the_rule_they_stand_for() -> None:
    """A value generated from a rule's secret regex is matched by that regex (the data file is faithful)."""
    import tomllib

    with (rc.CORPUS / "gitleaks_rules.toml").open("rb") as f:
        rules = [r for r in tomllib.load(f)["rule"] if not r.get("skip")]
    assert len(rules) > 200
    for rule in rules:
        for seed in range(3):
            value = rc.Xeger(random.Random(seed)).generate(rule["value"])
            assert re.fullmatch(rule["value"], value), (rule["id"], value)


@pytest.mark.parametrize(
    "spec",
    [
        "password",
        "password_url",
        "password_shell",
        "password_human",
        "jwt",
        "uuid",
        "pem:RSA PRIVATE KEY",
        "pem_json:PRIVATE KEY",
        "b64pem:EC PRIVATE KEY",
        "basic:admin",
        "dockerconfigjson",
        "b64url:32",
        "ppk_private",
        "session_id",
        "glpi_token",
        "re:ghp_[A-Za-z0-9]{36}",
    ],
)
def test_value_specs(spec: str) -> None:
    text, core, mask = rc.value(spec, random.Random(7))
    assert core and core in text
    assert len(mask) == len(core)
    assert rc.value(spec, random.Random(7)) == (text, core, mask)


def test_a_prefix_is_marked_fixed() -> None:
    _, core, mask = rc.value("re:sk_live_[A-Za-z0-9]{24}", random.Random(1))
    assert mask == "." * 8 + "x" * 24
    assert core.startswith("sk_live_")


def test_scoring_of_a_secret() -> None:
    core, mask = "sk_live_" + "Ab3Xy9Qr7Lm2Pz5Kw8Nv4Ts1", "." * 8 + "x" * 24
    snippet = f'key = "{core}"'
    assert secret_status(core, snippet, snippet, (core,), mask) == ("kept", len(core))
    assert secret_status(core, 'key = "[REDACTED]"', snippet, (core,), mask) == ("removed", 0)
    assert secret_status(core, 'key = "sk_live_[REDACTED]"', snippet, (core,), mask) == ("removed", 0)
    assert secret_status(core, 'key = "sk_live_Ab3Xy9Q[REDACTED]"', snippet, (core,), mask) == ("removed", 0)
    assert secret_status(core, 'key = "sk_live_Ab3Xy9Qr[REDACTED]"', snippet, (core,), mask)[0] == "partial"
    # a piece that is also elsewhere in the snippet is not a leak
    other = "Ab3Xy9Qr7Lm2"
    assert secret_status(core, f'# {other}\nkey = "[R]" # {other}', f"# {other}\n{snippet}", (core,), mask)[0] == (
        "removed"
    )
