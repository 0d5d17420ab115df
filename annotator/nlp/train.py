"""Fine-tune NER on the accepted corrections: learn from a handful of articles, say honestly how good
the result is, and never leave half a model behind.

Two regimes (``plan_training``), chosen from the accepted documents of the language:

- **Few documents** (fewer than ``few_documents``, or fewer than ``min_dev_entities`` gold entities on
  the dev side): k-fold cross-validation chooses the number of epochs, over documents (over
  sentences when there are fewer than 3 documents), then the saved model learns from EVERY accepted
  document for that many epochs. Its scores are the out-of-fold ones: each document (or sentence) is
  scored by a fold model that never saw it, the base pipeline on exactly the same inputs.
- **Many documents**: the fixed dev split (``dev_score``: a pure function of a document's text and the
  seed, so it never moves as the corpus grows) is held out; training stops early on dev F and keeps the
  best epoch. Before/after are scored on that same named dev set.

Starts from the language's configured base pipeline (``--base`` chooses another, e.g.
``fr_core_news_md``), its NER resumed with its weights and its other components untouched, or from a
blank pipeline when there is none. Corrections train in the model's own label scheme
(``LabelScheme``): the French pipeline learns the analyst's PERSON/GPE as its PER/LOC, so it keeps its
labels. Sentences, not whole articles, are the training examples: two articles are two updates per
epoch, their sixty sentences are eight. Pseudo-rehearsal guards against forgetting: the base model's
own predictions on documents nobody corrected are mixed into every epoch, masked wherever the
corrections say something (``rehearsal_pool``). Weights are the optimizer's running averages (what
``spacy train`` saves). docs/training.md has what was measured.

The result is written to a temporary folder and renamed into place only when complete; only then is
it registered in the store (with its scores, their documents, intervals and settings). A cancel leaves
neither folder nor record. `python benchmarks/train.py --tune` runs the grid the defaults were chosen from.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from platformdirs import user_data_path

from annotator.core.compare import Scores
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.io.selection import ExportDocument
from annotator.nlp.evaluate import Evaluation, gold_documents, paired_gain
from annotator.nlp.pipelines import Pipelines
from annotator.nlp.training_plan import EpochResult, Mode, TrainingPlan, TrainSettings, plan_training
from annotator.nlp.training_session import TrainingSession, training_base
from annotator.store import Store
from annotator.store.records import TrainedModel

_Session = TrainingSession  # the name tests/nlp/test_learning.py reaches for


@dataclass
class TrainReport:
    model: TrainedModel
    before: Scores
    after: Scores
    epochs: list[EpochResult] = field(default_factory=list)
    train_docs: int = 0
    dev_docs: int = 0
    mode: Mode = "dev"
    chosen_epochs: int = 0
    plan: str = ""
    before_evaluation: Evaluation | None = None
    after_evaluation: Evaluation | None = None
    gain_ci95: tuple[float, float] | None = None


def models_folder() -> Path:
    return user_data_path("annotator", appauthor=False) / "models"


def train(
    store: Store,
    pipelines: Pipelines,
    language: str,
    *,
    settings: TrainSettings | None = None,
    output: Path | None = None,
    progress: ProgressSink = no_progress,
    cancel: CancelToken | None = None,
) -> TrainReport:
    cancel = cancel or CancelToken()
    settings = settings or TrainSettings()
    docs = gold_documents(store, language, "all", settings.dev_ratio, settings.seed)
    plan = plan_training(docs, settings, language)
    total = settings.epochs or settings.max_epochs
    progress(0, total, f"loading {training_base(language, settings.base) or 'a blank pipeline'} to fine-tune the "
                       f"'{language}' model")
    session = TrainingSession.start(pipelines, language, settings, plan)
    rehearse = session.rehearsal_pool(store, docs) if settings.rehearsal > 0 else []
    progress(0, total, plan.reason)
    with tempfile.TemporaryDirectory(prefix="annotator-train-", dir=_ensure(output or models_folder())) as tmp:
        best_dir = Path(tmp) / "best"
        if plan.mode == "cv":
            outcome = session.cross_validate(rehearse, best_dir, progress, cancel)
        else:
            outcome = session.hold_out(rehearse, best_dir, progress, cancel)
        cancel.raise_if_cancelled()
        version = f"1.0.{len(store.trained_models(language)) + 1}"
        now = datetime.now(UTC)
        name = f"{language}-ner-{now:%Y%m%d%H%M%S}{now.microsecond // 1000:03d}"  # two runs a second apart
        _set_meta(best_dir, name, version, session.base_name)
        final = _ensure(output or models_folder()) / name
        best_dir.rename(final)  # same file system: atomic; the folder is complete before it exists
    gain = paired_gain(outcome.before, outcome.after)
    scores: dict[str, Any] = {
        "mode": plan.mode, "plan": plan.reason, "chosen_epochs": outcome.chosen,
        "before": outcome.before.as_dict(), "after": outcome.after.as_dict(),
        "gain_ci95": [round(x, 4) for x in gain] if gain else None,
        "epochs": [asdict(e) for e in outcome.epochs],
        "trained_on": [d.id for d in plan.train], "trained_on_count": len(plan.train),
        "accepted_at_training": len(docs),
    }
    try:
        model = store.register_model(TrainedModel(
            id=0, name=name, version=version, path=str(final), language=language, base=session.base_name,
            data_hash=_data_hash(docs), labels=session.labels, settings=asdict(settings), scores=scores,
            created_at=datetime.now(UTC),
        ))
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)  # an unregistered folder would be an orphan
        raise
    return TrainReport(model, outcome.before.scores, outcome.after.scores, outcome.epochs, len(plan.train),
                       len(plan.dev), plan.mode, outcome.chosen, plan.reason, outcome.before, outcome.after, gain)


def _data_hash(docs: Sequence[ExportDocument]) -> str:
    h = hashlib.sha256()
    for d in sorted(docs, key=lambda d: d.content_hash):
        h.update(d.content_hash.encode())
        h.update(json.dumps([[s.start, s.end, s.label] for s in d.entities]).encode())
    return h.hexdigest()


def _set_meta(folder: Path, name: str, version: str, base: str | None) -> None:
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update({"name": name.replace("-", "_"), "version": version,
                 "description": f"NER fine-tuned by annotator from {base or 'a blank pipeline'}"})
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


__all__ = ["EpochResult", "Mode", "TrainReport", "TrainSettings", "TrainingPlan", "models_folder", "plan_training",
           "train"]
