"""Entry point of the packaged app: the same CLI (no sub-command opens the window)."""

from annotator.cli import main

raise SystemExit(main())
