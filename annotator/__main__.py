"""``python -m annotator`` runs the same entry point as the ``annotator`` console script."""

from annotator.cli import main

raise SystemExit(main())
