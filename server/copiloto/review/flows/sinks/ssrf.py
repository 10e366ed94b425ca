"""Outbound URLs (CWE-918): an HTTP client asked to fetch a URL whose start (scheme, host) the request chose."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one
from copiloto.review.names import HTTP_VERBS

# aiohttp has no module-level get(): its calls reach here from a ClientSession (python._clients)
CLIENTS = frozenset({"requests", "httpx", "aiohttp", "urllib.request", "urllib2", "urllib3"})
OPENERS = frozenset({"urlopen", "urllib.request.urlopen", "urllib2.urlopen", "urllib.request.Request", "urlretrieve"})


def sinks(call: Call) -> Hits:
    module = call.name.rsplit(".", 1)[0] if call.method else ""
    if call.name in OPENERS or (module in CLIENTS and call.last in ("urlopen", "urlretrieve", "Request")):
        return one(call.arg(0, "url"), Sink("ssrf", call.name))
    if module in CLIENTS and call.last in HTTP_VERBS:
        return one(call.arg(0, "url"), Sink("ssrf", call.name))
    if module in CLIENTS and call.last == "request":
        return one(call.arg(1, "url"), Sink("ssrf", call.name))
    return []
