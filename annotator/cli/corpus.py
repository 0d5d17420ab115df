"""The corpus: ``import``, ``preannotate``, ``stats``, ``set-language``."""

from __future__ import annotations

import argparse
import json
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from annotator.cli.command import Command
from annotator.cli.progress import TerminalProgress
from annotator.core.document import DocumentStatus
from annotator.core.errors import InputRefused, Problem
from annotator.core.progress import CancelToken
from annotator.io.importer import SUFFIXES, ImportOptions, import_paths
from annotator.nlp.pipelines import project_pipelines
from annotator.nlp.preannotate import PreannotateReport, PreannotationFailed, preannotate
from annotator.nlp.workers import ENV_PROCESSES
from annotator.store import Store


def _import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--language", help="use this language for every document instead of detecting it")
    parser.add_argument("--predictions", metavar="MODEL",
                        help="spans in the files are predictions of MODEL (model layer), not human annotations")


def unreadable_inputs(paths: Sequence[str]) -> list[Problem]:
    """What the import would skip without a word: a pipe, socket or device given as a file, and inside
    folders the subfolders and files that cannot be listed or read, or that are not regular files
    (hidden ones excepted, as the importer skips them)."""
    problems = []
    for given in paths:
        path = Path(given)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            continue  # the importer says "does not exist"
        except OSError as exc:
            problems.append(Problem(str(path), f"cannot be read: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(mode):
            problems.extend(_unreadable_in_folder(path))
        elif not stat.S_ISREG(mode):
            problems.append(Problem(str(path), "is not a regular file (a pipe, socket or device); give .txt, .jsonl "
                                               "or .spacy files, or folders of them"))
    return problems


def _unreadable_in_folder(folder: Path) -> list[Problem]:
    problems: list[Problem] = []

    def refused(exc: OSError) -> None:
        where = os.fsdecode(exc.filename) if exc.filename else str(folder)
        problems.append(Problem(where, f"cannot be read: {exc.strerror or exc} (its files would be skipped)"))

    for root, dirs, files in os.walk(folder, onerror=refused):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or Path(name).suffix.lower() not in SUFFIXES:
                continue
            path = Path(root) / name
            try:
                mode = path.stat().st_mode
            except OSError as exc:
                problems.append(Problem(str(path), f"cannot be read: {exc.strerror or exc}"))
                continue
            if not stat.S_ISREG(mode):
                problems.append(Problem(str(path), "is not a regular file (a pipe, socket or device)"))
            elif not os.access(path, os.R_OK):
                problems.append(Problem(str(path), "cannot be read: Permission denied"))
    return problems


def _import(store: Store, args: argparse.Namespace, user: str) -> int:
    problems = unreadable_inputs(args.paths)
    if problems:
        raise InputRefused(problems)
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


def _preannotate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="package name or model folder to use (for its language) instead of the default")
    parser.add_argument("--language", help="only documents in this language")
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
        print(f"{len(failed.report.failures)} document(s) failed (id, source, reason); the others' suggestions "
              "were saved:")
        for failure in failed.report.failures:
            print(f"  {failure}")
        return 1
    _print_preannotation(report)
    return 0


def _print_preannotation(report: PreannotateReport) -> None:
    print(f"pre-annotated {report.documents} document(s): {report.spans} suggested entities")
    for author, n in sorted(report.by_model.items()):
        print(f"  {author}: {n} document(s)")
    for lang, n in sorted(report.without_model.items()):
        print(f"  no NER pipeline for '{lang}': {n} document(s) left for manual annotation")


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


def _set_language_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("language")
    parser.add_argument("ids", nargs="+", type=int, metavar="DOCUMENT_ID")


def _set_language(store: Store, args: argparse.Namespace, user: str) -> int:
    for doc_id in args.ids:
        store.set_language(doc_id, args.language)
    print(f"set language '{args.language}' on {len(args.ids)} document(s); run 'annotator preannotate --rerun' "
          "to refresh their suggestions")
    return 0


COMMANDS = (
    Command("import", _import, _import_arguments),
    Command("preannotate", _preannotate, _preannotate_arguments),
    Command("stats", _stats, _stats_arguments),
    Command("set-language", _set_language, _set_language_arguments),
)
