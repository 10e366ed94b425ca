"""Layer 1 of the review on save: bandit, run as a library on the saved text, its findings as they are.

Bandit's own rules, never rewritten: each issue keeps its test id (B602), its CWE with the link, and a
severity from bandit's severity and confidence. The text is written to a temporary file because bandit
reads files; the file name only matters for messages.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

SOURCE = "copiloto/bandit"
# bandit's plugin loader logs an ERROR for every optional output format it lacks (sarif): not ours to show.
logging.getLogger("stevedore.extension").setLevel(logging.CRITICAL)
# bandit logs every `# nosec` comment it reads ("Test in comment: ..."): warnings about the file, not errors.
logging.getLogger("bandit").setLevel(logging.ERROR)
Severity = Literal["error", "warning", "information", "hint"]

# bandit severity → ours; a LOW confidence finding is one step milder.
_SEVERITY: dict[str, Severity] = {"HIGH": "error", "MEDIUM": "warning", "LOW": "information"}
_MILDER: dict[Severity, Severity] = {
    "error": "warning",
    "warning": "information",
    "information": "hint",
    "hint": "hint",
}


class SecurityFinding(BaseModel):
    line: int  # 1-based
    column: int  # 0-based, where the flagged node starts
    end_column: int | None  # on `line`; None: to the end of the line
    severity: Severity
    source: str = SOURCE
    code: str  # B602
    name: str  # subprocess_popen_with_shell_equals_true
    message: str
    cwe: int | None
    cwe_link: str | None
    bandit_severity: str
    bandit_confidence: str


def security_findings(text: str, filename: str = "module.py") -> list[SecurityFinding]:
    """Bandit's findings in `text`, in line order (a file that does not parse gives none: bandit skips it)."""
    from bandit.core import manager

    with tempfile.TemporaryDirectory(prefix="copiloto-bandit-") as folder:
        path = Path(folder) / Path(filename).name
        path.write_text(text, encoding="utf-8")
        runner = manager.BanditManager(_config(), "file", quiet=True)
        runner.discover_files([str(path)])
        runner.run_tests()
        issues = runner.get_issue_list()
    return sorted((_finding(issue) for issue in issues), key=lambda f: (f.line, f.column, f.code))


def severity_of(bandit_severity: str, confidence: str) -> Severity:
    ours = _SEVERITY.get(bandit_severity.upper(), "information")
    return _MILDER[ours] if confidence.upper() == "LOW" else ours


@functools.cache
def _config() -> object:
    from bandit.core import config

    return config.BanditConfig()


def _finding(issue: object) -> SecurityFinding:
    cwe = getattr(issue, "cwe", None)
    cwe_id = getattr(cwe, "id", None) or None
    end = getattr(issue, "end_col_offset", None)
    single_line = len(getattr(issue, "linerange", []) or []) <= 1
    return SecurityFinding(
        line=int(getattr(issue, "lineno", 1) or 1),
        column=int(getattr(issue, "col_offset", 0) or 0),
        end_column=int(end) if single_line and isinstance(end, int) and end > 0 else None,
        severity=severity_of(str(getattr(issue, "severity", "")), str(getattr(issue, "confidence", ""))),
        code=str(getattr(issue, "test_id", "")),
        name=str(getattr(issue, "test", "")),
        message=str(getattr(issue, "text", "")),
        cwe=cwe_id,
        cwe_link=cwe.link() if cwe_id and cwe is not None else None,
        bandit_severity=str(getattr(issue, "severity", "")),
        bandit_confidence=str(getattr(issue, "confidence", "")),
    )
