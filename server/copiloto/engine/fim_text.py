"""FIM and instruction prompts as text, for servers that take a text prompt (the remote backend).

The orders are those of the embedded engine (engine/fim.py): suffix-prefix-middle for CodeLlama as Meta trained
it ("<PRE> <SUF>{suffix} <MID> {prefix}": the prefix comes last, so a server's prompt cache keeps everything
before the cursor), prefix-suffix-middle for the others, the bare prefix for models without FIM markers.

A server parses marker texts in a text prompt as control tokens, so the user's text is defanged first: a marker
found in the code (a file that mentions `<|fim_middle|>`) gets a zero-width space after its first character and
stays plain text — the embedded engine gets the same guarantee by building token ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import get_args

from copiloto.engine.chat import ChatLayout, ChatPrompt
from copiloto.engine.fim import (
    FILE_SEP_TEXTS,
    MIDDLE_TEXTS,
    PAD_TEXTS,
    PREFIX_TEXTS,
    REPO_TEXTS,
    STOP_TEXTS,
    SUFFIX_TEXTS,
    FimFamily,
    FimOrder,
)

CHAT_MARKERS = ("<|im_start|>", "<|im_end|>")
MARKERS = tuple(
    dict.fromkeys(
        m.lstrip("▁")
        for m in (
            *PREFIX_TEXTS,
            *SUFFIX_TEXTS,
            *MIDDLE_TEXTS,
            *PAD_TEXTS,
            *REPO_TEXTS,
            *FILE_SEP_TEXTS,
            *STOP_TEXTS,
            *CHAT_MARKERS,
            "<s>",
            "</s>",
        )
    )
)
_MARKER = re.compile("|".join(re.escape(m) for m in sorted(MARKERS, key=len, reverse=True)))
FAMILIES: tuple[FimFamily, ...] = get_args(FimFamily)


@dataclass(frozen=True)
class TextTemplate:
    family: FimFamily
    order: FimOrder
    prefix: str = ""
    suffix: str = ""
    middle: str = ""
    stops: tuple[str, ...] = ()  # marker texts that end a middle

    def render(self, prefix: str, suffix: str) -> str:
        """The prompt for the text between `prefix` and `suffix`, user text defanged."""
        pre, suf = defang(prefix), defang(suffix)
        if self.order == "prefix_only":
            return pre
        if self.order == "spm":
            return f"{self.prefix} {self.suffix}{suf} {self.middle} {pre}"
        return f"{self.prefix}{pre}{self.suffix}{suf}{self.middle}"


_PSM = ("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>")
TEMPLATES: dict[FimFamily, TextTemplate] = {
    "codellama": TextTemplate("codellama", "spm", "<PRE>", "<SUF>", "<MID>", ("<EOT>", "</s>")),
    "qwen": TextTemplate("qwen", "psm", *_PSM, ("<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|im_end|>")),
    "codegemma": TextTemplate("codegemma", "psm", *_PSM, ("<|file_separator|>", "<eos>")),
    "starcoder": TextTemplate(
        "starcoder", "psm", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", ("<|endoftext|>", "<file_sep>")
    ),
    "deepseek": TextTemplate(
        "deepseek", "psm", "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>", ("<｜end▁of▁sentence｜>", "<|EOT|>")
    ),
    "other": TextTemplate("other", "psm", *_PSM, ("<|endoftext|>",)),
    "none": TextTemplate("none", "prefix_only"),
}


def defang(text: str) -> str:
    """`text` with every marker text broken by a zero-width space, so no server reads it as a control token."""
    return _MARKER.sub(lambda m: m.group(0)[0] + "\u200b" + m.group(0)[1:], text)


def chat_layout_of(family: FimFamily) -> ChatLayout:
    """Qwen's instruct models take ChatML turns; base models (CodeLlama) get the plain layout."""
    return "chatml" if family == "qwen" else "plain"


def chat_text(layout: ChatLayout, prompt: ChatPrompt) -> str:
    """The instruction prompt as text (engine/chat.py's layouts), user and system text defanged."""
    system, user = defang(prompt.system), defang(prompt.user)
    if layout == "chatml":
        turns = "".join(
            f"<|im_start|>{role}\n{text}<|im_end|>\n" for role, text in (("system", system), ("user", user))
        )
        return turns + "<|im_start|>assistant\n"
    return f"{system}\n\n{user}\n\nAnswer (JSON):\n"


def family_of_model_id(model_id: str, known: dict[str, FimFamily]) -> FimFamily | None:
    """The FIM family of a server's model id (a path, a repo, an Ollama tag): a catalog entry's name or file
    stem inside the id (`known`: normalised name -> family), else the family's own name; None if neither."""
    flat = normalise_model_id(model_id)
    for name, family in sorted(known.items(), key=lambda kv: -len(kv[0])):
        if name and name in flat:
            return family
    for family in ("codellama", "codegemma", "starcoder", "deepseek", "qwen"):
        if family in flat:
            return family
    return None


def normalise_model_id(text: str) -> str:
    """Lower-case letters and digits only: `CodeLlama-13B.Q4_K_M` and `codellama:13b` compare alike."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


__all__ = [
    "FAMILIES",
    "MARKERS",
    "TEMPLATES",
    "TextTemplate",
    "chat_layout_of",
    "chat_text",
    "defang",
    "family_of_model_id",
    "normalise_model_id",
]
