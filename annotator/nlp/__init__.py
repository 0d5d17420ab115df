"""spaCy side: pipelines per language, tokens for snapping, pre-annotation (later training, evaluation)."""
