"""drop_prefix_echo: remove the part of the line before the cursor that the model wrote again.

Why: small models often restart the line they were asked to finish: after
``return sum(d, t) / `` they answer ``sum(d, t) / len(d)``, and splicing that at the cursor gives
``return sum(d, t) / sum(d, t) / len(d)``. When the completion begins with a long enough tail of
the code before the cursor, that tail is dropped.

* The overlap must be at least ``MIN_ECHO`` characters and contain a non-identifier character, so
  that ``x = x`` style answers and short repeated words (``self.``) are kept.
* The longest overlap wins; leading whitespace of the completion is ignored for the match.
"""

from __future__ import annotations

from copiloto.completion.filters.base import FilterContext

MIN_ECHO = 8


def drop_prefix_echo(text: str, ctx: FilterContext) -> str:
    before = ctx.line_prefix.strip()
    body = text.lstrip(" \t")
    if len(before) < MIN_ECHO or not body:
        return text
    for start in range(len(before) - MIN_ECHO + 1):
        tail = before[start:]
        if body.startswith(tail) and not tail.replace("_", "a").isalnum():
            rest = body[len(tail) :]
            if ctx.line_prefix[-1:].isspace():  # the cursor already follows a space
                rest = rest.lstrip(" \t")
            return rest if rest.strip() else ""
    return text
