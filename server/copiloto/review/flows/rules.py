"""What the flow check knows about a tainted value, the rules it reports under, and how a flow becomes a finding.

A rule is a category of sink (SQL text, a shell command, ...): its code, its CWE and how bad it is. Whether a
taint counts at a sink is decided here too, from what the taint carries: which sanitisers it went through,
whether it came from a local user (input(), sys.argv) rather than over the network, and the constant text
that stands before it (an outbound URL whose host is already fixed is not SSRF).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from copiloto.review.security import SecurityFinding, Severity

SOURCE = "copiloto/flows"
UNKNOWN = "\0"  # in a prefix: untainted text whose value we do not know (a variable, a call)
# a constant start that still leaves the host (or the path's first segment) to the attacker
OPEN_STARTS = frozenset({"", "/", "//", "http://", "https://", "http:", "https:"})
REMOTE_ONLY = frozenset(
    {
        "path",
        "redirect",
        "ssrf",
        "template",
        "xss",
        "include",
        "ldap",
        "xpath",
        "regex",
        "log",
        "header",
        "reflect",
        "fields",
    }
)


@dataclass(frozen=True)
class Taint:
    """A value that holds data from outside, and where that data came in."""

    origin: str  # the source as written: request.args['name']
    line: int  # 1-based line of the source
    local: bool = False  # from the local user (input(), sys.argv), not from a request
    cleared: frozenset[str] = frozenset()  # categories a sanitiser made it safe for
    prefix: str = ""  # constant text before the first tainted part; UNKNOWN marks untainted unknown text
    container: bool = False  # a list/tuple holding tainted items, not a string


@dataclass(frozen=True)
class Rule:
    code: str
    cwe: int
    severity: Severity
    noun: str  # what the sink takes: "SQL text"
    name: str  # snake_case, like bandit's test names


RULES: dict[str, Rule] = {
    "sql": Rule("CF-SQL", 89, "error", "SQL text", "sql_injection_flow"),
    "shell": Rule("CF-SHELL", 78, "error", "shell command", "command_injection_flow"),
    "path": Rule("CF-PATH", 22, "warning", "file path", "path_traversal_flow"),
    "redirect": Rule("CF-REDIRECT", 601, "warning", "redirect target", "open_redirect_flow"),
    "ssrf": Rule("CF-SSRF", 918, "warning", "outbound URL", "ssrf_flow"),
    "template": Rule("CF-TEMPLATE", 1336, "error", "template source", "template_injection_flow"),
    "xss": Rule("CF-XSS", 79, "warning", "HTML output", "xss_flow"),
    "deserialise": Rule("CF-DESERIALISE", 502, "error", "deserialised data", "unsafe_deserialisation_flow"),
    "include": Rule("CF-INCLUDE", 98, "error", "included file", "file_inclusion_flow"),
    "code": Rule("CF-CODE", 94, "error", "code", "code_injection_flow"),
    "ldap": Rule("CF-LDAP", 90, "error", "LDAP filter", "ldap_injection_flow"),
    "xpath": Rule("CF-XPATH", 643, "error", "XPath expression", "xpath_injection_flow"),
    "regex": Rule("CF-REGEX", 730, "warning", "regular expression", "regex_injection_flow"),
    "log": Rule("CF-LOG", 117, "warning", "log entry", "log_injection_flow"),
    "header": Rule("CF-HEADER", 113, "warning", "response header", "header_injection_flow"),
    "reflect": Rule("CF-REFLECT", 470, "warning", "attribute name", "unsafe_reflection_flow"),
    "fields": Rule("CF-MASS-ASSIGN", 915, "warning", "model fields", "mass_assignment_flow"),
}


@dataclass(frozen=True)
class Sink:
    """An argument of a call that must not carry outside data."""

    category: str  # a key of RULES
    label: str  # the call as written: cursor.execute
    string_only: bool = False  # only a string counts (subprocess without shell=True: a list is fine)


@dataclass(frozen=True)
class Flow:
    taint: Taint
    sink: Sink
    line: int  # 1-based, the sink's line
    column: int
    end_column: int | None = field(default=None)


def counts(taint: Taint, sink: Sink) -> bool:
    """Whether `taint` reaching `sink` is a finding."""
    if sink.category in taint.cleared or (taint.local and sink.category in REMOTE_ONLY):
        return False
    if sink.string_only and taint.container:
        return False
    if sink.category in ("ssrf", "redirect"):
        return taint.prefix.strip() in OPEN_STARTS
    return True


def clear(taint: Taint | None, categories: frozenset[str]) -> Taint | None:
    return None if taint is None else replace(taint, cleared=taint.cleared | categories)


def finding(flow: Flow) -> SecurityFinding:
    rule = RULES[flow.sink.category]
    who = "the local user's input" if flow.taint.local else "request data"
    return SecurityFinding(
        line=flow.line,
        column=flow.column,
        end_column=flow.end_column,
        severity="warning" if flow.taint.local and rule.severity == "error" else rule.severity,
        source=SOURCE,
        code=rule.code,
        name=rule.name,
        message=f"{flow.taint.origin} (line {flow.taint.line}) reaches {flow.sink.label} {rule.noun} "
        f"(line {flow.line}): {who} decides it",
        cwe=rule.cwe,
        cwe_link=f"https://cwe.mitre.org/data/definitions/{rule.cwe}.html",
        bandit_severity="HIGH" if rule.severity == "error" else "MEDIUM",
        bandit_confidence="MEDIUM",
    )
