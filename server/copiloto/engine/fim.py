"""Fill-in-the-middle: find a model's FIM template in its GGUF vocabulary and lay out prompts as token ids.

Why token ids: `Llama.create_completion(prompt, suffix=...)` is broken in llama-cpp-python 0.3.36 (its
FIM token ids are hard-coded to 0), and building ids ourselves keeps user text from ever being parsed
as control tokens.

Detection mirrors llama.cpp (`src/llama-vocab.cpp`, "auto-detect special tokens by text"): ids from the
GGUF metadata win (`tokenizer.ggml.fim_{pre,suf,mid,pad,rep,sep}_token_id`, and the older CodeLlama
keys `tokenizer.ggml.{prefix,suffix,middle,eot}_token_id`); any still missing are looked up by their
exact text in the vocabulary. The family is then named from which text the prefix token has.

Orders:
- ``psm``  ``[BOS?] PRE prefix SUF suffix MID`` (Qwen, StarCoder, DeepSeek, CodeGemma, unknown FIM models).
- ``spm``  ``[BOS] PRE SUF suffix MID prefix``: CodeLlama only, the "suffix-first" format Meta trained it
  on (codellama `generation.py`, ``infilling_prompt_tokens(suffix_first=True)``: "<PRE> <SUF>{suf}
  <MID> {pre}"). The prefix comes last, so typing at the cursor only appends to the prompt and the
  KV cache of everything before is reused. Qwen was not trained on it (its SPM output is garbage).
  llama.cpp's own ``--spm-infill`` is a different layout (``SUF suffix PRE prefix MID``); we follow Meta.
- ``prefix_only``  ``[BOS?] prefix``: models without FIM tokens (SmolLM2).

SentencePiece detail (CodeLlama ``encode_infilling``): a SentencePiece tokenizer prepends "▁" to the
text it encodes. The prefix keeps it (it is the space in "<MID> {pre}"), the suffix must not have it:
Meta encodes ``"☺" + suffix`` and drops the sentinel's tokens; `tokenize_piece` does the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal, Protocol

from copiloto.config import FimFamily

if TYPE_CHECKING:
    from llama_cpp import Llama

FimOrder = Literal["psm", "spm", "prefix_only"]

# Candidate token texts, in llama.cpp's lists (plus CodeLlama's "▁<EOT>" and the end-of-file tokens).
PREFIX_TEXTS = (
    "<|fim_prefix|>",
    "<fim-prefix>",
    "<fim_prefix>",
    "<｜fim▁begin｜>",
    "<PRE>",
    "▁<PRE>",
    "<|code_prefix|>",
)
SUFFIX_TEXTS = (
    "<|fim_suffix|>",
    "<fim-suffix>",
    "<fim_suffix>",
    "<｜fim▁hole｜>",
    "<SUF>",
    "▁<SUF>",
    "<|code_suffix|>",
)
MIDDLE_TEXTS = (
    "<|fim_middle|>",
    "<fim-middle>",
    "<fim_middle>",
    "<｜fim▁end｜>",
    "<MID>",
    "▁<MID>",
    "<|code_middle|>",
)
PAD_TEXTS = ("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>")
REPO_TEXTS = ("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<repo_name>")
FILE_SEP_TEXTS = ("<|file_sep|>", "<file_sep>", "<|file_separator|>")
# Tokens that end a middle: end-of-text/turn markers of the families above (llama.cpp's EOG list).
STOP_TEXTS = (
    "▁<EOT>",
    "<EOT>",
    "<|endoftext|>",
    "<|im_end|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<|end|>",
    "<end_of_turn>",
    "<|end_of_text|>",
    "<｜end▁of▁sentence｜>",
    "<eos>",
    *FILE_SEP_TEXTS,
)

# Which family a prefix-token text belongs to ("<|fim_prefix|>" is Qwen or CodeGemma, see _family).
_FAMILY_BY_PREFIX: dict[str, FimFamily] = {
    "<|fim_prefix|>": "qwen",
    "<fim_prefix>": "starcoder",  # StarCoder 1/2, Granite, SantaCoder's "<fim-prefix>" below
    "<fim-prefix>": "starcoder",
    "<｜fim▁begin｜>": "deepseek",
    "<PRE>": "codellama",
    "▁<PRE>": "codellama",
}

_META = "tokenizer.ggml."


class VocabLookup(Protocol):
    """What detection needs from a vocabulary: its GGUF metadata and exact-text token lookup."""

    def metadata(self) -> Mapping[str, str]:
        """GGUF key/values as strings (llama-cpp-python's `Llama.metadata`; arrays are absent)."""
        ...

    def find_token(self, text: str) -> int | None:
        """The id of the single vocabulary token whose text is exactly `text`, else None."""
        ...

    def token_text(self, token_id: int) -> str | None:
        """The vocabulary text of `token_id` (None if out of range or undecodable)."""
        ...


class Tokenizer(Protocol):
    """The slice of `llama_cpp.Llama` used for laying out prompts."""

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]: ...


@dataclass(frozen=True)
class FimTemplate:
    family: FimFamily
    order: FimOrder
    prefix_id: int | None
    suffix_id: int | None
    middle_id: int | None
    stop_ids: frozenset[int]  # any of these ends the middle
    file_sep_id: int | None = None
    repo_name_id: int | None = None
    add_bos: bool = False  # a BOS leads the prompt (SentencePiece/CodeLlama: yes; Qwen: no)
    bos_id: int | None = None
    # The tokenizer prepends "▁" to encoded text (SentencePiece with add_space_prefix): the suffix is
    # then encoded without it, as CodeLlama's `encode_infilling` does.
    space_prefix: bool = False

    def __post_init__(self) -> None:
        if self.order != "prefix_only" and None in (self.prefix_id, self.suffix_id, self.middle_id):
            raise ValueError(f"order {self.order!r} needs prefix, suffix and middle token ids")

    @cached_property
    def control_ids(self) -> frozenset[int]:
        """Ids that must never come out of tokenizing user text."""
        ids = (self.prefix_id, self.suffix_id, self.middle_id, self.file_sep_id, self.repo_name_id)
        return self.stop_ids | {i for i in (*ids, self.bos_id) if i is not None}

    def layout(self, prefix: list[int], suffix: list[int]) -> list[int]:
        """The full prompt in this template's order, from already tokenized prefix and suffix."""
        head = [self.bos_id] if self.add_bos and self.bos_id is not None else []
        if self.order == "prefix_only":
            return head + prefix
        pre, suf, mid = self.prefix_id, self.suffix_id, self.middle_id
        assert pre is not None and suf is not None and mid is not None  # checked in __post_init__
        if self.order == "spm":
            return [*head, pre, suf, *suffix, mid, *prefix]
        return [*head, pre, *prefix, suf, *suffix, mid]


def detect_template(vocab: VocabLookup) -> FimTemplate:
    """Find the FIM tokens (metadata ids first, then exact texts) and pick family and order."""
    meta = vocab.metadata()

    def meta_id(*keys: str) -> int | None:
        # Like llama.cpp, an id outside the vocabulary is ignored.
        for key in keys:
            value = meta.get(_META + key, "")
            if value.isdigit() and vocab.token_text(int(value)) is not None:
                return int(value)
        return None

    def find(keys: tuple[str, ...], texts: Iterable[str]) -> int | None:
        found = meta_id(*keys)
        for text in texts:
            if found is not None:
                break
            found = vocab.find_token(text)
        return found

    pre = find(("fim_pre_token_id", "prefix_token_id"), PREFIX_TEXTS)
    suf = find(("fim_suf_token_id", "suffix_token_id"), SUFFIX_TEXTS)
    mid = find(("fim_mid_token_id", "middle_token_id"), MIDDLE_TEXTS)
    pad = find(("fim_pad_token_id",), PAD_TEXTS)
    rep = find(("fim_rep_token_id",), REPO_TEXTS)
    sep = find(("fim_sep_token_id",), FILE_SEP_TEXTS)

    sentencepiece = meta.get(_META + "model") == "llama"
    add_bos_meta = meta.get(_META + "add_bos_token")
    add_bos = sentencepiece if add_bos_meta is None else add_bos_meta == "true"
    bos = meta_id("bos_token_id")
    if bos is None and sentencepiece:
        bos = 1  # llama.cpp's default BOS for SentencePiece vocabularies
    space_prefix = sentencepiece and meta.get(_META + "add_space_prefix", "true") == "true"

    has_fim = pre is not None and suf is not None and mid is not None
    family: FimFamily = _family(vocab, meta, pre) if has_fim else "none"
    order: FimOrder = "spm" if family == "codellama" else "psm" if has_fim else "prefix_only"
    found = (meta_id("eos_token_id"), meta_id("eot_token_id"), pad, rep, sep, pre, suf, mid)
    stops = {i for i in found if i is not None}
    stops.update(i for i in map(vocab.find_token, STOP_TEXTS) if i is not None)
    return FimTemplate(
        family=family,
        order=order,
        prefix_id=pre if has_fim else None,
        suffix_id=suf if has_fim else None,
        middle_id=mid if has_fim else None,
        stop_ids=frozenset(stops),
        file_sep_id=sep,
        repo_name_id=rep,
        add_bos=add_bos,
        bos_id=bos,
        space_prefix=space_prefix,
    )


def _family(vocab: VocabLookup, meta: Mapping[str, str], prefix_id: int | None) -> FimFamily:
    text = vocab.token_text(prefix_id) if prefix_id is not None else None
    family = _FAMILY_BY_PREFIX.get(text or "", "other")  # other: e.g. GLM's "<|code_prefix|>": PSM
    is_gemma = meta.get("general.architecture", "").startswith("gemma")
    if family == "qwen" and (is_gemma or vocab.find_token("<|file_separator|>") is not None):
        return "codegemma"
    return family


class LlamaVocab:
    """`VocabLookup` over a loaded `llama_cpp.Llama` (a `vocab_only=True` load is enough).

    `find_token` tokenizes the text with special-token parsing on and accepts a single token whose
    vocabulary text is exactly the input: ~40 tokenize calls (under a millisecond on Qwen's 151k
    vocabulary) instead of reading every token's text (~0.1 s there). It finds the tokens llama.cpp
    matches as special (CONTROL, USER_DEFINED, UNKNOWN), which FIM tokens are in practice: llama.cpp
    retypes the FIM-looking tokens it detects by text as CONTROL. A NORMAL-typed token is not found.
    """

    def __init__(self, llm: Llama) -> None:
        self._llm = llm

    def metadata(self) -> Mapping[str, str]:
        return self._llm.metadata

    def find_token(self, text: str) -> int | None:
        ids = self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        if len(ids) != 1:
            return None
        return ids[0] if self.token_text(ids[0]) == text else None

    def token_text(self, token_id: int) -> str | None:
        model = self._llm._model
        if not 0 <= token_id < model.n_vocab():
            return None
        try:
            return model.token_get_text(token_id)
        except UnicodeDecodeError:  # byte-level BPE texts are valid UTF-8; be safe anyway
            return None


# Sentinels for encoding without SentencePiece's implicit leading "▁": Meta's "☺" first.
_SENTINELS = ("☺", "\n")


def tokenize_piece(
    tok: Tokenizer, text: str, template: FimTemplate | None = None, *, continuation: bool = False
) -> list[int]:
    """Token ids of user text: no BOS, and special-token texts stay plain text.

    `continuation=True` encodes text that continues what precedes it (the suffix after `<SUF>`): for
    vocabularies whose tokenizer prepends "▁" (`template.space_prefix`) that implicit space is
    suppressed as CodeLlama's `encode_infilling` does: encode sentinel + text, drop the sentinel's tokens.

    llama.cpp still matches USER_DEFINED tokens when special parsing is off, so a file containing such
    a token's text (e.g. "▁<PRE>" in a GGUF that types it USER_DEFINED) would smuggle in a control
    token: when the ids contain one of `template.control_ids` the text is split in two and each half
    encoded alone (the right half as a continuation), until no control id is left.
    """
    if not text:
        return []
    space_prefix = template is not None and template.space_prefix
    ids = _encode(tok, text, strip=continuation and space_prefix)
    if template is not None and len(text) > 1 and not template.control_ids.isdisjoint(ids):
        half = len(text) // 2
        left = tokenize_piece(tok, text[:half], template, continuation=continuation)
        return left + tokenize_piece(tok, text[half:], template, continuation=True)
    return ids


def _encode(tok: Tokenizer, text: str, *, strip: bool) -> list[int]:
    if strip:
        for sentinel in _SENTINELS:
            head = tok.tokenize(sentinel.encode("utf-8"), add_bos=False, special=False)
            ids = tok.tokenize((sentinel + text).encode("utf-8"), add_bos=False, special=False)
            if head and ids[: len(head)] == head:
                return ids[len(head) :]
    return tok.tokenize(text.encode("utf-8"), add_bos=False, special=False)


def layout_prompt(tok: Tokenizer, template: FimTemplate, prefix_text: str, suffix_text: str) -> list[int]:
    """Tokenize prefix and suffix and lay them out in `template`'s order (suffix ignored if prefix-only)."""
    prefix = tokenize_piece(tok, prefix_text, template)
    if template.order == "prefix_only":
        return template.layout(prefix, [])
    suffix = tokenize_piece(tok, suffix_text, template, continuation=True)
    return template.layout(prefix, suffix)
