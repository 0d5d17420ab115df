"""The label scheme a pipeline's NER speaks, and how the project's labels translate into it.

The project shows every language in one scheme (OntoNotes names: PERSON, GPE, ORG...). A French news
pipeline (fr_core_news_*, trained on WikiNER) predicts PER/LOC/ORG/MISC, shown through the language's
label mapping (``annotator.core.labels``). Training must speak the model's own scheme, or the
analyst's PERSON would become a twin label beside PER and the model would learn to forget PER; scoring
must compare in it too, or the French model is blamed for not predicting DATE, a type it never had.

``to_model`` translates one project label: through the inverse of the display mapping first
(PERSON -> PER, GPE -> LOC), then as itself when the model knows it, then, for a CoNLL-style scheme,
folded into the nearest of its four types (FAC -> LOC, NORP/EVENT/LAW... -> MISC), and numeric or
temporal types (DATE, CARDINAL...) are outside it (None: "no entity" for this model). A label of the
analyst's own invention is kept and becomes a new label of the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from spacy.pipeline import EntityRecognizer

from annotator.core.labels import DEFAULT_LABELS, map_label
from annotator.core.span import SpanData
from annotator.nlp.pipelines import Pipeline

CONLL_LABELS = frozenset({"PER", "LOC", "ORG", "MISC"})

# Project (OntoNotes) types a CoNLL/WikiNER scheme has no name for, folded into its nearest type.
# Numeric and temporal types are not names in that scheme: they are left out (None).
CONLL_FOLD: dict[str, str | None] = {
    "PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "ORG": "ORG",
    "NORP": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC", "PRODUCT": "MISC", "LAW": "MISC",
    "LANGUAGE": "MISC", "MISC": "MISC",
    "DATE": None, "TIME": None, "CARDINAL": None, "ORDINAL": None, "MONEY": None, "PERCENT": None,
    "QUANTITY": None,
}
_PROJECT_DEFAULTS = frozenset(label.name for label in DEFAULT_LABELS)


@dataclass(frozen=True)
class LabelScheme:
    model_labels: frozenset[str]  # what the pipeline's NER predicts (empty: no NER, or an open scheme)
    display: Mapping[str, str]  # model label -> project label (the language's label mapping)

    @classmethod
    def of(cls, pipeline: Pipeline) -> LabelScheme:
        ner = cast(EntityRecognizer, pipeline.nlp.get_pipe("ner")) if pipeline.has_ner else None
        labels = frozenset(ner.labels) if ner is not None else frozenset()
        return cls(labels, dict(pipeline.label_mapping))

    @property
    def conll(self) -> bool:
        return bool(self.model_labels) and self.model_labels <= CONLL_LABELS

    def to_model(self, label: str) -> str | None:
        """The model label a project label trains as (None: outside the model's scheme)."""
        inverse = {shown: own for own, shown in self.display.items()}
        if label in inverse:
            return inverse[label]
        if label in self.model_labels or not self.model_labels:
            return label
        if self.conll and label in _PROJECT_DEFAULTS:
            folded = CONLL_FOLD.get(label)
            return folded if folded in self.model_labels else None
        return label  # the analyst's own type: a new label for the model

    def shown(self, model_label: str) -> str:
        return map_label(model_label, self.display)

    def training_spans(self, spans: Iterable[SpanData]) -> tuple[SpanData, ...]:
        """Spans relabelled into the model's scheme; those outside it are dropped ("no entity")."""
        out = []
        for s in spans:
            label = self.to_model(s.label)
            if label:
                out.append(SpanData(s.start, s.end, label))
        return tuple(out)

    def gold_as_shown(self, spans: Sequence[SpanData]) -> list[SpanData]:
        """Gold as this model could at best predict it, in the project's labels: what scores compare
        against (identity for a pipeline that speaks the project's scheme)."""
        out = []
        for s in spans:
            label = self.to_model(s.label)
            if label:
                out.append(SpanData(s.start, s.end, self.shown(label)))
        return out

    def outside(self, spans: Sequence[SpanData]) -> int:
        """How many of ``spans`` this model's scheme cannot express."""
        return sum(1 for s in spans if self.to_model(s.label) is None)
