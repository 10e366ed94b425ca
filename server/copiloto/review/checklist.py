"""The local model's checklist: one function, one kind of weakness at a time, answered yes or no with lines.

A small model asked "review this function" finds nothing (issue 19's measure: 0 of 12 known defects). Asked
one narrow question it can answer — "does data the caller or a request controls reach this shell command?" —
with the lines it rests on, it has something to check. Each question is asked only where the function holds
a line that could be its sink (a `subprocess` call for the shell question), so most functions get no question
at all. A "yes" is kept only when it holds up without the model: both lines lie in the function, the sink line
is one the question is about, and a name bound on the source line (a parameter, when the model cites the
`def` line) reaches the sink line through the function's own assignments. The questions follow the injection
and data-handling entries of the CWE Top 25 and the OWASP Top 10 that a single function can show.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from copiloto.engine.chat import ChatPrompt
from copiloto.engine.structured import Structured, ask
from copiloto.engine.types import Engine, Priority, Stopped, never_stopped
from copiloto.review.functions import FunctionSpan
from copiloto.review.local import REVIEW_TIMEOUT_S, LocalFinding, ReviewStats, numbered

MAX_QUESTIONS = 3  # per function and review: the rest wait for the next save of that function
MAX_REASON_CHARS = 160  # the grammar ends the reason here: longer ones ran out of the answer's tokens
# the words a line must hold to count as bringing outside data in, when it binds nothing itself
OUTSIDE = re.compile(r"\brequest\b|\binput\(|sys\.argv|os\.environ|\bargs\b|\bparams\b")

SYSTEM = (
    "You check one Python function for one kind of weakness. Answer yes only if data that the function's caller "
    "or a web request controls reaches {sink} without being validated, escaped or parametrised. Cite the line "
    "where that data comes in (a parameter counts: cite the def line) and the line where it reaches {sink}. "
    "If the data there is a constant, checked against an allow-list, converted to a number, or escaped, answer no. "
    "Give the lines, then one short sentence of reason, then the answer."
)


@dataclass(frozen=True)
class Question:
    key: str
    cwe: int
    title: str  # "OS command injection"
    sink: str  # what the data must not reach, in the question's words
    sink_line: re.Pattern[str]  # a line this question is about


CHECKLIST: tuple[Question, ...] = (
    Question(
        "sql",
        89,
        "SQL injection",
        "the text of an SQL query",
        re.compile(r"\.(execute|executemany|executescript|raw|extra)\(|\b(text|RawSQL)\("),
    ),
    Question(
        "shell",
        78,
        "OS command injection",
        "a shell command or a program's arguments",
        re.compile(r"\bsubprocess\.|\bos\.(system|popen|exec\w*|spawn\w*)\(|\bcommands\.getoutput\("),
    ),
    Question(
        "code",
        94,
        "code injection",
        "code that is evaluated (eval, exec, compile, an import by name)",
        re.compile(r"(?<![.\w])(eval|exec|compile|__import__)\(|import_module\("),
    ),
    Question(
        "path",
        22,
        "path traversal",
        "a file system path that is opened, sent, written or deleted",
        re.compile(r"(?<![.\w])open\(|\bsend_file\(|\bsend_from_directory\(|os\.(remove|unlink|rmdir)\(|shutil\."),
    ),
    Question(
        "deserialise",
        502,
        "deserialisation of untrusted data",
        "a deserialiser (pickle, marshal, yaml.load, jsonpickle, shelve)",
        re.compile(r"\b(pickle|cPickle|marshal|dill|jsonpickle|shelve)\.|yaml\.(load|unsafe_load|full_load)\("),
    ),
    Question(
        "ssrf",
        918,
        "server-side request forgery",
        "the URL of an outbound HTTP request",
        re.compile(r"\b(requests|httpx|urllib3?|urllib\.request|session)\.\w+\(|\burlopen\("),
    ),
    Question(
        "xml",
        611,
        "XML external entities",
        "an XML parser that resolves entities (lxml/xml.etree/xml.dom/xml.sax parse or fromstring)",
        re.compile(r"\b(etree|minidom|pulldom|sax|ElementTree|XMLParser)\b.*\(|\bparseString\("),
    ),
    Question(
        "query",
        90,
        "LDAP or XPath injection",
        "an LDAP search filter or an XPath expression",
        re.compile(r"\.(search_s|search_st|search_ext_s|search|xpath|findall|find)\("),
    ),
    Question(
        "redirect",
        601,
        "open redirect",
        "the target of an HTTP redirect",
        re.compile(r"\b(redirect|HttpResponseRedirect|RedirectResponse)\("),
    ),
    Question(
        "xss",
        79,
        "cross-site scripting",
        "HTML sent to a browser (a response body, Markup, mark_safe, a template string)",
        re.compile(r"\b(make_response|HttpResponse|HTMLResponse|Markup|mark_safe|render_template_string)\("),
    ),
)


class ChecklistAnswer(BaseModel):
    """The model's answer to one question (the grammar is made from this schema). The order matters: the
    model writes the fields in this order, and a small model that must say yes or no first decides before it
    has looked (its reason then contradicts its "no"); asked for the lines and the reason first, it answers
    what it found."""

    source_line: int
    sink_line: int
    reason: str = Field(max_length=MAX_REASON_CHARS)
    answer: Literal["yes", "no"]


def questions_for(span: FunctionSpan) -> list[Question]:
    """The questions whose sink appears in the function (none for most functions)."""
    lines = span.text.split("\n")[_def_index(span) + 1 :]  # a sink is a call in the body
    return [q for q in CHECKLIST if any(q.sink_line.search(_code(line)) for line in lines)]


def _def_index(span: FunctionSpan) -> int:
    """The 0-based line of the `def` itself within the span (decorators come first)."""
    lines = span.text.split("\n")
    return next((i for i, line in enumerate(lines) if line.lstrip().startswith(("def ", "async def "))), 0)


def prompt(question: Question, span: FunctionSpan) -> ChatPrompt:
    ask_text = (
        f"{numbered(span)}\n\nQuestion ({question.title}, CWE-{question.cwe}): does data that the caller or a "
        f"request controls reach {question.sink} in this function?"
    )
    return ChatPrompt(SYSTEM.format(sink=question.sink), ask_text)


def validate(
    answer: ChecklistAnswer, question: Question, span: FunctionSpan, file_lines: list[str]
) -> tuple[LocalFinding | None, str]:
    """A "yes" as a finding in file lines when it holds up without the model, else None and the reason."""
    if answer.answer == "no":
        return None, "no"
    first, last = span.start_line + 1, span.end_line + 1
    source, sink = answer.source_line, answer.sink_line
    if not (first <= source <= sink <= last):
        return None, f"lines {source}→{sink} are not in order inside {span.qualname} ({first}-{last})"
    if not question.sink_line.search(_code(file_lines[sink - 1])):
        return None, f"line {sink} holds no {question.sink}"
    if not reaches(span, source - span.start_line, sink - span.start_line):
        return None, f"nothing bound on line {source} reaches line {sink}"
    reason = " ".join(answer.reason.split())[:MAX_REASON_CHARS] or "the model's checklist answer"
    finding = LocalFinding(
        qualname=span.qualname,
        category="security",
        severity="warning",
        line=sink,
        end_line=sink,
        message=f"CWE-{question.cwe} {question.title}: data from line {source} reaches line {sink}. {reason}",
    )
    return finding, ""


def reaches(span: FunctionSpan, source: int, sink: int) -> bool:
    """Whether a name bound on the function's line `source` (1-based within the span; the def line binds
    its parameters) is read on line `sink`, directly or through assignments in between."""
    try:
        tree = ast.parse(textwrap.dedent(span.text))
    except (SyntaxError, ValueError):
        return False
    function = tree.body[0] if tree.body else None
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    tainted = _bound_on(function, source, function.lineno)
    if not tainted:  # a line that binds nothing but reads outside data in place: `run(request.args["c"])`
        line_text = span.text.split("\n")[source - 1] if source <= span.text.count("\n") + 1 else ""
        return source == sink and bool(OUTSIDE.search(line_text))
    for node in sorted(_assignments(function), key=lambda n: n.lineno):
        if not source < node.lineno < sink:
            continue
        if _reads(_value(node), tainted):
            tainted |= _targets(node)
        elif isinstance(node, ast.Assign | ast.AnnAssign):  # rebound to something else: no longer outside data
            tainted -= _targets(node)
    return bool(_arguments_on(function, sink) & tainted)


def _arguments_on(function: ast.AST, line: int) -> set[str]:
    """The names read in the arguments of the calls on `line` (not the receiver: `cursor` in
    `cursor.execute(q)` is not what the query says)."""
    calls = [
        n for n in ast.walk(function) if isinstance(n, ast.Call) and n.lineno <= line <= (n.end_lineno or n.lineno)
    ]
    parts = [part for call in calls for part in (*call.args, *(k.value for k in call.keywords))]
    return {n.id for part in parts for n in ast.walk(part) if isinstance(n, ast.Name)}


def _bound_on(function: ast.FunctionDef | ast.AsyncFunctionDef, line: int, def_line: int) -> set[str]:
    """The names `line` binds; the def line and its decorators (a route's path) bind the parameters."""
    if line <= def_line:
        params = [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
        extra = [a for a in (function.args.vararg, function.args.kwarg) if a is not None]
        return {a.arg for a in [*params, *extra] if a.arg not in ("self", "cls")}
    # a constant brings nothing in from outside, whatever the model says
    bindings = [n for n in _assignments(function) if n.lineno == line and not _constant(_value(n))]
    return {name for node in bindings for name in _targets(node)}


CONSTANT_PARTS = (ast.Constant, ast.JoinedStr, ast.FormattedValue, ast.BinOp, ast.Tuple, ast.List, ast.operator)


def _constant(value: ast.AST | None) -> bool:
    """Literal text and numbers, however combined: no name, no call."""
    return value is None or all(isinstance(n, (*CONSTANT_PARTS, ast.expr_context)) for n in ast.walk(value))


def _assignments(function: ast.AST) -> list[ast.Assign | ast.AnnAssign | ast.AugAssign | ast.For | ast.NamedExpr]:
    kinds = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.For, ast.NamedExpr)
    return [n for n in ast.walk(function) if isinstance(n, kinds) and _value(n) is not None]


def _value(node: ast.AST) -> ast.AST | None:
    return node.iter if isinstance(node, ast.For) else getattr(node, "value", None)


def _targets(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Assign):
        parts: list[ast.AST] = list(node.targets)
    elif isinstance(node, ast.For | ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
        parts = [node.target]
    else:
        parts = []
    return {n.id for part in parts for n in ast.walk(part) if isinstance(n, ast.Name)}


def _reads(value: ast.AST | None, names: set[str]) -> bool:
    return value is not None and any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(value))


def _code(line: str) -> str:
    """The line without a trailing comment (a sink named in a comment is no sink)."""
    return line.split("#", 1)[0] if "#" in line and "'" not in line and '"' not in line else line


def ask_question(
    engine: Engine, question: Question, span: FunctionSpan, stopped: Stopped = never_stopped
) -> Structured[ChecklistAnswer]:
    """One question about one function, the answer held to the schema by the grammar."""
    return ask(
        engine,
        prompt(question, span),
        ChecklistAnswer,
        priority=Priority.BACKGROUND,
        timeout_s=REVIEW_TIMEOUT_S,
        stopped=stopped,
    )


def checklist_findings(
    engine: Engine, span: FunctionSpan, file_text: str, stats: ReviewStats, stopped: Stopped
) -> list[LocalFinding]:
    """Ask the function's questions (at most MAX_QUESTIONS), keep the answers that hold up."""
    file_lines = file_text.split("\n")
    kept: list[LocalFinding] = []
    for question in questions_for(span)[:MAX_QUESTIONS]:
        if stopped():
            break
        answer = ask_question(engine, question, span, stopped)
        stats.questions += 1
        if answer.value is None:
            if answer.result.stop_reason != "cancelled" and not stopped():
                stats.invalid_answers += 1
                stats.answer_errors.append(f"{span.qualname} ({question.key}): {answer.error}")
            continue
        finding, why = validate(answer.value, question, span, file_lines)
        if finding is not None:
            kept.append(finding)
        elif why != "no":
            stats.dropped.append(f"{span.qualname} ({question.key}): {why}")
    return kept
