"""The sinks of Python code, one small module per category: each looks at a call and names the arguments
that must not carry outside data. They see the call as written (names, not types): `cursor.execute` is a
SQL sink whatever `cursor` is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

    from copiloto.review.flows.rules import Sink


@dataclass(frozen=True)
class Call:
    name: str  # the callee as written, spaces dropped: cursor.execute, subprocess.run, open
    args: tuple[Node, ...]  # positional arguments
    kwargs: Mapping[str, Node]  # keyword arguments by name

    @property
    def last(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def method(self) -> bool:
        return "." in self.name

    def arg(self, index: int, *keywords: str) -> Node | None:
        if index < len(self.args):
            return self.args[index]
        return next((self.kwargs[k] for k in keywords if k in self.kwargs), None)

    def keyword_text(self, keyword: str) -> str | None:
        node = self.kwargs.get(keyword)
        return None if node is None or node.text is None else node.text.decode("utf-8", "replace")


def literal(node: Node) -> str | None:
    """The value of a plain string literal (no f-string parts); None for anything else."""
    if node.type != "string" or any(c.type == "interpolation" for c in node.named_children):
        return None
    return "".join(
        (c.text or b"").decode("utf-8", "replace") for c in node.named_children if c.type == "string_content"
    )


Hits = list[tuple["Node", "Sink"]]
Checker = Callable[[Call], Hits]


def one(node: Node | None, sink: Sink) -> Hits:
    return [] if node is None else [(node, sink)]


@cache
def checkers() -> tuple[Checker, ...]:
    from copiloto.review.flows.sinks import (
        code,
        deserialise,
        fields,
        header,
        log,
        path,
        query,
        redirect,
        reflect,
        shell,
        sql,
        ssrf,
        template,
        xss,
    )

    return (
        sql.sinks,
        shell.sinks,
        path.sinks,
        redirect.sinks,
        ssrf.sinks,
        template.sinks,
        deserialise.sinks,
        code.sinks,
        query.sinks,
        xss.sinks,
        log.sinks,
        header.sinks,
        reflect.sinks,
        fields.sinks,
    )
