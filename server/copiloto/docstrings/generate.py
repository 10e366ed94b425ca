"""Write a docstring with the local model, one sentence at a time, into the style's own layout.

A small model asked for a whole docstring forgets parameters and breaks the layout. Here the layout
comes from `skeleton` (every parameter, the return, each exception, in the chosen style) and the model
only fills each "TODO." with one line, seeing the file above, the docstring so far and the body below.
So coverage and the D rules hold by construction, and the model does what it is good at: describing code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from copiloto.context.budget import cut_to_budget
from copiloto.docstrings.edit import apply
from copiloto.docstrings.errors import DocstringError
from copiloto.docstrings.lint import lint_lines, ruff_problems
from copiloto.docstrings.styles import Style, coverage_problems, skeleton
from copiloto.docstrings.target import Target, find_by_qualname
from copiloto.engine.types import Engine, GenerationRequest, Priority

HOLE = "TODO."
PREFIX_TOKENS = 512  # the file above the docstring
SUFFIX_TOKENS = 160  # the body below it: what the sentences describe
SENTENCE_TOKENS = 40
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
    cancelled: Callable[[], bool] = lambda: False,
) -> Documented:
    """The file with a new docstring for `qualname`, checked; raises DocstringError saying why not."""
    target = find_by_qualname(source, qualname)
    problems: list[str] = []
    # Decoding is greedy, so another draft must start differently to be worth it: its summary begins with
    # the verb the function is named after (`parse_header` -> "Parse ..."), then, for names that are not
    # verbs (`rolling_max`), with "Return" / "Compute" (D401 wants an imperative first word).
    fallback = "Return " if target.returns else "Compute "
    for start in dict.fromkeys(("", verb_of(target), "" if target.kind == "class" else fallback)):
        text = write_docstring(engine, source, target, style, cancelled, summary_start=start)
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
    cancelled: Callable[[], bool] = lambda: False,
    summary_start: str = "",
) -> str:
    """The docstring text for `target`: the skeleton with every hole written by the model."""
    lines = source.splitlines(keepends=True)
    start = target.docstring_span[0] if target.docstring_span else target.insert_line
    end = target.docstring_span[2] + 1 if target.docstring_span else target.insert_line
    above = "".join(lines[:start]) + target.body_indent + '"""'
    # Only the target's own body below: the next function would lend its words to this one's docstring.
    below = "\n" + target.body_indent + '"""\n' + "".join(lines[end : target.end_line + 1])
    pieces = skeleton(target, style, summary=HOLE).split(HOLE)
    written = pieces[0]
    for index, after in enumerate(pieces[1:]):
        if cancelled():
            raise DocstringError("cancelled")
        lead = summary_start if index == 0 else ""
        sentence = _sentence(engine, above + _indented(written, target.body_indent), below, index == 0, lead)
        if index == 0 and target.kind != "class":
            sentence = imperative(
                sentence, target.name
            )  # D401 (numpy, pep257): "Return the sum", not "Returns the sum"
        written += sentence + after
    return written


def _sentence(engine: Engine, prefix: str, suffix: str, first: bool, start: str = "") -> str:
    prefix, suffix = cut_to_budget(prefix, suffix, engine.count_tokens, PREFIX_TOKENS, SUFFIX_TOKENS)
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
        written = result.text.lstrip()
        if nudge and written.lower().startswith(nudge.strip().lower()):
            nudge = ""  # the model wrote the nudged word again itself: "Return Return x"
        text = tidy(nudge + result.text if written else "", first)
        if text:
            return text
    raise DocstringError("the model wrote nothing for the docstring")


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
