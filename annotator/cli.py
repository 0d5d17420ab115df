"""Command line: ``annotator import|preannotate|stats|gui`` (no sub-command opens the app).

Thin wrappers over the same functions the GUI calls; long work prints progress to stderr; failures
exit non-zero with a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from annotator import __version__
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError
from annotator.core.progress import CancelToken
from annotator.core.users import ENV_USER, check_user_name, login_name
from annotator.io.exporter import ExportFormat
from annotator.io.selection import ExportLayer


class TerminalProgress:
    """Progress on stderr: a live line on a terminal, a line every few seconds in a log."""

    def __init__(self, stream: TextIO = sys.stderr, every: float = 2.0) -> None:
        self.stream, self.every = stream, every
        self.tty = stream.isatty()
        self._last = 0.0
        self._width = 0

    def __call__(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        final = total > 0 and done >= total
        if not self.tty and not final and now - self._last < self.every:
            return
        self._last = now
        pct = f"{100 * done / total:5.1f}%" if total else "     "
        line = f"{pct} {message}"
        if self.tty:
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", default=default,
                        help="SQLAlchemy URL or SQLite file (default: $ANNOTATOR_DB, else the per-user data folder)")
    parser.add_argument("--user", default=default, help=f"annotator name (default: ${ENV_USER} or the login name)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="annotator", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", help="import .txt files, folders and .jsonl files (all or nothing)")
    _common(p, suppress=True)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--language", help="use this language for every document instead of detecting it")
    p.add_argument("--predictions", metavar="MODEL",
                   help="spans in the files are predictions of MODEL (model layer), not human annotations")

    p = sub.add_parser("preannotate", help="suggest entities with the spaCy pipeline of each document's language")
    _common(p, suppress=True)
    p.add_argument("--model", help="package name or model folder to use (for its language) instead of the default")
    p.add_argument("--language", help="only documents in this language")
    p.add_argument("--rerun", action="store_true", help="also re-run documents that already have suggestions")
    p.add_argument("--batch-size", type=int, default=64)

    p = sub.add_parser("export", help="write corrections as training data (spaCy, Prodigy/doccano JSONL, CoNLL)")
    _common(p, suppress=True)
    p.add_argument("out", metavar="OUT", help="folder for --format spacy, else a file")
    p.add_argument("--format", choices=[f.value for f in ExportFormat], default="spacy")
    p.add_argument("--include", default="accepted",
                   help="statuses to export, comma-separated (default: accepted; rejected never)")
    p.add_argument("--layer", choices=[layer.value for layer in ExportLayer], default="human",
                   help="human: only reviewed corrections; merged: corrections over unreviewed model suggestions")
    p.add_argument("--language", help="only documents in this language")
    p.add_argument("--labels", help="only these labels (comma-separated, after --rename)")
    p.add_argument("--rename", default="", help="rename labels, e.g. GPE=LOC,PER=PERSON")
    p.add_argument("--annotator", help="whose annotations (default: whoever set each document's status)")
    p.add_argument("--dev-ratio", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--config", action="store_true",
                   help="also write config.cfg for 'spacy train' (fine-tunes the language's base pipeline)")

    p = sub.add_parser("train", help="fine-tune NER on the accepted corrections of one language")
    _common(p, suppress=True)
    p.add_argument("--language", default="en")
    p.add_argument("--epochs", type=int, default=20, help="at most this many epochs (early stopping on dev F)")
    p.add_argument("--patience", type=int, default=4)
    p.add_argument("--dev-ratio", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rehearsal", type=float, default=0.5,
                   help="base-model examples mixed in per corrected example, against forgetting (0: off)")
    p.add_argument("--output", help="folder for trained models (default: the user data folder)")
    p.add_argument("--use", action="store_true", help="make the new model the suggestion model and re-run it "
                                                       "on unfinished documents")

    p = sub.add_parser("evaluate", help="precision/recall/F per label: base model before, trained model after")
    _common(p, suppress=True)
    p.add_argument("--language", default="en")
    p.add_argument("--model", help="model to score as 'after' (default: the latest trained for the language)")
    p.add_argument("--split", choices=["dev", "train", "all"], default="dev")
    p.add_argument("--dev-ratio", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("models", help="trained models and the suggestion model of each language")
    _common(p, suppress=True)

    p = sub.add_parser("use-model", help="choose the model that suggests entities for a language")
    _common(p, suppress=True)
    p.add_argument("model", help="package name, model folder, or 'default'")
    p.add_argument("--language", help="(default: the language the model declares)")

    p = sub.add_parser("agreement", help="pairwise span F and Cohen's kappa between annotators")
    _common(p, suppress=True)
    p.add_argument("--language")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("review", help="make one annotator's version of a document the gold (final) version")
    _common(p, suppress=True)
    p.add_argument("document", type=int, metavar="DOCUMENT_ID")
    p.add_argument("--take", required=True, metavar="ANNOTATOR")

    p = sub.add_parser("stats", help="documents by status and language, spans by label and layer")
    _common(p, suppress=True)
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")

    p = sub.add_parser("set-language", help="override the detected language of documents")
    _common(p, suppress=True)
    p.add_argument("language")
    p.add_argument("ids", nargs="+", type=int, metavar="DOCUMENT_ID")

    p = sub.add_parser("gui", help="open the desktop app (the default)")
    _common(p, suppress=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "gui"
    try:
        if command == "gui":  # the app asks for a name at first start unless --user says it
            return _gui(args.db, check_user_name(args.user) if args.user else None)
        user = check_user_name(args.user or login_name())
        from annotator.store import Store

        store = Store.open(args.db)
        try:
            return _COMMANDS[command](store, args, user)
        finally:
            store.close()
    except AnnotatorError as exc:
        print(f"annotator: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("annotator: interrupted", file=sys.stderr)
        return 130


def _import(store, args: argparse.Namespace, user: str) -> int:  # type: ignore[no-untyped-def]
    from annotator.io.importer import ImportOptions, import_paths

    options = ImportOptions(language=args.language, as_predictions=bool(args.predictions),
                            author=args.predictions or user)
    report = import_paths(store, args.paths, options, progress=TerminalProgress())
    print(f"imported {len(report.added)} document(s) with {report.spans} span(s) into {store.url}")
    for source, existing in report.duplicates:
        where = f"document {existing}" if existing else "another file in this import"
        print(f"  skipped duplicate {source} (same text as {where})")
    if report.new_labels:
        print(f"  new labels added to the scheme: {', '.join(report.new_labels)}")
    return 0


def _preannotate(store, args: argparse.Namespace, user: str) -> int:  # type: ignore[no-untyped-def]
    from annotator.nlp.pipelines import project_pipelines
    from annotator.nlp.preannotate import preannotate

    pipelines = project_pipelines(store, args.model, args.language)
    report = preannotate(store, pipelines, language=args.language, rerun=args.rerun, batch_size=args.batch_size,
                         progress=TerminalProgress(), cancel=CancelToken())
    print(f"pre-annotated {report.documents} document(s): {report.spans} suggested entities")
    for author, n in sorted(report.by_model.items()):
        print(f"  {author}: {n} document(s)")
    for lang, n in sorted(report.without_model.items()):
        print(f"  no NER pipeline for '{lang}': {n} document(s) left for manual annotation")
    return 0


def _stats(store, args: argparse.Namespace, user: str) -> int:  # type: ignore[no-untyped-def]
    stats = store.stats()
    if args.json:
        print(json.dumps({
            "documents": stats.documents,
            "by_status": stats.by_status,
            "by_language": stats.by_language,
            "spans": [{"label": lb, "layer": ly, "count": n} for (lb, ly), n in sorted(stats.spans.items())],
            "rejected_suggestions": stats.rejections,
        }, indent=2))
        return 0
    print(f"{stats.documents} document(s) in {store.url}")
    print("\nby status:")
    for status in DocumentStatus:
        print(f"  {status.value:<14} {stats.by_status.get(status.value, 0):>7}")
    print("\nby language:")
    for lang, n in sorted(stats.by_language.items()):
        print(f"  {lang:<14} {n:>7}")
    print("\nspans by label:      human    model")
    for label in sorted({lb for lb, _ in stats.spans}):
        print(f"  {label:<14} {stats.spans.get((label, 'human'), 0):>10} {stats.spans.get((label, 'model'), 0):>8}")
    print(f"\nrejected suggestions: {stats.rejections}")
    return 0


def _export(store, args: argparse.Namespace, user: str) -> int:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from annotator.io.exporter import export
    from annotator.io.selection import ExportOptions, parse_rename, parse_statuses
    from annotator.io.training_config import write_training_configs
    from annotator.nlp.pipelines import base_pipeline

    fmt = ExportFormat(args.format)
    options = ExportOptions(
        include=parse_statuses(args.include), layer=ExportLayer(args.layer), language=args.language,
        labels=frozenset(x.strip() for x in args.labels.split(",") if x.strip()) if args.labels else None,
        rename=parse_rename(args.rename), user=args.annotator, dev_ratio=args.dev_ratio, seed=args.seed,
    )
    out = Path(args.out)
    report = export(store, out, fmt, options, progress=TerminalProgress(), cancel=CancelToken())
    print(f"exported {report.documents} document(s), {report.entities} entities")
    if fmt is ExportFormat.SPACY:
        print(f"  train: {report.by_split['train']} document(s), dev: {report.by_split['dev']} document(s)")
    for path in report.files:
        print(f"  wrote {path}")
    if args.config and fmt is ExportFormat.SPACY:
        for config in write_training_configs(report.folders, base_pipeline):
            base = f"fine-tunes {config.base}" if config.base else "trains a new NER (no base pipeline installed)"
            print(f"  wrote {config.path} ({base}); train with: python -m spacy train {config.path} "
                  f"--output {config.path.parent / 'model'}")
    for warning in report.warnings[:20]:
        print(f"  warning: {warning}", file=sys.stderr)
    return 0


def _train(store, args: argparse.Namespace, user: str) -> int:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from annotator.nlp.pipelines import PipelineConfig, Pipelines, project_pipelines
    from annotator.nlp.preannotate import preannotate
    from annotator.nlp.train import TrainSettings, train

    settings = TrainSettings(max_epochs=args.epochs, patience=args.patience, dev_ratio=args.dev_ratio, seed=args.seed,
                             rehearsal=args.rehearsal)
    pipelines = Pipelines(PipelineConfig.from_env())
    report = train(store, pipelines, args.language, settings=settings,
                   output=Path(args.output) if args.output else None, progress=TerminalProgress(every=0),
                   cancel=CancelToken())
    m = report.model
    print(f"trained {m.name} {m.version} from {m.base or 'blank'} on {report.train_docs} document(s), "
          f"checked on {report.dev_docs}: dev F {report.before.overall.f:.3f} -> {report.after.overall.f:.3f}")
    print(f"  saved to {m.path}")
    if args.use:
        store.set_suggestion_model(args.language, m.path)
        rerun = preannotate(store, project_pipelines(store), language=args.language, rerun=True,
                            progress=TerminalProgress())
        print(f"  now suggesting with it: re-ran {rerun.documents} unfinished document(s)")
    return 0


def _evaluate(store, args: argparse.Namespace, user: str) -> int:  # type: ignore[no-untyped-def]
    from annotator.nlp.evaluate import before_after

    result = before_after(store, args.language, args.model, args.split, args.dev_ratio, args.seed)
    columns = [(result.before_name, result.before)]
    if result.after is not None and result.after_name is not None:
        columns.append((result.after_name, result.after))
    if args.json:
        print(json.dumps({"split": args.split, "documents": result.documents,
                          "models": {name: sc.as_dict() for name, sc in columns}}, indent=2))
        return 0
    print(f"{result.documents} accepted '{args.language}' document(s), {args.split} split; exact span + label")
    for i, (name, _) in enumerate(columns):
        print(f"  [{'before' if i == 0 else 'after'}] {name}")
    head = "".join(f"  {'before' if i == 0 else 'after':>6}  P     R     F  " for i in range(len(columns)))
    print(f"\n{'label':<14}{head}")
    labels = sorted({lb for _, sc in columns for lb in sc.per_label})
    for label in labels + ["ALL"]:
        cells = ""
        for _, sc in columns:
            prf = sc.overall if label == "ALL" else sc.per_label.get(label)
            cells += "        -     -     -  " if prf is None else \
                f"       {prf.precision:.2f}  {prf.recall:.2f}  {prf.f:.2f}  "
        print(f"{label:<14}{cells}")
    for name, sc in columns:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(sc.outcomes.items()))
        print(f"\n{name}: {errors}")
    return 0


def _models(store, args: argparse.Namespace, user: str) -> int:  # type: ignore[no-untyped-def]
    chosen = store.suggestion_models()
    for lang, model in sorted(chosen.items()):
        print(f"suggestions for '{lang}': {model}")
    for m in store.trained_models():
        after = m.scores.get("after", {}).get("overall", {}).get("f")
        before = m.scores.get("before", {}).get("overall", {}).get("f")
        print(f"{m.created_at:%Y-%m-%d %H:%M}  {m.language}  {m.name} {m.version}  from {m.base or 'blank'}  "
              f"dev F {before} -> {after}  {m.path}")
    if not chosen and not store.trained_models():
        print("no trained models yet; the default pipelines suggest entities (see README, Models)")
    return 0


def _use_model(store, args: argparse.Namespace, user: str) -> int:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from annotator.nlp.pipelines import declared_language

    if args.model == "default":
        if not args.language:
            raise AnnotatorError("say which language goes back to the default: use-model default --language en")
        store.set_suggestion_model(args.language, None)
        print(f"'{args.language}' suggestions come from the default pipelines again")
        return 0
    model = str(Path(args.model).resolve()) if Path(args.model).exists() else args.model
    language = args.language or declared_language(model)
    store.set_suggestion_model(language, model)
    print(f"'{language}' suggestions now come from {model}; run 'annotator preannotate --rerun' to refresh them")
    return 0


def _agreement(store, args: argparse.Namespace, user: str) -> int:  # type: ignore[no-untyped-def]
    from annotator.nlp.agreement import agreement

    pairs = agreement(store, args.language)
    if args.json:
        print(json.dumps([p.as_dict() for p in pairs], indent=2))
        return 0
    if not pairs:
        print("no document has been annotated by two people yet")
        return 0
    for p in pairs:
        kappa = "n/a" if p.kappa is None else f"{p.kappa:.3f}"
        print(f"{p.a} vs {p.b}: {p.spans.documents} document(s), span F {p.f:.3f}, token kappa {kappa}")
        for label, prf in sorted(p.per_label_f().items()):
            k = p.kappa_for(label)
            print(f"  {label:<14} F {prf.f:.3f}  kappa {'n/a' if k is None else f'{k:.3f}'}")
        for doc_id, (f, k) in sorted(p.per_document.items()):
            print(f"  document {doc_id:<6} F {f:.3f}  kappa {'n/a' if k is None else f'{k:.3f}'}")
    return 0


def _review(store, args: argparse.Namespace, user: str) -> int:  # type: ignore[no-untyped-def]
    changes = store.adopt_version(args.document, args.take)
    kept = sum(1 for s in changes.added if not s.rejected)
    print(f"document {args.document}: gold version is now {args.take}'s ({kept} entities); exports use it")
    return 0


def _set_language(store, args: argparse.Namespace, user: str) -> int:  # type: ignore[no-untyped-def]
    for doc_id in args.ids:
        store.set_language(doc_id, args.language)
    print(f"set language '{args.language}' on {len(args.ids)} document(s); run 'annotator preannotate --rerun' "
          "to refresh their suggestions")
    return 0


def _gui(db: str | None, user: str | None) -> int:
    try:
        from annotator.gui.app import run
    except ImportError as exc:
        raise AnnotatorError(f"the desktop app cannot start: {exc}") from exc
    return run(db, user)


_COMMANDS = {
    "agreement": _agreement,
    "evaluate": _evaluate,
    "review": _review,
    "export": _export,
    "models": _models,
    "train": _train,
    "use-model": _use_model,
    "import": _import,
    "preannotate": _preannotate,
    "stats": _stats,
    "set-language": _set_language,
}
