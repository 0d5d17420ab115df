"""An export of many documents whose spans had to be aligned keeps a bounded list of them: the
alignment counts cover every document, the warnings name the first few (memory stays flat)."""

from __future__ import annotations

from pathlib import Path

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import SpanData
from annotator.io.exporter import ExportFormat, export
from annotator.io.selection import ExportOptions
from annotator.io.spacy_docs import WARNINGS_KEPT
from annotator.store import Store


def test_warnings_name_the_first_documents_and_the_counts_cover_all(store: Store, tmp_path: Path) -> None:
    n = WARNINGS_KEPT + 7
    text = "Talks in Rabat on Monday."
    store.import_documents([(NewDocument(f"{text} ({i})", f"d{i}.txt", "en", DocumentStatus.ACCEPTED),
                             [SpanData(8, 14, "GPE")])  # " Rabat": a space at its start, trimmed
                            for i in range(n)])
    report = export(store, tmp_path / "out", ExportFormat.SPACY, ExportOptions(dev_ratio=0.0))
    assert report.alignment.documents == n
    assert sum(report.alignment.changed.values()) == n
    assert len(report.warnings) == WARNINGS_KEPT
    assert report.warnings[0] == "d0.txt: 1 span aligned to tokens or left out"
