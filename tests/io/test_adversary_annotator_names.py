"""Annotator names are shown everywhere (reports, the Team panel, agreement tables) and come from files
(Prodigy ``_annotator_id``, Label Studio ``completed_by``) or from ``--user`` (adversary pass): a name
with ESC sequences or a right-to-left override was stored and printed as it was. Such a name is now
refused: by file, line and field, or as the ``--user`` option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.errors import InputRefused
from annotator.io.importer import import_paths
from annotator.store import Store

HOSTILE = {"escape": ("ev\x1b[2Jil", "U+001B"), "right-to-left override": ("evil\u202etxt.exe", "U+202E"),
           "line break": ("al\nice", "U+000A"), "zero width": ("a\u200bb", "U+200B")}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_annotator_name_in_a_file_is_refused_by_field(store: Store, tmp_path: Path, name: str) -> None:
    who, code = HOSTILE[name]
    path = tmp_path / "prodigy.jsonl"
    path.write_text(json.dumps({"text": "Rabat est grande.", "spans": [{"start": 0, "end": 5, "label": "GPE"}],
                                "answer": "accept", "_input_hash": 1, "_task_hash": 2, "_annotator_id": who}) + "\n",
                    encoding="utf-8")
    with pytest.raises(InputRefused) as err:
        import_paths(store, [path])
    assert "prodigy.jsonl, line 1, field '_annotator_id'" in str(err.value) and code in str(err.value)
    assert store.document_count() == 0


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_user_option_is_refused(db_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    who, code = HOSTILE[name]
    assert main(["--db", str(db_path), "--user", who, "stats"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("annotator: error: the annotator name ") and code in err and "\x1b" not in err


def test_names_in_any_script_with_spaces_and_punctuation_are_kept(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "prodigy.jsonl"
    path.write_text(json.dumps({"text": "Rabat est grande.", "spans": [{"start": 0, "end": 5, "label": "GPE"}],
                                "answer": "accept", "_input_hash": 1, "_task_hash": 2,
                                "_annotator_id": "Zoé O'Brien-سارة (b@x.org)"}) + "\n", encoding="utf-8")
    import_paths(store, [path])
    assert store.document_count() == 1


@pytest.mark.parametrize(("model", "why"), [("", "cannot be empty"), ("m\x1b[2J", "U+001B"),
                                            ("@gold", "reserved")])
def test_import_predictions_needs_a_model_name_by_the_same_rule(db_path: Path, tmp_path: Path, model: str, why: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"text": "Rabat est grande.", "spans": [{"start": 0, "end": 5, "label": "GPE"}]}) +
                    "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:  # an empty name imported the spans as the user's own
        main(["--db", str(db_path), "import", "--predictions", model, str(path)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --predictions: the model name" in err and why in err
    assert not Store.open(str(db_path)).document_count()
