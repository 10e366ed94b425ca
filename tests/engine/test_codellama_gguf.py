"""A tiny CodeLlama-like GGUF, built by the test, loaded and run by the real llama.cpp: detection gives
CodeLlama's suffix-first (SPM) layout, and typing at the cursor keeps the KV cache of the whole prompt."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import codellama_gguf as builder  # tests/engine/codellama_gguf.py, next to this file
import llama_cpp
import pytest

from copiloto.engine.fim import FimTemplate, LlamaVocab, detect_template, layout_prompt, tokenize_piece
from copiloto.engine.local import _common_prefix as common_prefix  # the engine's own reuse measure

PREFIX = "def add(x, y):\n    return x"
SUFFIX = "\n\nprint(add(1, 2))\n"


@pytest.fixture(scope="module")
def gguf_path(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    path = tmp_path_factory.mktemp("codellama") / "tiny-codellama.gguf"
    started = time.perf_counter()
    vocab = builder.write_codellama_gguf(path)
    assert time.perf_counter() - started < 5
    return path, vocab


@pytest.fixture(scope="module")
def llm(gguf_path: tuple[Path, Any]) -> Iterator[llama_cpp.Llama]:
    model = llama_cpp.Llama(
        str(gguf_path[0]), n_ctx=256, n_batch=64, n_threads=2, n_threads_batch=2, seed=0, verbose=False
    )
    yield model
    model.close()


@pytest.fixture(scope="module")
def template(llm: llama_cpp.Llama) -> FimTemplate:
    return detect_template(LlamaVocab(llm))


def texts(llm: llama_cpp.Llama, ids: Sequence[int]) -> list[str]:
    return [llm._model.token_get_text(i) for i in ids]


def test_detects_codellama_spm(llm: llama_cpp.Llama, gguf_path: tuple[Path, Any], template: FimTemplate) -> None:
    vocab = gguf_path[1]
    assert (template.family, template.order) == ("codellama", "spm")
    assert (template.prefix_id, template.suffix_id, template.middle_id) == (
        vocab.prefix_id,
        vocab.suffix_id,
        vocab.middle_id,
    )
    assert {vocab.eot_id, vocab.eos_id} <= template.stop_ids
    assert (template.add_bos, template.bos_id, template.space_prefix) == (True, vocab.bos_id, True)
    # The same ids llama.cpp's loader resolved.
    model = llm._model
    assert (model.token_prefix(), model.token_suffix(), model.token_middle(), model.token_eot()) == (
        vocab.prefix_id,
        vocab.suffix_id,
        vocab.middle_id,
        vocab.eot_id,
    )


def test_detects_codellama_by_text_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "no-fim-metadata.gguf"
    vocab = builder.write_codellama_gguf(path, fim_metadata=False)
    model = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
    try:
        assert "tokenizer.ggml.prefix_token_id" not in model.metadata
        t = detect_template(LlamaVocab(model))
        assert (t.family, t.order) == ("codellama", "spm")
        assert (t.prefix_id, t.suffix_id, t.middle_id) == (vocab.prefix_id, vocab.suffix_id, vocab.middle_id)
        # Found by its text "▁<EOT>" (llama.cpp's own EOT text list misses it: token_eot() is -1 here).
        assert vocab.eot_id in t.stop_ids
    finally:
        model.close()


def test_spm_layout_in_token_ids(llm: llama_cpp.Llama, template: FimTemplate) -> None:
    ids = layout_prompt(llm, template, PREFIX, SUFFIX)
    assert texts(llm, ids) == [
        "<s>",
        "▁<PRE>",
        "▁<SUF>",
        "<0x0A>",
        "<0x0A>",
        "print",
        "(",
        "add",
        "(",
        "1",
        ",",
        "▁",
        "2",
        ")",
        ")",
        "<0x0A>",  # no leading ▁
        "▁<MID>",
        "▁def",
        "▁add",
        "(",
        "x",
        ",",
        "▁y",
        "):",
        "<0x0A>",
        "▁▁▁▁",
        "return",
        "▁x",  # encode(): leading ▁
    ]
    # Meta's encode_infilling: the plain encoding of the suffix would start with a spurious "▁".
    plain = llm.tokenize(SUFFIX.encode(), add_bos=False, special=False)
    assert texts(llm, plain[:1]) == ["▁"]
    assert plain[1:] == tokenize_piece(llm, SUFFIX, template, continuation=True)
    assert ids == template.layout(tokenize_piece(llm, PREFIX, template), plain[1:])


def test_typing_only_appends_to_spm_prompt(llm: llama_cpp.Llama, template: FimTemplate) -> None:
    psm = dataclasses.replace(template, order="psm")
    suffix_len = len(tokenize_piece(llm, SUFFIX, template, continuation=True))
    before = PREFIX
    for typed in (" ", "+", " y"):  # "x" -> "x " -> "x +" -> "x + y"
        after = before + typed
        old, new = layout_prompt(llm, template, before, SUFFIX), layout_prompt(llm, template, after, SUFFIX)
        # Everything before the last token is kept: only the tokens at the cursor are evaluated again.
        assert common_prefix(old, new) >= len(old) - 1
        old_psm, new_psm = layout_prompt(llm, psm, before, SUFFIX), layout_prompt(llm, psm, after, SUFFIX)
        # PSM: the suffix and MID come after the edit point and must all be evaluated again.
        assert len(new_psm) - common_prefix(old_psm, new_psm) >= suffix_len + 2
        before = after
    # Typing a space after "x" creates a new token: the old prompt is an exact prefix of the new one.
    grown = layout_prompt(llm, template, PREFIX + " ", SUFFIX)
    base = layout_prompt(llm, template, PREFIX, SUFFIX)
    assert grown[: len(base)] == base


def _generate(llm: llama_cpp.Llama, prompt: list[int], n: int) -> list[int]:
    out: list[int] = []
    for token in llm.generate(prompt, temp=0.0, repeat_penalty=1.0):
        out.append(token)
        if len(out) >= n:
            break
    return out


def test_greedy_generation_reuses_kv_cache(
    llm: llama_cpp.Llama, template: FimTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluated: list[int] = []
    real_eval = llm.eval

    def counting_eval(tokens: Sequence[int]) -> None:
        evaluated.append(len(tokens))
        real_eval(tokens)

    monkeypatch.setattr(llm, "eval", counting_eval)

    def run(prefix: str, tpl: FimTemplate) -> tuple[list[int], int]:
        evaluated.clear()
        prompt = layout_prompt(llm, tpl, prefix, SUFFIX)
        out = _generate(llm, prompt, 4)
        return out, sum(evaluated) - (len(out) - 1)  # minus the generated tokens fed back

    llm.reset()
    first, cost = run(PREFIX, template)
    assert len(first) == 4 and all(0 <= t < llm.n_vocab() for t in first)
    assert cost == len(layout_prompt(llm, template, PREFIX, SUFFIX))
    _, cost = run(PREFIX + " ", template)
    assert cost == 1  # only the typed "▁" token

    psm = dataclasses.replace(template, order="psm")
    llm.reset()
    run(PREFIX, psm)
    _, cost = run(PREFIX + " ", psm)
    assert cost >= len(tokenize_piece(llm, SUFFIX, template, continuation=True)) + 2


def test_user_defined_fim_token_text_is_not_injected(tmp_path: Path) -> None:
    """llama.cpp matches USER_DEFINED tokens even with special parsing off; our tokenizing must not."""
    path = tmp_path / "user-defined.gguf"
    vocab = builder.write_codellama_gguf(path, fim_type=builder.gguf.TokenType.USER_DEFINED)
    model = llama_cpp.Llama(str(path), vocab_only=True, verbose=False)
    try:
        t = detect_template(LlamaVocab(model))
        text = "x = 1 ▁<PRE> ▁<EOT>"
        raw = model.tokenize(text.encode(), add_bos=False, special=False)
        assert vocab.prefix_id in raw  # the llama.cpp quirk
        ids = layout_prompt(model, t, text, text)
        assert ids.count(vocab.prefix_id) == ids.count(vocab.middle_id) == ids.count(vocab.suffix_id) == 1
        assert vocab.eot_id not in ids
        piece = tokenize_piece(model, text, t)
        # Same text back ("▁" is SentencePiece's space: llama.cpp escapes spaces to it before matching).
        assert model.detokenize(piece).decode() == " " + text.replace("▁", " ")
    finally:
        model.close()


def test_local_engine_serves_codellama_with_spm_reuse(gguf_path: tuple[Path, Any]) -> None:
    """The engine itself (not just the layout) picks SPM and re-evaluates only what was typed."""
    from copiloto.config import EngineSettings
    from copiloto.engine.local import LocalEngine
    from copiloto.engine.types import GenerationRequest

    engine = LocalEngine(EngineSettings(n_ctx=256, n_batch=64, n_threads=1), gguf_path[0]).start()
    try:
        assert engine.wait_loaded(60), engine.error
        assert engine.template is not None and (engine.template.family, engine.template.order) == ("codellama", "spm")
        first = engine.submit(GenerationRequest(PREFIX, SUFFIX, max_tokens=4)).future.result(60)
        typed = engine.submit(GenerationRequest(PREFIX + " +", SUFFIX, max_tokens=4)).future.result(60)
        assert first.stop_reason in ("length", "eot", "stop")
        assert typed.prompt_tokens - typed.reused_tokens <= 2  # suffix first: only the typed end is new
    finally:
        engine.close()
