"""The local model rates log entries no rule recognises: once per signature, within a budget."""

from __future__ import annotations

from copiloto.engine.local import LocalEngine
from copiloto.logs.classify import ModelClassifier
from copiloto.logs.entries import Entry, parse_text
from copiloto.logs.group import GroupIndex, rule_severity

UNKNOWN = "2025-01-02 10:02:00 [2@glpi-host]\nPlugin fields: the container 7 was rebuilt with 3 columns dropped\n"


def entry(text: str = UNKNOWN) -> Entry:
    [found] = [item for item in parse_text(text) if isinstance(item, Entry)]
    return found


def test_no_rule_decides_this_entry() -> None:
    assert rule_severity(entry()) is None


def test_the_model_rates_it_once_per_signature(tiny_engine: LocalEngine) -> None:
    classify = ModelClassifier(tiny_engine)
    index = GroupIndex(classify=classify)
    index.extend(parse_text(UNKNOWN + UNKNOWN.replace("10:02", "10:05")))
    [group] = index.groups()
    assert group.count == 2 and group.level in ("error", "warning", "information")
    assert classify.asked == 1 and classify.invalid == 0


def test_the_budget_bounds_the_questions(tiny_engine: LocalEngine) -> None:
    classify = ModelClassifier(tiny_engine, budget=1)
    assert classify(entry()) is not None
    assert classify(entry()) is None  # over budget: the rules' default applies
    assert classify.asked == 1


def test_an_engine_that_is_not_ready_is_not_asked(tiny_engine: LocalEngine) -> None:
    class Closed:
        state = "closed"

    classify = ModelClassifier(Closed())  # type: ignore[arg-type]
    assert classify(entry()) is None and classify.asked == 0
