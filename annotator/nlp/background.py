"""Learning while the analyst works: when to train, the training itself, every model kept, rollback.

No Qt here: the GUI runs ``learn`` (or ``train_if_due`` then ``make_current`` and ``resuggest``) on one
worker after an accept, with a ``CancelToken`` it cancels when a newer run starts, and applies the
result on its own thread. Training reads the store and writes only the new model's record; re-suggesting
replaces model rows only (``preannotate``), so the analyst's edits are never blocked or overwritten.

Policy: train after every K accepted documents the latest model of the language did not learn from
(the project setting ``learning.every``, default 5; 0 turns background learning off). Every trained
model stays registered and on disk; any of them, or the base pipeline, can be made current again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from annotator.core.document import DocumentStatus
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.core.span import SpanData
from annotator.io.selection import ExportOptions, iter_export
from annotator.nlp.pipelines import Pipelines, project_pipelines
from annotator.nlp.preannotate import PreannotateReport, preannotate
from annotator.nlp.suggest import Item, Suggested, suggest
from annotator.nlp.train import TrainReport, TrainSettings, train
from annotator.store import Store
from annotator.store.records import TrainedModel

LEARNING_EVERY = "learning.every"
DEFAULT_EVERY = 5


def read_setting(store: Store, key: str, default: Any = None) -> Any:
    """A project setting. The Store has ``set_setting`` but no reader yet; until it has one
    (``Store.setting(key, default)``), read the settings table directly."""
    reader = getattr(store, "setting", None)
    if callable(reader):
        return reader(key, default)
    from annotator.store.schema import SettingRow
    from annotator.store.session import reading

    with reading(store.engine) as s:
        row = s.get(SettingRow, key)
        return default if row is None else row.value


def learning_every(store: Store) -> int:
    """K: train after this many newly accepted documents (0: never in the background)."""
    value = read_setting(store, LEARNING_EVERY, DEFAULT_EVERY)
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return DEFAULT_EVERY


def set_learning_every(store: Store, every: int) -> None:
    store.set_setting(LEARNING_EVERY, max(0, int(every)))


@dataclass(frozen=True)
class LearningState:
    language: str
    every: int  # 0: background learning is off
    accepted: int  # accepted documents of the language now
    new_since_model: int  # accepted documents the latest model did not learn from
    latest: TrainedModel | None  # the latest model trained for the language (not necessarily current)

    @property
    def due(self) -> bool:
        return self.every > 0 and self.new_since_model >= self.every and self.accepted > 0


def accepted_ids(store: Store, language: str) -> list[int]:
    options = ExportOptions(include=frozenset({DocumentStatus.ACCEPTED}), language=language)
    return [d.id for d in iter_export(store, options)]


def learning_state(store: Store, language: str, every: int | None = None) -> LearningState:
    accepted = accepted_ids(store, language)
    models = store.trained_models(language)
    latest = models[-1] if models else None
    seen = set(latest.scores.get("trained_on", [])) if latest is not None else set()
    new = sum(1 for i in accepted if i not in seen)
    return LearningState(language, learning_every(store) if every is None else every, len(accepted), new, latest)


def train_if_due(
    store: Store,
    pipelines: Pipelines,
    language: str,
    *,
    settings: TrainSettings | None = None,
    every: int | None = None,
    output: Path | None = None,
    progress: ProgressSink = no_progress,
    cancel: CancelToken | None = None,
) -> TrainReport | None:
    """Train and register a new model when ``learning_state(...).due``; None when not due.
    Cancelling leaves no model folder and no record (``train``)."""
    k = learning_every(store) if every is None else every
    if k <= 0 or not _may_be_due(store, language, k):
        return None
    state = learning_state(store, language, k)
    if not state.due:
        return None
    return train(store, pipelines, language, settings=settings or TrainSettings(), output=output, progress=progress,
                 cancel=cancel)


def _may_be_due(store: Store, language: str, every: int) -> bool:
    """A count (necessary for being due) before reading every accepted document: checked after each accept."""
    return store.document_count(frozenset({DocumentStatus.ACCEPTED}), language) >= every


def make_current(store: Store, language: str, model: TrainedModel | str | None) -> None:
    """Suggest with ``model`` (a registered model, a package or folder) for ``language``; None goes back
    to the default pipeline. Rollback is making an earlier registered model current."""
    path = model.path if isinstance(model, TrainedModel) else model
    store.set_suggestion_model(language, path)


def current_model(store: Store, language: str) -> TrainedModel | None:
    """The registered model that suggests for ``language`` now (None: the default pipeline or an
    unregistered package/folder)."""
    chosen = store.suggestion_models().get(language)
    return next((m for m in store.trained_models(language) if m.path == chosen), None)


def resuggest(store: Store, language: str, *, progress: ProgressSink = no_progress,
              cancel: CancelToken | None = None) -> PreannotateReport:
    """Replace the model suggestions of every unfinished document of ``language`` with the current
    model's (human layers untouched; committed batch by batch, so a cancel keeps what is done)."""
    return preannotate(store, project_pipelines(store), language=language, rerun=True, progress=progress,
                       cancel=cancel)


def suggestion_batches(store: Store, pipelines: Pipelines, language: str, *, first: Sequence[int] = (),
                       block: int = 16, cancel: CancelToken | None = None,
                       ) -> Iterator[dict[int, tuple[str, tuple[SpanData, ...]]]]:
    """The current model's suggestions for every unfinished document of ``language``, ``block``
    documents at a time (those in ``first`` first: the open article), computed here and written by the
    caller (``Store.replace_unfinished_suggestions``), so a GUI can write them on its one database
    worker, between the analyst's edits. Stops between blocks when ``cancel`` is set."""
    ids = store.ids_needing_suggestions(language, rerun=True)
    waiting = set(ids)
    ordered = [d for d in dict.fromkeys(first) if d in waiting] + [d for d in ids if d not in set(first)]
    for i in range(0, len(ordered), block):
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk = ordered[i : i + block]
        texts = store.texts(chunk)
        outcomes = suggest(pipelines, [Item(d, *texts[d]) for d in chunk if d in texts])
        yield {d: (o.author, o.spans) for d, o in outcomes.items() if isinstance(o, Suggested)}


@dataclass
class LearningResult:
    report: TrainReport | None  # None: not due
    resuggested: PreannotateReport | None = None


def learn(
    store: Store,
    pipelines: Pipelines,
    language: str,
    *,
    settings: TrainSettings | None = None,
    every: int | None = None,
    output: Path | None = None,
    progress: ProgressSink = no_progress,
    cancel: CancelToken | None = None,
) -> LearningResult:
    """The whole background step: train if due, make the new model current, re-suggest the unfinished
    documents with it. A cancel before the model is registered leaves everything as it was; after,
    the new model is current and the re-suggestion stops between batches."""
    report = train_if_due(store, pipelines, language, settings=settings, every=every, output=output,
                          progress=progress, cancel=cancel)
    if report is None:
        return LearningResult(None)
    make_current(store, language, report.model)
    return LearningResult(report, resuggest(store, language, progress=progress, cancel=cancel))


@dataclass(frozen=True)
class ModelPoint:
    """One trained model, as the status bar and the chart of F per model version show it."""

    id: int
    name: str
    version: str
    path: str
    created_at: datetime
    current: bool
    mode: str  # "cv" (cross-validated on every accepted document) or "dev" (held-out dev split)
    f: float | None  # the model's F on its evaluation set
    ci95: tuple[float, float] | None
    base_f: float | None  # the base pipeline on the same units
    entities: int  # gold entities that F counts
    documents: tuple[str, ...]  # sources of the documents it was measured on
    trained_on: int  # accepted documents the model learnt from

    @property
    def label(self) -> str:
        if self.f is None:
            return f"{self.version}: no score"
        ci = f" [{self.ci95[0]:.2f}-{self.ci95[1]:.2f}]" if self.ci95 else ""
        how = "cross-validated" if self.mode == "cv" else "dev"
        return f"{self.version}: {how} F {self.f:.3f}{ci} on {self.entities} entities"


def model_history(store: Store, language: str) -> list[ModelPoint]:
    """Every model trained for ``language``, oldest first, with the F it was measured at (and on what):
    what a chart of F per model version plots. Scores of a cross-validated model and a dev-split model
    are measured on different documents; ``mode`` and ``documents`` say so."""
    chosen = store.suggestion_models().get(language)
    return [_point(m, m.path == chosen) for m in store.trained_models(language)]


def current_point(store: Store, language: str) -> ModelPoint | None:
    """The model suggesting for ``language`` now, as the status bar shows it (None: not a trained one)."""
    return next((p for p in model_history(store, language) if p.current), None)


def _point(model: TrainedModel, current: bool) -> ModelPoint:
    scores = model.scores
    after: dict[str, Any] = scores.get("after", {})
    before: dict[str, Any] = scores.get("before", {})
    ci = after.get("ci95", {}).get("ALL")
    overall = after.get("overall", {})
    return ModelPoint(
        model.id, model.name, model.version, model.path, model.created_at, current, str(scores.get("mode", "dev")),
        overall.get("f"), (float(ci[0]), float(ci[1])) if ci else None, before.get("overall", {}).get("f"),
        int(after.get("entities", overall.get("tp", 0) + overall.get("fn", 0))),
        tuple(str(d.get("source", d.get("id"))) for d in _documents(after)),
        int(scores.get("trained_on_count", len(scores.get("trained_on", [])))),
    )


def _documents(evaluation: dict[str, Any]) -> Sequence[dict[str, Any]]:
    documents = evaluation.get("documents_scored", [])
    return documents if isinstance(documents, list) else []
