"""How the window's width is shared between the list, the article and the labels, and hiding and showing
the list (Ctrl+\\) without losing the widths the person gave the panels."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtWidgets import QSplitter

ARTICLE_SHARE = 0.5  # the article never gets less than half of the width from the first share
LABELS_SHARE = 0.15


class PanelWidths:
    """``list_width()``: the width at which the list shows all its columns and filters."""

    def __init__(self, splitter: QSplitter, list_width: Callable[[], int]) -> None:
        self.splitter, self.list_width = splitter, list_width
        self.before_hiding: list[int] | None = None  # the sizes when Ctrl+\\ hid the list

    def share(self, total: int) -> None:
        """About 30 % list (more when its columns need it and the article keeps half), 15 % labels,
        the rest the article."""
        total -= self.splitter.handleWidth() * (self.splitter.count() - 1)  # what the panels share
        side = self.splitter.widget(2)  # no less than the labels ask for (their widest button): else cut
        asks = max(side.minimumSizeHint().width(), side.minimumWidth()) if side is not None else 0
        labels = max(int(total * LABELS_SHARE), asks)
        room = total - math.ceil(total * ARTICLE_SHARE) - labels
        listed = max(int(total * 0.30), min(self.list_width(), room))
        self.splitter.setSizes([listed, total - listed - labels, labels])

    def toggle_list(self, total: int) -> None:
        sizes = self.splitter.sizes()
        if sizes[0] > 0:
            self.before_hiding = sizes
            self.splitter.setSizes([0, sizes[0] + sizes[1], sizes[2]])
        elif self.before_hiding is not None:
            # the list's width as it was; the labels keep theirs; the article what is left
            listed = self.before_hiding[0]
            self.splitter.setSizes([listed, max(0, sizes[1] - listed), sizes[2]])
            self.before_hiding = None
        else:  # dragged shut by hand: no width to go back to
            self.share(total)
