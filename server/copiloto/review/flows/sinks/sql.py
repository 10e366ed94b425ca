"""SQL text (CWE-89): the query of execute/executemany/raw and of text(); the parameters are fine."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one

METHODS = frozenset({"execute", "executemany", "executescript", "raw", "mogrify", "exec_driver_sql"})
FUNCTIONS = frozenset({"text", "sqlalchemy.text", "sa.text", "sql.text", "RawSQL", "read_sql", "read_sql_query"})


def sinks(call: Call) -> Hits:
    if (call.method and call.last in METHODS) or call.name in FUNCTIONS or call.last in ("read_sql", "read_sql_query"):
        return one(call.arg(0, "sql", "query", "statement", "raw_query", "operation"), Sink("sql", call.name))
    return []
