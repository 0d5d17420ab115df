"""An import's report as lines of plain text, the same on the command line and in the app."""

from __future__ import annotations

from annotator.core.imported import DISCONTINUOUS, OFF_TOKENS, OVERLAP, WHITESPACE_EDGE
from annotator.core.plural import plural
from annotator.store.records import ImportReport

SHOWN = 20  # duplicates, warnings and new labels listed one by one up to this many


# How many spans of each "needs attention" reason: (one, several). The reasons themselves are stored
# with the documents, so they keep their wording; only the count agrees here.
_COUNTED = {WHITESPACE_EDGE: ("span starts or ends on whitespace", "spans start or end on whitespace"),
            OFF_TOKENS: ("span not on token boundaries", "spans not on token boundaries"),
            OVERLAP: ("overlapping span", "overlapping spans"),
            DISCONTINUOUS: ("discontinuous span (kept as its pieces)", "discontinuous spans (kept as their pieces)")}


def counted(n: int, reason: str) -> str:
    """``n`` spans kept for ``reason``, in words that agree with ``n``: "1 overlapping span"."""
    one, several = _COUNTED.get(reason, (reason, reason))
    return f"{n} {one if n == 1 else several}"


def summary(report: ImportReport) -> str:
    """One line of counts: what the status bar says after an import."""
    parts = [f"imported {plural(len(report.added), 'new document')}"]
    if report.layered:
        parts.append(f"{plural(len(report.layered), 'existing document')} gained a layer")
    if report.attention_documents:
        reasons = ", ".join(counted(n, reason) for reason, n in sorted(report.attention.items()))
        need = "needs" if report.attention_documents == 1 else "need"
        parts.append(f"{report.attention_documents} {need} attention ({reasons}: kept as the file says)")
    if report.rejections:
        parts.append(plural(report.rejections, "rejected suggestion"))
    if report.skipped:
        parts.append(f"{plural(report.skipped, 'empty task')} skipped")
    if report.duplicates:
        parts.append(f"skipped {plural(len(report.duplicates), 'duplicate')}")
    others = len(report.warnings) - report.skipped
    if others:
        parts.append(plural(others, "warning"))
    return ", ".join(parts)


def other_layers(report: ImportReport, user: str, command_line: bool = False) -> str | None:
    """Where entities went when the file named other annotators (Prodigy ``_annotator_id``, Label
    Studio ``completed_by``, ...): each annotator sees only their own version, so say whose they became."""
    others = {author: n for (layer, author), n in report.layers.items() if layer == "human" and author != user}
    if not others:
        return None
    listed = ", ".join(f"{author} {n}" for author, n in sorted(others.items())[:SHOWN])
    more = f" and {len(others) - SHOWN} more" if len(others) > SHOWN else ""
    how = ("the app's Team → Review mode shows them; 'annotator review ID --take NAME' makes one the gold version"
           if command_line else "Team → Review mode (Ctrl+Shift+G) shows them and takes one as the gold version")
    return (f"entities in other annotators' versions, as the file says: {listed}{more}. You ({user}) see your "
            f"own version; {how}")


def report_lines(report: ImportReport) -> list[str]:
    lines = [f"{plural(len(report.added), 'new document')}; {plural(report.spans, 'span')} and "
             f"{plural(report.rejections, 'rejected suggestion')} written"]
    if report.skipped:
        lines.append(f"{plural(report.skipped, 'empty task')} skipped (see the warnings)")
    if report.layered:
        ids = ", ".join(str(i) for i in report.layered[:SHOWN]) + (" ..." if len(report.layered) > SHOWN else "")
        lines.append(f"{plural(len(report.layered), 'document')} already stored gained or updated a layer: {ids}")
    if report.merged:
        were = "was" if report.merged == 1 else "were"
        lines.append(f"{plural(report.merged, 'item')} had the text of an earlier one and {were} merged into its "
                     "document")
    if report.attention:
        need = "needs" if report.attention_documents == 1 else "need"
        lines.append(f"{plural(report.attention_documents, 'document')} {need} attention; spans kept exactly as "
                     "the file says:")
        lines.extend(f"  {n} {reason}" for reason, n in sorted(report.attention.items()))
    for source, existing in report.duplicates[:SHOWN]:
        where = f"document {existing}" if existing else "another file in this import"
        lines.append(f"skipped duplicate {source} (same text as {where}, nothing to add to it)")
    if len(report.duplicates) > SHOWN:
        lines.append(f"... and {plural(len(report.duplicates) - SHOWN, 'more duplicate')}")
    for warning in report.warnings[:SHOWN]:
        lines.append(f"warning: {warning}")
    if len(report.warnings) > SHOWN:
        lines.append(f"... and {plural(len(report.warnings) - SHOWN, 'more warning')}")
    if len(report.new_labels) > SHOWN:
        lines.append(f"new labels added to the scheme ({len(report.new_labels):,}): "
                     f"{', '.join(report.new_labels[:SHOWN])} and {len(report.new_labels) - SHOWN:,} more "
                     "('annotator stats' lists them all)")
    elif report.new_labels:
        lines.append(f"new labels added to the scheme: {', '.join(report.new_labels)}")
    return lines
