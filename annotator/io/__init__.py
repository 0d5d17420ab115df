"""Importers and exporters: files in, files out, all-or-nothing and atomic."""

# The language identifier (a third-party model) plugs into core's detect_language here, so every
# caller of annotator.core.language.detect_language gets it once anything in annotator.io is imported.
from annotator.io import language as _language  # noqa: F401
