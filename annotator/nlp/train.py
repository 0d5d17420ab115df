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
import random
import shutil
import tempfile
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

import spacy
from platformdirs import user_data_path
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan
from spacy.training import Example
from spacy.util import filter_spans, fix_random_seed, minibatch
from thinc.api import Optimizer

from annotator.core.compare import Scores
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.core.span import SpanData
from annotator.io.selection import ExportDocument, ExportOptions, dev_score, iter_export, side_of
from annotator.io.spacy_docs import Tokenizers, to_spacy_doc
from annotator.nlp.evaluate import Evaluation, Scoring, gold_documents, paired_gain, resample_sentences
from annotator.nlp.pipelines import Pipeline, PipelineConfig, Pipelines, base_pipeline, ner_components
from annotator.nlp.preannotate import entities_of
from annotator.nlp.schemes import LabelScheme
from annotator.nlp.segments import sentence_ranges
from annotator.store import Store
from annotator.store.records import TrainedModel

Mode = Literal["cv", "dev"]


@dataclass(frozen=True)
class TrainSettings:
    """Defaults chosen on the seeds (benchmarks/train.py --tune measures the alternatives)."""

    max_epochs: int = 30
    patience: int = 5  # epochs without a better (dev or cross-validated) F before stopping
    dropout: float = 0.2
    learn_rate: float = 0.001
    batch_size: int = 8  # training examples (sentences) per update
    unit: Literal["sentence", "document"] = "sentence"  # what one training example is
    rehearsal: float = 0.5  # base-model examples per corrected example, each epoch (0 turns it off)
    dev_ratio: float = 0.2
    seed: int = 0
    folds: int = 5
    few_documents: int = 10  # below this many accepted documents: cross-validation
    min_dev_entities: int = 50  # below this many gold entities on the dev side: cross-validation
    epochs: int | None = None  # a fixed number of epochs instead of choosing it
    base: str | None = None  # package or folder to fine-tune (default: the language's configured pipeline)

    def __post_init__(self) -> None:
        if not 0.0 <= self.dev_ratio < 1.0:
            raise AnnotatorError(f"--dev-ratio must be at least 0 and below 1, got {self.dev_ratio}")
        if self.max_epochs < 1 or (self.epochs is not None and self.epochs < 1):
            raise AnnotatorError("training needs at least 1 epoch")
        if self.folds < 2:
            raise AnnotatorError("cross-validation needs at least 2 folds")
        if self.batch_size < 1 or self.learn_rate <= 0 or not 0.0 <= self.dropout < 1.0 or self.rehearsal < 0:
            raise AnnotatorError("batch size and learning rate must be positive, dropout in [0, 1), rehearsal >= 0")


@dataclass
class EpochResult:
    epoch: int
    loss: float
    p: float
    r: float
    f: float  # dev F, or cross-validated (out-of-fold) F in the few-documents regime
    seconds: float = 0.0  # updates only (not the evaluation)


@dataclass(frozen=True)
class TrainingPlan:
    """Which regime, what the saved model learns from, and what its scores are measured on."""

    mode: Mode
    train: tuple[ExportDocument, ...]  # what the saved model learns from
    dev: tuple[ExportDocument, ...]  # held out (dev regime); empty when cross-validating
    folds: int = 0
    cv_unit: Literal["document", "sentence"] = "document"
    reason: str = ""


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


def plan_training(docs: Sequence[ExportDocument], settings: TrainSettings, language: str = "") -> TrainingPlan:
    """Cross-validate while the dev side is too small to trust, hold it out once it is not.

    A document's side never depends on the other documents; only the regime does, and the model's
    record says which one was used and on which documents it was scored."""
    if not docs:
        raise AnnotatorError(f"training needs at least 1 accepted '{language}' document; there are none. "
                             f"Accept corrected documents first")
    dev = tuple(d for d in docs if side_of(dev_score(d, settings.seed), settings.dev_ratio) == "dev")
    train = tuple(d for d in docs if d not in dev)
    dev_entities = sum(len(d.entities) for d in dev)
    if len(docs) >= settings.few_documents and dev_entities >= settings.min_dev_entities and train:
        return TrainingPlan("dev", train, dev, reason=(
            f"{len(train)} training document(s); early stopping on the dev split: {len(dev)} document(s), "
            f"{dev_entities} entities, never trained on"))
    unit: Literal["document", "sentence"] = "document" if len(docs) >= 3 else "sentence"
    units = len(docs) if unit == "document" else sum(len(_ranges(d)) for d in docs)
    if units < 2:
        raise AnnotatorError(f"training needs at least 2 sentences of accepted '{language}' text to check "
                             f"itself on; there is {units}. Accept more documents first")
    folds = min(settings.folds, units)
    why = (f"{len(docs)} accepted document(s) (fewer than {settings.few_documents})"
           if len(docs) < settings.few_documents else
           f"the dev split has {dev_entities} entities (fewer than {settings.min_dev_entities})")
    return TrainingPlan("cv", tuple(docs), (), folds, unit, reason=(
        f"{why}: {folds}-fold cross-validation over {unit}s chooses the epochs, then the model learns from "
        f"all {len(docs)} document(s)"))


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
    docs = gold_documents(store, language, "all", settings.dev_ratio, settings.seed)
    plan = plan_training(docs, settings, language)
    total = settings.epochs or settings.max_epochs
    progress(0, total, f"loading the {language} base pipeline")
    session = _Session.start(pipelines, language, settings, plan)
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


# -- the work ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """A range of an accepted document: a training example, or a unit scored in cross-validation."""

    doc: ExportDocument
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.doc.text[self.start : self.end]

    def as_document(self) -> ExportDocument:
        """The range as a document of its own, its spans shifted (entities never cross a range)."""
        if self.start == 0 and self.end == len(self.doc.text):
            return self.doc

        def inside(spans: Sequence[SpanData]) -> tuple[SpanData, ...]:
            return tuple(SpanData(s.start - self.start, s.end - self.start, s.label) for s in spans
                         if s.start >= self.start and s.end <= self.end)

        return replace(self.doc, text=self.text, entities=inside(self.doc.entities),
                       rejected=inside(self.doc.rejected))


def _ranges(doc: ExportDocument) -> list[tuple[int, int]]:
    return sentence_ranges(doc.text, doc.language, doc.entities)


def _pieces(doc: ExportDocument, unit: str) -> list[_Piece]:
    if unit == "document":
        return [_Piece(doc, 0, len(doc.text))]
    return [_Piece(doc, start, end) for start, end in _ranges(doc)]


@dataclass
class _Outcome:
    before: Evaluation
    after: Evaluation
    epochs: list[EpochResult]
    chosen: int


@dataclass
class _Session:
    """One training run: the pipeline being trained, its base, and how corrections become examples."""

    nlp: Language
    base: Pipeline
    base_name: str | None
    scheme: LabelScheme
    settings: TrainSettings
    plan: TrainingPlan
    keep: list[str]
    labels: list[str]
    initial: bytes = b""
    tokenizers: Tokenizers = field(default_factory=Tokenizers)

    @classmethod
    def start(cls, pipelines: Pipelines, language: str, settings: TrainSettings, plan: TrainingPlan) -> _Session:
        base = _base(pipelines, language, settings.base)
        base_name = base.name if base.has_ner else None
        fix_random_seed(settings.seed)  # the same data and settings give the same model
        if base_name is not None:
            nlp = spacy.load(_base_name(language, settings.base) or base.name)
            _own_tok2vec(nlp)
            scheme = LabelScheme.of(base)
        else:
            nlp = spacy.blank(language)
            nlp.add_pipe("ner")
            scheme = LabelScheme(frozenset(), {})
        labels = sorted({s.label for d in plan.train + plan.dev for s in d.entities})
        ner = _ner(nlp)
        session = cls(nlp, base, base_name, scheme, settings, plan, ner_components(nlp), labels)
        if base_name is None:
            examples = [session.example(p) for d in plan.train for p in _pieces(d, "document")]
            with nlp.select_pipes(enable=session.keep):
                nlp.initialize(lambda: examples)
        for label in sorted({lb for lb in map(scheme.to_model, labels) if lb}):
            ner.add_label(label)  # a no-op for labels the model has; new ones resize its output layer
        session.initial = ner.to_bytes()
        return session

    # examples

    def example(self, piece: _Piece) -> Example:
        doc = piece.as_document()
        doc = replace(doc, entities=self.scheme.training_spans(doc.entities),
                      rejected=self.scheme.training_spans(doc.rejected))
        return Example(self.nlp.make_doc(doc.text), to_spacy_doc(doc, self.tokenizers, []))

    def examples(self, docs: Sequence[ExportDocument]) -> list[Example]:
        return [self.example(p) for d in docs for p in _pieces(d, self.settings.unit)]

    def rehearsal_pool(self, store: Store, corrections: Sequence[ExportDocument],
                       max_documents: int = 200) -> list[Example]:
        """The base model's own predictions, in its own labels, on documents nobody has corrected:
        replaying them keeps the fine-tuned model close to the base where the corrections say nothing.

        Where the corrections do say something, the replay must not contradict them: every occurrence
        of a text the analysts labelled or dismissed, and every predicted entity touching one, is left
        *missing* (neither entity nor "no entity"). Unmasked, pseudo-rehearsal taught the base's
        systematic errors back ("Blinken" is a GPE) and undid the corrections (benchmarks/train.py).
        At most ``max_documents`` are read, so a large corpus does not make every run slow."""
        if self.base_name is None:
            return []
        include = frozenset({DocumentStatus.NEW, DocumentStatus.PREANNOTATED})
        language = self.base.language
        if not store.document_count(include, language):
            return []
        exclude = {d.id for d in corrections}
        texts = []
        for d in iter_export(store, ExportOptions(include=include, language=language)):
            if d.id not in exclude:
                texts.append(d.text)
            if len(texts) >= max_documents:
                break
        surfaces = {d.text[s.start : s.end] for d in corrections for s in (*d.entities, *d.rejected)}
        matcher = PhraseMatcher(self.nlp.vocab)
        matcher.add("corrected", [self.nlp.make_doc(t) for t in sorted(surfaces)])
        pool: list[Example] = []
        for text, predicted in zip(texts, self.base.nlp.pipe(texts), strict=True):
            ref = self.nlp.make_doc(text)
            corrected = [ref[start:end] for _, start, end in matcher(ref)]
            kept: list[SpacySpan] = []
            for e in predicted.ents:
                span = ref.char_span(e.start_char, e.end_char, label=e.label_)
                if span is None:
                    continue
                if any(span.start < c.end and c.start < span.end for c in corrected):
                    corrected.append(span)  # an entity touching a corrected text: unknown as a whole
                else:
                    kept.append(span)
            ref.set_ents(kept, missing=filter_spans(corrected), default="outside")
            ranges = [(0, len(text))] if self.settings.unit == "document" else \
                sentence_ranges(text, language, [SpanData(e.start_char, e.end_char, e.label_) for e in ref.ents])
            for a, b in ranges:
                piece = ref.char_span(a, b, alignment_mode="expand")
                if piece is not None:
                    reference = piece.as_doc()
                    pool.append(Example(self.nlp.make_doc(reference.text), reference))
        return pool

    # training

    def reset(self) -> Optimizer:
        _ner(self.nlp).from_bytes(self.initial)
        optimizer: Optimizer = self.nlp.create_optimizer()
        optimizer.learn_rate = self.settings.learn_rate
        return optimizer

    def epoch(self, examples: Sequence[Example], rehearse: Sequence[Example], optimizer: Optimizer,
              rng: random.Random, cancel: CancelToken) -> tuple[float, float]:
        """One pass over ``examples`` (plus a rehearsal sample); returns (loss, seconds)."""
        batch_source = list(examples)
        if rehearse:
            k = min(len(rehearse), max(1, round(len(examples) * self.settings.rehearsal)))
            batch_source += rng.sample(list(rehearse), k)
        rng.shuffle(batch_source)
        losses: dict[str, float] = {}
        started = time.perf_counter()
        with self.nlp.select_pipes(enable=self.keep):  # tagger, parser... stay as they were
            for batch in minibatch(batch_source, size=self.settings.batch_size):
                cancel.raise_if_cancelled()
                self.nlp.update(batch, sgd=optimizer, drop=self.settings.dropout, losses=losses)
        return float(losses.get("ner", 0.0)), time.perf_counter() - started

    def averaged(self, optimizer: Optimizer | None) -> AbstractContextManager[Any]:
        if optimizer is None or not optimizer.averages:
            return nullcontext()
        return self.nlp.use_params(optimizer.averages)

    def trained(self) -> Pipeline:
        return Pipeline(self.base.language, self.nlp, "training", "0", self.base.label_mapping)

    def predict(self, pipeline: Pipeline, pieces: Sequence[_Piece], only_ner: bool) -> list[list[SpanData]]:
        """Entities (project labels, document offsets) ``pipeline`` finds in each piece's text."""
        selected = pipeline.nlp.select_pipes(enable=self.keep) if only_ner else nullcontext()
        with selected:
            docs: list[Doc] = list(pipeline.nlp.pipe((p.text for p in pieces), batch_size=32))
        return [[SpanData(s.start + p.start, s.end + p.start, s.label) for s in entities_of(d, pipeline)]
                for p, d in zip(pieces, docs, strict=True)]

    def scoring(self, name: str, docs: int, how: str) -> Scoring:
        return Scoring(name, self.scheme, resample_sentences(docs), how)

    def save(self, folder: Path, optimizer: Optimizer | None) -> None:
        if folder.exists():
            shutil.rmtree(folder)
        with self.averaged(optimizer):
            self.nlp.to_disk(folder)  # every component enabled, as the base had them

    # the two regimes

    def hold_out(self, rehearse: list[Example], best_dir: Path, progress: ProgressSink,
                 cancel: CancelToken) -> _Outcome:
        """Train on the train side, stop early on the dev side, keep the best epoch."""
        dev = list(self.plan.dev)
        whole = [_Piece(d, 0, len(d.text)) for d in dev]
        how = f"dev split ({len(dev)} documents never trained on)"
        before = self._score(self.base, whole, dev, how, only_ner=False, name=self.base.author)
        examples = self.examples(self.plan.train)
        optimizer = self.reset()
        rng = random.Random(self.settings.seed)
        epochs: list[EpochResult] = []
        best: Evaluation | None = None
        best_epoch, stale = 0, 0
        limit = self.settings.epochs or self.settings.max_epochs
        for n in range(1, limit + 1):
            loss, seconds = self.epoch(examples, rehearse, optimizer, rng, cancel)
            with self.averaged(optimizer):
                scored = self._score(self.trained(), whole, dev, how, only_ner=True, name="trained model")
            epochs.append(_epoch_result(n, loss, scored.scores, seconds))
            progress(n, limit, f"epoch {n}: loss {loss:.1f}, dev P {scored.scores.overall.precision:.3f} "
                               f"R {scored.scores.overall.recall:.3f} F {scored.scores.overall.f:.3f}")
            if best is None or scored.scores.overall.f > best.scores.overall.f or self.settings.epochs:
                best, best_epoch, stale = scored, n, 0
                self.save(best_dir, optimizer)
            else:
                stale += 1
                if stale >= self.settings.patience:
                    break
        assert best is not None
        return _Outcome(before, best, epochs, best_epoch)

    def cross_validate(self, rehearse: list[Example], best_dir: Path, progress: ProgressSink,
                       cancel: CancelToken) -> _Outcome:
        """Choose the epochs by k-fold cross-validation (folds trained in lockstep, one epoch each in
        turn, stopping when the pooled out-of-fold F has not improved for ``patience`` epochs), then
        learn from everything for that many epochs."""
        docs = list(self.plan.train)
        units = [p for d in docs for p in _pieces(d, self.plan.cv_unit)]
        k = self.plan.folds
        folds = _assign_folds(units, k, self.settings.seed)
        how = (f"{k}-fold cross-validation over {self.plan.cv_unit}s: each scored by a model that never saw it; "
               f"the saved model learnt from all {len(docs)} document(s)")
        before = self._score(self.base, units, docs, how, only_ner=False, name=self.base.author)
        train_sets = [self.examples_of([u for u, f in zip(units, folds, strict=True) if f != i]) for i in range(k)]
        held = [[j for j, f in enumerate(folds) if f == i] for i in range(k)]
        states = [self.initial] * k
        optimizers = [self._optimizer() for _ in range(k)]
        rngs = [random.Random(self.settings.seed + i) for i in range(k)]
        ner = _ner(self.nlp)
        predictions_by_epoch: list[list[list[SpanData]]] = []
        epochs: list[EpochResult] = []
        best_n, stale = 0, 0
        limit = self.settings.epochs or self.settings.max_epochs
        for n in range(1, limit + 1):
            predicted: list[list[SpanData]] = [[] for _ in units]
            loss = seconds = 0.0
            for i in range(k):
                ner.from_bytes(states[i])
                fold_loss, fold_seconds = self.epoch(train_sets[i], rehearse, optimizers[i], rngs[i], cancel)
                loss, seconds = loss + fold_loss, seconds + fold_seconds
                states[i] = ner.to_bytes()
                with self.averaged(optimizers[i]):
                    found = self.predict(self.trained(), [units[j] for j in held[i]], only_ner=True)
                for j, spans in zip(held[i], found, strict=True):
                    predicted[j] = spans
            predictions_by_epoch.append(predicted)
            pooled = self._pooled(units, docs, predicted, how).scores
            epochs.append(_epoch_result(n, loss / k, pooled, seconds))
            progress(n, limit, f"epoch {n}: loss {loss / k:.1f}, cross-validated P {pooled.overall.precision:.3f} "
                               f"R {pooled.overall.recall:.3f} F {pooled.overall.f:.3f} ({k} folds)")
            if best_n == 0 or pooled.overall.f > epochs[best_n - 1].f or self.settings.epochs:
                best_n, stale = n, 0
            else:
                stale += 1
                if stale >= self.settings.patience:
                    break
        after = self._pooled(units, docs, predictions_by_epoch[best_n - 1], how)
        # the saved model: every accepted document, the chosen number of epochs
        optimizer = self.reset()
        examples = self.examples(docs)
        rng = random.Random(self.settings.seed)
        for n in range(1, best_n + 1):
            loss, _ = self.epoch(examples, rehearse, optimizer, rng, cancel)
            progress(n, best_n, f"final model, epoch {n}/{best_n} on all {len(docs)} document(s): loss {loss:.1f}")
        self.save(best_dir, optimizer)
        return _Outcome(before, after, epochs, best_n)

    def examples_of(self, units: Sequence[_Piece]) -> list[Example]:
        if self.settings.unit == "document" or self.plan.cv_unit == "sentence":
            return [self.example(u) for u in units]
        return [self.example(p) for u in units for p in _pieces(u.doc, "sentence")]

    def _optimizer(self) -> Optimizer:
        optimizer: Optimizer = self.nlp.create_optimizer()
        optimizer.learn_rate = self.settings.learn_rate
        return optimizer

    def _score(self, pipeline: Pipeline, units: Sequence[_Piece], docs: Sequence[ExportDocument], how: str,
               only_ner: bool, name: str) -> Evaluation:
        evaluation = self._pooled(units, docs, self.predict(pipeline, units, only_ner), how)
        evaluation.model = name
        return evaluation

    def _pooled(self, units: Sequence[_Piece], docs: Sequence[ExportDocument],
                predicted: Sequence[Sequence[SpanData]], how: str) -> Evaluation:
        """Predictions per unit gathered back into their documents, scored per document."""
        by_doc: dict[int, list[SpanData]] = {d.id: [] for d in docs}
        for unit, spans in zip(units, predicted, strict=True):
            by_doc[unit.doc.id].extend(spans)
        scoring = self.scoring("trained model", len(docs), how)
        for d in docs:
            scoring.add(d, by_doc[d.id])
        return scoring.result()


def _epoch_result(n: int, loss: float, scores: Scores, seconds: float) -> EpochResult:
    return EpochResult(n, round(loss, 3), round(scores.overall.precision, 4), round(scores.overall.recall, 4),
                       round(scores.overall.f, 4), round(seconds, 3))


def _assign_folds(units: Sequence[_Piece], k: int, seed: int) -> list[int]:
    """Fold of each unit: units ordered by a hash of their text (and seed), then dealt round-robin, so
    folds are balanced and do not depend on store order."""
    def key(i: int) -> str:
        u = units[i]
        return hashlib.sha256(f"{seed}:{u.doc.content_hash}:{u.start}".encode()).hexdigest()

    folds = [0] * len(units)
    for rank, i in enumerate(sorted(range(len(units)), key=key)):
        folds[i] = rank % k
    return folds


def _base_name(language: str, chosen: str | None) -> str | None:
    """What fine-tuning starts from: ``chosen``, else the language's configured default (never the
    project's suggestion model, so every run starts from the same place); None: a blank pipeline."""
    return chosen or base_pipeline(language)


def _base(pipelines: Pipelines, language: str, chosen: str | None) -> Pipeline:
    """The base as a loaded ``Pipeline`` (predictions for "before" and rehearsal), reusing
    ``pipelines``' copy when it is the same one."""
    name = _base_name(language, chosen)
    loaded = pipelines.get(language)
    if name is not None and loaded.name == (Path(name).name if Path(name).exists() else name):
        return loaded
    return Pipelines(PipelineConfig({language: (name,) if name else ()}, pipelines.config.label_mapping)).get(language)


def _ner(nlp: Language) -> EntityRecognizer:
    return cast(EntityRecognizer, nlp.get_pipe("ner"))


def _own_tok2vec(nlp: Language) -> None:
    """Give the NER its own copy of a shared tok2vec it listens to, so training it leaves the tagger
    and parser exactly as they were."""
    for name in ner_components(nlp):
        if name != "ner":
            nlp.replace_listeners(name, "ner", ["model.tok2vec"])


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

