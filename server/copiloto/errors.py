"""The errors a user is told about, in one hierarchy: the message says what happened and what to do, and the
class says which kind it is, so a caller catches these and lets real bugs through."""

from __future__ import annotations

from typing import ClassVar, Literal

Kind = Literal["unavailable", "failed"]


class CopilotoError(Exception):
    """An error whose message is written for the user."""

    kind: ClassVar[Kind] = "failed"

    @property
    def message(self) -> str:
        return str(self)


class Unavailable(CopilotoError):
    """The work cannot be done now (no key, disabled, over budget, an excluded file, nothing configured):
    nothing was tried; the message says why and how to enable it."""

    kind = "unavailable"


class Failed(CopilotoError):
    """The work was tried and failed (after retries): the message says what failed."""

    kind = "failed"
