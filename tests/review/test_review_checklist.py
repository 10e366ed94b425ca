"""The local model's checklist: which questions a function gets, and which "yes" answers hold up without the
model. One row per question: a vulnerable function whose right answer is kept, and a clean twin on which the
same answer (same lines) must be dropped, because no outside data reaches that line there."""

from __future__ import annotations

import textwrap

import pytest

from copiloto.engine.local import LocalEngine
from copiloto.review.checklist import CHECKLIST, ChecklistAnswer, checklist_findings, questions_for, reaches, validate
from copiloto.review.functions import FunctionSpan, function_spans
from copiloto.review.local import ReviewStats

QUESTIONS = {q.key: q for q in CHECKLIST}

# (question, vulnerable function, clean twin, source line, sink line): lines are the file's, 1-based; the
# function starts on line 1, so the def line is 1 (2 with a decorator).
CASES: list[tuple[str, str, str, int, int]] = [
    (
        "sql",
        """
        def find(cursor, name):
            query = "SELECT * FROM users WHERE name = '%s'" % name
            cursor.execute(query)
        """,
        """
        def find(cursor, name):
            query = "SELECT * FROM users WHERE name = ?"
            cursor.execute(query)
        """,
        1,
        3,
    ),
    (
        "shell",
        """
        def ping(host):
            command = "ping -c 1 " + host
            return subprocess.check_output(command, shell=True)
        """,
        """
        def ping(host):
            command = "ping -c 1 localhost"
            return subprocess.check_output(command, shell=True)
        """,
        1,
        3,
    ),
    (
        "code",
        """
        def calculate(expression):
            value = eval(expression)
            return value
        """,
        """
        def calculate(expression):
            value = eval("1 + 2")
            return value
        """,
        1,
        2,
    ),
    (
        "path",
        """
        def read_report(filename):
            path = os.path.join("/srv/reports", filename)
            with open(path) as handle:
                return handle.read()
        """,
        """
        def read_report(filename):
            path = os.path.join("/srv/reports", "latest.txt")
            with open(path) as handle:
                return handle.read()
        """,
        1,
        3,
    ),
    (
        "deserialise",
        """
        def restore(blob):
            data = base64.b64decode(blob)
            return pickle.loads(data)
        """,
        """
        def restore(blob):
            data = base64.b64decode(DEFAULT)
            return pickle.loads(data)
        """,
        1,
        3,
    ),
    (
        "ssrf",
        """
        @app.route("/fetch")
        def fetch():
            target = request.args["url"]
            return requests.get(target, timeout=5).text
        """,
        """
        @app.route("/fetch")
        def fetch():
            target = request.args["url"]
            return requests.get("https://api.example.com/status", timeout=5).text
        """,
        3,
        4,
    ),
    (
        "xml",
        """
        def parse_upload(xml_text):
            parser = etree.XMLParser(resolve_entities=True)
            return etree.fromstring(xml_text, parser)
        """,
        """
        def parse_upload(xml_text):
            parser = etree.XMLParser(resolve_entities=True)
            return etree.fromstring(TEMPLATE, parser)
        """,
        1,
        3,
    ),
    (
        "query",
        """
        def find_user(root, username):
            expression = "/users/user[@name='" + username + "']"
            return root.xpath(expression)
        """,
        """
        def find_user(root, username):
            expression = "/users/user[@name=$name]"
            return root.xpath(expression)
        """,
        1,
        3,
    ),
    (
        "redirect",
        """
        def go(request):
            target = request.GET.get("next")
            return redirect(target)
        """,
        """
        def go(request):
            target = request.GET.get("next")
            return redirect("/home")
        """,
        2,
        3,
    ),
    (
        "xss",
        """
        def hello(name):
            page = "<h1>Hello " + name + "</h1>"
            return make_response(page)
        """,
        """
        def hello(name):
            page = "<h1>Hello " + escape(name) + "</h1>"
            return make_response(PAGE)
        """,
        1,
        3,
    ),
]


def span_of(code: str) -> tuple[FunctionSpan, list[str]]:
    text = textwrap.dedent(code).lstrip("\n")
    return function_spans(text)[0], text.split("\n")


def yes(source: int, sink: int) -> ChecklistAnswer:
    return ChecklistAnswer(source_line=source, sink_line=sink, reason="outside data reaches it", answer="yes")


def test_every_question_has_a_case() -> None:
    assert {case[0] for case in CASES} == set(QUESTIONS)


@pytest.mark.parametrize(("key", "vulnerable", "clean", "source", "sink"), CASES, ids=[c[0] for c in CASES])
def test_a_yes_holds_up_on_the_flaw_and_not_on_its_clean_twin(
    key: str, vulnerable: str, clean: str, source: int, sink: int
) -> None:
    question = QUESTIONS[key]
    span, lines = span_of(vulnerable)
    assert question in questions_for(span)
    finding, why = validate(yes(source, sink), question, span, lines)
    assert finding is not None, why
    assert (finding.line, finding.category) == (sink, "security")
    assert finding.message.startswith(f"CWE-{question.cwe} {question.title}: data from line {source}")
    clean_span, clean_lines = span_of(clean)
    dropped, why = validate(yes(source, sink), question, clean_span, clean_lines)
    assert dropped is None and "reaches" in why


def test_a_function_without_a_sink_gets_no_question() -> None:
    span, _ = span_of(
        """
        def total(prices, discount):
            subtotal = sum(prices)
            return subtotal * (1 - discount)
        """
    )
    assert questions_for(span) == []


def test_a_sink_named_only_in_a_comment_or_the_def_line_is_no_sink() -> None:
    span, _ = span_of(
        """
        def execute(plan):
            # never call os.system( here: the plan runs in the worker
            return plan.steps
        """
    )
    assert questions_for(span) == []


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (ChecklistAnswer(source_line=1, sink_line=3, reason="", answer="no"), "no"),
        (yes(0, 3), "not in order"),  # before the function
        (yes(3, 1), "not in order"),  # the sink before the source
        (yes(1, 9), "not in order"),  # past the function's end
        (yes(1, 2), "holds no the text of an SQL query"),  # line 2 builds the query, it does not run it
    ],
)
def test_answers_that_do_not_hold_up(answer: ChecklistAnswer, why: str) -> None:
    span, lines = span_of(CASES[0][1])
    finding, reason = validate(answer, QUESTIONS["sql"], span, lines)
    assert finding is None and why in reason


def test_reaches_follows_assignments_in_order_only() -> None:
    span, _ = span_of(
        """
        def run(cmd, flag):
            line = "x"
            os.system(line)
            line = cmd
            os.system(line)
        """
    )
    assert reaches(span, 1, 5)  # cmd -> line (4) -> os.system (5)
    assert not reaches(span, 1, 3)  # line is still the constant at line 3
    assert not reaches(span, 2, 5)  # line 2 binds a constant; line 4 rebinds from a parameter, not from line 2


@pytest.mark.model
def test_the_checklist_with_the_real_model_keeps_only_answers_that_hold_up(tiny_engine: LocalEngine) -> None:
    text = textwrap.dedent(CASES[1][1]).lstrip("\n") + "\n\n" + textwrap.dedent(CASES[1][2]).lstrip("\n")
    spans = function_spans(text)
    stats = ReviewStats(functions=len(spans))
    for span in spans:
        for finding in checklist_findings(tiny_engine, span, text, stats, lambda: False):
            assert span.start_line < finding.line <= span.end_line + 1
            assert finding.message.startswith("CWE-78 OS command injection")
            assert finding.line == span.start_line + 3  # the only sink line, and only in the vulnerable one
            assert "localhost" not in span.text
    assert stats.questions == 2 and stats.invalid_answers == 0
