"""``export``: training data from the corrections, and ``--config`` to train on it with spaCy."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from annotator.cli.command import Command
from annotator.cli.progress import TerminalProgress
from annotator.core.errors import AnnotatorError
from annotator.core.labels import label_name, option_label
from annotator.core.plural import plural
from annotator.core.progress import CancelToken
from annotator.io.exporter import ExportFormat, ExportReport, export, written_paths
from annotator.io.selection import ExportLayer, ExportOptions, parse_rename, parse_statuses
from annotator.nlp.pipelines import base_pipeline
from annotator.store import Store


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", metavar="OUT", help="folder for --format spacy (replaced whole, other files in it "
                                                   "kept), else a file")
    parser.add_argument("--format", choices=[f.value for f in ExportFormat], default="spacy")
    parser.add_argument("--include", default="accepted",
                        help="statuses to export, comma-separated (default: accepted; rejected never)")
    parser.add_argument("--layer", choices=[layer.value for layer in ExportLayer], default="human",
                        help="human: only reviewed corrections; merged: corrections over unreviewed model suggestions")
    parser.add_argument("--language", help="only documents in this language")
    parser.add_argument("--labels", type=_labels, help="only these labels (comma-separated, after --rename)")
    parser.add_argument("--rename", type=rename_option, default={}, help="rename labels, e.g. GPE=LOC,PER=PERSON")
    parser.add_argument("--annotator", help="whose annotations (default: whoever set each document's status)")
    parser.add_argument("--dev-ratio", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--config", action="store_true",
                        help="also write config.cfg for 'spacy train' (fine-tunes the language's base pipeline)")


def _labels(value: str) -> frozenset[str] | None:
    """``--labels``: each name as the app's "Add label" takes it (NFC, trimmed, the label rule)."""
    try:
        names = frozenset(option_label(x, "--labels") for x in value.split(",") if x.strip())
    except AnnotatorError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--labels: ")) from None
    return names or None


def rename_option(value: str) -> dict[str, str]:
    """``--rename OLD=NEW,...``: OLD as stored labels are kept (NFC), NEW judged as a new label name."""
    try:
        pairs = parse_rename(value)
        return {label_name(old): option_label(new, "--rename") for old, new in pairs.items()}
    except AnnotatorError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--rename: ")) from None


def _known_labels(store: Store, labels: frozenset[str] | None, rename: dict[str, str]) -> None:
    """A ``--labels`` or ``--rename`` name the store does not have is a typo: exporting with it would write
    accepted documents without those entities (false negatives), so it is refused."""
    if not labels and not rename:
        return
    have = {label.name for label in store.labels()} | {label for label, _layer in store.stats().spans}
    listed = ", ".join(sorted(have)[:30]) + (" ..." if len(have) > 30 else "")
    for option, names, known in (("--rename", list(rename), have),
                                 ("--labels", sorted(labels or ()), {rename.get(n, n) for n in have})):
        for name in names:
            if name not in known:
                raise AnnotatorError(f"{option}: {name!r} is not a label of this store (its labels: {listed}); "
                                     "nothing was exported")


def _export(store: Store, args: argparse.Namespace, user: str) -> int:
    fmt = ExportFormat(args.format)
    _known_labels(store, args.labels, args.rename)
    options = ExportOptions(
        include=parse_statuses(args.include), layer=ExportLayer(args.layer), language=args.language,
        labels=args.labels, rename=args.rename, user=args.annotator, dev_ratio=args.dev_ratio, seed=args.seed,
    )
    report = export(store, Path(args.out), fmt, options, progress=TerminalProgress(), cancel=CancelToken(),
                    config_base=base_pipeline if args.config else None)
    print(f"exported {plural(report.documents, 'document')}, {plural(report.entities, 'entity', 'entities')}")
    if fmt is ExportFormat.SPACY:
        train, dev = report.by_split["train"], report.by_split["dev"]
        print(f"  train: {plural(train, 'document')}, dev: {plural(dev, 'document')}")
        for note in report.split_notes:
            print(f"  {note}")
    if fmt in (ExportFormat.SPACY, ExportFormat.CONLL):
        _print_alignment(report)
    for note in report.tokenizer_notes.values():
        print(f"  tokenizer: {note}")
    for path in written_paths(report):
        print(f"  wrote {path}")
    for config in report.configs:
        base = f"fine-tunes {config.base}" if config.base else "trains a new NER on the blank language"
        print(f"  wrote {config.path} ({base}); train with: python -m spacy train {shlex.quote(str(config.path))} "
              f"--output {shlex.quote(str(config.path.parent / 'model'))}")
    for warning in report.warnings[:20]:
        print(f"  warning: {warning}", file=sys.stderr)
    return 0


def _print_alignment(report: ExportReport) -> None:
    """Token-based formats: how many spans went in as drawn, how many were moved or left out, and why."""
    a = report.alignment
    print(f"  spans: {a.kept} written as entities ({a.as_stored} as stored, {a.kept - a.as_stored} aligned to tokens), "
          f"{a.left_out} left out")
    for line in a.lines():
        print(f"    {line}")


COMMANDS = (Command("export", _export, _arguments, checks_store=False),)  # export() runs quick_check itself
