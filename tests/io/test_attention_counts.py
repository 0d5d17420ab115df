"""The import report counts the spans kept "as the file says" in words that agree with the count."""

from __future__ import annotations

from annotator.core.imported import DISCONTINUOUS, OFF_TOKENS, OVERLAP, WHITESPACE_EDGE
from annotator.io.import_report import counted, summary
from annotator.store.records import ImportReport


def test_each_reason_agrees_with_its_count() -> None:
    assert counted(1, OFF_TOKENS) == "1 span not on token boundaries"
    assert counted(2, OFF_TOKENS) == "2 spans not on token boundaries"
    assert counted(1, OVERLAP) == "1 overlapping span"
    assert counted(3, OVERLAP) == "3 overlapping spans"
    assert counted(2, WHITESPACE_EDGE) == "2 spans start or end on whitespace"
    assert counted(2, DISCONTINUOUS) == "2 discontinuous spans (kept as their pieces)"


def test_the_summary_line_uses_them() -> None:
    report = ImportReport()
    report.added = [1, 2]
    report.attention = {OFF_TOKENS: 2, OVERLAP: 1}
    report.attention_documents = 2
    line = summary(report)
    assert "2 need attention (1 overlapping span, 2 spans not on token boundaries: kept as the file says)" in line
