"""The local model's fixes for bandit's findings: the pure parts (which lines, splicing, the prompt, what an
answer may not do) on tables, the sampling loop on canned answers, and the real `tiny` model held to the
contract: whatever it answers, only a text that parses and no longer has the finding comes back."""

from __future__ import annotations

import ast

import pytest

from copiloto.engine.local import LocalEngine
from copiloto.engine.structured import Structured
from copiloto.engine.types import GenerationResult
from copiloto.review.fixes import findings_of
from copiloto.review.fixes import model as model_module
from copiloto.review.fixes.model import (
    ModelAnswer,
    answer_budget,
    checked,
    fix_prompt,
    indented,
    model_fix,
    model_fix_at,
    model_fix_record,
    splice,
    statement_lines,
    undefined,
    what_is_wrong,
)
from copiloto.review.security import SecurityFinding, security_findings

CODE = """import os


@decorated
def run(cmd, folder):
    if os.path.exists(
        folder
    ):
        return eval(cmd)
    try:
        pass
    except OSError as exc:
        print(exc)
    else:
        x = 1; y = 2
    if cmd: print(cmd)
"""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (1, (1, 1)),  # a simple statement
        (4, (4, 5)),  # a def's header, its decorator included
        (5, (4, 5)),
        (6, (6, 8)),  # an `if` header over three lines, not its body
        (7, (6, 8)),
        (9, (9, 9)),  # a statement in a body
        (10, (10, 10)),  # `try:`
        (12, (12, 12)),  # an except clause's header
        (14, None),  # `else:` belongs to no statement's header
        (15, (15, 15)),  # two statements on one line: the line
        (16, (16, 16)),  # a body on the header's line: the whole statement
        (2, None),  # a blank line
    ],
)
def test_statement_lines(line: int, expected: tuple[int, int] | None) -> None:
    assert statement_lines(CODE, line) == expected


def test_statement_lines_of_a_text_that_does_not_parse() -> None:
    assert statement_lines("def f(:\n", 1) is None


@pytest.mark.parametrize(
    ("replacement", "indent", "expected"),
    [
        ("x = 1", "    ", ["    x = 1"]),
        ("        x = 1\n", "    ", ["    x = 1"]),  # the model's own indentation goes
        ("\nf(\n    a,\n)\n\n", "  ", ["  f(", "      a,", "  )"]),  # relative indentation stays
        ("a = 1\n\nb = 2", "\t", ["\ta = 1", "", "\tb = 2"]),  # blank lines stay blank
    ],
)
def test_indented(replacement: str, indent: str, expected: list[str]) -> None:
    assert indented(replacement, indent) == expected


@pytest.mark.parametrize(
    ("text", "first", "last", "replacement", "expected"),
    [
        ("a\n    b\nc\n", 2, 2, "B", "a\n    B\nc\n"),
        ("a\n    b(\n    1)\nc", 2, 3, "B(1)", "a\n    B(1)\nc"),
        ("a\n    b\nc\n", 2, 2, "import m\nB", "a\n    import m\n    B\nc\n"),
        ("a\r\n  b\r\nc\r\n", 2, 2, "B\nC", "a\r\n  B\r\n  C\r\nc\r\n"),  # the lines' own line ends
    ],
)
def test_splice(text: str, first: int, last: int, replacement: str, expected: str) -> None:
    assert splice(text, first, last, replacement) == expected


def finding(code: str, line: int, column: int = 0, cwe: int | None = 78, name: str = "blacklist") -> SecurityFinding:
    return SecurityFinding(
        line=line,
        column=column,
        end_column=None,
        severity="warning",
        code=code,
        name=name,
        message="Use of possibly insecure function.",
        cwe=cwe,
        cwe_link=None,
        bandit_severity="MEDIUM",
        bandit_confidence="HIGH",
    )


def test_the_prompt_shows_the_finding_the_lines_around_and_the_statement() -> None:
    text = "\n".join(f"line{n}" for n in range(1, 11)) + "\n"
    prompt = fix_prompt(text, finding("B307", 5, cwe=95), 5, 6, None)
    assert prompt.startswith("bandit B307 (blacklist, CWE-95) on line 5: Use of possibly insecure function.")
    assert "line1\n" not in prompt and "```python\nline2\n" in prompt and "line9\n```" in prompt  # 3 lines around
    assert prompt.endswith(
        "The flagged code is \n```python\nline5\nline6\n```\n (it is insecure as it is)."
        " Write the secure replacement of lines 5-6."
    )
    again = fix_prompt(text, finding("B307", 5), 5, 5, ("line5 = 0", "bandit still reports B307 there"))
    assert again.endswith(
        "The flagged code is `line5` (it is insecure as it is). Write the secure replacement of line 5."
        "\n\nNot `line5 = 0`: bandit still reports B307 there."
    )
    assert "CWE" not in fix_prompt(text, finding("B101", 5, cwe=None), 5, 5, None).split("\n")[0]


def test_the_statement_is_shown_dedented_with_its_context_as_it_is() -> None:
    text = "def f():\n    x = 1\n    return eval(x)\n"
    prompt = fix_prompt(text, finding("B307", 3, 11), 3, 3, None)
    assert "```python\ndef f():\n    x = 1\n    return eval(x)\n```" in prompt
    assert "The flagged code is `return eval(x)` (it is" in prompt


@pytest.mark.parametrize(("lines", "budget"), [(1, 96), (3, 160), (20, 384), (100, 384)])
def test_answer_budget(lines: int, budget: int) -> None:
    assert answer_budget(lines) == budget


EVAL = "import os\n\n\ndef run(expr, data):\n    value = eval(expr)\n    print(eval(data))\n    return value\n"


@pytest.mark.parametrize(
    ("first", "replacement", "why"),
    [
        (5, "value = ast.literal_eval(expr)", "it reads ast, which nothing defines"),  # (`checked` imports it)
        (5, "import ast\nvalue = ast.literal_eval(expr)", ""),
        (5, "ast.literal_eval(expr)", "it no longer assigns value"),
        (6, "eval(data)", "it no longer calls print"),
        (6, "print(data)", ""),  # the flagged call itself may go
        (5, "value = expr", "it no longer calls anything"),  # ...but not every call with it
        (5, "import ast\nvalue = ast.literal_eval(blob)", "it reads blob, which nothing defines"),
        (5, "value = int(expr)", ""),  # builtins are defined
        (5, "value = os.path.basename(expr)", ""),  # and so are the file's own names
        (
            5,
            "import ast\nvalue = ast.safe_eval(expr)",
            "it reads ast.safe_eval, which the standard library does not have",
        ),
        (5, "import json\nvalue = json.loads(expr)", ""),
    ],
)
def test_what_is_wrong(first: int, replacement: str, why: str) -> None:
    new = splice(EVAL, first, first, replacement)
    new_last = first + replacement.count("\n")
    column = 12 if first == 5 else 10
    assert what_is_wrong(EVAL, (first, first), new, (first, new_last), (first, column)) == why


def test_undefined_names() -> None:
    tree = ast.parse("import os\ndef f(a):\n    return os.sep + a + b + len(c)\n")
    assert undefined(tree, (3, 3)) == ["b", "c"]
    assert undefined(ast.parse("from x import *\ny = z\n"), (2, 2)) == []  # anything may come from x


def eval_finding(text: str, line: int) -> SecurityFinding:
    return next(f for f in findings_of(text) if f.code == "B307" and f.line == line)


@pytest.mark.parametrize(
    ("replacement", "outcome", "detail"),
    [
        ("value = ast.literal_eval(expr)", "offered", ""),  # `import ast` is added: the file has none
        ("value = eval(expr)  # nosec", "refused", "it silences bandit with # nosec"),
        ("# removed\npass", "refused", "it deletes the code"),
        ("value = eval(expr)", "refused", ""),  # the same text: nothing to offer
        ("value = eval(expr.strip())", "finding-remains", ""),
        ("value = ast.literal_eval(expr", "broke-parse", "'(' was never closed (<unknown>, line 5)"),
        ("value = pickle.loads(expr)", "new-finding", "B301, B403"),  # `import pickle` added, and flagged
        ("ast.literal_eval(expr)", "refused", "it no longer assigns value"),
    ],
)
def test_an_answer_is_checked_like_a_rewrite(replacement: str, outcome: str, detail: str) -> None:
    found = eval_finding(EVAL, 5)
    done = checked(EVAL, found, model_fix_record("B307"), 5, 5, replacement)
    assert (done.outcome, done.detail) == (outcome, detail)
    if outcome == "offered":
        assert done.text == EVAL.replace("    value = eval(expr)", "    import ast\n    value = ast.literal_eval(expr)")


def test_the_answers_are_checked_with_the_successors_the_rewrites_allow() -> None:
    assert model_fix_record("B602").successors == frozenset({"B603", "B607"})
    assert model_fix_record("B307").successors == frozenset()


def canned(*answers: str | None) -> tuple[list[str], object]:
    """An `ask` that answers from a list (None: no valid answer) and records the prompts it was given."""
    prompts: list[str] = []
    queue = list(answers)

    def ask(engine: object, prompt: object, model: object, **kwargs: object) -> Structured[ModelAnswer]:
        prompts.append(getattr(prompt, "user", ""))
        answer = queue.pop(0)
        result = GenerationResult(answer or "", "eot" if answer is not None else "timeout")
        if answer is None:
            return Structured(None, "", result, error="generation ended: timeout")
        return Structured(ModelAnswer(replacement=answer), answer, result)

    return prompts, ask


def test_a_second_sample_is_asked_with_the_first_ones_rejection(monkeypatch: pytest.MonkeyPatch) -> None:
    prompts, ask = canned("value = eval(expr.strip())", "value = ast.literal_eval(expr)")
    monkeypatch.setattr(model_module, "ask", ask)
    done = model_fix(object(), EVAL, eval_finding(EVAL, 5))  # type: ignore[arg-type]
    assert [a.outcome for a in done.attempts] == ["finding-remains", "offered"]
    assert done.text is not None and "ast.literal_eval(expr)" in done.text and done.reason == ""
    assert prompts[1].endswith("Not `value = eval(expr.strip())`: bandit still reports B307 there.")


def test_no_fix_when_no_sample_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    prompts, ask = canned(None, "value = eval(expr)  # nosec")
    monkeypatch.setattr(model_module, "ask", ask)
    done = model_fix(object(), EVAL, eval_finding(EVAL, 5))  # type: ignore[arg-type]
    assert done.text is None and [a.outcome for a in done.attempts] == ["failed", "refused"]
    assert done.reason == "the local model's fix was not kept: it silences bandit with # nosec (2 tries)"
    assert "Not `" not in prompts[1]  # no answer to show from the first sample


def test_nothing_is_asked_for_a_finding_that_is_gone_or_a_statement_too_long(monkeypatch: pytest.MonkeyPatch) -> None:
    prompts, ask = canned()
    monkeypatch.setattr(model_module, "ask", ask)
    gone = model_fix_at(object(), EVAL, "B307", 2, 0)  # type: ignore[arg-type]
    assert gone.text is None and gone.reason == "bandit no longer reports B307 on line 2"
    long = "x = eval(\n" + "    1 +\n" * 25 + "    1)\n"
    done = model_fix(object(), long, eval_finding(long, 1))  # type: ignore[arg-type]
    assert done.text is None and "over 20 lines" in done.reason
    stopped = model_fix(object(), EVAL, eval_finding(EVAL, 5), stopped=lambda: True)  # type: ignore[arg-type]
    assert stopped.reason == "cancelled" and prompts == []


def holds(text: str, new: str, found: SecurityFinding) -> None:
    """The contract, re-checked without the package: the new text parses, the finding is gone from its place
    and there are fewer of its kind."""
    ast.parse(new)
    before, after = security_findings(text), security_findings(new)
    assert not any((f.code, f.line, f.column) == (found.code, found.line, found.column) for f in after)
    assert sum(f.code == found.code for f in after) < sum(f.code == found.code for f in before)


@pytest.mark.model
def test_the_real_model_cannot_get_an_answer_past_the_check(tiny_engine: LocalEngine) -> None:
    # No rewrite of `import subprocess` removes B404 and keeps the name: every answer must be rejected.
    text = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.run(['ls', cmd])\n"
    found = next(f for f in findings_of(text) if f.code == "B404")
    done = model_fix(tiny_engine, text, found)
    assert len(done.attempts) == 2 and all(a.outcome != "offered" for a in done.attempts)
    assert done.text is None and done.reason.startswith("the local model's fix was not kept: ")
    # Whatever the model makes of an eval, what comes back (if anything) holds.
    done = model_fix(tiny_engine, EVAL, eval_finding(EVAL, 6))
    assert 1 <= len(done.attempts) <= 2
    if done.text is None:
        assert done.reason
    else:
        holds(EVAL, done.text, eval_finding(EVAL, 6))
