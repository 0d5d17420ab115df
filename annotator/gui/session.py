"""The annotation session: what one annotator has open and how an edit becomes a redraw. No Qt.

The window asks the session for *work* (plain functions the database worker runs: open a document,
run an edit, undo one) and hands the results back to it on the GUI thread; the session turns them
into what the views must redraw. So the path of a key press is testable without widgets, and the GUI
thread never touches the store or a tokenizer.

Import-linter checks that this module imports no Qt.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from annotator.core.changes import Changes
from annotator.core.document import DocumentStatus
from annotator.core.snapping import Snap, TokenBounds
from annotator.core.span import Layer, Span
from annotator.io.spacy_docs import Tokenizers
from annotator.nlp.pipelines import token_bounds
from annotator.store import Store
from annotator.store.edits import Unreviewed
from annotator.store.records import DocumentSummary, DocumentView


@dataclass(frozen=True)
class Loaded:
    """A document as the session's user sees it, with the token boundaries selections snap to."""

    view: DocumentView
    bounds: TokenBounds


@dataclass(frozen=True)
class EditResult:
    """What the worker hands back after an edit or an undo: the changes, the changed list rows, and
    the document to show (the one open, re-read; or the one an undo touched)."""

    changes: Changes
    summaries: tuple[DocumentSummary, ...]
    loaded: Loaded | None


@dataclass(frozen=True)
class Redraw:
    """What the article must repaint after an edit: the character ranges whose spans changed, and
    which entity to select afterwards (``select`` None and ``clear`` False: keep the selection)."""

    dirty: tuple[tuple[int, int], ...]
    select: Span | None = None
    clear: bool = False
    reopened: bool = False  # a different document is now shown (the whole article redraws)


@dataclass(frozen=True)
class Edit:
    """One store edit, bound at key-press time to the document and the version the user saw."""

    description: str
    document_id: int
    apply: Callable[[Store], Changes]
    advance_from: int | None = None  # a decision on the entity starting here: select the next one after


class AnnotationSession:
    """The open document, its token boundaries, and the versions this window has seen."""

    def __init__(self, store: Store, user: str, tokenizers: Tokenizers | None = None) -> None:
        self.store = store
        self.user = user
        self.current: Loaded | None = None
        self._tokenizers = tokenizers or Tokenizers()  # the database worker, and the preloader at start
        self._tokenizers_lock = threading.Lock()
        self._bounds: dict[tuple[int, str], TokenBounds] = {}
        self._seen: dict[int, int] = {}  # document id -> the version this window last read

    # -- what is open ---------------------------------------------------------------------------

    @property
    def view(self) -> DocumentView | None:
        return self.current.view if self.current else None

    @property
    def document_id(self) -> int | None:
        return self.current.view.info.id if self.current else None

    def seen_version(self, document_id: int) -> int | None:
        return self._seen.get(document_id)

    # -- work for the database worker -----------------------------------------------------------

    def load(self, document_id: int) -> Loaded:
        """(worker) The document as this user sees it, and its tokens. The token boundaries are cached
        per document *and* language: changing a document's language re-tokenizes it."""
        view = self.store.view(document_id, self.user)
        key = (document_id, view.info.language)
        bounds = self._bounds.get(key)
        if bounds is None:
            with self._tokenizers_lock:
                nlp = self._tokenizers.get(view.info.language)
            bounds = token_bounds(nlp, view.text)
            self._bounds[key] = bounds
        return Loaded(view, bounds)

    def preload(self, language: str) -> None:
        """(any thread) Create ``language``'s tokenizer now, so the first article in it opens at once
        (the French one took 8.6 s on first use)."""
        with self._tokenizers_lock:
            self._tokenizers.get(language)

    def run_edit(self, edit: Edit, show: int | None) -> EditResult:
        """(worker) Run ``edit``, then read back the list rows it changed and the document to show."""
        changes = edit.apply(self.store)
        return self._after(changes, show)

    def run_revert(self, changes: Changes, show: int | None, expected: dict[int, int]) -> EditResult:
        """(worker) Undo ``changes`` (conflict-checked against the versions this window saw)."""
        return self._after(self.store.revert(changes, expected_versions=expected), show)

    def _after(self, changes: Changes, show: int | None) -> EditResult:
        # The list rows it changed, with this annotator's counts (one query; a document deleted
        # meanwhile by another client is simply not among them).
        summaries = self.store.summaries(sorted(changes.document_ids), self.user)
        if show is None or show not in changes.document_ids:
            # An undo of an edit made in another document: show that document.
            show = min(changes.document_ids) if changes.document_ids else show
        loaded = self.load(show) if show is not None else None
        return EditResult(changes, tuple(summaries), loaded)

    # -- results, on the GUI thread -----------------------------------------------------------

    def opened(self, loaded: Loaded) -> None:
        self.current = loaded
        self._seen[loaded.view.info.id] = loaded.view.info.version

    def model_layer_replaced(self, versions: dict[int, int]) -> None:
        """A background re-run replaced only the model layer of these documents (``{id: new version}``,
        one more than before): this window's undo steps on them stay valid, so a document whose
        version it had seen just before counts as seen at the new one. (The open article is re-read.)"""
        for doc_id, version in versions.items():
            if self._seen.get(doc_id) == version - 1:
                self._seen[doc_id] = version

    def applied(self, result: EditResult, advance_from: int | None = None, reverted: bool = False) -> Redraw:
        """Take an edit's result as the current state and say what to redraw. After a decision on an
        entity (``advance_from``: where it starts) the next entity in reading order is selected, as
        Prodigy moves to the next task: one key per decision. After an undo or redo (``reverted``) the
        entity it brought back is selected, so the decision can be taken again at once."""
        for doc_id, version in result.changes.versions.items():
            self._seen[doc_id] = version
        old = self.current
        if result.loaded is None:
            return Redraw(())
        self.opened(result.loaded)
        if old is None or old.view.info.id != result.loaded.view.info.id:
            # an undo or redo made from another article: that article again, the entity it changed selected
            touched = [(s.start, s.end) for s in (*result.changes.added, *result.changes.removed)] if reverted else []
            back = [s for s in result.loaded.view.entities if any(a <= s.start < b for a, b in touched)]
            return Redraw((), select=back[0] if back else None, reopened=True)
        before = {(s.id, s.start, s.end, s.label, s.layer) for s in old.view.entities}
        after = {(s.id, s.start, s.end, s.label, s.layer) for s in result.loaded.view.entities}
        dirty = tuple(sorted((start, end) for _, start, end, _, _ in before ^ after))
        if advance_from is not None:
            following = [s for s in result.loaded.view.entities if s.start > advance_from]
            return Redraw(dirty, select=following[0] if following else None, clear=not following)
        added = [s for s in result.changes.added if not s.rejected]
        if len(added) == 1:  # a created, relabelled, resized or confirmed entity stays selected
            chosen = next((s for s in result.loaded.view.entities if s.id == added[0].id), None)
            return Redraw(dirty, select=chosen)
        back = [s for s in result.loaded.view.entities if any(a <= s.start < b for a, b in dirty)] if reverted else []
        if back:
            return Redraw(dirty, select=back[0])
        return Redraw(dirty, clear=bool(result.changes.removed) and not added)

    def expected_versions(self, changes: Changes) -> dict[int, int]:
        """For an undo: the versions this window last saw of the documents ``changes`` touched."""
        return {d: self._seen[d] for d in changes.document_ids if d in self._seen}

    # -- edits, built on the GUI thread at key-press time ---------------------------------------

    def _edit(self, description: str, call: Callable[[Store, int, int | None], Changes],
              decided: Span | None = None) -> Edit:
        assert self.current is not None
        doc_id = self.current.view.info.id
        seen = self._seen.get(doc_id)
        return Edit(description, doc_id, lambda store: call(store, doc_id, seen),
                    decided.start if decided is not None else None)

    def snap(self, start: int, end: int) -> Snap:
        assert self.current is not None
        return self.current.bounds.snap(start, end)

    def add_entity(self, start: int, end: int, label: str) -> Edit:
        user = self.user
        # Selecting over the person's own entities replaces them (one undo step), as drawing does
        # in brat and INCEpTION; refusing made a person delete first, then draw.
        return self._edit(f"add {label}", lambda st, d, v: st.add_span(d, start, end, label, user,
                                                                          expected_version=v, replace=True))

    def label_entity(self, span: Span, label: str) -> Edit | None:
        """A label key on a selected entity: confirm it (same label, a suggestion) or relabel it."""
        user = self.user
        if span.label == label and span.layer is Layer.MODEL:
            return self.confirm(span)
        if span.label == label:
            return None
        return self._edit(f"relabel {span.label} → {label}",
                          lambda st, d, v: st.relabel_span(span.id, label, user, expected_version=v), span)

    def confirm(self, span: Span) -> Edit:
        user = self.user
        return self._edit(f"confirm {span.label}",
                          lambda st, d, v: st.confirm_suggestion(span.id, user, expected_version=v), span)

    def delete(self, span: Span) -> Edit:
        user = self.user
        return self._edit(f"delete {span.label}",
                          lambda st, d, v: st.delete_span(span.id, user, expected_version=v), span)

    def resize(self, span: Span, grow: bool, at_start: bool) -> Edit | str:
        """Grow or shrink a selected entity by one token; a message when it cannot be."""
        assert self.current is not None
        bounds = self.current.bounds
        new = bounds.grow(span.start, span.end, at_start) if grow else bounds.shrink(span.start, span.end, at_start)
        how = "grow" if grow else "shrink"
        if new is None:
            edge = f"the text {'starts' if at_start else 'ends'} there" if grow else "it is a single token"
            aligned = bounds.aligned(span.start, span.end)
            return f"cannot {how} this entity: " + (edge if aligned else "it does not sit on token boundaries")
        user, (start, end) = self.user, new
        return self._edit(f"resize {span.label}",
                          lambda st, d, v: st.resize_span(span.id, start, end, user, expected_version=v))

    def accept_all(self) -> Edit:
        user = self.user
        return self._edit("accept all suggestions",
                          lambda st, d, v: st.accept_all_suggestions(d, user, expected_version=v))

    def set_status(self, status: DocumentStatus, unreviewed: Unreviewed = "confirm") -> Edit:
        user = self.user
        return self._edit(f"mark {status.value}",
                          lambda st, d, v: st.set_status(d, status, user, expected_version=v, unreviewed=unreviewed))

    def adopt(self, from_user: str) -> Edit:
        user = self.user
        return self._edit(f"take {from_user}'s version",
                          lambda st, d, v: st.adopt_version(d, from_user, user, expected_version=v))
