"""The Qt-free half of re-suggesting in the background: suggestions computed in a run (the open
article first), written later by the database worker, never onto an article finished meanwhile;
uncertainty as {document id: score} for a list column."""

from __future__ import annotations

from annotator.core.document import DocumentStatus
from annotator.nlp.background import suggestion_batches
from annotator.nlp.pipelines import Pipelines
from annotator.nlp.uncertainty import rank_unfinished, uncertainty_scores
from annotator.store import Store


def test_batches_start_with_the_open_article_and_skip_finished_ones(seeded_store: Store,
                                                                   pipelines: Pipelines) -> None:
    english = [d.id for d in seeded_store.list_documents() if d.language == "en"]
    seeded_store.set_status(english[0], DocumentStatus.ACCEPTED, "alice")
    batches = list(suggestion_batches(seeded_store, pipelines, "en", first=[english[-1]], block=2))
    order = [d for batch in batches for d in batch]
    assert order == [english[-1], *english[1:-1]] and [len(b) for b in batches] == [2, 1]
    author, spans = batches[0][english[-1]]
    assert author == pipelines.get("en").author and spans

    # Written later: an article accepted in between keeps its suggestions and version.
    seeded_store.set_status(english[1], DocumentStatus.ACCEPTED, "alice")
    before = {d: seeded_store.document(d).version for d in english}
    written = seeded_store.replace_unfinished_suggestions(
        {d: ("later@1", spans) for batch in batches for d, (_, spans) in batch.items()})
    assert set(written) == {english[-1], *english[2:-1]}
    assert all(written[d] == before[d] + 1 for d in written)
    assert seeded_store.document(english[1]).version == before[english[1]]
    assert seeded_store.document(english[1]).suggested_by != "later@1"
    assert seeded_store.document(english[-1]).suggested_by == "later@1"
    assert seeded_store.replace_unfinished_suggestions({}) == {}


def test_uncertainty_scores_are_what_the_list_shows(seeded_store: Store, pipelines: Pipelines) -> None:
    scores = uncertainty_scores(seeded_store, pipelines.get("en"))
    ranked = rank_unfinished(seeded_store, pipelines.get("en"))
    assert list(scores.items()) == [(u.document_id, u.score) for u in ranked]
    assert all(0.0 <= s <= 1.0 for s in scores.values()) and len(set(scores.values())) > 1
