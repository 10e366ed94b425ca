"""drop_trailing_comment: in a single-line completion, drop a comment the model added after the code.

Why: instruct models narrate — ``line)  # Print each line as plain text. This is a simple way…`` —
and the narration is as long as the token limit allows. The code is the suggestion; an inline
comment the user did not start is noise in ghost text.

* Only single-line mode, and only when the completion has code before the comment (a completion
  that is a comment, e.g. on a comment line, is kept).
* Comment markers inside strings do not count (``"#"`` stays).
"""

from __future__ import annotations

from copiloto.completion.filters._code import mask_code
from copiloto.completion.filters.base import FilterContext


def drop_trailing_comment(text: str, ctx: FilterContext) -> str:
    if ctx.multiline or "\n" in text:
        return text
    masked, _ = mask_code(ctx.line_prefix + text)
    code = masked[len(ctx.line_prefix) :]
    # mask_code blanks comments too: where the masked text ends early, a comment began.
    cut = len(code.rstrip())
    for marker in ("#", "//"):
        at = text.find(marker, cut)
        if at >= 0 and text[:at].strip() and not text[cut:at].strip():
            return text[:at].rstrip()
    return text
