"""Shell commands (CWE-78): os.system/os.popen and asyncio's shell always; subprocess with shell=True, or given a
string (a list of arguments without a shell is fine)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one

if TYPE_CHECKING:
    from tree_sitter import Node

ALWAYS = frozenset(
    {
        "os.system",
        "os.popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "commands.getoutput",
        "asyncio.create_subprocess_shell",
        "asyncio.subprocess.create_subprocess_shell",
        "getoutput",
        "getstatusoutput",
    }
)
SUBPROCESS = frozenset({"run", "call", "check_call", "check_output", "Popen"})


def sinks(call: Call) -> Hits:
    if call.name in ALWAYS:
        return one(call.arg(0, "cmd", "command"), Sink("shell", call.name))
    if call.method and call.last == "subprocess_shell":  # an event loop's: (protocol_factory, cmd)
        return one(call.arg(1, "cmd"), Sink("shell", call.name))
    module = call.name.rsplit(".", 1)[0] if call.method else ""
    if call.last not in SUBPROCESS or module not in ("subprocess", "sp", "") or call.name == "call":
        return []
    command = call.arg(0, "args")
    if command is None:
        return []
    if call.keyword_text("shell") not in (None, "False", "0"):
        return [(item, Sink("shell", call.name)) for item in _items(command)]
    return [] if command.type in ("list", "tuple") else [(command, Sink("shell", call.name, string_only=True))]


def _items(node: Node) -> list[Node]:
    return list(node.named_children) if node.type in ("list", "tuple") else [node]
