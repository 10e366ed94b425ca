"""Instruction prompts (review, log triage) laid out as token ids, for chat-tuned and base models alike.

Why ids again (as for FIM): the text put in a prompt is the user's code or a log line, and it must never be
parsed as a control token (a file containing `<|im_end|>` would otherwise end the turn). Only the template's
own markers are looked up as special tokens.

Layouts, chosen from the vocabulary:
- ``chatml`` (Qwen and others with `<|im_start|>`/`<|im_end|>` tokens): the turns the model was tuned on;
- ``plain`` (base models such as CodeLlama-13B): the instruction, the input, then "Answer (JSON):" — the
  grammar that constrains the answer does what a chat template would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

ChatLayout = Literal["chatml", "plain"]


class ChatTokenizer(Protocol):
    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]: ...

    def token_bos(self) -> int: ...


@dataclass(frozen=True)
class ChatPrompt:
    """One instruction (the system part) and one input (the user part)."""

    system: str
    user: str


def detect_layout(tok: ChatTokenizer) -> ChatLayout:
    return "chatml" if _special(tok, "<|im_start|>") is not None and _special(tok, "<|im_end|>") else "plain"


def chat_tokens(tok: ChatTokenizer, layout: ChatLayout, prompt: ChatPrompt) -> list[int]:
    """The prompt's token ids; only the layout's markers are special tokens."""
    if layout == "chatml":
        start, end = _special(tok, "<|im_start|>"), _special(tok, "<|im_end|>")
        assert start is not None and end is not None
        ids: list[int] = []
        for role, text in (("system", prompt.system), ("user", prompt.user)):
            ids += [start, *_plain(tok, f"{role}\n{text}"), end, *_plain(tok, "\n")]
        return [*ids, start, *_plain(tok, "assistant\n")]
    text = f"{prompt.system}\n\n{prompt.user}\n\nAnswer (JSON):\n"
    return [tok.token_bos(), *_plain(tok, text)]


def _plain(tok: ChatTokenizer, text: str) -> list[int]:
    return tok.tokenize(text.encode("utf-8"), add_bos=False, special=False)


def _special(tok: ChatTokenizer, text: str) -> int | None:
    ids = tok.tokenize(text.encode("utf-8"), add_bos=False, special=True)
    return ids[0] if len(ids) == 1 else None
