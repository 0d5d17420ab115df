"""The corpus: ``import``, ``preannotate``, ``stats``, ``set-language`` (``set-status``: ``cli/status.py``)."""

from __future__ import annotations

import argparse
import json

from annotator.cli.columns import inert, left, width
from annotator.cli.command import Command, document_id
from annotator.cli.export import rename_option
from annotator.cli.progress import TerminalProgress
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError, NotFound
from annotator.core.language import require_language
from annotator.core.plural import plural
from annotator.core.progress import CancelToken
from annotator.core.users import check_user_name
from annotator.io.import_report import other_layers, report_lines
from annotator.io.importer import FORMATS, ImportOptions, import_paths
from annotator.nlp.pipelines import project_pipelines
from annotator.nlp.preannotate import PreannotateReport, PreannotationFailed, preannotate
from annotator.nlp.workers import ENV_PROCESSES
from annotator.store import Store


def _model_name(value: str) -> str:
    """``--predictions MODEL``: the model layer's author, under the rule of annotator names (an empty
    one silently imported the spans as the user's own annotations)."""
    try:
        if value.strip().startswith("@"):
            raise AnnotatorError("the model name cannot start with '@': names starting with '@' are reserved")
        return check_user_name(value)
    except AnnotatorError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("the annotator name", "the model name")) from None


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--language", type=language_option,
                        help="use this language for every document instead of detecting it (a code, tag or name)")
    parser.add_argument("--predictions", metavar="MODEL", type=_model_name,
                        help="spans in the files are predictions of MODEL (model layer), not human annotations")
    parser.add_argument("--format", choices=FORMATS,
                        help="read every file as this format (default: by suffix, then by content)")
    parser.add_argument("--strict", action="store_true",
                        help="refuse spans with whitespace at an edge, off token boundaries or overlapping "
                             "(default: keep them as the file says and mark the document 'needs attention')")
    parser.add_argument("--status", type=_status, metavar="STATUS",
                        help="give every imported document this status (e.g. accepted for a finished corpus)")
    parser.add_argument("--rename", type=rename_option, default={}, metavar="OLD=NEW,...",
                        help="import the files' labels under other names, e.g. PER=PERSON,LOC=GPE")


def _status(value: str) -> DocumentStatus:
    try:
        return DocumentStatus.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def language_option(value: str) -> str:
    """``--language``: spaCy's code for a code, tag or name ("italian" -> "it"), checked before any work."""
    try:
        return require_language(value, "--language")
    except AnnotatorError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--language: ")) from None


def _import(store: Store, args: argparse.Namespace, user: str) -> int:
    options = ImportOptions(language=args.language, as_predictions=bool(args.predictions),
                            author=args.predictions or user, format=args.format, strict=args.strict,
                            status=args.status, rename=args.rename)
    report = import_paths(store, args.paths, options, progress=TerminalProgress())
    print(f"imported {plural(len(report.added), 'document')} with {plural(report.spans, 'span')} into {store.url}")
    for line in report_lines(report):
        print(f"  {inert(line)}")  # names of documents come from the files
    if not args.predictions and (elsewhere := other_layers(report, user, command_line=True)):
        print(f"  {elsewhere}")
    if report.new_labels:  # e.g. a file's PER beside the scheme's PERSON: importing again replaces the layer
        print(f"  to keep them under labels you have instead, import the same files again with --rename "
              f"OLD=NEW (e.g. --rename {report.new_labels[0]}=…)")
    return 0


def _preannotate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="package name or model folder to use (for its language) instead of the default")
    parser.add_argument("--language", type=language_option, help="only documents in this language")
    parser.add_argument("--rerun", action="store_true", help="also re-run documents that already have suggestions")
    parser.add_argument("--batch-size", type=int, default=64, help="documents per committed batch (default 64)")
    parser.add_argument("--processes", type=int, metavar="N",
                        help=f"NER processes on this machine (default ${ENV_PROCESSES}, else every core)")
    parser.add_argument("--worker", action="store_true",
                        help="queue nothing: help the runs other processes queued (PostgreSQL: from any machine) "
                             "until none is left")


def _preannotate(store: Store, args: argparse.Namespace, user: str) -> int:
    pipelines = project_pipelines(store, args.model, args.language)
    try:
        report = preannotate(store, pipelines, language=args.language, rerun=args.rerun, batch_size=args.batch_size,
                             processes=args.processes, join=args.worker, progress=TerminalProgress(),
                             cancel=CancelToken())
    except PreannotationFailed as failed:
        _print_preannotation(failed.report)
        print(f"{plural(len(failed.report.failures), 'document')} failed (id, source, reason); the others' suggestions "
              "were saved:")
        for failure in failed.report.failures:
            print(f"  {failure}")
        return 1
    _print_preannotation(report)
    return 0


def _print_preannotation(report: PreannotateReport) -> None:
    print(f"pre-annotated {plural(report.documents, 'document')}: "
          f"{plural(report.spans, 'suggested entity', 'suggested entities')}")
    for author, n in sorted(report.by_model.items()):
        print(f"  {author}: {plural(n, 'document')}")
    for lang, n in sorted(report.without_model.items()):
        print(f"  no NER pipeline for '{lang}': {plural(n, 'document')} left for manual annotation")


def _stats_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")


def _stats(store: Store, args: argparse.Namespace, user: str) -> int:
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
    print(f"{plural(stats.documents, 'document')} in {store.url}")
    labels = sorted({lb for lb, _ in stats.spans})
    first = width([*(s.value for s in DocumentStatus), *stats.by_language, *labels], at_least=14)
    print("\nby status:")
    for status in DocumentStatus:
        print(f"  {left(status.value, first)} {stats.by_status.get(status.value, 0):>7}")
    print("\nby language:")
    for lang, n in sorted(stats.by_language.items()):
        print(f"  {left(lang, first)} {n:>7}")
    print(f"\nspans by label:{'human':>{first - 2}} {'model':>8}")
    for label in labels:
        print(f"  {left(label, first)} {stats.spans.get((label, 'human'), 0):>10} "
              f"{stats.spans.get((label, 'model'), 0):>8}")
    print(f"\nrejected suggestions: {stats.rejections}")
    return 0


def _set_language_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("language")
    parser.add_argument("ids", nargs="+", type=document_id, metavar="DOCUMENT_ID")


def _set_language(store: Store, args: argparse.Namespace, user: str) -> int:
    ids = list(dict.fromkeys(args.ids))
    try:
        store.set_languages(ids, args.language)  # all or none
    except NotFound as exc:
        raise NotFound(f"{exc}; nothing was changed") from None
    print(f"set language '{args.language}' on {plural(len(ids), 'document')}; run 'annotator preannotate --rerun' "
          "to refresh their suggestions")
    return 0


COMMANDS = (
    Command("import", _import, _import_arguments, creates_store=True),
    Command("preannotate", _preannotate, _preannotate_arguments),
    Command("stats", _stats, _stats_arguments),
    Command("set-language", _set_language, _set_language_arguments),
)
