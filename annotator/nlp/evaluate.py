"""Score a pipeline against the people's accepted corrections, and say on what and how sure.

Every evaluation names its documents (id, source, content hash), counts their gold entities and
gives a bootstrap 95 % interval: documents are resampled when there are at least
``MIN_DOCUMENTS_TO_RESAMPLE`` of them, sentences otherwise (two articles are no sample of articles).
Before/after comparisons score both pipelines on the same units and resample them together, so the
interval of the gain is paired.

Gold is compared in the scheme the pipeline speaks (``LabelScheme``): a French WikiNER pipeline is
scored on PER/LOC/ORG/MISC, shown as PERSON/GPE/ORG/MISC; the analyst's DATEs, which it has no type
for, are counted as outside its scheme rather than as misses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotator.core.compare import PRF, Scores
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError
from annotator.core.plural import plural
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.core.span import SpanData
from annotator.io.selection import ExportDocument, ExportOptions, dev_score, iter_export, side_of
from annotator.nlp.pipelines import Pipeline, PipelineConfig, Pipelines
from annotator.nlp.schemes import LabelScheme
from annotator.nlp.segments import sentence_ranges, unit_of
from annotator.nlp.suggest import Failed, Item, Limits, NoModel, suggest_with
from annotator.store import Store
from annotator.store.records import TrainedModel

MIN_DOCUMENTS_TO_RESAMPLE = 10
RESAMPLES = 1000
ALL = "ALL"


def gold_documents(store: Store, language: str, split: str = "dev", dev_ratio: float = 0.2, seed: int = 0,
                   user: str | None = None) -> list[ExportDocument]:
    """Accepted documents of ``language`` (the only fully reviewed ones), from the ``dev`` split,
    the ``train`` split or ``all``, in store order. A document's side depends only on its text and
    the seed (``dev_score``), so it never moves as the corpus grows, and export, training and
    evaluation agree."""
    options = ExportOptions(include=frozenset({DocumentStatus.ACCEPTED}), language=language, user=user,
                            dev_ratio=dev_ratio, seed=seed)
    docs = list(iter_export(store, options))
    if split == "all":
        return docs
    return [d for d in docs if side_of(dev_score(d, seed), dev_ratio) == split]


@dataclass(frozen=True)
class DocumentRef:
    id: int
    source: str
    content_hash: str

    @classmethod
    def of(cls, doc: ExportDocument) -> DocumentRef:
        return cls(doc.id, doc.source, doc.content_hash)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "hash": self.content_hash[:16]}


# Per resampling unit: label -> [tp, fp, fn]
UnitCounts = dict[str, list[int]]


@dataclass
class Evaluation:
    """What one pipeline scored on named documents, with per-unit counts for the bootstrap."""

    model: str
    documents: tuple[DocumentRef, ...]
    scores: Scores
    unit: str  # "document" or "sentence": what the bootstrap resamples
    units: list[UnitCounts] = field(default_factory=list)
    outside_scheme: int = 0  # gold entities of types the model's scheme has no name for (not scored)
    how: str = ""  # e.g. "dev split" or "5-fold cross-validation over sentences (out-of-fold predictions)"

    @property
    def entities(self) -> int:
        return self.scores.overall.tp + self.scores.overall.fn

    def intervals(self, resamples: int = RESAMPLES, seed: int = 0) -> dict[str, tuple[float, float]]:
        """Bootstrap 95 % interval of F overall (``ALL``) and per label."""
        return bootstrap_f(self.units, resamples, seed)

    def as_dict(self, resamples: int = RESAMPLES) -> dict[str, Any]:
        """JSON for a trained model's ``scores``: ``Scores.as_dict()`` plus what it was measured on."""
        data: dict[str, Any] = dict(self.scores.as_dict())
        data.update({
            "model": self.model, "how": self.how, "entities": self.entities, "outside_scheme": self.outside_scheme,
            "documents_scored": [d.as_dict() for d in self.documents],
            "ci95": {k: [round(lo, 4), round(hi, 4)] for k, (lo, hi) in self.intervals(resamples).items()},
            "ci_unit": self.unit, "ci_units": len(self.units), "ci_resamples": resamples,
        })
        return data


def bootstrap_f(units: Sequence[UnitCounts], resamples: int = RESAMPLES, seed: int = 0,
                paired: Sequence[UnitCounts] | None = None) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap 95 % interval of micro F over ``units`` (resampled with replacement),
    overall and per label. With ``paired`` (the same units scored by another pipeline), the interval is
    of the difference F(units) - F(paired) under the same resamples."""
    if not units:
        return {}
    labels = sorted({lb for u in units for lb in u} | ({lb for u in paired for lb in u} if paired else set()))
    rng = np.random.default_rng(seed)
    n = len(units)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples)  # (resamples, units)

    def f_scores(source: Sequence[UnitCounts]) -> dict[str, np.ndarray]:
        counts = np.zeros((n, len(labels) + 1, 3))
        for i, unit in enumerate(source):
            for j, label in enumerate(labels):
                if label in unit:
                    counts[i, j] = unit[label]
            counts[i, -1] = counts[i, :-1].sum(axis=0)
        sums = np.einsum("bu,ulk->blk", weights, counts)  # (resamples, labels + ALL, tp/fp/fn)
        tp, fp, fn = sums[..., 0], sums[..., 1], sums[..., 2]
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
        return {name: f[:, j] for j, name in enumerate([*labels, ALL])}

    values = f_scores(units)
    if paired is not None:
        other = f_scores(paired)
        values = {k: v - other[k] for k, v in values.items()}
    out = {}
    for name, f in values.items():
        f = f[~np.isnan(f)]
        if len(f):
            out[name] = (float(np.percentile(f, 2.5)), float(np.percentile(f, 97.5)))
    return out


def count_units(predicted: Sequence[SpanData], gold: Sequence[SpanData], starts: Sequence[int] | None = None,
                ) -> list[UnitCounts]:
    """Exact span+label tp/fp/fn per label, in one unit (``starts`` None) or one per range start."""
    n = 1 if starts is None else max(1, len(starts))
    units: list[UnitCounts] = [{} for _ in range(n)]
    pred_set = {(p.start, p.end, p.label) for p in predicted}
    gold_set = {(g.start, g.end, g.label) for g in gold}
    for key in pred_set | gold_set:
        unit = units[0 if starts is None else unit_of(key[0], starts)]
        counts = unit.setdefault(key[2], [0, 0, 0])
        counts[0 if key in pred_set and key in gold_set else 1 if key in pred_set else 2] += 1
    return units


class Scoring:
    """Accumulates one pipeline's predictions on documents into an ``Evaluation``."""

    def __init__(self, model: str, scheme: LabelScheme, by_sentence: bool, how: str = "") -> None:
        self.model, self.scheme, self.by_sentence, self.how = model, scheme, by_sentence, how
        self.scores = Scores()
        self.units: list[UnitCounts] = []
        self.documents: list[DocumentRef] = []
        self.outside = 0

    def add(self, doc: ExportDocument, predicted: Sequence[SpanData]) -> None:
        gold = self.scheme.gold_as_shown(doc.entities)
        self.outside += self.scheme.outside(doc.entities)
        self.scores.add(predicted, gold)
        starts = [s for s, _ in sentence_ranges(doc.text, doc.language, doc.entities)] if self.by_sentence else None
        self.units.extend(count_units(predicted, gold, starts))
        self.documents.append(DocumentRef.of(doc))

    def result(self) -> Evaluation:
        unit = "sentence" if self.by_sentence else "document"
        return Evaluation(self.model, tuple(self.documents), self.scores, unit, self.units, self.outside, self.how)


def resample_sentences(documents: int) -> bool:
    return documents < MIN_DOCUMENTS_TO_RESAMPLE


def evaluate(pipeline: Pipeline, docs: Sequence[ExportDocument], *, how: str = "", batch_size: int = 32,
             by_sentence: bool | None = None, scheme: LabelScheme | None = None,
             progress: ProgressSink = no_progress, cancel: CancelToken | None = None,
             limits: Limits | None = None) -> Evaluation:
    """Score ``pipeline`` on ``docs`` (whole documents as input, as pre-annotation sees them: a text
    over ``nlp.max_length`` in pieces), exact span + label."""
    scoring = Scoring(pipeline.author, scheme or LabelScheme.of(pipeline),
                      resample_sentences(len(docs)) if by_sentence is None else by_sentence, how)
    limits = limits or Limits(batch_size=batch_size)
    for first in range(0, len(docs), batch_size):
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk = docs[first:first + batch_size]
        outcomes = suggest_with(pipeline, [Item(i, d.text, d.language) for i, d in enumerate(chunk)], limits)
        for i, doc in enumerate(chunk):
            outcome = outcomes[i]
            if isinstance(outcome, Failed | NoModel):
                what = outcome.reason if isinstance(outcome, Failed) else "the pipeline has no NER"
                raise AnnotatorError(f"cannot score {pipeline.author} on {doc.source or f'document {doc.id}'}: {what}")
            scoring.add(doc, outcome.spans)
            progress(first + i + 1, len(docs), f"evaluating {pipeline.author}")
    return scoring.result()


def evaluate_pipeline(pipeline: Pipeline, docs: Sequence[ExportDocument], batch_size: int = 32,
                      progress: ProgressSink = no_progress, cancel: CancelToken | None = None) -> Scores:
    """Just the scores of ``evaluate`` (no interval)."""
    return evaluate(pipeline, docs, batch_size=batch_size, progress=progress, cancel=cancel).scores


def describe(evaluation: Evaluation, limit: int = 6) -> str:
    """One line: on what, how many entities, F with its interval."""
    names = ", ".join(d.source or f"#{d.id}" for d in evaluation.documents[:limit])
    more = f" and {len(evaluation.documents) - limit} more" if len(evaluation.documents) > limit else ""
    lo, hi = evaluation.intervals().get(ALL, (0.0, 0.0))
    return (f"F {evaluation.scores.overall.f:.3f} [95% CI {lo:.3f}-{hi:.3f}] on {evaluation.entities} entities "
            f"in {plural(len(evaluation.documents), 'document')}: {names}{more}")


@dataclass(frozen=True)
class BeforeAfter:
    """The language's base pipeline ("before") and a trained model ("after") on the same documents."""

    documents: int
    before_name: str
    before: Scores
    after_name: str | None
    after: Scores | None
    epochs_f: tuple[float, ...] = ()  # the trained model's dev F per epoch, when it is a registered one
    before_evaluation: Evaluation | None = None
    after_evaluation: Evaluation | None = None
    gain_ci95: tuple[float, float] | None = None  # paired bootstrap interval of F(after) - F(before)
    split: str = "dev"
    seen: int = 0  # of these documents, how many the trained model learnt from (then "after" is not held out)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"split": self.split, "documents": self.documents, "models": {}}
        for evaluation in (self.before_evaluation, self.after_evaluation):
            if evaluation is not None:
                out["models"][evaluation.model] = evaluation.as_dict()
        if self.gain_ci95 is not None:
            out["gain_ci95"] = [round(x, 4) for x in self.gain_ci95]
        out["after_learnt_from"] = self.seen
        return out


def paired_gain(before: Evaluation, after: Evaluation, resamples: int = RESAMPLES) -> tuple[float, float] | None:
    """95 % interval of F(after) - F(before) when both scored the same units."""
    if len(before.units) != len(after.units) or before.documents != after.documents:
        return None
    return bootstrap_f(after.units, resamples, paired=before.units).get(ALL)


def before_after(store: Store, language: str, model: str | None = None, split: str = "dev",
                 dev_ratio: float = 0.2, seed: int = 0, progress: ProgressSink = no_progress,
                 cancel: CancelToken | None = None) -> BeforeAfter:
    """What ``annotator evaluate`` prints and the GUI's evaluation shows: ``model`` defaults to the
    latest model trained for the language (no "after" when there is none). Both are scored on the
    same named documents of ``split``.

    While the dev split is still empty (few documents: training cross-validates), a registered model's
    own cross-validated scores are returned (``split`` "cross-validation", from its record: each
    document scored by a fold model that never saw it), and with no model the base is scored on every
    accepted document."""
    trained = store.trained_models(language)
    if model is None and trained:
        model = trained[-1].path
    record = next((m for m in reversed(trained) if m.path == model), None)
    docs = gold_documents(store, language, split, dev_ratio, seed)
    if not docs and split == "dev":
        if record is not None and record.scores.get("mode") == "cv":
            return _from_record(record)
        if model is None:
            docs, split = gold_documents(store, language, "all", dev_ratio, seed), "all"
    if not docs:
        raise AnnotatorError(f"no accepted '{language}' documents in the {split} split to evaluate on "
                             f"(a document's side depends only on its text and --seed)")
    epochs: tuple[float, ...] = ()
    seen = 0
    if record is not None:
        epochs = tuple(e["f"] for e in record.scores.get("epochs", []))
        learnt = set(record.scores.get("trained_on", []))
        seen = sum(1 for d in docs if d.id in learnt)
    chosen = Pipelines(PipelineConfig.from_env(model, language)).get(language) if model is not None else None
    base = Pipelines(PipelineConfig.from_env()).get(language)
    how = f"{split} split" if split != "all" else "every accepted document"
    before = evaluate(base, docs, how=how, progress=progress, cancel=cancel)
    after = None
    gain = None
    if chosen is not None:
        # the base's scheme for both, so before and after are counted on the same gold
        after = evaluate(chosen, docs, how=how, scheme=LabelScheme.of(base) if base.has_ner else None,
                         progress=progress, cancel=cancel)
        gain = paired_gain(before, after)
    return BeforeAfter(len(docs), base.author, before.scores, model, after.scores if after else None, epochs,
                       before, after, gain, split, seen)


def _from_record(model: TrainedModel) -> BeforeAfter:
    """A cross-validated model's stored before/after (no re-run: its folds are gone)."""
    scores = model.scores
    before, after = scores.get("before", {}), scores.get("after", {})
    gain = scores.get("gain_ci95")
    return BeforeAfter(len(after.get("documents_scored", [])), str(before.get("model", "base")),
                       scores_from_dict(before), model.path, scores_from_dict(after),
                       tuple(e["f"] for e in scores.get("epochs", [])), None, None,
                       (float(gain[0]), float(gain[1])) if gain else None, "cross-validation", 0)


def scores_from_dict(data: dict[str, Any]) -> Scores:
    """``Scores`` back from ``Scores.as_dict()`` (counts only; the error breakdown is kept)."""
    scores = Scores(documents=int(data.get("documents", 0)))
    overall = data.get("overall", {})
    scores.overall = PRF(int(overall.get("tp", 0)), int(overall.get("fp", 0)), int(overall.get("fn", 0)))
    scores.per_label = {label: PRF(int(v.get("tp", 0)), int(v.get("fp", 0)), int(v.get("fn", 0)))
                        for label, v in data.get("per_label", {}).items()}
    scores.outcomes.update({k: int(v) for k, v in data.get("outcomes", {}).items()})
    return scores


def trained_on(docs: Iterable[ExportDocument]) -> list[dict[str, Any]]:
    return [DocumentRef.of(d).as_dict() for d in docs]
