"""Quick fixes for bandit's findings: each rewrite on cases where it must fire (the fixed text parses and bandit
no longer reports the finding) and where it must refuse (no safe rewrite: nothing is offered)."""

from __future__ import annotations

import ast

import pytest

from copiloto.review.fixes import REGISTRY, Attempt, attempt, finding_at, findings_of, verified_fixes
from copiloto.review.security import SecurityFinding

SHELL = "import subprocess\n"
YAML = "import yaml\n"
HASH = "import hashlib\n"
TEMP = "import tempfile\n"
REQ = "import requests\nimport httpx\n"

# (module text, bandit test id, fix title prefix, the flagged line as it must read after the fix)
FIRES = [
    (YAML + "data = yaml.load(stream)\n", "B506", "use yaml.safe_load", "data = yaml.safe_load(stream)"),
    (YAML + "d = yaml.load(s, Loader=yaml.FullLoader)\n", "B506", "use yaml", "d = yaml.safe_load(s)"),
    (YAML + "d = yaml.load(s, yaml.Loader)  # keep me\n", "B506", "use yaml", "d = yaml.safe_load(s)  # keep me"),
    ("import yaml as y\nd = y.load(s, Loader=y.UnsafeLoader)\n", "B506", "use yaml", "d = y.safe_load(s)"),
    (YAML + "d = yaml.load(stream=s, Loader=yaml.Loader)\n", "B506", "use yaml", "d = yaml.safe_load(stream=s)"),
    (SHELL + "subprocess.call('ls -l /var/log', shell=True)\n", "B602", "pass",
     "subprocess.call(['ls', '-l', '/var/log'])"),
    ("from subprocess import Popen as pop\npop('ls -l', shell=True)\n", "B602", "pass", "pop(['ls', '-l'])"),
    (SHELL + 'subprocess.run("git log --oneline", shell=True, check=True)\n', "B602", "pass",
     'subprocess.run(["git", "log", "--oneline"], check=True)'),
    (SHELL + "subprocess.Popen(f'tar -czf {out} {src}', shell=True)\n", "B602", "pass",
     "subprocess.Popen(['tar', '-czf', str(out), str(src)])"),
    (SHELL + "subprocess.check_output(f'grep -n \"{word}\" notes.txt', shell=True)\n", "B602", "pass",
     "subprocess.check_output(['grep', '-n', str(word), 'notes.txt'])"),
    (SHELL + 'subprocess.call("rm -rf " + folder, shell=True)\n', "B602", "pass",
     'subprocess.call(["rm", "-rf", folder])'),
    (SHELL + 'subprocess.call("cp --target=" + dest + " a.txt", shell=True)\n', "B602", "pass",
     'subprocess.call(["cp", "--target=" + dest, "a.txt"])'),
    (SHELL + 'subprocess.call("x --n=" + f"{n!r}", shell=True)\n', "B602", "pass",
     'subprocess.call(["x", "--n=" + repr(n)])'),
    (SHELL + 'subprocess.call("ls -l %s" % path, shell=True)\n', "B602", "pass",
     'subprocess.call(["ls", "-l", str(path)])'),
    (SHELL + 'subprocess.call("cp %s %s.bak" % (name, name), shell=True)\n', "B602", "pass",
     'subprocess.call(["cp", str(name), str(name) + ".bak"])'),
    (SHELL + 'subprocess.call("git -C {} log {n!r}".format(repo, n=rev), shell=True)\n', "B602", "pass",
     'subprocess.call(["git", "-C", str(repo), "log", repr(rev)])'),
    (SHELL + 'subprocess.run(\n    f"ping -c 1 {host}",\n    shell=True,\n)\n', "B602", "pass",
     'subprocess.run(\n    ["ping", "-c", "1", str(host)],\n)'),
    (SHELL + "subprocess.run('echo \"a b\" \\'c\\'', shell=True)\n", "B602", "pass",
     "subprocess.run(['echo', 'a b', 'c'])"),
    (HASH + "h = hashlib.md5(data).hexdigest()\n", "B324", "mark",
     "h = hashlib.md5(data, usedforsecurity=False).hexdigest()"),
    (HASH + "h = hashlib.md5(data).hexdigest()\n", "B324", "use SHA-256", "h = hashlib.sha256(data).hexdigest()"),
    (HASH + "h = hashlib.sha1()\n", "B324", "mark", "h = hashlib.sha1(usedforsecurity=False)"),
    (HASH + "h = hashlib.new('md5', data)\n", "B324", "mark", "h = hashlib.new('md5', data, usedforsecurity=False)"),
    (HASH + "h = hashlib.new('sha1')\n", "B324", "use SHA-256", "h = hashlib.new('sha256')"),
    (TEMP + "path = tempfile.mktemp()\n", "B306", "use tempfile",
     "path = tempfile.NamedTemporaryFile(delete=False).name"),
    (TEMP + "p = tempfile.mktemp('.txt', dir=base)\n", "B306", "use tempfile",
     "p = tempfile.NamedTemporaryFile(delete=False, suffix='.txt', dir=base).name"),
    (REQ + "r = requests.get(url, verify=False)\n", "B501", "check TLS", "r = requests.get(url)"),
    (REQ + "r = requests.post(url, verify=False, timeout=5)\n", "B501", "check TLS",
     "r = requests.post(url, timeout=5)"),
    (REQ + "r = httpx.get(url, verify=False)\n", "B501", "check TLS", "r = httpx.get(url)"),
]  # fmt: skip

# (module text, bandit test id): bandit flags it, and no rewrite is safe
REFUSES = [
    (YAML + "d = yaml.load(s, Loader=MyLoader)\n", "B506"),  # a custom Loader: its constructors matter
    (YAML + "d = yaml.load(s, Loader=yaml.BaseLoader)\n", "B506"),  # safe already, and all-str: not safe_load
    ("import yaml\nfrom yaml import load\nd = load(s)\n", "B506"),  # safe_load is not imported
    (SHELL + "subprocess.call(cmd, shell=True)\n", "B602"),  # opaque variable
    (SHELL + "subprocess.call('ls | wc -l', shell=True)\n", "B602"),  # a pipe
    (SHELL + "subprocess.call('ls *.py', shell=True)\n", "B602"),  # a glob
    (SHELL + "subprocess.call(f'echo $HOME {x}', shell=True)\n", "B602"),  # a shell variable
    (SHELL + "subprocess.call('cd /tmp', shell=True)\n", "B602"),  # a builtin
    (SHELL + "subprocess.call(['ls', '-l'], shell=True)\n", "B602"),  # a list with shell=True means sh -c ls
    (SHELL + "subprocess.call('ls %d' % n, shell=True)\n", "B602"),  # not %s
    (SHELL + "subprocess.call('cp %s %s' % pair, shell=True)\n", "B602"),  # one value, two fields
    (SHELL + "subprocess.call('ls %s' % (a + b), shell=True)\n", "B602"),  # may be a tuple
    (SHELL + "subprocess.call('ls {0.name}'.format(p), shell=True)\n", "B602"),  # attribute access
    (SHELL + "subprocess.call('ls {}'.format(*args), shell=True)\n", "B602"),  # *args
    (SHELL + "subprocess.call(f'ls {d:>4}', shell=True)\n", "B602"),  # a format spec
    ("def Popen(*a, **k):\n    pass\n\nPopen('ls -l', shell=True)\n", "B604"),  # not subprocess: shell means ?
    ("from tempfile import mktemp\np = mktemp()\n", "B306"),  # NamedTemporaryFile is not imported
    (REQ + "r = requests.get(url,  # why\n    verify=False)\n", "B501"),  # a comment where text goes
]


def the_finding(text: str, code: str) -> SecurityFinding:
    found = [f for f in findings_of(text) if f.code == code]
    assert len(found) == 1, [(f.line, f.code) for f in findings_of(text)]
    return found[0]


@pytest.mark.parametrize(("text", "code", "title", "fixed"), FIRES)
def test_a_rewrite_fixes_the_finding(text: str, code: str, title: str, fixed: str) -> None:
    finding = the_finding(text, code)
    [done] = [a for a in verified_fixes(text, finding) if a.fix.title.startswith(title)]
    assert done.text is not None
    ast.parse(done.text)
    head = [line for line in text.split("\n") if line.startswith(("import ", "from "))]
    assert done.text == "\n".join([*head, fixed, ""])
    after = findings_of(done.text)
    assert not any(f.code == code for f in after)
    assert {f.code for f in after} <= {f.code for f in findings_of(text)} | done.fix.successors


@pytest.mark.parametrize(("text", "code"), REFUSES)
def test_no_fix_where_no_rewrite_is_safe(text: str, code: str) -> None:
    finding = the_finding(text, code)
    assert verified_fixes(text, finding) == []
    assert all(a.outcome == "refused" for a in attempt(text, finding))


def test_the_weak_hash_offers_both_fixes_in_order() -> None:
    text = HASH + "key = hashlib.sha1(name.encode()).hexdigest()\n"
    titles = [a.fix.title for a in verified_fixes(text, the_finding(text, "B324"))]
    assert titles == [
        "mark the hash as not for security (usedforsecurity=False)",
        "use SHA-256 instead (changes the digest)",
    ]


def test_the_finding_is_found_again_by_code_and_place() -> None:
    text = YAML + "a = yaml.load(x); b = yaml.load(y)\n"
    second = finding_at(text, "B506", 2, 22)
    assert second is not None
    [done] = verified_fixes(text, second)
    assert done.text == YAML + "a = yaml.load(x); b = yaml.safe_load(y)\n"
    assert finding_at(text, "B506", 2, 5) is None  # no finding starts there


def test_kwargs_may_hold_usedforsecurity_so_only_sha256_is_offered() -> None:
    text = HASH + "h = hashlib.md5(data, **options)\n"
    outcomes = [(a.fix.title[:4], a.outcome) for a in attempt(text, the_finding(text, "B324"))]
    assert outcomes == [("mark", "refused"), ("use ", "offered")]


def test_a_rewrite_that_breaks_the_file_is_not_offered() -> None:
    text = YAML + "d = yaml.load(s)\n"
    fix = REGISTRY["B506"][0]
    broken = fix.rewrite(text, the_finding(text, "B506"))
    assert broken is not None
    from copiloto.review.fixes import check

    bad = check(text, the_finding(text, "B506"), fix, broken.replace("safe_load(s)", "safe_load(s"))
    assert bad.outcome == "broke-parse"
    same = check(text, the_finding(text, "B506"), fix, text.replace("d =", "dd ="))
    assert same.outcome == "finding-remains"
    # a rewrite may be right and still show bandit something new: not offered either
    shell = SHELL + "subprocess.call('ls -l /tmp', shell=True)\n"
    [listing] = attempt(shell, the_finding(shell, "B602"))
    assert (listing.outcome, listing.detail) == ("new-finding", "B108")  # '/tmp' is now a string of its own
    new = check(text, the_finding(text, "B506"), fix, text.replace("yaml.load(s)", "yaml.safe_load(s); eval(s)"))
    assert new == Attempt(fix, "new-finding", new.text, "B307")


def test_a_failing_rewrite_costs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    text = YAML + "d = yaml.load(s)\n"

    def boom(text: str, finding: SecurityFinding) -> str | None:
        raise IndexError("bug")

    monkeypatch.setitem(REGISTRY, "B506", (REGISTRY["B506"][0].__class__("B506", "boom", boom),))
    assert [a.outcome for a in attempt(text, the_finding(text, "B506"))] == ["failed"]


def test_crlf_and_non_ascii_text_is_edited_in_place() -> None:
    text = "import yaml\r\nname = 'café'; d = yaml.load(s)  # é\r\n"
    finding = the_finding(text, "B506")
    assert finding.column == len("name = 'café'; d = ".encode())  # bandit's column counts UTF-8 bytes
    [done] = verified_fixes(text, finding)
    assert done.text == "import yaml\r\nname = 'café'; d = yaml.safe_load(s)  # é\r\n"
    utf16 = len("name = 'café'; d = ")
    assert finding_at(text, "B506", 2, finding.column) == finding == finding_at(text, "B506", 2, utf16)
