"""The spaCy export folder is replaced whole: what a killed export leaves is cleaned or put back, what the
user keeps in the folder survives, and files get the user's umask."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.progress import Cancelled, CancelToken
from annotator.core.span import SpanData
from annotator.io.atomic import remove_leftovers
from annotator.io.exporter import ExportFormat, export
from annotator.io.selection import ExportOptions
from annotator.store import Store


@pytest.fixture
def two_languages(store: Store) -> Store:
    items = []
    for i in range(12):
        text = f"Bourita met Blinken in Rabat, meeting {i}." if i % 2 else f"Bourita a vu Blinken à Rabat, réunion {i}."
        start = text.index("Rabat")
        items.append((NewDocument(text, f"d{i}.txt", "en" if i % 2 else "fr", DocumentStatus.ACCEPTED),
                      [SpanData(start, start + 5, "GPE")]))
    store.import_documents(items, author="alice")
    return store


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(proc.stdout)


def test_a_new_export_replaces_the_old_data_and_keeps_everything_else(two_languages: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = export(two_languages, out, ExportFormat.SPACY, ExportOptions(), config_base=lambda lang: None)
    assert first.folders == {"en": out / "en", "fr": out / "fr"}
    assert [c.path for c in first.configs] == [out / "en" / "config.cfg", out / "fr" / "config.cfg"]
    # what a person adds: a trained model beside the config, notes, an edited config
    (out / "en" / "model").mkdir()
    (out / "en" / "model" / "meta.json").write_text("{}")
    (out / "notes.txt").write_text("mine")
    (out / "fr" / "config.cfg").write_text("[hand-edited]")
    second = export(two_languages, out, ExportFormat.SPACY, ExportOptions(language="en"))
    assert second.files == [out / "train.spacy", out / "dev.spacy"]
    # the old per-language data is gone (never mixed with the new), the person's files are all there
    assert tree(out) == [".annotator-export", "dev.spacy", "en", "en/config.cfg", "en/model", "en/model/meta.json",
                         "fr", "fr/config.cfg", "notes.txt", "train.spacy"]
    assert (out / "fr" / "config.cfg").read_text() == "[hand-edited]"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_export_written_with_configs_replaces_them(two_languages: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "config.cfg").write_text("[old]")  # export files only (an export of an earlier version): replaceable
    report = export(two_languages, out, ExportFormat.SPACY, ExportOptions(language="fr"),
                    config_base=lambda lang: None)
    assert report.configs[0].path == out / "config.cfg"
    assert "incorrect_spans_key" in (out / "config.cfg").read_text()


def test_a_cancelled_export_leaves_the_previous_folder_as_it_was(two_languages: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(two_languages, out, ExportFormat.SPACY, ExportOptions(language="en"))
    before = {p: p.read_bytes() for p in out.iterdir()}
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        export(two_languages, out, ExportFormat.SPACY, ExportOptions(), cancel=cancel)
    assert {p: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("store.")) == ["out"]


def test_killed_between_the_two_renames_the_old_export_comes_back(two_languages: Store, tmp_path: Path) -> None:
    """What a SIGKILL between "old folder aside" and "new folder in" leaves: no ``out``, the old export
    set aside, the complete new one under its temporary name. Both names carry the dead writer's pid."""
    old = tmp_path / "old-export"
    export(two_languages, old, ExportFormat.SPACY, ExportOptions(language="en", seed=1))
    (old / "model").mkdir()
    pid = dead_pid()
    out = tmp_path / "out"
    aside = tmp_path / f".out.old-{pid}-abc123"
    old.rename(aside)
    new = tmp_path / f".out.tmp-{pid}-def456"
    export(two_languages, new, ExportFormat.SPACY, ExportOptions(language="en"))
    alive = tmp_path / f".out.tmp-{os.getpid()}-ghi789"  # a writer still at work: never touched
    alive.mkdir()
    removed = remove_leftovers(out)
    assert sorted(p.name for p in removed) == sorted([aside.name, new.name])
    assert sorted(p.name for p in out.iterdir()) == [".annotator-export", "dev.spacy", "model", "train.spacy"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [alive.name]
    alive.rmdir()


def test_killed_after_the_swap_the_set_aside_folder_is_merged_then_removed(two_languages: Store,
                                                                           tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(two_languages, out, ExportFormat.SPACY, ExportOptions(language="en"))
    aside = tmp_path / f".out.old-{dead_pid()}-abc123"
    export(two_languages, aside, ExportFormat.SPACY, ExportOptions(language="en", seed=3))
    (aside / "model").mkdir()
    new_train = (out / "train.spacy").read_bytes()
    export(two_languages, out, ExportFormat.SPACY, ExportOptions(language="en"))  # cleans up first
    assert (out / "train.spacy").read_bytes() == new_train  # the set-aside (older) data did not come back
    assert (out / "model").is_dir() and not aside.exists()


def test_a_killed_file_export_leaves_a_temporary_that_the_next_export_removes(two_languages: Store,
                                                                             tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    partial = tmp_path / f".out.jsonl.tmp-{dead_pid()}-x1y2z3"
    partial.write_text('{"text": "half')
    export(two_languages, out, ExportFormat.JSONL, ExportOptions())
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("store.")) == ["out.jsonl"]


@pytest.mark.parametrize(("umask", "file_mode", "folder_mode"), [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750),
                                                                  (0o002, 0o664, 0o775)])
def test_exported_files_follow_the_umask(two_languages: Store, tmp_path: Path, umask: int, file_mode: int,
                                         folder_mode: int) -> None:
    previous = os.umask(umask)
    try:
        export(two_languages, tmp_path / "out", ExportFormat.SPACY, ExportOptions(), config_base=lambda lang: None)
        export(two_languages, tmp_path / "out.jsonl", ExportFormat.JSONL, ExportOptions())
    finally:
        os.umask(previous)
    files = [tmp_path / "out.jsonl", *(p for p in (tmp_path / "out").rglob("*") if p.is_file())]
    assert {oct(p.stat().st_mode & 0o777) for p in files} == {oct(file_mode)}
    folders = [tmp_path / "out", tmp_path / "out" / "en", tmp_path / "out" / "fr"]
    assert {oct(p.stat().st_mode & 0o777) for p in folders} == {oct(folder_mode)}


def test_a_folder_of_someone_elses_files_is_refused_and_left_alone(two_languages: Store, tmp_path: Path) -> None:
    from annotator.core.errors import AnnotatorError

    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "letter.odt").write_text("dear")
    with pytest.raises(AnnotatorError, match=r"it holds other files \(letter\.odt\) and no earlier export"):
        export(two_languages, folder, ExportFormat.SPACY, ExportOptions())
    assert sorted(p.name for p in folder.iterdir()) == ["letter.odt"]
    inside = folder / "training-data"
    export(two_languages, inside, ExportFormat.SPACY, ExportOptions(language="en"))  # what the message suggests
    (inside / "notes.txt").write_text("added later")
    export(two_languages, inside, ExportFormat.SPACY, ExportOptions(language="en"))  # marked: replaced whole
    assert (inside / "notes.txt").read_text() == "added later"
