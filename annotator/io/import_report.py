"""An import's report as lines of plain text, the same on the command line and in the app."""

from __future__ import annotations

from annotator.store.records import ImportReport

SHOWN = 20  # duplicates and warnings listed one by one up to this many


def summary(report: ImportReport) -> str:
    """One line of counts: what the status bar says after an import."""
    parts = [f"imported {len(report.added)} new document(s)"]
    if report.layered:
        parts.append(f"{len(report.layered)} existing document(s) gained a layer")
    if report.attention_documents:
        reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(report.attention.items()))
        parts.append(f"{report.attention_documents} need attention ({reasons}: kept as the file says)")
    if report.rejections:
        parts.append(f"{report.rejections} rejected suggestion(s)")
    if report.skipped:
        parts.append(f"{report.skipped} empty task(s) skipped")
    if report.duplicates:
        parts.append(f"skipped {len(report.duplicates)} duplicate(s)")
    others = len(report.warnings) - report.skipped
    if others:
        parts.append(f"{others} warning(s)")
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
    lines = [f"{len(report.added)} new document(s); {report.spans} span(s) and {report.rejections} rejected "
             "suggestion(s) written"]
    if report.skipped:
        lines.append(f"{report.skipped} empty task(s) skipped (see the warnings)")
    if report.layered:
        ids = ", ".join(str(i) for i in report.layered[:SHOWN]) + (" ..." if len(report.layered) > SHOWN else "")
        lines.append(f"{len(report.layered)} document(s) already stored gained or updated a layer: {ids}")
    if report.merged:
        lines.append(f"{report.merged} item(s) had the text of an earlier one and were merged into its document")
    if report.attention:
        lines.append(f"{report.attention_documents} document(s) need attention; spans kept exactly as the file says:")
        lines.extend(f"  {n} {reason}" for reason, n in sorted(report.attention.items()))
    for source, existing in report.duplicates[:SHOWN]:
        where = f"document {existing}" if existing else "another file in this import"
        lines.append(f"skipped duplicate {source} (same text as {where}, nothing to add to it)")
    if len(report.duplicates) > SHOWN:
        lines.append(f"... and {len(report.duplicates) - SHOWN} more duplicate(s)")
    for warning in report.warnings[:SHOWN]:
        lines.append(f"warning: {warning}")
    if len(report.warnings) > SHOWN:
        lines.append(f"... and {len(report.warnings) - SHOWN} more warning(s)")
    if report.new_labels:
        lines.append(f"new labels added to the scheme: {', '.join(report.new_labels)}")
    return lines
