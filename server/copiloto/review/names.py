"""What the review reads from names alone, shared by the flow check and the misuse rules: which modules are tests,
which calls write to a log, and which make HTTP requests."""

from __future__ import annotations

import re

LOG_LEVELS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})
# an HTTP client's request methods (requests.get, httpx.post, session.delete, client.stream)
HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "stream"})
# what makes an HTTP client object, by the library whose module-level calls it mirrors (aiohttp has none of its own)
HTTP_CLIENTS = {
    "requests.Session": "requests",
    "requests.session": "requests",
    "requests.sessions.Session": "requests",
    "httpx.Client": "httpx",
    "httpx.AsyncClient": "httpx",
    "aiohttp.ClientSession": "aiohttp",
}
LOGGER = re.compile(r"(?i)(^|_)(log|logger|logging)$|logger$")  # log, _log, app.logger, audit_logger, LOG


def is_test_module(filename: str) -> bool:
    """A test module (`test_x.py`, `x_test.py`, `conftest.py`): its keys, views and settings are fixtures."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def is_log_call(name: str) -> bool:
    """`logging.info`, `log.warning`, `self.logger.error`, `app.logger.debug`: a call that writes a log entry,
    by its dotted name."""
    receiver, _, method = name.rpartition(".")
    return method in LOG_LEVELS and (receiver == "logging" or bool(LOGGER.search(receiver.rsplit(".", 1)[-1])))
