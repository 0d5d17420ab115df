"""The spaCy export in shards: a side larger than a shard is a folder of DocBin files that spaCy's own
corpus reader, our import and a later export all take; a side that fits in one stays one file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin
from spacy.training import Corpus
from thinc.api import Config

from annotator.cli import main
from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.progress import Cancelled, CancelToken
from annotator.core.span import SpanData
from annotator.io.docbin_shards import SHARD_LIMIT, ShardLimit, docbin_files, read_docs
from annotator.io.exporter import ExportFormat, export, written_paths
from annotator.io.importer import import_paths
from annotator.io.selection import ExportOptions, dev_score, iter_export, side_of
from annotator.store import Store

SMALL = ShardLimit(documents=4, tokens=10**6)
EN = spacy.blank("en")


def add_documents(store: Store, n: int, languages: tuple[str, ...] = ("en",), start: int = 0) -> None:
    items = []
    for i in range(start, start + n):
        text = f"Bourita met Blinken in Rabat, meeting number {i}."
        at = text.index("Rabat")
        items.append((NewDocument(text, f"d{i}.txt", languages[i % len(languages)], DocumentStatus.ACCEPTED),
                      [SpanData(at, at + 5, "GPE")]))
    for i in range(0, len(items), 500):
        store.import_documents(items[i : i + 500], author="alice")


def ids(path: Path) -> list[int]:
    return [d.user_data["annotator"]["id"] for d in read_docs(path, EN.vocab)]


def texts(store: Store) -> set[str]:
    return {ex.text for ex in iter_export(store, ExportOptions())}


def staged_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def expected_sides(store: Store, options: ExportOptions) -> dict[str, list[int]]:
    """The split as the rule gives it, document by document, in id order."""
    sides: dict[str, list[int]] = {"train": [], "dev": []}
    for ex in iter_export(store, options):
        sides[side_of(dev_score(ex, options.seed), options.dev_ratio)].append(ex.id)
    return sides


def test_a_side_larger_than_a_shard_is_a_folder_spacys_corpus_reader_reads(store: Store, tmp_path: Path) -> None:
    add_documents(store, 30)
    out = tmp_path / "out"
    options = ExportOptions(dev_ratio=0.3)
    report = export(store, out, ExportFormat.SPACY, options, shard_limit=SMALL, config_base=lambda lang: None)
    sides = expected_sides(store, options)
    assert len(sides["train"]) > 2 * SMALL.documents and len(sides["dev"]) > SMALL.documents  # both sharded
    for side in ("train", "dev"):
        folder = out / f"{side}.spacy"
        assert folder.is_dir()
        shards = docbin_files(folder)
        n = len(sides[side])
        assert [p.name for p in shards] == [f"{i:04d}.spacy" for i in range(-(-n // SMALL.documents))]
        assert all(len(DocBin().from_disk(p)) <= SMALL.documents for p in shards)
        assert ids(folder) == sides[side]  # the same split as ever, in order
        # spaCy's own reader, as `spacy train --paths.train out/train.spacy` uses it
        assert len(list(Corpus(folder)(EN))) == n
    # ... and through the config.cfg the export wrote
    config = Config().from_disk(out / "config.cfg", interpolate=False)
    assert config["paths"]["train"] == str(out / "train.spacy")
    assert len(list(Corpus(config["paths"]["train"])(EN))) == report.by_split["train"] == len(sides["train"])
    assert len(list(Corpus(config["paths"]["dev"])(EN))) == report.by_split["dev"] == len(sides["dev"])
    n_train = len(sides["train"])
    assert written_paths(report) == [
        f"{out / 'train.spacy'} ({-(-n_train // 4)} shards, {n_train} documents)",
        f"{out / 'dev.spacy'} ({-(-len(sides['dev']) // 4)} shards, {len(sides['dev'])} documents)"]


def test_a_side_that_fits_in_one_shard_stays_one_file(store: Store, tmp_path: Path) -> None:
    add_documents(store, 10)
    options = ExportOptions(dev_ratio=0.0)
    exactly = export(store, tmp_path / "a", ExportFormat.SPACY, options, shard_limit=ShardLimit(10, 10**6))
    assert (tmp_path / "a" / "train.spacy").is_file() and (tmp_path / "a" / "dev.spacy").is_file()
    assert ids(tmp_path / "a" / "train.spacy") == expected_sides(store, options)["train"]
    assert written_paths(exactly) == [f"{tmp_path / 'a' / 'train.spacy'} (10 documents)",
                                      f"{tmp_path / 'a' / 'dev.spacy'} (0 documents)"]
    export(store, tmp_path / "b", ExportFormat.SPACY, options, shard_limit=ShardLimit(9, 10**6))
    assert len(docbin_files(tmp_path / "b" / "train.spacy")) == 2


def test_long_documents_close_a_shard_by_tokens(store: Store, tmp_path: Path) -> None:
    long_text = " ".join(["word"] * 300) + " in Rabat."
    store.import_documents([(NewDocument(f"{i} {long_text}", f"l{i}.txt", "en", DocumentStatus.ACCEPTED), [])
                            for i in range(5)] + [(NewDocument(f"short {i}.", f"s{i}.txt", "en",
                                                               DocumentStatus.ACCEPTED), []) for i in range(3)],
                           author="alice")
    out = tmp_path / "out"
    export(store, out, ExportFormat.SPACY, ExportOptions(dev_ratio=0.0), shard_limit=ShardLimit(100, 700))
    sizes = [sum(len(d) for d in DocBin().from_disk(p).get_docs(EN.vocab)) for p in docbin_files(out / "train.spacy")]
    assert len(sizes) == 3 and all(s <= 700 for s in sizes)  # two long documents a shard, then one with the rest
    assert sum(len(DocBin().from_disk(p)) for p in docbin_files(out / "train.spacy")) == 8


def test_each_language_gets_its_own_shard_folders(store: Store, tmp_path: Path) -> None:
    add_documents(store, 24, languages=("en", "fr"))
    out = tmp_path / "out"
    report = export(store, out, ExportFormat.SPACY, ExportOptions(dev_ratio=0.0), shard_limit=SMALL)
    assert report.folders == {"en": out / "en", "fr": out / "fr"}
    for lang in ("en", "fr"):
        assert [p.name for p in docbin_files(out / lang / "train.spacy")] == ["0000.spacy", "0001.spacy", "0002.spacy"]
        assert (out / lang / "dev.spacy").is_file()
    assert report.by_split == {"train": 24, "dev": 0}


def test_a_sharded_export_imports_back_whole_or_one_side(store: Store, tmp_path: Path) -> None:
    add_documents(store, 20)
    out = tmp_path / "out"
    report = export(store, out, ExportFormat.SPACY, ExportOptions(dev_ratio=0.3), shard_limit=SMALL)
    back = Store.open(str(tmp_path / "back.sqlite3"))
    assert len(import_paths(back, [out / "train.spacy"]).added) == report.by_split["train"]
    assert len(import_paths(back, [out]).added) == report.by_split["dev"]  # train's are duplicates now
    assert back.document_count() == 20
    assert texts(back) == texts(store)
    back.close()


def test_a_new_export_replaces_shards_and_files_alike(store: Store, tmp_path: Path) -> None:
    add_documents(store, 20)
    out = tmp_path / "out"
    export(store, out, ExportFormat.SPACY, ExportOptions(dev_ratio=0.0), shard_limit=SMALL)
    assert len(docbin_files(out / "train.spacy")) == 5
    (out / "notes.txt").write_text("mine")
    export(store, out, ExportFormat.SPACY, ExportOptions(dev_ratio=0.0), shard_limit=ShardLimit(7, 10**6))
    assert len(docbin_files(out / "train.spacy")) == 3  # not 5: no shard of the older export is kept
    export(store, out, ExportFormat.SPACY, ExportOptions(dev_ratio=0.0))
    assert (out / "train.spacy").is_file() and len(DocBin().from_disk(out / "train.spacy")) == 20
    export(store, out, ExportFormat.SPACY, ExportOptions(dev_ratio=0.0), shard_limit=SMALL)
    assert len(ids(out / "train.spacy")) == 20
    assert sorted(p.name for p in out.iterdir()) == [".annotator-export", "dev.spacy", "notes.txt", "train.spacy"]
    assert staged_leftovers(tmp_path) == []


def test_a_cancelled_export_leaves_no_shard_behind(store: Store, tmp_path: Path) -> None:
    add_documents(store, 600)  # the store is read 500 at a time: shards are written before the cancel
    out = tmp_path / "out"
    export(store, out, ExportFormat.SPACY, ExportOptions(dev_ratio=0.0))
    before = (out / "train.spacy").read_bytes()
    cancel = CancelToken()
    with pytest.raises(Cancelled):
        export(store, out, ExportFormat.SPACY, ExportOptions(dev_ratio=0.0), shard_limit=SMALL, cancel=cancel,
               progress=lambda done, total, message: cancel.cancel())
    assert (out / "train.spacy").read_bytes() == before
    assert staged_leftovers(tmp_path) == []


def test_the_command_line_names_the_shards(store: Store, db_path: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    n = SHARD_LIMIT.documents * 2 + 1  # the real limit: three shards
    add_documents(store, n)
    out = tmp_path / "out"
    assert main(["--db", str(db_path), "export", str(out), "--dev-ratio", "0"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert f"  wrote {out / 'train.spacy'} (3 shards, {n:,} documents)" in printed
    assert f"  wrote {out / 'dev.spacy'} (0 documents)" in printed
    assert len(list(Corpus(out / "train.spacy")(EN))) == n


@pytest.mark.slow
def test_spacy_debug_data_and_train_take_a_sharded_export(store: Store, tmp_path: Path) -> None:
    """The README's commands, on an export whose train.spacy and dev.spacy are shard folders."""
    add_documents(store, 150)  # spaCy's debug data wants 100 training documents for a new pipeline
    out = tmp_path / "out"
    export(store, out, ExportFormat.SPACY, ExportOptions(dev_ratio=0.3), shard_limit=ShardLimit(10, 10**6),
           config_base=lambda lang: None)
    assert (out / "train.spacy").is_dir() and (out / "dev.spacy").is_dir()
    config = str(out / "config.cfg")
    debug = subprocess.run([sys.executable, "-m", "spacy", "debug", "data", config], capture_output=True, text=True,
                           timeout=600)
    assert debug.returncode == 0, debug.stdout + debug.stderr
    assert f"{len(ids(out / 'train.spacy'))} training docs" in debug.stdout
    train = subprocess.run([sys.executable, "-m", "spacy", "train", config, "--output", str(out / "model"),
                            "--training.max_steps", "4", "--training.eval_frequency", "2"],
                           capture_output=True, text=True, timeout=600)
    assert train.returncode == 0, train.stdout + train.stderr
    assert "GPE" in spacy.load(out / "model" / "model-last").get_pipe("ner").labels
