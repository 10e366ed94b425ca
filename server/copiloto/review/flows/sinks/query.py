"""Query languages other than SQL, built from outside data: LDAP filters (CWE-90), XPath (CWE-643), and
regular expressions whose pattern the request chose (CWE-730: one pattern can hang the worker)."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one

# python-ldap: search_s(base, scope, filterstr); ldap3: Connection.search(search_base, search_filter)
LDAP_SEARCHES = frozenset({"search", "search_s", "search_st", "search_ext", "search_ext_s", "paged_search"})
XPATH = frozenset({"xpath", "XPath", "lxml.etree.XPath", "etree.XPath"})
REGEX = frozenset(
    {"re.compile", "re.search", "re.match", "re.fullmatch", "re.findall", "re.finditer", "re.sub", "re.split"}
)


def sinks(call: Call) -> Hits:
    if call.method and call.last in LDAP_SEARCHES and _looks_like_ldap(call):
        index, keywords = (2, ("filterstr",)) if call.last.endswith(("_s", "_st", "_ext")) else (1, ("search_filter",))
        return one(call.arg(index, *keywords), Sink("ldap", call.name))
    if call.name in XPATH or (call.method and call.last == "xpath"):
        return one(call.arg(0, "_path", "path"), Sink("xpath", call.name))
    if call.name in REGEX:
        return one(call.arg(0, "pattern"), Sink("regex", call.name))
    return []


def _looks_like_ldap(call: Call) -> bool:
    """`search` is a common method name: only a receiver named for LDAP, or python-ldap's `_s` variants with
    their scope argument, count."""
    receiver = call.name.rsplit(".", 1)[0].lower()
    if "ldap" in receiver or receiver == "l" or receiver.endswith(("conn", "connection")):
        return call.last != "search" or len(call.args) >= 2 or "search_filter" in call.kwargs
    return call.last.endswith("_s") and len(call.args) >= 3
