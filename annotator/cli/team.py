"""Team mode: ``agreement`` between annotators, ``review`` to choose the gold version of a document."""

from __future__ import annotations

import argparse
import json

from annotator.cli.columns import left, width
from annotator.cli.command import Command, document_id
from annotator.core.agreement import PairAgreement
from annotator.core.plural import plural
from annotator.nlp.agreement import compare_all
from annotator.store import Store


def _agreement_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--language")
    parser.add_argument("--json", action="store_true")


def _agreement(store: Store, args: argparse.Namespace, user: str) -> int:
    found = compare_all(store, args.language)
    unshared = found.unshared()
    if args.json:
        rows = [p.as_dict() for p in found.pairs]
        rows += [{"a": a, "b": b, "documents": 0, "span_f": None, "kappa": None, "per_label": {},
                  "per_document": {}} for a, b in unshared]
        print(json.dumps(sorted(rows, key=lambda r: (str(r["a"]), str(r["b"]))), indent=2))
        return 0
    if not found.pairs and not unshared:
        print("no document has been annotated by two people yet")
    lines: list[tuple[tuple[str, str], list[str]]] = [((p.a, p.b), _pair_lines(p)) for p in found.pairs]
    lines += [((a, b), [f"{a} vs {b}: no document annotated by both, not compared"]) for a, b in unshared]
    for _, block in sorted(lines):
        print("\n".join(block))
    if found.status_only:
        print(f"not compared: {', '.join(found.status_only)} only set statuses (an entity or a dismissed "
              "suggestion makes a version of a document; a status alone does not)")
    return 0


def _pair_lines(p: PairAgreement) -> list[str]:
    kappa = "n/a" if p.kappa is None else f"{p.kappa:.3f}"
    lines = [f"{p.a} vs {p.b}: {plural(p.spans.documents, 'document')}, span F {p.f:.3f}, token kappa {kappa}"]
    per_label = sorted(p.per_label_f().items())
    first = width([label for label, _ in per_label], at_least=14)
    for label, prf in per_label:
        k = p.kappa_for(label)
        lines.append(f"  {left(label, first)} F {prf.f:.3f}  kappa {'n/a' if k is None else f'{k:.3f}'}")
    for doc_id, (f, k) in sorted(p.per_document.items()):
        lines.append(f"  document {doc_id:<6} F {f:.3f}  kappa {'n/a' if k is None else f'{k:.3f}'}")
    return lines


def _review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("document", type=document_id, metavar="DOCUMENT_ID")
    parser.add_argument("--take", required=True, metavar="ANNOTATOR")


def _review(store: Store, args: argparse.Namespace, user: str) -> int:
    changes = store.adopt_version(args.document, args.take)
    kept = sum(1 for s in changes.added if not s.rejected)
    entities = plural(kept, "entity", "entities")
    print(f"document {args.document}: gold version is now {args.take}'s ({entities}); exports use it")
    return 0


COMMANDS = (
    Command("agreement", _agreement, _agreement_arguments),
    Command("review", _review, _review_arguments),
)
