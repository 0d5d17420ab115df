"""Export corrections as training data: spaCy DocBin (train/dev), Prodigy or doccano JSONL, CoNLL.

Every file is written atomically, and the spaCy format's folder is built whole beside its target and
swapped in (``atomic.atomic_folder``): a kill never leaves a new train.spacy beside an old dev.spacy.
Nothing is written at all when there is nothing to export, when the target is of the wrong kind, when
the store fails its integrity check, or when reading or writing fails half-way: every such failure is
one ``AnnotatorError`` naming the file, never a short export.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import spacy
from spacy.tokens import Doc

from annotator.core.errors import AnnotatorError, StoreDamaged
from annotator.core.plural import plural
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.io import formats
from annotator.io.atomic import MARKER, atomic_folder, atomic_write, foreign_entries
from annotator.io.docbin_shards import SHARD_LIMIT, DocBinShards, ShardLimit, WrittenDocBin
from annotator.io.export_alignment import Alignment
from annotator.io.selection import ExportDocument, ExportOptions, Split, dev_score, iter_export, split_train_dev
from annotator.io.spacy_docs import Tokenizers, own_tokens, to_spacy_doc
from annotator.io.training_config import WrittenConfig, write_training_config
from annotator.store import Store
from annotator.store.integrity import SQLITE_HEADER, require_intact, sqlite_path


class ExportFormat(StrEnum):
    SPACY = "spacy"  # folder: train.spacy + dev.spacy (per language when several)
    PRODIGY = "prodigy"  # .jsonl file
    DOCCANO = "doccano"  # .jsonl file
    JSONL = "jsonl"  # .jsonl file, annotator's own shape
    CONLL = "conll"  # .conll file

    @property
    def writes_folder(self) -> bool:
        return self is ExportFormat.SPACY

    @property
    def suffix(self) -> str:
        return ".conll" if self is ExportFormat.CONLL else ".jsonl"


@dataclass
class ExportReport:
    documents: int = 0
    entities: int = 0
    files: list[Path] = field(default_factory=list)
    written: list[WrittenDocBin] = field(default_factory=list)  # spaCy format: each train/dev, file or shard folder
    folders: dict[str, Path] = field(default_factory=dict)  # spaCy format: language -> its train/dev folder
    by_split: Counter[str] = field(default_factory=Counter)
    by_language: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    configs: list[WrittenConfig] = field(default_factory=list)  # spaCy format with ``config_base``
    # spaCy and CoNLL formats: spans moved onto token boundaries or left out, by reason (never silently)
    alignment: Alignment = field(default_factory=Alignment)
    tokenizer_notes: dict[str, str] = field(default_factory=dict)  # language -> fallback tokenizer used
    split_notes: list[str] = field(default_factory=list)  # spaCy format: why a train or dev side is empty


def _nothing_to_export(store: Store, options: ExportOptions) -> AnnotatorError:
    wanted = ", ".join(sorted(s.value for s in options.include))
    lang = f" in '{options.language}'" if options.language else ""
    return AnnotatorError(
        f"nothing to export: no document{lang} has status {wanted} "
        f"({plural(store.document_count(), 'document')} in the store). Mark documents as accepted first, or "
        "widen the selection with --include 'accepted,in progress'"
    )


def export(
    store: Store,
    out: Path,
    fmt: ExportFormat,
    options: ExportOptions,
    progress: ProgressSink = no_progress,
    cancel: CancelToken | None = None,
    config_base: Callable[[str], str | None] | None = None,
    check_integrity: bool = True,
    shard_limit: ShardLimit = SHARD_LIMIT,
) -> ExportReport:
    """Write the selected documents to ``out`` (a folder for the spaCy format, else a file).

    ``config_base``: for the spaCy format, also write each language's ``config.cfg`` fine-tuning
    ``config_base(language)`` (None: a new NER), inside the same atomic folder. ``check_integrity``:
    run SQLite's ``quick_check`` first (a caller that has just run it may skip it). ``shard_limit``: how
    much of a spaCy side one DocBin file holds (``docbin_shards``)."""
    out = checked_target(out, fmt)
    _not_a_database(out, sqlite_path(store.engine.url))
    try:
        if check_integrity:
            require_intact(store.engine)
        if store.document_count(options.include, options.language) == 0:
            raise _nothing_to_export(store, options)
    except StoreDamaged as exc:
        raise exc.with_outcome("nothing was exported") from exc
    report = ExportReport()
    tokenizers = Tokenizers()
    try:
        docs = iter_export(store, options, progress, cancel)
        if fmt is ExportFormat.SPACY:
            with atomic_folder(out) as staging:
                _export_docbins(docs, staging, options, tokenizers, report, shard_limit)
                _write_marker(staging, report, options)
                if config_base is not None:
                    for lang in sorted(report.folders):
                        base = config_base(lang)
                        folder = report.folders[lang]
                        final = out / folder.relative_to(staging)  # what config.cfg names: where it will be
                        report.configs.append(WrittenConfig(lang, write_training_config(folder, lang, base, final),
                                                            base))
            _relocate(report, staging, out)
        elif fmt is ExportFormat.CONLL:
            _export_conll(docs, out, tokenizers, report)
        else:
            _export_jsonl(docs, out, fmt, tokenizers, report)
    except StoreDamaged as exc:
        raise exc.with_outcome("nothing was exported") from exc
    except OSError as exc:
        raise AnnotatorError(_write_error(out, exc)) from exc
    report.tokenizer_notes = dict(tokenizers.notes)
    return report


def checked_target(out: Path, fmt: ExportFormat) -> Path:
    """``out`` made absolute (a symbolic link followed: the folder swapped in is the real one), or an
    error when it is of the wrong kind for ``fmt`` or cannot be created."""
    out = Path(os.path.realpath(out))
    if fmt.writes_folder:
        if out.exists() and not out.is_dir():
            raise AnnotatorError(f"cannot export to {out}: it is a file, and the spaCy format writes a folder "
                                 "(train.spacy, dev.spacy); give a folder path")
        try:
            foreign = foreign_entries(out)
        except OSError as exc:
            raise AnnotatorError(f"cannot export to {out}: {exc.strerror or exc}") from None
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise AnnotatorError(f"cannot export to {out}: it holds other files ({shown}) and no earlier export; the "
                                 "spaCy format replaces its folder whole, so give a new or empty folder, e.g. "
                                 f"{out / 'training-data'}")
    elif out.is_dir():
        raise AnnotatorError(f"cannot export to {out}: it is a folder, and the {fmt.value} format writes one file; "
                             f"give a file path such as {out / ('export' + fmt.suffix)}")
    elif out.exists() and not out.is_file():
        raise AnnotatorError(f"cannot export to {out}: it is not a regular file (a pipe, socket or device); "
                             "give a file path")
    for ancestor in out.parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise AnnotatorError(f"cannot export to {out}: {ancestor} is a file, not a folder")
            break
    return out


def _not_a_database(out: Path, store_file: Path | None) -> None:
    """Refuse to write over the database being exported (or its log files) or any SQLite database:
    ``export corpus.sqlite3 --format jsonl`` with ``--db`` forgotten replaced the store with its export."""
    if store_file is not None:
        real = Path(os.path.realpath(store_file))
        if out in {real, *(real.with_name(real.name + s) for s in ("-wal", "-shm", "-journal"))}:
            raise AnnotatorError(f"cannot export to {out}: it is the database this command works on (its store, "
                                 "which the export would replace); give another path")
    try:
        with open(out, "rb") as fh:
            header = fh.read(16)
    except OSError:
        return  # missing (a new file), or said when it is written
    if header == SQLITE_HEADER:
        raise AnnotatorError(f"cannot export to {out}: it is an SQLite database, not an export; give another path")


def _write_error(out: Path, exc: OSError) -> str:
    where = Path(os.fsdecode(exc.filename)).parent if exc.filename else None
    inside = where is not None and (where == out.parent or out.parent in where.parents)  # ours: not worth naming
    place = f" (in {where})" if where is not None and not inside else ""
    return f"cannot write the export {out}: {exc.strerror or exc}{place}; nothing was written"


def _write_marker(folder: Path, report: ExportReport, options: ExportOptions) -> None:
    """What marks the folder as an export (so a later export may replace it whole), and what it holds."""
    import json
    from datetime import UTC, datetime

    record = {"written_by": "annotator export", "at": datetime.now(UTC).isoformat(timespec="seconds"),
              "documents": report.documents, "by_split": dict(report.by_split),
              "languages": sorted(report.by_language), "seed": options.seed, "dev_ratio": options.dev_ratio}
    with atomic_write(folder / MARKER) as fh:
        fh.write(json.dumps(record, indent=2) + "\n")


def _relocate(report: ExportReport, staging: Path, out: Path) -> None:
    """Report the paths the swapped-in folder has, not the temporary ones it was built under."""

    def moved(path: Path) -> Path:
        return out / path.relative_to(staging)

    report.files = [moved(p) for p in report.files]
    report.written = [WrittenDocBin(moved(w.path), w.documents, w.shards) for w in report.written]
    report.folders = {lang: moved(p) for lang, p in report.folders.items()}
    report.configs = [WrittenConfig(c.language, moved(c.path), c.base) for c in report.configs]


def written_paths(report: ExportReport) -> list[str]:
    """What an export wrote, one entry a file: its path, and for the spaCy format what it holds, e.g.
    ``/data/out/train.spacy (12 shards, 11,873 documents)`` (a shard folder) or ``... (873 documents)``."""
    held = {w.path: w.summary() for w in report.written}
    return [f"{p} ({held[p]})" if p in held else str(p) for p in report.files]


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
            if fmt is ExportFormat.PRODIGY:  # spans as stored (Prodigy keeps overlaps); tokens for its views
                record = formats.prodigy_task(ex, own_tokens(ex, tokenizers))
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
            doc = to_spacy_doc(ex, tokenizers, report.warnings, report.alignment)
            if ex.language not in sentencizers:
                nlp = spacy.blank("xx")  # the sentencizer splits on punctuation, whatever the language
                nlp.add_pipe("sentencizer")
                sentencizers[ex.language] = nlp
            doc = sentencizers[ex.language].get_pipe("sentencizer")(doc)
            fh.write("\n".join(formats.conll_lines(doc)) + "\n")
            _count(report, ex)
    report.files.append(out)


def _empty_side_notes(counts: dict[str, tuple[int, int]], dev_ratio: float) -> list[str]:
    """Why an export's ``dev.spacy`` (or ``train.spacy``) holds no document. ``counts``: language ->
    (train, dev) documents, one entry without a name ("") when the export has one language. The side
    is decided per document (``dev_ratio`` of them, by their text), so a few documents may all fall
    on one side; nothing is borrowed from the other."""
    share = f"about {dev_ratio:.0%} of the documents go to dev, chosen by their text"
    notes = []
    for side, other in (("dev", "train"), ("train", "dev")):
        empty = {lang: train + dev for lang, (train, dev) in counts.items()
                 if (dev if side == "dev" else train) == 0 and train + dev}
        if not empty:
            continue
        files = " and ".join(f"{lang}/{side}.spacy" if lang else f"{side}.spacy" for lang in empty)
        sizes = " and ".join(str(n) for n in empty.values())
        one = len(empty) == 1 and sum(empty.values()) == 1
        few = f"{sizes} document{'' if one else 's'} {'is' if one else 'are'} too few"
        verb = "is" if len(empty) == 1 else "are"
        if side == "dev" and dev_ratio == 0:
            notes.append(f"{files} {verb} empty: --dev-ratio is 0, so no document is held back")
        elif side == "dev":
            notes.append(f"{files} {verb} empty: {few} to hold some back ({share}); annotator's own training "
                         "cross-validates instead, but 'spacy train' has nothing to evaluate on: accept more "
                         "documents (or export with a larger 'annotator export --dev-ratio')")
        else:
            fell = "the only document" if one else f"all {sizes} documents"
            notes.append(f"{files} {verb} empty: {fell} fell on the {other} side "
                         f"({share}); accept more documents (or export with a smaller 'annotator export "
                         "--dev-ratio')")
    return notes


def _export_docbins(docs: Iterable[ExportDocument], out: Path, options: ExportOptions, tokenizers: Tokenizers,
                    report: ExportReport, limit: ShardLimit) -> None:
    """One train/dev pair per language (a spaCy pipeline is trained for one language), split by
    ``split_train_dev`` (the rule training and evaluation use too), each side written as it streams
    (``DocBinShards``: at most one shard per side in memory)."""
    sides: dict[tuple[str, Split], DocBinShards] = {}

    def converted() -> Iterator[tuple[ExportDocument, Doc]]:
        for ex in docs:
            doc = to_spacy_doc(ex, tokenizers, report.warnings, report.alignment)
            _count(report, ex)
            yield ex, doc

    # Which languages there are is known only at the end: a side is staged under its language's folder
    # and moved to the top of the export when it turns out to be the only language.
    for side, (ex, doc) in split_train_dev(converted(), lambda pair: dev_score(pair[0], options.seed),
                                           options.dev_ratio):
        if (ex.language, side) not in sides:
            for each in ("train", "dev"):  # both sides of a language are written, an empty one too
                sides[ex.language, each] = DocBinShards(out / ex.language / f"{each}.spacy", limit)
        sides[ex.language, side].add(doc)
    languages = sorted(report.by_language)
    report.split_notes = _empty_side_notes(
        {lang if len(languages) > 1 else "": (sides[lang, "train"].documents, sides[lang, "dev"].documents)
         for lang in languages}, options.dev_ratio)
    for lang in languages:
        folder = out / lang
        if len(languages) == 1:
            folder.mkdir(exist_ok=True)
        report.folders[lang] = out if len(languages) == 1 else folder
        for side in ("train", "dev"):
            written = sides[lang, side].close()
            if len(languages) == 1:
                target = out / written.path.name
                os.rename(written.path, target)
                written = WrittenDocBin(target, written.documents, written.shards)
            report.by_split[side] += written.documents
            report.files.append(written.path)
            report.written.append(written)
        if len(languages) == 1:
            folder.rmdir()
