"""Export corrections as training data: spaCy DocBin (train/dev), Prodigy or doccano JSONL, CoNLL.

Every file is written atomically; nothing is written at all when there is nothing to export.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin

from annotator.core.errors import AnnotatorError
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.io import formats
from annotator.io.atomic import atomic_write, atomic_write_bytes
from annotator.io.selection import ExportDocument, ExportOptions, Split, dev_score, iter_export, split_train_dev
from annotator.io.spacy_docs import Tokenizers, to_spacy_doc
from annotator.store import Store


class ExportFormat(StrEnum):
    SPACY = "spacy"  # folder: train.spacy + dev.spacy (per language when several)
    PRODIGY = "prodigy"  # .jsonl file
    DOCCANO = "doccano"  # .jsonl file
    JSONL = "jsonl"  # .jsonl file, annotator's own shape
    CONLL = "conll"  # .conll file


@dataclass
class ExportReport:
    documents: int = 0
    entities: int = 0
    files: list[Path] = field(default_factory=list)
    folders: dict[str, Path] = field(default_factory=dict)  # spaCy format: language -> its train/dev folder
    by_split: Counter[str] = field(default_factory=Counter)
    by_language: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


def _nothing_to_export(store: Store, options: ExportOptions) -> AnnotatorError:
    wanted = ", ".join(sorted(s.value for s in options.include))
    lang = f" in '{options.language}'" if options.language else ""
    return AnnotatorError(
        f"nothing to export: no document{lang} has status {wanted} "
        f"({store.document_count()} document(s) in the store). Mark documents as accepted first, or "
        "widen the selection with --include 'accepted,in progress'"
    )


def export(
    store: Store,
    out: Path,
    fmt: ExportFormat,
    options: ExportOptions,
    progress: ProgressSink = no_progress,
    cancel: CancelToken | None = None,
) -> ExportReport:
    if store.document_count(options.include, options.language) == 0:
        raise _nothing_to_export(store, options)
    report = ExportReport()
    tokenizers = Tokenizers()
    docs = iter_export(store, options, progress, cancel)
    if fmt is ExportFormat.SPACY:
        _export_docbins(docs, out, options, tokenizers, report)
    elif fmt is ExportFormat.CONLL:
        _export_conll(docs, out, tokenizers, report)
    else:
        _export_jsonl(docs, out, fmt, tokenizers, report)
    return report


def _count(report: ExportReport, ex: ExportDocument) -> None:
    report.documents += 1
    report.entities += len(ex.entities)
    report.by_language[ex.language] += 1
    report.labels.update(s.label for s in ex.entities)


def _export_jsonl(docs: Iterable[ExportDocument], out: Path, fmt: ExportFormat, tokenizers: Tokenizers,
                  report: ExportReport) -> None:
    import json

    with atomic_write(out) as fh:
        for ex in docs:
            if fmt is ExportFormat.PRODIGY:
                record = formats.prodigy_task(ex, to_spacy_doc(ex, tokenizers, report.warnings))
            elif fmt is ExportFormat.DOCCANO:
                record = formats.doccano_record(ex)
            else:
                record = formats.annotator_record(ex)
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            _count(report, ex)
    report.files.append(out)


def _export_conll(docs: Iterable[ExportDocument], out: Path, tokenizers: Tokenizers, report: ExportReport) -> None:
    sentencizers: dict[str, spacy.language.Language] = {}
    with atomic_write(out) as fh:
        for ex in docs:
            doc = to_spacy_doc(ex, tokenizers, report.warnings)
            if ex.language not in sentencizers:
                nlp = spacy.blank(tokenizers.get(ex.language).lang or "xx")
                nlp.add_pipe("sentencizer")
                sentencizers[ex.language] = nlp
            doc = sentencizers[ex.language].get_pipe("sentencizer")(doc)
            fh.write("\n".join(formats.conll_lines(doc)) + "\n")
            _count(report, ex)
    report.files.append(out)


def _export_docbins(docs: Iterable[ExportDocument], out: Path, options: ExportOptions, tokenizers: Tokenizers,
                    report: ExportReport) -> None:
    """One train/dev pair per language (a spaCy pipeline is trained for one language), split by
    ``split_train_dev`` (the rule training and evaluation use too)."""
    bins: dict[tuple[str, Split], DocBin] = defaultdict(lambda: DocBin(store_user_data=True))

    def converted() -> Iterator[tuple[ExportDocument, Doc]]:
        for ex in docs:
            doc = to_spacy_doc(ex, tokenizers, report.warnings)
            _count(report, ex)
            yield ex, doc

    for side, (ex, doc) in split_train_dev(converted(), lambda pair: dev_score(pair[0], options.seed),
                                           options.dev_ratio):
        bins[ex.language, side].add(doc)
    languages = sorted(report.by_language)
    for lang in languages:
        report.by_split["train"] += len(bins[lang, "train"])
        report.by_split["dev"] += len(bins[lang, "dev"])
        folder = out / lang if len(languages) > 1 else out
        report.folders[lang] = folder
        for side in ("train", "dev"):
            path = folder / f"{side}.spacy"
            atomic_write_bytes(path, bins[lang, side].to_bytes())
            report.files.append(path)
