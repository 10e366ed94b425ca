"""The command line, run as a user would: `copiloto complete`, `doctor` and `demo` in subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import copiloto as copiloto_package
from copiloto.testgen import confinement

FIB = "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = \n    return a\n"


def copiloto(*args: str, timeout: float = 180, **settings: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COPILOTO_CONFIG="/nonexistent/copiloto.toml", **settings)
    return subprocess.run(
        [sys.executable, "-m", "copiloto", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_complete_json_reports_text_latency_and_tokens(tmp_path: Path, tiny_model: Path) -> None:
    source = tmp_path / "fib.py"
    source.write_text(FIB)
    done = copiloto("complete", f"{source}:4:16", "--json", "--model", str(tiny_model))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["text"] == "b, a + b"
    assert result["model"] == "tiny"
    assert result["latency_ms"] > 0 and result["prompt_tokens"] > 0
    assert 0 <= result["reused_tokens"] <= result["prompt_tokens"]


def test_complete_plain_prints_the_insertion(tmp_path: Path, tiny_model: Path) -> None:
    source = tmp_path / "fib.py"
    source.write_text(FIB)
    done = copiloto("complete", f"{source}:4:16", "--model", str(tiny_model))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "b, a + b"


def test_complete_on_invalid_utf8_is_bounded_and_answers(tmp_path: Path, tiny_model: Path) -> None:
    source = tmp_path / "bad.py"
    source.write_bytes(b'data = "\xff\xfe\xc3("\nvalue = ')
    done = copiloto("complete", f"{source}:2:9", "--json", "--model", str(tiny_model))
    assert done.returncode == 0, done.stderr
    assert "text" in json.loads(done.stdout)


@pytest.mark.parametrize("location", ["5:99", "99:1", "0:1", "nonsense"])
def test_complete_rejects_positions_outside_the_file(tmp_path: Path, location: str) -> None:
    source = tmp_path / "fib.py"
    source.write_text(FIB)
    done = copiloto("complete", f"{source}:{location}" if ":" in location else location, timeout=60)
    assert done.returncode != 0
    assert "copiloto" in done.stderr or "FILE:LINE:COL" in done.stderr
    assert "Traceback" not in done.stderr


def test_complete_with_a_missing_model_explains(tmp_path: Path) -> None:
    source = tmp_path / "fib.py"
    source.write_text(FIB)
    done = copiloto("complete", f"{source}:4:16", "--model", str(tmp_path / "missing.gguf"), timeout=60)
    assert done.returncode != 0
    assert "missing.gguf" in done.stderr and "Traceback" not in done.stderr


def test_doctor_names_the_model_and_why(tiny_model: Path) -> None:
    done = copiloto("doctor", "--load", "--model", "tiny")
    assert done.returncode == 0, done.stderr
    assert "tiny" in done.stdout and "FIM template" in done.stdout and "qwen / psm" in done.stdout
    assert "GPU offload build" in done.stdout
    sandbox = next(line for line in done.stdout.splitlines() if "test sandbox" in line)
    assert ("writes only in the sandbox (" in sandbox) == confinement().files
    assert ("no network (network namespace)" in sandbox) == (confinement().network == "cut")
    assert ("files private (mount namespace" in sandbox) == confinement().private
    assert ("die with it (PID namespace)" in sandbox) == confinement().pid
    assert ("but " in sandbox) == bool(confinement().gaps())


def test_demo_runs_a_real_session(tiny_model: Path) -> None:
    done = copiloto("demo", "--model", "tiny", timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "b, a + b" in done.stdout  # the Fibonacci hole
    assert "source=cache" in done.stdout
    assert "widget.class.php:33  [copiloto/logs glpiphplog.WARNING]" in done.stdout  # the log's frames, resolved
    assert "raised 3 times in php-errors.log, last 10:03" in done.stdout
    assert "export.py:10  [copiloto/bandit B602]" in done.stdout and "functions reviewed in" in done.stdout
    assert "reused from the KV cache after one typed character" in done.stdout
    # Right-click in is_prime: both code actions resolved, their edits shown, nothing written.
    assert "Copiloto: Generate docstring for is_prime" in done.stdout and "Args:" in done.stdout
    assert "Copiloto: Generate tests for is_prime" in done.stdout and "creates tests/test_tickets.py" in done.stdout
    assert "tests kept for is_prime (line" in done.stdout and "def test_is_prime" in done.stdout
    assert not (Path(copiloto_package.__file__).parent / "demo" / "project" / "tests").exists()
    assert "Neovim" in done.stdout and "VS Code" in done.stdout


CRLF_MODULE = 'def parse_header(line, sep=":"):\r\n    key, _, value = line.partition(sep)\r\n    return key, value\r\n'


def test_docstring_prints_a_docstring_naming_every_parameter(tmp_path: Path, tiny_model: Path) -> None:
    module = tmp_path / "headers.py"
    module.write_bytes(CRLF_MODULE.encode())
    done = copiloto("docstring", "--model", str(tiny_model), f"{module}::parse_header")
    assert done.returncode == 0, done.stderr
    assert "Args:" in done.stdout and "line:" in done.stdout and "sep:" in done.stdout
    assert module.read_bytes() == CRLF_MODULE.encode(), "without --write the file is untouched"


def test_docstring_write_puts_it_into_the_file_keeping_crlf(tmp_path: Path, tiny_model: Path) -> None:
    module = tmp_path / "headers.py"
    module.write_bytes(CRLF_MODULE.encode())
    done = copiloto("docstring", "--write", "--style", "numpy", "--model", str(tiny_model), f"{module}::parse_header")
    assert done.returncode == 0, done.stderr
    text = module.read_bytes().decode()
    assert "\n" not in text.replace("\r\n", ""), "every line still ends in CRLF"
    assert '    """' in text and "Parameters\r\n    ----------" in text
    compile(text, str(module), "exec")


@pytest.mark.parametrize(
    ("target", "code", "message"),
    [
        ("no-separator.py", 2, "expected FILE::QUALNAME"),
        ("{dir}/missing.py::f", 2, "cannot read"),
        ("{module}::nope", 1, "parse_header"),  # the names that do exist are listed
        ("{broken}::f", 1, "does not parse"),
    ],
)
def test_docstring_explains_bad_input_before_loading_a_model(
    tmp_path: Path, target: str, code: int, message: str
) -> None:
    module, broken = tmp_path / "headers.py", tmp_path / "broken.py"
    module.write_text(CRLF_MODULE)
    broken.write_text("def f(:\n    pass\n")
    done = copiloto("docstring", target.format(dir=tmp_path, module=module, broken=broken), "--model", "/nope.gguf")
    assert done.returncode == code
    assert message in done.stderr


AREA_MODULE = '''def area(width, height):
    """Area of a rectangle.

    >>> area(2, 3)
    6
    """
    if width < 0 or height < 0:
        raise ValueError("sizes must not be negative")
    return width * height
'''


def test_tests_prints_verified_tests_and_writes_them_with_write(tmp_path: Path, tiny_model: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shapes'\n")
    module = tmp_path / "shapes.py"
    module.write_text(AREA_MODULE)
    quick = {"COPILOTO_TESTS__ROUNDS": "1", "COPILOTO_TESTS__MAX_TESTS": "4"}  # settings from the environment
    done = copiloto("tests", "--model", str(tiny_model), f"{module}::area", **quick)
    assert done.returncode == 0, done.stderr
    assert "from shapes import area" in done.stdout and "def test_area_documented_example_1():" in done.stdout
    assert "tests kept for area (line" in done.stderr and "→ tests/test_shapes.py" in done.stderr
    assert "of 4 tests kept" in done.stderr, "tests.max_tests from the environment"
    assert not (tmp_path / "tests").exists(), "without --write nothing is written"
    written = copiloto("tests", "--write", "--model", str(tiny_model), f"{module}::area", **quick)
    assert written.returncode == 0, written.stderr
    text = (tmp_path / "tests" / "test_shapes.py").read_text()
    assert text.strip() == done.stdout.strip(), "the same tests, now in the project's test file"


def test_tests_explains_bad_input_before_loading_a_model(tmp_path: Path) -> None:
    module = tmp_path / "shapes.py"
    module.write_text(AREA_MODULE)
    for target, message in [(f"{module}::nope", "area"), (f"{tmp_path}/missing.py::f", "cannot read")]:
        done = copiloto("tests", target, "--model", "/nope.gguf")
        assert done.returncode in {1, 2} and message in done.stderr


@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        (["complete", "{dir}/ok.py"], 2, "copiloto: expected FILE:LINE:COL, 1-based (like app.py:12:5), got "),
        (["complete", "{dir}/nope.py:1:1"], 2, "nope.py: No such file or directory\n"),  # no "[Errno 2]"
        (["review", "{dir}/latin1.py", "--no-local"], 2, "latin1.py: it is not UTF-8 text (byte 5)"),
        (["review", "{dir}/bad.py", "--no-local"], 1, "it does not parse (invalid syntax at line 1); fix that first"),
        (["logs", "{dir}"], 2, "copiloto: no *.log file in "),
        (["models", "pull", "nope"], 1, "copiloto: unknown model 'nope'"),
        (["--model", "{dir}/ok.py", "complete", "{dir}/ok.py:1:1"], 1, "copiloto: not a GGUF model file"),
    ],
)
def test_bad_input_gets_one_line_that_says_what_to_do(tmp_path: Path, args: list[str], status: int, said: str) -> None:
    (tmp_path / "ok.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "bad.py").write_text("def broken(:\n")
    (tmp_path / "latin1.py").write_bytes("# caf\xe9 = 1\n".encode("latin-1"))
    done = copiloto(*[arg.format(dir=tmp_path) for arg in args], timeout=60)
    assert done.returncode == status, done.stderr
    assert said in done.stderr
    assert done.stderr.count("\n") == 1, f"one line, no log noise, no traceback: {done.stderr!r}"


def test_engine_url_completes_through_a_remote_server(tmp_path: Path, remote_server: str) -> None:
    source = tmp_path / "fib.py"
    source.write_text(FIB)
    done = copiloto("complete", f"{source}:4:16", "--json", "--engine-url", f"{remote_server}/v1")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["text"] == "b, a + b" and result["model"].endswith("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")


def test_an_unreachable_engine_url_says_so_or_the_local_model_stands_in(tmp_path: Path, tiny_model: Path) -> None:
    from llama_server import free_port

    source = tmp_path / "fib.py"
    source.write_text(FIB)
    url = f"http://127.0.0.1:{free_port()}"
    alone = copiloto("complete", f"{source}:4:16", "--engine-url", url, timeout=60)
    assert alone.returncode == 1 and f"cannot use the engine at {url}" in alone.stderr, alone.stderr
    stand_in = copiloto("complete", f"{source}:4:16", "--json", "--engine-url", url, "--model", str(tiny_model))
    assert stand_in.returncode == 0, stand_in.stderr
    assert json.loads(stand_in.stdout)["text"] == "b, a + b" and json.loads(stand_in.stdout)["model"] == "tiny"
    assert "the local model takes over" in stand_in.stderr
