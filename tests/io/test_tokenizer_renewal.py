"""The export's and import's blank pipelines are made anew every ``renew_after`` documents, so the words
a million articles bring do not pile up in one vocabulary (memory flat in the corpus size), and the
tokens stay the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import DocBin
from spacy.vocab import Vocab

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import SpanData
from annotator.io import tokenizers
from annotator.io.exporter import ExportFormat, export
from annotator.io.selection import ExportOptions
from annotator.io.tokenizers import Tokenizers
from annotator.store import Store


def test_the_vocabulary_stays_small_and_the_tokens_the_same() -> None:
    kept = Tokenizers(renew_after=10**9)
    renewed = Tokenizers(renew_after=50)
    for i in range(400):
        text = f"Report number{i} from Rabat, word{i * 7}."
        assert [t.text for t in renewed.tokenize("en", text)] == [t.text for t in kept.tokenize("en", text)]
    assert len(kept.get("en").vocab.strings) > len(renewed.get("en").vocab.strings) + 700


def test_an_export_across_renewals_reads_back_exactly(store: Store, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizers, "RENEW_AFTER", 4)  # six renewals in 25 documents
    texts = [f"Talks {i} in Rabat with Bourita{i}." for i in range(25)]
    store.import_documents([(NewDocument(t, f"d{i}.txt", "en", DocumentStatus.ACCEPTED),
                             [SpanData(t.index("Rabat"), t.index("Rabat") + 5, "GPE"),
                              SpanData(t.index("Bourita"), len(t) - 1, "PERSON")]) for i, t in enumerate(texts)])
    export(store, tmp_path / "out", ExportFormat.SPACY, ExportOptions(dev_ratio=0.0))
    docs = list(DocBin().from_disk(tmp_path / "out" / "train.spacy").get_docs(Vocab()))
    assert sorted(d.text for d in docs) == sorted(texts)
    assert all([e.label_ for e in d.ents] == ["GPE", "PERSON"] for d in docs)
