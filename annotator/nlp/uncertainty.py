"""Where is the model unsure? A score per document, to offer the unfinished ones in that order.

``beam`` (the default): spaCy's beam search over the NER's transitions (``beam_parse``) gives every
candidate entity a probability: the share of the beam's probability mass that contains it (what
Prodigy's ``ner.teach`` sorts by). Summed per token, that is a distribution over "no entity" and each
label; a token's uncertainty is 1 - its most likely outcome. A document's uncertainty is the mean over
the tokens the beam gives at least ``MIN_PROBABILITY`` of entity mass (tokens everyone agrees are
outside every entity would only dilute it): 0 when every such token is certain, towards 1 when the
model hesitates between labels or boundaries. Measured: "Blinken and Bourita met De Mistura before
Kabour spoke." scores about twice "The United States and France signed the treaty in Paris on Monday."
(tests/nlp/test_learning.py).

``disagreement``: 1 - F between two models' entities on the document (e.g. the previous and the current
model of the loop): where successive models change their mind, the analyst's answer teaches most.

Scores are in [0, 1]; higher is more uncertain. The order is a choice for "next unfinished", never
forced; ``rank_unfinished`` returns the scores so the list can show them. A document longer than
``pieces.PIECE_CHARS`` is scored in pieces (spaCy refuses texts over ``nlp.max_length``) and its score
is the mean of its pieces' scores, weighted by their length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Doc

from annotator.core.compare import Scores
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.nlp.pieces import PIECE_CHARS, split_points
from annotator.nlp.pipelines import Pipeline
from annotator.nlp.preannotate import entities_of
from annotator.store import Store

MIN_PROBABILITY = 0.05
BEAM_WIDTH = 16

Method = Literal["beam", "disagreement"]


def by_pieces(texts: Iterable[str], score: Callable[[list[str]], list[float]], limit: int = PIECE_CHARS) -> list[float]:
    """``score`` per text, a text over ``limit`` characters scored piece by piece (the length-weighted
    mean of its pieces' scores)."""
    pieces: list[str] = []
    owners: list[int] = []
    count = 0
    for k, text in enumerate(texts):
        count += 1
        for start, end in split_points(text, limit):
            pieces.append(text[start:end])
            owners.append(k)
    totals, weights = [0.0] * count, [0] * count
    for k, piece, value in zip(owners, pieces, score(pieces), strict=True):
        totals[k] += value * max(len(piece), 1)
        weights[k] += max(len(piece), 1)
    return [total / weight if weight else 0.0 for total, weight in zip(totals, weights, strict=True)]


def beam_uncertainty(pipeline: Pipeline, texts: Iterable[str], beam_width: int = BEAM_WIDTH,
                     batch_size: int = 16) -> list[float]:
    """Per text: mean token uncertainty over the tokens with some entity mass (0 when there is none)."""
    return by_pieces(texts, lambda pieces: _beam_uncertainty(pipeline, pieces, beam_width, batch_size),
                     min(PIECE_CHARS, pipeline.nlp.max_length))


def _beam_uncertainty(pipeline: Pipeline, texts: list[str], beam_width: int, batch_size: int) -> list[float]:
    if not pipeline.has_ner:
        return [0.0 for _ in texts]
    nlp = pipeline.nlp
    ner = nlp.get_pipe("ner")
    before = nlp.pipe_names[: nlp.pipe_names.index("ner")]  # enabled components that run before it
    out: list[float] = []
    batch: list[str] = []

    def flush() -> None:
        docs: list[Doc] = [nlp.make_doc(t) for t in batch]
        for name in before:
            component = nlp.get_pipe(name)
            docs = [component(d) for d in docs]
        beams = ner.beam_parse(docs, beam_width=beam_width)  # type: ignore[attr-defined]
        for doc, scores in zip(docs, ner.scored_ents(beams), strict=True):  # type: ignore[attr-defined]
            out.append(_token_uncertainty(len(doc), scores.items()))
        batch.clear()

    for text in texts:
        batch.append(text)
        # a batch holds at most one piece's worth of text: the beam's memory grows with it
        if len(batch) >= batch_size or sum(map(len, batch)) >= PIECE_CHARS:
            flush()
    if batch:
        flush()
    return out


def _token_uncertainty(length: int, candidates: Iterable[tuple[tuple[int, int, str], float]]) -> float:
    mass: list[dict[str, float]] = [{} for _ in range(length)]
    for (start, end, label), p in candidates:
        for i in range(start, min(end, length)):
            mass[i][label] = mass[i].get(label, 0.0) + p
    values = []
    for labels in mass:
        inside = min(1.0, sum(labels.values()))
        if inside >= MIN_PROBABILITY:
            values.append(1.0 - max(1.0 - inside, *labels.values()))
    return sum(values) / len(values) if values else 0.0


def disagreement(first: Pipeline, second: Pipeline, texts: Sequence[str], batch_size: int = 32) -> list[float]:
    """Per text: 1 - F of ``second``'s entities against ``first``'s (0: they agree exactly)."""
    return by_pieces(texts, lambda pieces: _disagreement(first, second, pieces, batch_size),
                     min(PIECE_CHARS, first.nlp.max_length, second.nlp.max_length))


def _disagreement(first: Pipeline, second: Pipeline, texts: list[str], batch_size: int) -> list[float]:
    a = [entities_of(d, first) for d in first.nlp.pipe(texts, batch_size=batch_size)]
    b = [entities_of(d, second) for d in second.nlp.pipe(texts, batch_size=batch_size)]
    out = []
    for left, right in zip(a, b, strict=True):
        if not left and not right:
            out.append(0.0)
            continue
        scores = Scores()
        scores.add(right, left)
        out.append(1.0 - scores.overall.f)
    return out


@dataclass(frozen=True)
class DocumentUncertainty:
    document_id: int
    score: float


def rank_unfinished(store: Store, pipeline: Pipeline, *, method: Method = "beam", previous: Pipeline | None = None,
                    limit: int | None = None, progress: ProgressSink = no_progress,
                    cancel: CancelToken | None = None, block: int = 64) -> list[DocumentUncertainty]:
    """Unfinished documents of ``pipeline``'s language, most uncertain first (ties: store order).
    ``method="disagreement"`` needs ``previous`` (the model before ``pipeline``). ``limit`` scores only
    the first ``limit`` unfinished documents (in store order), for very large corpora."""
    if method == "disagreement" and previous is None:
        raise ValueError("disagreement needs the previous model")
    ids = store.ids_needing_suggestions(pipeline.language, rerun=True)[:limit]  # its unfinished, in store order
    scored: list[DocumentUncertainty] = []
    for i in range(0, len(ids), block):
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk = ids[i : i + block]
        texts = store.texts(chunk)
        present = [d for d in chunk if d in texts]
        batch = [texts[d][0] for d in present]
        if method == "beam":
            values = beam_uncertainty(pipeline, batch)
        else:
            assert previous is not None
            values = disagreement(previous, pipeline, batch)
        scored.extend(DocumentUncertainty(d, round(v, 4)) for d, v in zip(present, values, strict=True))
        progress(min(i + block, len(ids)), len(ids), f"uncertainty of {len(scored)}/{len(ids)} documents")
    order = {d: n for n, d in enumerate(ids)}
    return sorted(scored, key=lambda u: (-u.score, order[u.document_id]))


def uncertainty_scores(store: Store, pipeline: Pipeline, *, method: Method = "beam", previous: Pipeline | None = None,
                       limit: int | None = None, progress: ProgressSink = no_progress,
                       cancel: CancelToken | None = None) -> dict[int, float]:
    """``{document id: uncertainty}`` of the unfinished documents of ``pipeline``'s language, most
    uncertain first: what a document list shows in a score column (higher: ask the analyst sooner)."""
    ranked = rank_unfinished(store, pipeline, method=method, previous=previous, limit=limit, progress=progress,
                             cancel=cancel)
    return {u.document_id: u.score for u in ranked}
