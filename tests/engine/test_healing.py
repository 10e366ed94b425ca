"""Token healing: which tokens may spell the cut word, and the engine re-spelling it with the real model."""

from __future__ import annotations

import pytest

from copiloto.engine.healing import VocabIndex, advance
from copiloto.engine.local import LocalEngine
from copiloto.engine.types import GenerationRequest

VOCAB = VocabIndex(enumerate(["r", "re", "ret", "return", "returns", "x", "urn", " ret", "", "retry", "rex"]))


@pytest.mark.parametrize(
    ("remaining", "expected"),
    [
        ("ret", {0, 1, 2, 3, 4, 9}),  # prefixes of "ret" and tokens that start with it
        ("return", {0, 1, 2, 3, 4}),
        ("urn", {6}),
        ("q", set()),
        ("re", {0, 1, 2, 3, 4, 9, 10}),
    ],
)
def test_allowed_tokens(remaining: str, expected: set[int]) -> None:
    assert set(VOCAB.allowed(remaining)) == expected


@pytest.mark.parametrize(
    ("remaining", "piece", "left"),
    [("ret", "re", "t"), ("ret", "return", ""), ("ret", "ret", ""), ("abc", "a", "bc")],
)
def test_advance(remaining: str, piece: str, left: str) -> None:
    assert advance(remaining, piece) == left


def test_undecodable_tokens_are_left_out() -> None:
    raw = [b"re", b"\xe2\x96", b"t"]
    index = VocabIndex.from_detokenizer(3, lambda i: raw[i])
    assert set(index.allowed("ret")) == {0}


def test_engine_spells_the_cut_word_and_leaves_it_out(tiny_model: object) -> None:
    from pathlib import Path

    from copiloto.config import EngineSettings

    engine = LocalEngine(EngineSettings(n_ctx=1024), Path(str(tiny_model))).start()
    assert engine.wait_loaded(120)
    prefix = "import math\n\n\ndef hypotenuse(a: float, b: float) -> float:\n    return math."
    healed = engine.submit(GenerationRequest(prefix, "\n", max_tokens=16, stop=("\n",), heal="sq")).future.result(60)
    engine.close()
    assert healed.text.startswith("rt(")  # "sq" + "rt(": the model chose "sqrt" as its own token
