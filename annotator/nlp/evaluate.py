"""Score a pipeline against the people's accepted corrections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotator.core.compare import Scores
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.io.selection import ExportDocument, ExportOptions, dev_score, iter_export, split_train_dev
from annotator.nlp.pipelines import Pipeline, PipelineConfig, Pipelines
from annotator.nlp.preannotate import entities_of
from annotator.store import Store


def gold_documents(store: Store, language: str, split: str = "dev", dev_ratio: float = 0.2, seed: int = 0,
                   user: str | None = None) -> list[ExportDocument]:
    """Accepted documents of ``language`` (the only fully reviewed ones), from the ``dev`` split,
    the ``train`` split or ``all``, in store order. The split is the exporter's (``split_train_dev``),
    so scores and training agree."""
    options = ExportOptions(include=frozenset({DocumentStatus.ACCEPTED}), language=language, user=user,
                            dev_ratio=dev_ratio, seed=seed)
    docs = list(iter_export(store, options))
    if split == "all":
        return docs
    dev_ids = {d.id for side, d in split_train_dev(docs, lambda d: dev_score(d, seed), dev_ratio) if side == "dev"}
    return [d for d in docs if (d.id in dev_ids) == (split == "dev")]


def evaluate_pipeline(pipeline: Pipeline, docs: Sequence[ExportDocument], batch_size: int = 32,
                      progress: ProgressSink = no_progress, cancel: CancelToken | None = None) -> Scores:
    scores = Scores()
    for i, doc in enumerate(pipeline.nlp.pipe((d.text for d in docs), batch_size=batch_size)):
        if cancel is not None:
            cancel.raise_if_cancelled()
        scores.add(entities_of(doc, pipeline), docs[i].entities)
        progress(i + 1, len(docs), f"evaluating {pipeline.author}")
    return scores


@dataclass(frozen=True)
class BeforeAfter:
    """The language's base pipeline ("before") and a trained model ("after") on the same documents."""

    documents: int
    before_name: str
    before: Scores
    after_name: str | None
    after: Scores | None
    epochs_f: tuple[float, ...] = ()  # the trained model's dev F per epoch, when it is a registered one


def before_after(store: Store, language: str, model: str | None = None, split: str = "dev",
                 dev_ratio: float = 0.2, seed: int = 0, progress: ProgressSink = no_progress,
                 cancel: CancelToken | None = None) -> BeforeAfter:
    """What ``annotator evaluate`` prints and the GUI's evaluation shows: ``model`` defaults to the
    latest model trained for the language (no "after" when there is none)."""
    docs = gold_documents(store, language, split, dev_ratio, seed)
    if not docs:
        raise AnnotatorError(f"no accepted '{language}' documents in the {split} split to evaluate on")
    trained = store.trained_models(language)
    epochs: tuple[float, ...] = ()
    if model is None and trained:
        model = trained[-1].path
        epochs = tuple(e["f"] for e in trained[-1].scores.get("epochs", []))
    base = Pipelines(PipelineConfig.from_env()).get(language)
    before = evaluate_pipeline(base, docs, progress=progress, cancel=cancel)
    after = None
    if model is not None:
        chosen = Pipelines(PipelineConfig.from_env(model, language)).get(language)
        after = evaluate_pipeline(chosen, docs, progress=progress, cancel=cancel)
    return BeforeAfter(len(docs), base.author, before, model, after, epochs)
