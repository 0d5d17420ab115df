"""Annotate all occurrences (INCEpTION's most asked-for feature): every token-aligned occurrence of a
string, in one article or across the corpus, with its context and what it is labelled now, so one
decision can be applied everywhere from a preview (``Store.label_places``, one undo step)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from annotator.core.span import Span
from annotator.io.spacy_docs import Tokenizers
from annotator.nlp.pipelines import token_bounds
from annotator.store import Store

CONTEXT = 40  # characters shown on each side in the preview


@dataclass(frozen=True)
class Occurrence:
    document_id: int
    title: str
    start: int
    end: int
    before: str
    after: str
    current: str | None  # the label the person sees there now (confirmed or suggested), None: nothing
    confirmed: bool  # the person's own entity (False: a suggestion, or nothing)


def find_occurrences(store: Store, needle: str, user: str, document_id: int | None = None,
                     tokenizers: Tokenizers | None = None) -> list[Occurrence]:
    """Token-aligned occurrences of ``needle`` (exact, case kept) in one document or in all of them.
    An occurrence inside a longer token ("Rabat" in "Rabatment") is not one."""
    tokenizers = tokenizers or Tokenizers()
    if document_id is not None:
        view = store.view(document_id, user)
        docs: Iterable[tuple[int, str, str, str]] = [(document_id, view.info.title, view.text, view.info.language)]
    else:
        docs = store.documents_containing(needle)
    found: list[Occurrence] = []
    for doc_id, title, text, language in docs:
        spots = _spots(text, needle)
        if not spots:
            continue
        bounds = token_bounds(tokenizers.get(language), text)
        spots = [(a, b) for a, b in spots if bounds.aligned(a, b)]
        if not spots:
            continue
        shown = store.view(doc_id, user)
        for a, b in spots:
            here = _entity_at(shown.confirmed, a, b) or _entity_at(shown.suggestions, a, b)
            found.append(Occurrence(doc_id, title, a, b, _line(text[max(0, a - CONTEXT):a]),
                                    _line(text[b:b + CONTEXT]), here.label if here else None,
                                    here is not None and here in shown.confirmed))
    return found


def _spots(text: str, needle: str) -> list[tuple[int, int]]:
    out, i = [], text.find(needle)
    while i >= 0 and needle:
        out.append((i, i + len(needle)))
        i = text.find(needle, i + len(needle))
    return out


def _entity_at(spans: Iterable[Span], start: int, end: int) -> Span | None:
    """The entity exactly there, else one overlapping it."""
    overlapping = [s for s in spans if s.start < end and s.end > start]
    exact = [s for s in overlapping if (s.start, s.end) == (start, end)]
    chosen = exact or overlapping
    return chosen[0] if chosen else None


def _line(text: str) -> str:
    return " ".join(text.split())
