"""A fix the local model proposes for a bandit finding that no rewrite of this package fixes.

The model sees the flagged statement, a few lines around it and bandit's message, and answers the statement's
new lines in JSON (a grammar made from `ModelAnswer` holds it to that). The answer is put in place of the
statement's lines at their indentation and goes through the rewrites' own `check`: the text parses, bandit no
longer reports the finding at that place, and reports nothing new. Before that, since bandit cannot tell a fix
from code that was dropped along with its finding, an answer is refused when it silences bandit (`# nosec`),
deletes the statement, stops assigning a name the statement assigned, stops making a call other than the
flagged one (or any call, when the flagged node is one), or reads a name nothing defines; a standard module it
reads without the file importing it gets an `import` line of its own first. Nothing unchecked is returned.

The engine decodes greedily: the same prompt would give the same answer, so the second sample is asked with
the first answer and why it was rejected.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import re
import sys
import textwrap
from dataclasses import dataclass

from pydantic import BaseModel

from copiloto.engine.chat import ChatPrompt
from copiloto.engine.structured import ask
from copiloto.engine.types import Engine, Priority, Stopped, never_stopped
from copiloto.review.fixes import REGISTRY, Attempt, Fix, check, finding_at
from copiloto.review.fixes._edit import dotted
from copiloto.review.security import SecurityFinding

TITLE = "Fix with the local model"
SAMPLES = 2
CONTEXT_LINES = 3  # shown before and after the statement
MAX_STATEMENT_LINES = 20  # longer statements are not asked about: a small model rewrites them badly
MAX_TOKENS = 384  # for the longest statement; a short one gets less (`answer_budget`): a small model may ramble
# Per sample. On a CPU the prompt alone takes seconds; the engine's default deadline is made for completions.
FIX_TIMEOUT_S = 60.0
NOSEC = re.compile(r"#.*\bnosec\b", re.IGNORECASE)
NO_CODE = re.compile(r"^\s*(#.*|pass|\.\.\.)?\s*$")

SYSTEM = (
    "You fix one security finding in Python code. Write the whole new text of the lines you are asked to "
    "rewrite, so that the finding goes away and the code still does the same job, safely: keep its "
    "assignments and its other calls. Usual fixes: ast.literal_eval instead of eval, json instead of pickle or "
    "marshal, secrets instead of random, a timeout= argument for requests, an argument list instead of "
    "shell=True, defusedxml instead of xml, ssl.PROTOCOL_TLS_CLIENT instead of old protocols, parameters "
    'instead of formatted SQL. Never add a "# nosec" comment. Example: to rewrite '
    "`print(pickle.loads(blob))`, answer "
    '{"replacement": "print(json.loads(blob))"}.'
)


class ModelAnswer(BaseModel):
    """The model's answer (the grammar is made from this schema)."""

    replacement: str  # the new text of the statement's lines


@dataclass(frozen=True)
class ModelFix:
    text: str | None  # the whole fixed text, checked; None: nothing may be offered
    reason: str  # why nothing may be offered; "" when `text` is set
    attempts: tuple[Attempt, ...] = ()  # every sample, checked (for the record and the bench)


def statement_lines(text: str, line: int) -> tuple[int, int] | None:
    """The lines (1-based, inclusive) of the innermost statement on `line`; of a compound statement (def, if,
    with, except...) its header only, so the body is never rewritten. None when no statement holds the line."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    best: tuple[int, int] | None = None
    for node in ast.walk(tree):
        if not isinstance(node, (ast.stmt, ast.ExceptHandler)):
            continue
        first, last = _first_line(node), node.end_lineno or node.lineno
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _first_line(body[0]) > node.lineno:
            last = _first_line(body[0]) - 1  # the header, down to the line before its body
        if first <= line <= last and (best is None or last - first <= best[1] - best[0]):
            best = (first, last)
    return best


def _first_line(node: ast.AST) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])  # type: ignore[attr-defined]


def indented(replacement: str, indent: str) -> list[str]:
    """The replacement's lines at `indent` (the model may answer them at any indentation of its own)."""
    lines = textwrap.dedent(replacement.strip("\n")).rstrip().split("\n")
    return [indent + line if line.strip() else "" for line in lines]


def splice(text: str, first: int, last: int, replacement: str) -> str:
    """`text` with lines first..last (1-based, inclusive) replaced, at the first line's indentation and with
    the lines' own line ends."""
    lines = text.split("\n")
    old = lines[first - 1 : last]
    indent = old[0][: len(old[0]) - len(old[0].lstrip())] if old else ""
    cr = "\r" if old and old[-1].endswith("\r") else ""
    new = [line + cr for line in indented(replacement, indent)]
    return "\n".join(lines[: first - 1] + new + lines[last:])


def fix_prompt(text: str, finding: SecurityFinding, first: int, last: int, rejected: tuple[str, str] | None) -> str:
    """The user part of the prompt: bandit's finding, the code around the statement, the statement itself,
    and (second sample) the rejected answer with why. Calling the statement insecure as it is, rather than
    asking to rewrite it, makes a small model copy it back less often (0 of 8 fixes offered before, 4 after)."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    cwe = f", CWE-{finding.cwe}" if finding.cwe else ""
    around = "\n".join(lines[max(0, first - 1 - CONTEXT_LINES) : last + CONTEXT_LINES]).strip("\n")
    statement = textwrap.dedent("\n".join(lines[first - 1 : last]))
    where = f"line {first}" if first == last else f"lines {first}-{last}"
    parts = [
        f"bandit {finding.code} ({finding.name}{cwe}) on line {finding.line}: {finding.message}",
        f"The code around it:\n```python\n{around}\n```",
        f"The flagged code is {_quoted(statement)} (it is insecure as it is). Write the secure replacement of {where}.",
    ]
    if rejected is not None:
        answer, why = rejected
        parts.append(f"Not {_quoted(answer)}: {why}.")
    return "\n\n".join(parts)


def _quoted(code: str) -> str:
    code = code.strip("\n")
    return f"`{code}`" if "\n" not in code else f"\n```python\n{code}\n```\n"


def answer_budget(lines: int) -> int:
    """Tokens for the answer to a statement of `lines` lines: its JSON, with room to add an argument or two."""
    return min(MAX_TOKENS, 64 + 32 * lines)


def model_fix_record(code: str) -> Fix:
    """The `Fix` the model's answers are checked as: the same successors as the rewrites for `code` allow (an
    argument list instead of shell=True may raise the low-severity B603/B607)."""
    successors = frozenset().union(*(fix.successors for fix in REGISTRY.get(code, ())))
    return Fix(code, TITLE, lambda text, finding: None, successors)  # no rewrite: the model is asked instead


def checked(text: str, finding: SecurityFinding, fix: Fix, first: int, last: int, replacement: str) -> Attempt:
    """The model's replacement of lines first..last, checked like a rewrite; refused before that when it
    silences bandit, or drops what the statement did or reads names nothing defines (bandit notices neither:
    the finding goes with the code)."""
    if NOSEC.search(replacement):
        return Attempt(fix, "refused", None, "it silences bandit with # nosec")
    if all(NO_CODE.match(line) for line in replacement.split("\n")):
        return Attempt(fix, "refused", None, "it deletes the code")
    replacement = with_imports(text, first, last, replacement)
    new = splice(text, first, last, replacement)
    new_last = first + len(indented(replacement, "")) - 1
    wrong = what_is_wrong(text, (first, last), new, (first, new_last), (finding.line, finding.column))
    if wrong:
        return Attempt(fix, "refused", new, wrong)
    return check(text, finding, fix, new)


def with_imports(text: str, first: int, last: int, replacement: str) -> str:
    """The replacement preceded by `import m` for each standard module it reads that the file does not bind
    (`json.loads` instead of `pickle.loads`): a small model rarely writes the import itself."""
    new = splice(text, first, last, replacement)
    tree = _parsed(new)
    if tree is None:
        return replacement
    new_last = first + len(indented(replacement, "")) - 1
    modules = [name for name in undefined(tree, (first, new_last)) if name in sys.stdlib_module_names]
    if not modules:
        return replacement
    return "\n".join([*(f"import {m}" for m in modules), textwrap.dedent(replacement.strip("\n"))])


def undefined(tree: ast.Module, lines: tuple[int, int]) -> list[str]:
    """The names lines first..last read that nothing in the module binds and that are not builtins (scopes
    ignored: a name bound anywhere counts; a star import defines anything)."""
    nodes = list(ast.walk(tree))
    if any(isinstance(n, ast.alias) and n.name == "*" for n in nodes):
        return []
    defined = _bound(nodes) | {n.arg for n in nodes if isinstance(n, ast.arg)} | set(dir(builtins))
    read = {n.id for n in _within(tree, *lines) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return sorted(read - defined)


def what_is_wrong(
    old: str, old_lines: tuple[int, int], new: str, new_lines: tuple[int, int], at: tuple[int, int]
) -> str:
    """Why the new lines do not do what the old lines did, or "" (also when either text does not parse: `check`
    says so). Kept must be every name the old lines bind, every call but the flagged one (at (line, byte
    column)) and those inside it, and a call at all when the flagged node is one; new names must be defined."""
    before, after = _parsed(old), _parsed(new)
    if before is None or after is None:
        return ""
    old_nodes, new_nodes = _within(before, *old_lines), _within(after, *new_lines)
    lost = sorted(_bound(old_nodes) - _bound(new_nodes))
    if lost:
        return f"it no longer assigns {', '.join(lost)}"
    calls = [node for node in old_nodes if isinstance(node, ast.Call)]
    flagged = next((c for c in calls if (c.lineno, c.col_offset) == at), None)
    inside = set(ast.walk(flagged)) if flagged is not None else set()
    kept = {dotted(c.func) for c in calls if c not in inside}
    new_calls = [node for node in new_nodes if isinstance(node, ast.Call)]
    gone = sorted(name for name in kept - {dotted(c.func) for c in new_calls} if name)
    if gone:
        return f"it no longer calls {', '.join(gone)}"
    if flagged is not None and not new_calls:
        return "it no longer calls anything"
    unknown = set(undefined(after, new_lines)) - set(undefined(before, old_lines))
    if unknown:
        return f"it reads {', '.join(sorted(unknown))}, which nothing defines"
    invented = missing_attributes(after, new_nodes)
    if invented:
        return f"it reads {', '.join(invented)}, which the standard library does not have"
    return ""


def missing_attributes(tree: ast.Module, nodes: list[ast.AST]) -> list[str]:
    """`module.name` reads of an imported standard module that has no such name (`telnetlib.SSHClient`): a
    small model invents APIs, and neither the parser nor bandit can tell."""
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names if a.asname is None}
    missing = set()
    for node in nodes:
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
            continue
        module_name = node.value.id
        if module_name not in imported or module_name not in sys.stdlib_module_names or module_name in NOT_IMPORTED:
            continue
        try:
            module = importlib.import_module(module_name)
        except Exception:  # a module this platform lacks (msvcrt, winreg): no verdict
            continue
        if not hasattr(module, node.attr):
            missing.add(f"{module_name}.{node.attr}")
    return sorted(missing)


# standard modules whose import does something (opens a browser, prints, starts Tk): never imported to check
NOT_IMPORTED = frozenset({"antigravity", "this", "turtle", "turtledemo", "tkinter", "idlelib", "__main__"})


def _parsed(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _within(tree: ast.Module, first: int, last: int) -> list[ast.AST]:
    """The nodes that start on lines first..last (a compound statement's body starts after its header)."""
    return [node for node in ast.walk(tree) if first <= getattr(node, "lineno", 0) <= last]


def _bound(nodes: list[ast.AST]) -> set[str]:
    """The names these nodes assign: targets, defined functions and classes, imports, caught exceptions."""
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, (ast.Name, ast.Attribute)) and isinstance(node.ctx, ast.Store):
            names.add(dotted(node) or "")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names - {""}


def rejection(done: Attempt, code: str) -> str:
    """Why an attempt was not kept, in words for the user and the next prompt."""
    detail = f": {done.detail}" if done.detail else ""
    return {
        "refused": done.detail or "it changes nothing",
        "broke-parse": f"the code would no longer parse{detail}",
        "finding-remains": f"bandit still reports {code} there",
        "new-finding": f"bandit would report something new{detail}",
        "failed": f"no usable answer{detail}",
    }.get(done.outcome, done.outcome)


def model_fix(
    engine: Engine,
    text: str,
    finding: SecurityFinding,
    samples: int = SAMPLES,
    stopped: Stopped = never_stopped,
) -> ModelFix:
    """The first of up to `samples` model answers that passes the check; blocking (call it off the event loop)."""
    span = statement_lines(text, finding.line)
    if span is None:
        return ModelFix(None, f"no statement holds line {finding.line}")
    first, last = span
    if last - first + 1 > MAX_STATEMENT_LINES:
        return ModelFix(None, f"the statement is over {MAX_STATEMENT_LINES} lines, too long to ask the local model")
    fix = model_fix_record(finding.code)
    attempts: list[Attempt] = []
    rejected: tuple[str, str] | None = None
    for _ in range(samples):
        if stopped():
            break
        prompt = ChatPrompt(SYSTEM, fix_prompt(text, finding, first, last, rejected))
        answer = ask(
            engine,
            prompt,
            ModelAnswer,
            max_tokens=answer_budget(last - first + 1),
            priority=Priority.ACTION,
            timeout_s=FIX_TIMEOUT_S,
            stopped=stopped,
        )
        if answer.value is None:
            done = Attempt(fix, "failed", None, answer.error or "no answer")
        else:
            done = checked(text, finding, fix, first, last, answer.value.replacement)
        attempts.append(done)
        if done.outcome == "offered":
            return ModelFix(done.text, "", tuple(attempts))
        if answer.value is not None:
            rejected = (answer.value.replacement, rejection(done, finding.code))
    if not attempts:
        return ModelFix(None, "cancelled")
    tries = f" ({len(attempts)} tries)" if len(attempts) > 1 else ""
    why = f"the local model's fix was not kept: {rejection(attempts[-1], finding.code)}{tries}"
    return ModelFix(None, why, tuple(attempts))


def model_fix_at(
    engine: Engine, text: str, code: str, line: int, column: int, stopped: Stopped = never_stopped
) -> ModelFix:
    """`model_fix` for bandit's finding `code` at (1-based line, column) of `text`, if it is still there."""
    finding = finding_at(text, code, line, column)
    if finding is None:
        return ModelFix(None, f"bandit no longer reports {code} on line {line}")
    return model_fix(engine, text, finding, stopped=stopped)
