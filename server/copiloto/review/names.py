"""What the review reads from names alone, shared by the flow check and the misuse rules: which modules are tests,
and which calls write to a log."""

from __future__ import annotations

import re

LOG_LEVELS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"})
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
