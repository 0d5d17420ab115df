"""Agreement across the store: every pair of annotators on the documents both of them annotated.

A person has a version of a document when they left a span in it: an entity or a dismissed
suggestion. A status alone is not a version (``annotator set-status accepted --all`` by someone who
never opened a document must not compare as "F 0.000" against the one who annotated it), so a pair is
compared only on documents where both have spans. Tokens come from the language's tokenizer, as for
snapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from annotator.core.agreement import PairAgreement
from annotator.core.span import GOLD, SpanData
from annotator.io.spacy_docs import Tokenizers
from annotator.nlp.pipelines import token_bounds
from annotator.store import Store


@dataclass
class Agreement:
    """Every compared pair, and who could not be compared: pairs of annotators who share no document,
    and people who only set statuses (no version of any document)."""

    pairs: list[PairAgreement] = field(default_factory=list)
    annotators: list[str] = field(default_factory=list)
    status_only: list[str] = field(default_factory=list)

    def unshared(self) -> list[tuple[str, str]]:
        """Pairs of annotators (sorted) with no document annotated by both."""
        compared = {(p.a, p.b) for p in self.pairs}
        return [pair for pair in combinations(self.annotators, 2) if pair not in compared]


def compare_all(store: Store, language: str | None = None) -> Agreement:
    tokenizers = Tokenizers()
    pairs: dict[tuple[str, str], PairAgreement] = {}
    annotators: set[str] = set()
    set_status: set[str] = set()
    models: set[str] = set()  # an import of predictions sets status_by to the model: not a person
    for batch in store.bundles(language=language):
        for bundle in batch:
            by_user: dict[str, list[SpanData]] = {}
            for h in bundle.human:
                if h.author == GOLD:
                    continue
                spans = by_user.setdefault(h.author, [])
                if not h.rejected:
                    spans.append(SpanData(h.start, h.end, h.label))
            annotators.update(by_user)
            models.update(m.author for m in bundle.model)
            if bundle.info.status_by and bundle.info.status_by != GOLD:
                set_status.add(bundle.info.status_by)
            if len(by_user) < 2:
                continue
            bounds = token_bounds(tokenizers.get(bundle.info.language), bundle.text)
            for a, b in combinations(sorted(by_user), 2):
                pair = pairs.setdefault((a, b), PairAgreement(a, b))
                pair.add(bundle.info.id, bounds, by_user[a], by_user[b])
    return Agreement([pairs[k] for k in sorted(pairs)], sorted(annotators), sorted(set_status - annotators - models))


def agreement(store: Store, language: str | None = None) -> list[PairAgreement]:
    """The compared pairs (``compare_all(...).pairs``), each over the documents both annotated."""
    return compare_all(store, language).pairs
