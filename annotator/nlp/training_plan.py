"""What a training run is asked to do and on what: its settings, the regime (cross-validation or a fixed
dev split, ``plan_training``) and the pieces (sentences or whole documents) of accepted documents that
are its training examples and scored units. ``annotator.nlp.train`` runs it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from annotator.core.errors import AnnotatorError
from annotator.core.plural import plural
from annotator.core.span import SpanData
from annotator.io.selection import ExportDocument, dev_score, side_of
from annotator.nlp.segments import sentence_ranges

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
            f"{plural(len(train), 'training document')}; early stopping on the dev split: "
            f"{plural(len(dev), 'document')}, "
            f"{dev_entities} entities, never trained on"))
    unit: Literal["document", "sentence"] = "document" if len(docs) >= 3 else "sentence"
    units = len(docs) if unit == "document" else sum(len(ranges_of(d)) for d in docs)
    if units < 2:
        raise AnnotatorError(f"training needs at least 2 sentences of accepted '{language}' text to check "
                             f"itself on; there is {units}. Accept more documents first")
    folds = min(settings.folds, units)
    why = (f"{plural(len(docs), 'accepted document')} (fewer than {settings.few_documents})"
           if len(docs) < settings.few_documents else
           f"the dev split has {dev_entities} entities (fewer than {settings.min_dev_entities})")
    return TrainingPlan("cv", tuple(docs), (), folds, unit, reason=(
        f"{why}: {folds}-fold cross-validation over {unit}s chooses the epochs, then the model learns from "
        f"all {plural(len(docs), 'document')}"))



@dataclass(frozen=True)
class Piece:
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


def ranges_of(doc: ExportDocument) -> list[tuple[int, int]]:
    return sentence_ranges(doc.text, doc.language, doc.entities)


def pieces_of(doc: ExportDocument, unit: str) -> list[Piece]:
    if unit == "document":
        return [Piece(doc, 0, len(doc.text))]
    return [Piece(doc, start, end) for start, end in ranges_of(doc)]
