"""Model versus person: which predicted entities were right, and how the others went wrong.

Pure functions over spans, shared by ``annotator evaluate``, the GUI's summary table and training's
dev scores, so every place counts errors the same way. Scores are exact match of span *and* label.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from annotator.core.span import SpanData


class Outcome(StrEnum):
    CORRECT = "correct"  # same offsets, same label
    WRONG_LABEL = "wrong label"  # same offsets, other label
    WRONG_BOUNDARY = "wrong boundary"  # overlaps a gold entity of the same label, other offsets
    SPURIOUS = "spurious"  # predicted where the person has nothing
    MISSED = "missed"  # the person's entity that no prediction touches


@dataclass(frozen=True)
class Difference:
    outcome: Outcome
    predicted: SpanData | None
    gold: SpanData | None


def compare(predicted: Sequence[SpanData], gold: Sequence[SpanData]) -> list[Difference]:
    """One Difference per predicted entity, plus one MISSED per gold entity nothing accounted for."""
    gold_by_place = {(g.start, g.end): g for g in gold}
    used: set[SpanData] = set()
    out: list[Difference] = []
    for p in sorted(predicted, key=lambda s: (s.start, s.end)):
        same_place = gold_by_place.get((p.start, p.end))
        if same_place is not None:
            outcome = Outcome.CORRECT if same_place.label == p.label else Outcome.WRONG_LABEL
            out.append(Difference(outcome, p, same_place))
            used.add(same_place)
            continue
        near = [g for g in gold if g.start < p.end and p.start < g.end and g not in used]
        same_label = next((g for g in near if g.label == p.label), None)
        if same_label is not None:
            out.append(Difference(Outcome.WRONG_BOUNDARY, p, same_label))
            used.add(same_label)
        else:
            out.append(Difference(Outcome.SPURIOUS, p, None))
    out.extend(Difference(Outcome.MISSED, None, g) for g in gold if g not in used)
    return out


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"p": round(self.precision, 4), "r": round(self.recall, 4), "f": round(self.f, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class Scores:
    """Exact span+label precision/recall/F overall and per label, plus the error breakdown."""

    overall: PRF = field(default_factory=PRF)
    per_label: dict[str, PRF] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)
    documents: int = 0

    def add(self, predicted: Sequence[SpanData], gold: Sequence[SpanData]) -> list[Difference]:
        diffs = compare(predicted, gold)
        self.documents += 1
        gold_set = {(g.start, g.end, g.label) for g in gold}
        pred_set = {(p.start, p.end, p.label) for p in predicted}
        for key in pred_set | gold_set:
            prf = self.per_label.setdefault(key[2], PRF())
            if key in pred_set and key in gold_set:
                prf.tp += 1
                self.overall.tp += 1
            elif key in pred_set:
                prf.fp += 1
                self.overall.fp += 1
            else:
                prf.fn += 1
                self.overall.fn += 1
        self.outcomes.update(d.outcome.value for d in diffs)
        return diffs

    def as_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "overall": self.overall.as_dict(),
            "per_label": {k: v.as_dict() for k, v in sorted(self.per_label.items())},
            "outcomes": dict(self.outcomes),
        }

