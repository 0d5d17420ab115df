"""Documents that need attention: spans an import kept exactly as the file gave them although they are
not clean entities (whitespace at an edge, off the token boundaries, overlapping, discontinuous).
The analyst jumps to the next such article, fixes what needs fixing with the usual keys, and says it
is resolved; the list's status filter has a "needs attention" entry."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from annotator.core.imported import attention_text
from annotator.core.plural import plural
from annotator.gui.editor_panel import EditorPanel
from annotator.gui.ops import Op, Ops
from annotator.store import Store

Notify = Callable[[str, bool], None]


class AttentionActions:
    def __init__(self, parent: QWidget, store: Store, ops: Ops, editor: EditorPanel, notify: Notify,
                 open_document: Callable[[int, Callable[[], None]], None], refresh_list: Callable[[], None]) -> None:
        self.parent, self.store, self.ops, self.editor = parent, store, ops, editor
        self.notify, self.open_document, self.refresh_list = notify, open_document, refresh_list

    def next_attention(self) -> None:
        """Open the next article (after the open one, wrapping) that needs attention."""
        current = self.editor.session.document_id

        def chosen(marked: dict[int, dict[str, int]]) -> None:
            if not marked:
                self.notify("no article needs attention", False)
                return
            ids = sorted(marked)
            target = next((i for i in ids if current is None or i > current), ids[0])
            left = len(ids)
            self.open_document(target, lambda: self.notify(
                f"needs attention: {attention_text(marked[target])}; {plural(left, 'article')} in all. Fix what needs "
                "fixing, then Ctrl+Shift+K (Attention resolved)", False))

        self.ops.run(Op(self.store.needing_attention, chosen, lambda exc: self.notify(str(exc), True),
                        "find articles needing attention"))

    def resolve_attention(self) -> None:
        view = self.editor.session.view
        if view is None:
            self.notify("open an article first", True)
            return
        if not view.info.attention:
            self.notify("this article does not need attention", False)
            return
        doc_id = view.info.id

        def done(_: object) -> None:
            self.editor.reload()  # its version moved
            self.refresh_list()
            self.notify("attention resolved; Ctrl+Shift+N goes to the next article needing it", False)

        self.ops.run(Op(lambda: self.store.resolve_attention(doc_id), done, lambda exc: self.notify(str(exc), True),
                        "resolve attention"))
