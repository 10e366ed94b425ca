"""copiloto.logs.group: signature normalisation, grouping and the severity table."""

from __future__ import annotations

from datetime import datetime

import pytest

from copiloto.logs.entries import Entry, Frame, Unparsed, parse_text
from copiloto.logs.group import GroupIndex, Severity, group, normalise, rule_severity, severity, signature


def entry(
    message: str,
    *,
    level: str | None = "ERROR",
    channel: str | None = "glpiphplog",
    kind: str = "monolog",
    frames: tuple[Frame, ...] = (),
    time: datetime | None = None,
    fields: tuple[tuple[str, str], ...] = (),
) -> Entry:
    return Entry(time, channel, level, message, frames, kind, 1, 1, message, fields=fields)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Item 12 not found", "Item <n> not found"),
        ("at 2025-01-02 10:00:00 done", "at <ts> done"),
        ("object 0x7f3a12 freed", "object <hex> freed"),
        ("token deadbeef1234 bad", "token <hex> bad"),
        ("uuid 123e4567-e89b-12d3-a456-426614174000 x", "uuid <uuid> x"),
        ("glpi log in from IP 127.0.0.1", "glpi log in from IP <ip>"),
        ("WHERE `name` = 'bob' AND `id` IN (1, 2, 3)", "WHERE `name` = '<s>' AND `id` IN (<list>)"),
        ('key "abc" missing', 'key "<s>" missing'),
        ("User ID: `7` on `/front/ticket.form.php?id=42`", "User ID: `<n>` on `/front/ticket.form.php?id=<n>`"),
        ("can't open /var/lib/php/sessions/sess_k3j4h5g6f7d8s9a0q1w2", "can't open /var/lib/php/sessions/sess_<id>"),
        ("utf8mb4 charset", "utf8mb4 charset"),
        ("a   b\n c", "a b c"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_same_except_ids_group_together() -> None:
    f = (Frame("src/Ticket.php", 120, "Ticket->show()"),)
    a = entry("Item 12 of type Ticket not found (id 0x1f2e)", frames=f, time=datetime(2025, 1, 2, 10))
    b = entry("Item 9876 of type Ticket not found (id 0xdead)", frames=f, time=datetime(2025, 1, 2, 9))
    assert signature(a) == signature(b)
    assert signature(a).endswith("@ src/Ticket.php:120")
    [g] = group([a, b])
    assert g.count == 2 and g.latest is b
    assert (g.first, g.last) == (datetime(2025, 1, 2, 9), datetime(2025, 1, 2, 10))


def test_different_top_frame_different_group() -> None:
    a = entry("Item 12 not found", frames=(Frame("src/Ticket.php", 120, None),))
    b = entry("Item 12 not found", frames=(Frame("src/Ticket.php", 121, None),))
    c = entry("Item 12 not found", frames=(Frame("src/Change.php", 120, None),))
    assert len({signature(a), signature(b), signature(c)}) == 3
    assert len(group([a, b, c])) == 3


def test_location_from_message_when_no_frames() -> None:
    a = entry("PHP Warning (2): Undefined variable $x in /var/www/glpi/src/A.php at line 10")
    b = entry("PHP Warning (2): Undefined variable $x in /var/www/glpi/src/A.php at line 11")
    assert signature(a).endswith("@ /var/www/glpi/src/A.php:10")
    assert signature(a) != signature(b)


def test_sql_signature_uses_error_and_query() -> None:
    base = "[2025-01-02 10:00:05] glpisqllog.ERROR: DBmysql::doQuery() in /x/src/DBmysql.php line 370\n"

    def sql(query: str, error: str) -> str:
        return base + f"  *** MySQL query error:\n  SQL: {query}\n  Error: {error}\n"

    items = parse_text(
        sql("SELECT * FROM `glpi_tickets` WHERE `id` = 5", "Unknown column 'a'")
        + sql("SELECT * FROM `glpi_tickets` WHERE `id` = 77", "Unknown column 'b'")
        + sql("SELECT * FROM `glpi_users` WHERE `id` = 5", "Unknown column 'a'")
    )
    groups = group(items)
    assert [g.count for g in groups] == [2, 1]
    assert "error: Unknown column '<s>'" in groups[0].signature
    assert "sql: SELECT * FROM `glpi_tickets` WHERE `id` = <n>" in groups[0].signature


def test_toolbox_event_signature_groups_logins() -> None:
    text = (
        "2025-01-02 10:01:00 [2@h]\n[login] 3: glpi log in from IP 127.0.0.1\n"
        "2025-01-02 10:05:00 [4@h]\n[login] 3: tech log in from IP 10.0.0.8\n"
    )
    groups = group(parse_text(text))
    assert len(groups) == 2  # user names differ
    text2 = text.replace("tech", "glpi")
    [g] = group(parse_text(text2))
    assert g.signature == "login: [login] <n>: glpi log in from IP <ip>"
    assert g.count == 2 and g.level == "information"


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("EMERGENCY", "error"),
        ("ALERT", "error"),
        ("CRITICAL", "error"),
        ("ERROR", "error"),
        ("WARNING", "warning"),
        ("NOTICE", "information"),
        ("INFO", "information"),
        ("DEBUG", "hint"),
    ],
)
def test_severity_monolog_levels(level: str, expected: str) -> None:
    assert severity(entry("something", level=level)) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("[login] 3: glpi log in from IP 127.0.0.1", "information"),
        ("Error during message parsing (header missing)", "warning"),
        ("Connection to LDAP server failed", "warning"),
        ("Access denied for user", "warning"),
        ("Fatal: mail collector crashed", "error"),
        ("Deprecated option used", "information"),
        ("cron task done", "information"),
    ],
)
def test_severity_toolbox_keywords(message: str, expected: str) -> None:
    assert severity(entry(message, level=None, channel=None, kind="toolbox")) == expected


def test_severity_sql_and_access() -> None:
    assert severity(entry("x", level="INFO", fields=(("sql", "SELECT 1"),))) == "error"
    assert severity(entry("x", level=None, channel="glpisqllog")) == "error"
    assert severity(entry("User ID: `7` tried ...", level=None, channel=None, kind="access")) == "warning"


def test_group_level_is_worst_and_unparsed_counted() -> None:
    index = GroupIndex()
    index.extend([entry("x 1", level="NOTICE"), Unparsed(2, "junk"), entry("x 2", level="NOTICE")])
    index.add(entry("x 3", level="NOTICE"))
    [g] = index.groups()
    assert g.count == 3 and g.level == "information" and index.unparsed == 1
    # The level is part of the signature, so a WARNING with the same text is its own group.
    index.add(entry("x 4", level="WARNING"))
    assert [g.level for g in index.groups()] == ["information", "warning"]


def test_group_index_bounded() -> None:
    index = GroupIndex(max_groups=3)
    for i in range(5):
        index.add(entry("same", frames=(Frame(f"src/F{i}.php", 1, None),)))
    index.add(entry("same", frames=(Frame("src/F4.php", 1, None),)))
    groups = index.groups()
    assert len(groups) == 3 and index.evicted == 2
    assert [g.signature.rsplit("@ ", 1)[1] for g in groups] == ["src/F2.php:1", "src/F3.php:1", "src/F4.php:1"]
    assert groups[-1].count == 2


def toolbox(message: str) -> Entry:
    return entry(message, level=None, channel=None, kind="toolbox")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (entry("something", level="CRITICAL"), "error"),
        (entry("something", level="warning"), "warning"),  # level names are case-insensitive
        (entry("something", level="DEBUG"), "hint"),
        (entry("x", level="INFO", fields=(("sql", "SELECT 1"),)), "error"),
        (entry("x", level=None, channel="glpisqllog"), "error"),
        (entry("User ID: `7` tried ...", level=None, channel=None, kind="access"), "warning"),
        (toolbox("Connection to LDAP server failed"), "warning"),
        (toolbox("Deprecated option used"), "information"),
        (toolbox("cron task done"), None),
        (toolbox("[login] 3: glpi log in from IP 127.0.0.1"), None),
        (entry("an odd level", level="VERBOSE"), None),  # unknown level, no keyword
        (entry("an odd level that failed", level="VERBOSE"), "warning"),
        (entry("[2025-01-02 10:00:00] plain", level=None, channel=None, kind="other"), None),
    ],
)
def test_rule_severity(item: Entry, expected: str | None) -> None:
    assert rule_severity(item) == expected
    assert severity(item) == (expected or "information")


class Classifier:
    """A classify hook that records its calls and answers from a script."""

    def __init__(self, answer: object) -> None:
        self.answer = answer
        self.calls: list[str] = []

    def __call__(self, item: Entry) -> Severity | None:
        self.calls.append(item.message)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("error", "error"),
        ("warning", "warning"),
        ("hint", "hint"),
        (None, "information"),
        (RuntimeError("model not loaded"), "information"),
        ("catastrophic", "information"),  # not a severity
        (["error"], "information"),  # not even a string
    ],
)
def test_group_index_classify_hook(answer: object, expected: str) -> None:
    hook = Classifier(answer)
    index = GroupIndex(classify=hook)
    items = [
        toolbox("cron task 1 done"),
        toolbox("mail collector idle"),
        toolbox("cron task 2 done"),  # same signature as the first
        toolbox("Connection to LDAP server failed"),  # a rule decides: classify is not asked
        entry("something", level="NOTICE"),
        toolbox("mail collector idle"),
    ]
    index.extend(items)
    if expected != "information":
        assert hook.calls == ["cron task 1 done", "mail collector idle"], "once per signature"
    else:  # no answer (yet): asked again when the signature comes back, never for the rule-decided ones
        assert hook.calls == ["cron task 1 done", "mail collector idle", "cron task 2 done", "mail collector idle"]
    assert [(g.count, g.level) for g in index.groups()] == [
        (2, expected),
        (2, expected),
        (1, "warning"),
        (1, "information"),
    ]


def test_reclassify_gives_late_answers_to_existing_groups() -> None:
    hook = Classifier(None)  # a background classifier that does not know yet
    index = GroupIndex(classify=hook)
    index.extend([toolbox("cron task 1 done"), toolbox("Connection to LDAP server failed")])
    assert [g.level for g in index.groups()] == ["information", "warning"]
    assert not index.reclassify(), "still no answer: nothing changes"
    hook.answer = "error"  # the answer arrived
    assert index.reclassify()
    assert [g.level for g in index.groups()] == ["error", "warning"], "the rule-decided group is left alone"
    calls = len(hook.calls)
    assert not index.reclassify() and len(hook.calls) == calls, "answered signatures are not asked again"


def test_group_index_classify_cache_bounded() -> None:
    hook = Classifier("warning")
    index = GroupIndex(max_groups=2, classify=hook)
    for name in ("a", "b", "a", "c", "a", "b"):
        index.add(toolbox(f"task {name} done"))
    # "a" stays recently used; "b" was dropped by "c" and is asked again
    assert hook.calls == ["task a done", "task b done", "task c done", "task b done"]


def test_group_index_without_classify_defaults_to_information() -> None:
    index = GroupIndex()
    index.add(toolbox("cron task done"))
    assert [g.level for g in index.groups()] == ["information"]
