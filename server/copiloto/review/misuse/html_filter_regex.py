"""Markup filtered by a regular expression (CWE-116): `re.sub(r"<script.*?>.*?</script>", "", text)`,
`re.compile("<script", re.I)`, a pattern for `on\\w+=` handlers or `javascript:` URLs used to strip or detect
dangerous HTML. A blacklist of markup is bypassed by the many spellings browsers accept (`<scr<script>ipt>`,
`<svg onload=…>`, entities, newlines in the tag); sanitise with an HTML sanitiser (nh3, bleach) or escape on
output instead."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, calls

RULE = Rule("CM-HTML-FILTER-REGEX", 116, "warning", "html_filtered_by_regex")
FUNCTIONS = frozenset({"compile", "sub", "subn", "match", "search", "fullmatch", "findall", "finditer", "split"})
# `<script`, `</iframe`, `on\w+=` / `on[a-z]+\s*=`, `javascript:` — written in a regular expression
MARKUP = re.compile(
    r"(?i)<[\\/?*s\s]*(script|iframe)|javascript(\\s\*)?:|(?:(?<![a-z])|(?<=\\[a-z]))on(\\w|\[a-z(-z)?\]|\[a-za-z\])[+*]"
)


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        module, _, function = name.rpartition(".")
        pattern = call.args[0] if call.args else None
        if module in ("re", "regex") and function in FUNCTIONS and isinstance(pattern, ast.Constant):
            text = pattern.value.decode("latin-1") if isinstance(pattern.value, bytes) else pattern.value
            if isinstance(text, str) and (found := MARKUP.search(text)):
                yield Hit(
                    call,
                    f"a regular expression for {found.group().strip()!r} filters HTML by a bypassable blacklist:"
                    " use an HTML sanitiser (nh3, bleach) or escape on output",
                )
