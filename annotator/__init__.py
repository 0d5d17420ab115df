"""annotator: hand-label named entities in news articles, with spaCy suggestions.

Layers (imports point one way): ``core`` <- ``store`` / ``nlp`` / ``io`` <- ``gui`` / ``cli``.
"""

__version__ = "0.1.0"
