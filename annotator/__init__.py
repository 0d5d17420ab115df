"""annotator: hand-label named entities in news articles, with spaCy suggestions.

Layers (imports point one way, checked by import-linter): ``core`` <- ``store`` <- ``io`` <- ``nlp``
<- ``gui`` <- ``cli``. docs/architecture.md walks through them.
"""

__version__ = "0.1.0"
