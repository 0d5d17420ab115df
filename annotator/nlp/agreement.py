"""Agreement across the store: every pair of annotators on the documents both of them annotated.

A person "annotated" a document when they left any trace in it: an entity, a dismissed suggestion,
or the document's status. Tokens come from the language's tokenizer, as for snapping.
"""

from __future__ import annotations

from itertools import combinations

from annotator.core.agreement import PairAgreement
from annotator.core.span import GOLD, SpanData
from annotator.io.spacy_docs import Tokenizers
from annotator.nlp.pipelines import token_bounds
from annotator.store import Store


def agreement(store: Store, language: str | None = None) -> list[PairAgreement]:
    tokenizers = Tokenizers()
    pairs: dict[tuple[str, str], PairAgreement] = {}
    for batch in store.bundles(language=language):
        for bundle in batch:
            by_user: dict[str, list[SpanData]] = {}
            for h in bundle.human:
                if h.author == GOLD:
                    continue
                spans = by_user.setdefault(h.author, [])
                if not h.rejected:
                    spans.append(SpanData(h.start, h.end, h.label))
            if bundle.info.status_by and bundle.info.status_by != GOLD:
                by_user.setdefault(bundle.info.status_by, [])
            if len(by_user) < 2:
                continue
            bounds = token_bounds(tokenizers.get(bundle.info.language), bundle.text)
            for a, b in combinations(sorted(by_user), 2):
                pair = pairs.setdefault((a, b), PairAgreement(a, b))
                pair.add(bundle.info.id, bounds, by_user[a], by_user[b])
    return [pairs[k] for k in sorted(pairs)]
