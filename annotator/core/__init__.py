"""Pure domain: documents, spans, labels, token snapping. Standard library only."""
