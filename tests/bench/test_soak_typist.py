"""The soak's typist edits like a person but keeps every document near its opening size, so that the first and
the last thousand requests of a soak ask the server for the same kind of work."""

from __future__ import annotations

import random

from copiloto.lsp.documents import Document as ServedDocument
from soak import DOCUMENTS, SIZE_BAND, Document, PromptCounters, Typist, tokens_per_request


def test_ten_thousand_edits_keep_every_document_within_its_band() -> None:
    docs = [Document.of(path) for path in DOCUMENTS]
    typist = Typist(docs, random.Random(0))
    worst = 0.0
    for _ in range(10_000):
        typist.edit()
        for doc in docs:
            band = max(SIZE_BAND[0] * doc.opened_size, SIZE_BAND[1])
            # one edit (a word of at most 20 characters and a separator) may overshoot the band before the
            # typist turns back
            assert abs(len(doc.text) - doc.opened_size) <= band + 25, (doc.uri, len(doc.text), doc.opened_size)
            worst = max(worst, abs(len(doc.text) - doc.opened_size) / band)
    assert worst > 0.9  # the edits did reach the band's edges: the steering was exercised


def test_edits_replay_to_the_typists_text() -> None:
    """The server's document store, fed the didChange ranges (UTF-16 positions), ends with the typist's text."""
    docs = [Document.of(path) for path in DOCUMENTS[1:3]]
    served = {doc.uri: ServedDocument(doc.uri, doc.text, doc.version, doc.language_id) for doc in docs}
    typist = Typist(docs, random.Random(1))
    for _ in range(2_000):
        doc, change = typist.edit()
        start, end = change["range"]["start"], change["range"]["end"]
        served[doc.uri].apply_change(
            (start["line"], start["character"]), (end["line"], end["character"]), change["text"]
        )
        assert served[doc.uri].text == doc.text


def test_tokens_per_request_between_samples() -> None:
    counters = [
        PromptCounters(0, 0, 0, 0),
        PromptCounters(100, 100, 20_000, 15_000),
        PromptCounters(200, 200, 45_000, 30_000),
        PromptCounters(300, 300, 70_000, 45_000),
    ]
    assert tokens_per_request(counters, 100, 300) == {"prompt": 250.0, "evaluated": 100.0}
    assert tokens_per_request(counters, 0, 100) == {"prompt": 200.0, "evaluated": 50.0}
    assert tokens_per_request(counters, 250, 260) is None  # no two samples in between
