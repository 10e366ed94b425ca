"""Write a docstring with the local model, one sentence at a time, into the style's own layout.

A small model asked for a whole docstring forgets parameters and breaks the layout. Here the layout
comes from `skeleton` (every parameter, the return, each exception, in the chosen style) and the model
only fills each "TODO." with one line, seeing the file above, the docstring so far and the body below.
So coverage and the D rules hold by construction, and the model does what it is good at: describing code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copiloto.context.budget import cut_to_budget
from copiloto.docstrings.edit import apply
from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.lint import lint_lines, ruff_problems
from copiloto.docstrings.styles import Style, coverage_problems, skeleton
from copiloto.docstrings.target import Target, class_outline, find_by_qualname
from copiloto.engine.types import Engine, GenerationRequest, Priority, Stopped, never_stopped

HOLE = "TODO."
PREFIX_TOKENS = 512  # the file above the docstring
SUFFIX_TOKENS = 160  # the body below it: what the sentences describe
SENTENCE_TOKENS = 40
DOCSTRING_TOKENS = 128  # of PREFIX_TOKENS, kept for the docstring written so far
OUTLINE_TOKENS = 192  # of PREFIX_TOKENS, for a method's class outline when its header is out of reach
_STATE_NAMES = 4  # attributes named in the "# Changes self.x" prompt line
REQUEST_TIMEOUT_S = 60.0
# When the model answers nothing, the second try starts the sentence for it.
NUDGE = "The "


@dataclass(frozen=True)
class Documented:
    docstring: str  # the text, without quotes or indentation
    source: str  # the whole file with it in place
    target: Target
    note: str | None = None  # for the user, with the edit (the concurrent pattern: how two drafts compared)


def document(
    engine: Engine,
    source: str,
    qualname: str,
    style: Style,
    stopped: Stopped = never_stopped,
) -> Documented:
    """The file with a new docstring for `qualname`, checked; raises DocstringError saying why not."""
    target = find_by_qualname(source, qualname)
    problems: list[str] = []
    # Decoding is greedy, so another draft must start differently to be worth it: its summary begins with
    # the verb the function is named after (`parse_header` -> "Parse ..."), then, for names that are not
    # verbs (`rolling_max`), with "Return" / "Compute" (D401 wants an imperative first word).
    fallback = "Return " if target.returns else "Compute "
    for start in dict.fromkeys(("", verb_of(target), "" if target.kind == "class" else fallback)):
        text = write_docstring(engine, source, target, style, stopped, summary_start=start)
        edited = apply(source, target, text)
        placed = find_by_qualname(edited, target.qualname)
        problems = coverage_problems(text, placed, style) + ruff_problems(edited, style, lint_lines(placed))
        if not problems:
            return Documented(text, edited, placed)
    raise DocstringError("no docstring inserted: " + "; ".join(problems))


def write_docstring(
    engine: Engine,
    source: str,
    target: Target,
    style: Style,
    stopped: Stopped = never_stopped,
    summary_start: str = "",
) -> str:
    """The docstring text for `target`: the skeleton with every hole written by the model."""
    lines = source.splitlines(keepends=True)
    start = target.docstring_span[0] if target.docstring_span else _insert_at(lines, target)
    end = target.docstring_span[2] + 1 if target.docstring_span else target.insert_line
    head, first = method_context(engine, source, target, lines[:start])
    above = "".join(_with_state_comment(lines[first:start], target, target.start_line - first))
    # Cut once, leaving room for the docstring as it grows: every sentence's prompt then starts alike and
    # the engine reuses what it evaluated for the last one, instead of evaluating ~500 tokens again.
    budget = PREFIX_TOKENS - (engine.count_tokens(head) if head else 0) - DOCSTRING_TOKENS
    above, _ = cut_to_budget(above, "", engine.count_tokens, budget, 0)
    above += target.body_indent + '"""'
    # Only the target's own body below: the next function would lend its words to this one's docstring.
    below = "\n" + target.body_indent + '"""\n' + "".join(lines[end : target.end_line + 1])
    pieces = skeleton(target, style, summary=HOLE).split(HOLE)
    written = pieces[0]
    for index, after in enumerate(pieces[1:]):
        if stopped():
            raise DocstringError("cancelled")
        lead = summary_start if index == 0 else ""
        sentence = _sentence(engine, above + _indented(written, target.body_indent), below, index == 0, lead, head)
        if index == 0 and target.kind != "class":
            sentence = imperative(
                sentence, target.name
            )  # D401 (numpy, pep257): "Return the sum", not "Returns the sum"
        written += sentence + after
    return written


def _insert_at(lines: list[str], target: Target) -> int:
    """Where `apply` puts a new docstring: above the blank lines between the header and the body."""
    at = target.insert_line
    while at > target.header_end_line + 1 and not lines[at - 1].strip():
        at -= 1
    return at


def method_context(engine: Engine, source: str, target: Target, above: list[str]) -> tuple[str, int]:
    """(an outline of the class, the first line of `above` to show after it) for a method whose class
    header the prompt's budget would cut off; ("", 0) when the file above fits or the target is no method.

    The model then still sees the class name, its attributes and its other methods' signatures: what a
    method's docstring talks about, and what a 512-token tail of a long class leaves out."""
    if target.kind != "method":
        return "", 0
    text = "".join(above)
    kept, _ = cut_to_budget(text, "", engine.count_tokens, PREFIX_TOKENS - OUTLINE_TOKENS, 0)
    first = text[: len(text) - len(kept)].count("\n")
    outline = class_outline(source, target.qualname, first)
    if not outline or engine.count_tokens(outline) > OUTLINE_TOKENS:
        return "", 0
    return outline, first


def state_comment(target: Target, indent: str) -> str:
    """A comment line for above the method's header: the attributes its own code changes (none: "")."""
    if not target.changes:
        return ""
    names = list(target.changes[:_STATE_NAMES])
    listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    more = " (and more)" if len(target.changes) > _STATE_NAMES else ""
    return f"{indent}# Changes {listed}{more}.\n"


def _with_state_comment(lines: list[str], target: Target, at: int) -> list[str]:
    """`lines` with state_comment inserted at index `at` (the header's first line), when it is in them."""
    if not 0 <= at < len(lines):
        return lines
    header = lines[at]
    comment = state_comment(target, header[: len(header) - len(header.lstrip(" \t"))])
    return [*lines[:at], comment, *lines[at:]] if comment else lines


def _sentence(engine: Engine, prefix: str, suffix: str, first: bool, start: str = "", head: str = "") -> str:
    # `head` (the class outline) goes before the budgeted prefix, its tokens taken off the prefix's budget.
    budget = PREFIX_TOKENS - (engine.count_tokens(head) if head else 0)
    prefix, suffix = cut_to_budget(prefix, suffix, engine.count_tokens, budget, SUFFIX_TOKENS)
    prefix = head + prefix
    for nudge in (start, start or NUDGE):
        request = GenerationRequest(
            prefix=prefix + nudge,
            suffix=suffix,
            max_tokens=SENTENCE_TOKENS,
            stop=("\n", '"""', "'''"),
            priority=Priority.ACTION,
            timeout_s=REQUEST_TIMEOUT_S,
        )
        result = engine.submit(request).future.result()
        if result.stop_reason == "error":
            raise DocstringError(f"the model failed: {result.error}")
        text = tidy(after_nudge(nudge, result.text), first)
        if text:
            return text
    raise DocstringError("the model wrote nothing for the docstring")


# After the nudge "The ": a lowercase word then an article or a determiner is a verb phrase ("return a
# fraction", "wait for all"), the summary the model meant to write without a subject.
_VERB_PHRASE = re.compile(r"[a-z]+\s+(?:a|an|the|all|each|every|this|its|whether|for|until)\b")


def after_nudge(nudge: str, written: str) -> str:
    """What the model's answer to `prefix + nudge` says, nudge included when it belongs: not when the model
    wrote the nudged word again ("Return Return x"), began its own sentence ("The Return a matrix") or a
    verb phrase after "The " ("The return a fraction")."""
    text = written.lstrip()
    if not text:
        return ""
    if nudge and text.lower().startswith(nudge.strip().lower()):
        return written
    if nudge == NUDGE and (text[0].isupper() or _VERB_PHRASE.match(text)):
        return text
    return nudge + written


def tidy(text: str, summary: bool) -> str:
    """One sentence: trimmed, capitalized, ending in a period (D400/D415 for the summary line)."""
    text = " ".join(text.replace("TODO", "").split()).strip(" -*")
    while not summary and (label := _LABEL.match(text)) and text[label.end() :].strip():
        text = text[label.end() :]  # "ValueError: ValueError: If ...", "Str: The owner": the layout says it
    if sentence_end := _SENTENCE_END.search(text):
        text = text[: sentence_end.start()]  # one sentence: a summary line, not a paragraph
    if not text or not any(ch.isalnum() for ch in text):
        return ""
    text = text[0].upper() + text[1:]
    if summary and len(text) > 1 and text.endswith(":"):
        text = text[:-1]
    return text if text.endswith((".", "!", "?")) else text + "."


_LABEL = re.compile(r"[A-Za-z_][\w.\[\], ]{0,30}:\s+")
_SENTENCE_END = re.compile(r"(?<=\w\w[.!?])\s")  # "x. Then": a sentence ends; "e.g. x" does not
# Third-person verbs whose imperative is not the word minus its "s".
_IRREGULAR = {"is": "Be", "does": "Do", "has": "Have", "goes": "Go"}
# "The function [name] [is used to|to]" or "This": the subject a summary line does not need. Another
# identifier after "function" (it has "_" or "(") means the sentence is about something else: kept.
_SUBJECT = (
    r"(?:(?:the|this)\s+(?:function|method|helper)\s+(?:`?{name}(?:\(\))?`?\s+)?(?:is used to\s+|to\s+)?"
    r"|this\s+)(?![\w`]*[_(])"
)


def imperative(summary: str, name: str = "") -> str:
    """`summary` with its first word in the imperative mood: "Returns x." -> "Return x.", and without
    the subject small models open with: "The function f checks x." -> "Check x."."""
    subject = re.match(_SUBJECT.format(name=re.escape(name) if name else "(?!)"), summary, re.IGNORECASE)
    if subject and len(summary) > subject.end():
        summary = summary[subject.end()].upper() + summary[subject.end() + 1 :]
    word, space, rest = summary.partition(" ")
    bare = word.lower()
    if bare in _IRREGULAR:
        verb = _IRREGULAR[bare]
    elif len(bare) <= 3 or not bare.isalpha() or not bare.endswith("s") or bare.endswith(("ss", "us", "is")):
        return summary
    elif bare.endswith("ies"):
        verb = word[:-3] + "y"
    elif bare.endswith(("ches", "shes", "xes", "zes", "sses")):
        verb = word[:-2]
    else:
        verb = word[:-1]
    return verb[0].upper() + verb[1:] + space + rest


def verb_of(target: Target) -> str:
    """The start of a summary from the name: `parse_header` -> "Parse ", `_load` -> "Load "."""
    word = target.name.strip("_").split("_")[0]
    dunder = target.name.startswith("__") and target.name.endswith("__")
    if target.kind == "class" or dunder or len(word) < 3 or not word.isalpha():
        return "Return " if target.returns else ""
    return word.capitalize() + " "


def _indented(text: str, indent: str) -> str:
    """The docstring as it sits in the file: every line after the first carries the body's indent."""
    first, *rest = text.split("\n")
    return "\n".join([first, *((indent + line) if line else "" for line in rest)])
