"""Fine-tune NER on the accepted corrections, with per-epoch progress, early stopping and cancel.

Starts from the language's base pipeline (its NER resumed with its weights, its other components kept
and untouched) or from a blank pipeline when there is none. Forgetting is guarded by pseudo-
rehearsal: the base model's own predictions on text nobody corrected are mixed into every epoch.
The best epoch (dev F) is written to a temporary folder and renamed into place only when training
finished; only then is it registered in the store. A cancel leaves neither folder nor record.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import spacy
from platformdirs import user_data_path
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.training import Example
from spacy.util import compounding, fix_random_seed, minibatch

from annotator.core.compare import Scores
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.io.selection import ExportDocument, ExportOptions, iter_export
from annotator.io.spacy_docs import Tokenizers, to_spacy_doc
from annotator.nlp.evaluate import evaluate_pipeline, gold_documents
from annotator.nlp.pipelines import Pipeline, Pipelines, ner_components
from annotator.store import Store
from annotator.store.records import TrainedModel


@dataclass(frozen=True)
class TrainSettings:
    max_epochs: int = 20
    patience: int = 4  # epochs without a better dev F before stopping
    dropout: float = 0.2
    dev_ratio: float = 0.2
    seed: int = 0
    rehearsal: float = 0.5  # rehearsal examples per training example (0 turns it off)


@dataclass
class EpochResult:
    epoch: int
    loss: float
    p: float
    r: float
    f: float
    seconds: float = 0.0  # updates only (not the dev evaluation)


@dataclass
class TrainReport:
    model: TrainedModel
    before: Scores
    after: Scores
    epochs: list[EpochResult] = field(default_factory=list)
    train_docs: int = 0
    dev_docs: int = 0


def models_folder() -> Path:
    return user_data_path("annotator", appauthor=False) / "models"


def _data_hash(docs: Sequence[ExportDocument]) -> str:
    h = hashlib.sha256()
    for d in sorted(docs, key=lambda d: d.content_hash):
        h.update(d.content_hash.encode())
        h.update(json.dumps([[s.start, s.end, s.label] for s in d.entities]).encode())
    return h.hexdigest()


def _examples(nlp: Language, docs: Sequence[ExportDocument]) -> list[Example]:
    tokenizers = Tokenizers({docs[0].language: nlp} if docs else {})
    warnings: list[str] = []
    return [Example(nlp.make_doc(d.text), to_spacy_doc(d, tokenizers, warnings)) for d in docs]


def _rehearsal_examples(nlp: Language, base: Pipeline, store: Store, language: str,
                        exclude: set[int]) -> list[Example]:
    """The base model's own predictions on documents nobody has corrected: replaying them keeps the
    fine-tuned model close to the base where the corrections say nothing. Built on the training
    pipeline's vocab, with the base model's own (unmapped) labels."""
    include = frozenset({DocumentStatus.NEW, DocumentStatus.PREANNOTATED})
    if not store.document_count(include, language):
        return []
    texts = [d.text for d in iter_export(store, ExportOptions(include=include, language=language))
             if d.id not in exclude]
    return [
        Example.from_dict(nlp.make_doc(d.text), {"entities": [(e.start_char, e.end_char, e.label_) for e in d.ents]})
        for d in base.nlp.pipe(texts)
    ]


def train(
    store: Store,
    pipelines: Pipelines,
    language: str,
    *,
    settings: TrainSettings = TrainSettings(),
    output: Path | None = None,
    progress: ProgressSink = no_progress,
    cancel: CancelToken | None = None,
) -> TrainReport:
    cancel = cancel or CancelToken()
    train_docs = gold_documents(store, language, "train", settings.dev_ratio, settings.seed)
    dev_docs = gold_documents(store, language, "dev", settings.dev_ratio, settings.seed)
    if not train_docs or not dev_docs:
        n = len(train_docs) + len(dev_docs)
        raise AnnotatorError(f"training needs at least 2 accepted '{language}' documents (1 to train on, 1 to "
                             f"check against); there are {n}. Accept more documents first")
    progress(0, settings.max_epochs, f"loading the {language} base pipeline")
    base = pipelines.get(language)
    base_name = base.name if base.has_ner else None
    before = evaluate_pipeline(base, dev_docs) if base.has_ner else Scores()

    if base_name is not None:
        nlp = spacy.load(_source_of(pipelines, language))
    else:
        nlp = spacy.blank(language)
        nlp.add_pipe("ner")
    ner = nlp.get_pipe("ner")
    assert isinstance(ner, EntityRecognizer)
    labels = sorted({s.label for d in train_docs + dev_docs for s in d.entities})
    # Labels the base model knows but the scheme maps (French PER -> PERSON) are renamed in the data
    # back to the model's own names, so the model is corrected rather than taught a twin label.
    inverse = {v: k for k, v in base.label_mapping.items()} if base_name else {}
    train_docs = [_unmap(d, inverse) for d in train_docs]
    for label in {inverse.get(lb, lb) for lb in labels}:
        ner.add_label(label)
    train_examples = _examples(nlp, train_docs)
    exclude = {d.id for d in train_docs + dev_docs}
    rehearse = (_rehearsal_examples(nlp, base, store, language, exclude)
                if base_name and settings.rehearsal > 0 else [])

    fix_random_seed(settings.seed)  # the same data and settings give the same model
    keep = ner_components(nlp)
    rng = random.Random(settings.seed)
    epochs: list[EpochResult] = []
    best_f = -1.0
    stale = 0
    with tempfile.TemporaryDirectory(prefix="annotator-train-", dir=_ensure(output or models_folder())) as tmp:
        best_dir = Path(tmp) / "best"
        with nlp.select_pipes(enable=keep):
            optimizer = nlp.resume_training() if base_name else nlp.initialize(lambda: train_examples)
        for epoch in range(1, settings.max_epochs + 1):
            batch_source = list(train_examples)
            if rehearse:
                k = min(len(rehearse), max(1, int(len(train_examples) * settings.rehearsal)))
                batch_source += rng.sample(rehearse, k)
            rng.shuffle(batch_source)
            losses: dict[str, float] = {}
            with nlp.select_pipes(enable=keep):  # tagger, parser... stay as they were
                started = time.perf_counter()
                for batch in minibatch(batch_source, size=compounding(4.0, 32.0, 1.001)):
                    cancel.raise_if_cancelled()
                    nlp.update(batch, sgd=optimizer, drop=settings.dropout, losses=losses)
                seconds = time.perf_counter() - started
                trained = Pipeline(language, nlp, "training", "0", base.label_mapping if base_name else {})
                scores = evaluate_pipeline(trained, dev_docs, cancel=cancel)
            result = EpochResult(epoch, round(float(losses.get("ner", 0.0)), 3), round(scores.overall.precision, 4),
                                 round(scores.overall.recall, 4), round(scores.overall.f, 4), round(seconds, 3))
            epochs.append(result)
            progress(epoch, settings.max_epochs,
                     f"epoch {epoch}: loss {result.loss:.1f}, dev P {result.p:.3f} R {result.r:.3f} F {result.f:.3f}")
            if scores.overall.f > best_f:
                best_f, stale, after = scores.overall.f, 0, scores
                if best_dir.exists():
                    shutil.rmtree(best_dir)
                nlp.to_disk(best_dir)  # every component enabled, as the base had them
            else:
                stale += 1
                if stale >= settings.patience:
                    break
        cancel.raise_if_cancelled()
        existing = store.trained_models(language)
        version = f"1.0.{len(existing) + 1}"
        name = f"{language}-ner-{datetime.now(UTC):%Y%m%d%H%M%S}"
        _set_meta(best_dir, name, version, base_name)
        final = _ensure(output or models_folder()) / name
        best_dir.rename(final)  # same file system: atomic; the folder is complete before it exists
    try:
        model = store.register_model(TrainedModel(
            id=0, name=name, version=version, path=str(final), language=language, base=base_name,
            data_hash=_data_hash(train_docs + dev_docs), labels=labels, settings=asdict(settings),
            scores={"before": before.as_dict(), "after": after.as_dict(), "epochs": [asdict(e) for e in epochs]},
            created_at=datetime.now(UTC),
        ))
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)  # an unregistered folder would be an orphan
        raise
    return TrainReport(model, before, after, epochs, len(train_docs), len(dev_docs))


def _unmap(doc: ExportDocument, inverse: dict[str, str]) -> ExportDocument:
    if not inverse:
        return doc
    from dataclasses import replace

    from annotator.core.span import SpanData

    return replace(doc, entities=tuple(SpanData(s.start, s.end, inverse.get(s.label, s.label)) for s in doc.entities))


def _source_of(pipelines: Pipelines, language: str) -> str:
    available = pipelines.available(language)
    if not available:
        raise AnnotatorError(f"no base pipeline installed for '{language}'")
    return available[0]


def _set_meta(folder: Path, name: str, version: str, base: str | None) -> None:
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update({"name": name.replace("-", "_"), "version": version,
                 "description": f"NER fine-tuned by annotator from {base or 'a blank pipeline'}"})
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
