"""The local model rates log entries no rule recognises: in the background, once per signature, within a
budget; the groups get the answer when it comes."""

from __future__ import annotations

from copiloto.engine.local import LocalEngine
from copiloto.logs.classify import ModelClassifier
from copiloto.logs.entries import Entry, parse_text
from copiloto.logs.group import GroupIndex, rule_severity

UNKNOWN = "2025-01-02 10:02:00 [2@glpi-host]\nPlugin fields: the container 7 was rebuilt with 3 columns dropped\n"
OTHER = "2025-01-02 10:04:00 [2@glpi-host]\nPlugin fields: 12 dropdowns imported from the CSV file\n"


def entry(text: str = UNKNOWN) -> Entry:
    [found] = [item for item in parse_text(text) if isinstance(item, Entry)]
    return found


def test_no_rule_decides_these_entries() -> None:
    assert rule_severity(entry()) is None and rule_severity(entry(OTHER)) is None


def test_the_model_answers_in_the_background_and_the_groups_follow(tiny_engine: LocalEngine) -> None:
    answered: list[bool] = []
    classify = ModelClassifier(lambda: tiny_engine, on_answer=lambda: answered.append(True))
    index = GroupIndex(classify=classify)
    index.extend(parse_text(UNKNOWN + UNKNOWN.replace("10:02", "10:05")))
    [group] = index.groups()
    assert group.count == 2 and group.level == "information", "reading the log does not wait for the model"
    assert classify.wait_idle(60)
    assert answered == [True] and classify.asked == 1 and classify.invalid == 0
    answer = classify.answers[group.signature]
    assert index.reclassify() == (answer != "information")
    assert index.groups()[0].level == answer
    classify.close()


def test_the_budget_bounds_the_questions(tiny_engine: LocalEngine) -> None:
    classify = ModelClassifier(lambda: tiny_engine, budget=1)
    assert classify(entry()) is None and classify(entry(OTHER)) is None
    assert classify.wait_idle(60)
    assert classify.asked == 1 and len(classify.answers) == 1, "the second signature was over budget"
    assert classify(entry()) is not None, "a known answer is given at once"
    classify.close()


def test_without_an_engine_nothing_is_answered() -> None:
    classify = ModelClassifier(lambda: None)
    assert classify(entry()) is None
    assert classify.wait_idle(10)
    assert classify.answers == {}
    classify.close()
