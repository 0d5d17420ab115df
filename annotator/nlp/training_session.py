"""One training run's work (``TrainingSession``): the pipeline being trained and its base, how
corrections become spaCy ``Example``s, pseudo-rehearsal, the epochs, and the two regimes, a held-out
dev split (``hold_out``) and k-fold cross-validation (``cross_validate``). ``annotator.nlp.train``
plans the run, drives a session and registers the model it saves."""

from __future__ import annotations

import hashlib
import random
import shutil
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import spacy
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
from annotator.core.plural import plural
from annotator.core.progress import CancelToken, ProgressSink
from annotator.core.span import SpanData
from annotator.io.selection import ExportDocument, ExportOptions, iter_export
from annotator.io.spacy_docs import Tokenizers, to_spacy_doc
from annotator.io.tokenizers import blank_pipeline
from annotator.nlp.evaluate import Evaluation, Scoring, resample_sentences
from annotator.nlp.pipelines import Pipeline, PipelineConfig, Pipelines, base_pipeline, ner_components
from annotator.nlp.preannotate import entities_of
from annotator.nlp.schemes import LabelScheme
from annotator.nlp.segments import sentence_ranges
from annotator.nlp.training_plan import EpochResult, Piece, TrainingPlan, TrainSettings, pieces_of
from annotator.store import Store


@dataclass
class Outcome:
    before: Evaluation
    after: Evaluation
    epochs: list[EpochResult]
    chosen: int


@dataclass
class TrainingSession:
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
    def start(cls, pipelines: Pipelines, language: str, settings: TrainSettings, plan: TrainingPlan) -> TrainingSession:
        base = _base(pipelines, language, settings.base)
        base_name = base.name if base.has_ner else None
        fix_random_seed(settings.seed)  # the same data and settings give the same model
        if base_name is not None:
            nlp = spacy.load(training_base(language, settings.base) or base.name)
            _own_tok2vec(nlp)
            scheme = LabelScheme.of(base)
        else:
            nlp = blank_pipeline(language)[0]  # ja/ko/th/vi without their packages: spaCy's fallback
            nlp.add_pipe("ner")
            scheme = LabelScheme(frozenset(), {})
        labels = sorted({s.label for d in plan.train + plan.dev for s in d.entities})
        ner = _ner(nlp)
        session = cls(nlp, base, base_name, scheme, settings, plan, ner_components(nlp), labels)
        if base_name is None:
            examples = [session.example(p) for d in plan.train for p in pieces_of(d, "document")]
            with nlp.select_pipes(enable=session.keep):
                nlp.initialize(lambda: examples)
        for label in sorted({lb for lb in map(scheme.to_model, labels) if lb}):
            ner.add_label(label)  # a no-op for labels the model has; new ones resize its output layer
        session.initial = ner.to_bytes()
        return session

    # examples

    def example(self, piece: Piece) -> Example:
        doc = piece.as_document()
        doc = replace(doc, entities=self.scheme.training_spans(doc.entities),
                      rejected=self.scheme.training_spans(doc.rejected))
        return Example(self.nlp.make_doc(doc.text), to_spacy_doc(doc, self.tokenizers, []))

    def examples(self, docs: Sequence[ExportDocument]) -> list[Example]:
        return [self.example(p) for d in docs for p in pieces_of(d, self.settings.unit)]

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

    def predict(self, pipeline: Pipeline, pieces: Sequence[Piece], only_ner: bool) -> list[list[SpanData]]:
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
                 cancel: CancelToken) -> Outcome:
        """Train on the train side, stop early on the dev side, keep the best epoch."""
        dev = list(self.plan.dev)
        whole = [Piece(d, 0, len(d.text)) for d in dev]
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
        return Outcome(before, best, epochs, best_epoch)

    def cross_validate(self, rehearse: list[Example], best_dir: Path, progress: ProgressSink,
                       cancel: CancelToken) -> Outcome:
        """Choose the epochs by k-fold cross-validation (folds trained in lockstep, one epoch each in
        turn, stopping when the pooled out-of-fold F has not improved for ``patience`` epochs), then
        learn from everything for that many epochs."""
        docs = list(self.plan.train)
        units = [p for d in docs for p in pieces_of(d, self.plan.cv_unit)]
        k = self.plan.folds
        folds = _assign_folds(units, k, self.settings.seed)
        how = (f"{k}-fold cross-validation over {self.plan.cv_unit}s: each scored by a model that never saw it; "
               f"the saved model learnt from all {plural(len(docs), 'document')}")
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
            progress(n, best_n, f"final model, epoch {n}/{best_n} on all {plural(len(docs), 'document')}: "
                                f"loss {loss:.1f}")
        self.save(best_dir, optimizer)
        return Outcome(before, after, epochs, best_n)

    def examples_of(self, units: Sequence[Piece]) -> list[Example]:
        if self.settings.unit == "document" or self.plan.cv_unit == "sentence":
            return [self.example(u) for u in units]
        return [self.example(p) for u in units for p in pieces_of(u.doc, "sentence")]

    def _optimizer(self) -> Optimizer:
        optimizer: Optimizer = self.nlp.create_optimizer()
        optimizer.learn_rate = self.settings.learn_rate
        return optimizer

    def _score(self, pipeline: Pipeline, units: Sequence[Piece], docs: Sequence[ExportDocument], how: str,
               only_ner: bool, name: str) -> Evaluation:
        evaluation = self._pooled(units, docs, self.predict(pipeline, units, only_ner), how)
        evaluation.model = name
        return evaluation

    def _pooled(self, units: Sequence[Piece], docs: Sequence[ExportDocument],
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


def _assign_folds(units: Sequence[Piece], k: int, seed: int) -> list[int]:
    """Fold of each unit: units ordered by a hash of their text (and seed), then dealt round-robin, so
    folds are balanced and do not depend on store order."""
    def key(i: int) -> str:
        u = units[i]
        return hashlib.sha256(f"{seed}:{u.doc.content_hash}:{u.start}".encode()).hexdigest()

    folds = [0] * len(units)
    for rank, i in enumerate(sorted(range(len(units)), key=key)):
        folds[i] = rank % k
    return folds


def training_base(language: str, chosen: str | None) -> str | None:
    """What fine-tuning starts from: ``chosen``, else the language's configured default (never the
    project's suggestion model, so every run starts from the same place); None: a blank pipeline."""
    return chosen or base_pipeline(language)


def _base(pipelines: Pipelines, language: str, chosen: str | None) -> Pipeline:
    """The base as a loaded ``Pipeline`` (predictions for "before" and rehearsal), reusing
    ``pipelines``' copy when it is the same one."""
    name = training_base(language, chosen)
    loaded = pipelines.get(language)
    if name is not None and loaded.name == (Path(name).name if Path(name).exists() else name):
        return loaded
    required = frozenset({chosen} if chosen else ())  # the user's --base: a damaged one stops the run
    return Pipelines(PipelineConfig({language: (name,) if name else ()}, pipelines.config.label_mapping,
                                    required=required)).get(language)


def _ner(nlp: Language) -> EntityRecognizer:
    return cast(EntityRecognizer, nlp.get_pipe("ner"))


def _own_tok2vec(nlp: Language) -> None:
    """Give the NER its own copy of a shared tok2vec it listens to, so training it leaves the tagger
    and parser exactly as they were."""
    for name in ner_components(nlp):
        if name != "ner":
            nlp.replace_listeners(name, "ner", ["model.tok2vec"])
