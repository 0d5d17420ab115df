"""Label names on the command line: ``export --labels/--rename`` take them as the app's "Add label"
does (NFC, trimmed, the label rule, an error naming the option), and ``stats``, ``evaluate`` and
``agreement`` size their label column to the longest name, counting a CJK character as two cells."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.cli.columns import cells, left, width

TEXT = "Société Générale hired 国际组织 staff in Rabat for the Organisation mondiale du commerce."
NAMES = {"Société Générale": "Société", "国际组织": "国际组织机构", "Rabat": "GPE",
         "Organisation mondiale du commerce": "Organisation internationale"}


def _imported(tmp_path: Path) -> str:
    spans = [[TEXT.index(s), TEXT.index(s) + len(s), label] for s, label in NAMES.items()]
    source = tmp_path / "d.jsonl"
    source.write_text(json.dumps({"text": TEXT, "label": spans}, ensure_ascii=False) + "\n", encoding="utf-8")
    db = str(tmp_path / "labels.sqlite3")
    assert main(["--db", db, "import", str(source), "--status", "accepted"]) == 0
    return db


def test_export_labels_given_decomposed_match_the_stored_nfc_label(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = _imported(tmp_path)
    out = tmp_path / "out.jsonl"
    decomposed = unicodedata.normalize("NFD", "Société")
    assert decomposed != "Société"
    assert main(["--db", db, "export", str(out), "--format", "jsonl", "--labels", f" {decomposed} ,GPE"]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(s["label"] for s in record["spans"]) == ["GPE", "Société"]


def test_export_rename_target_is_normalised_and_its_source_matched_in_nfc(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    db = _imported(tmp_path)
    out = tmp_path / "out.jsonl"
    old, new = unicodedata.normalize("NFD", "Société"), unicodedata.normalize("NFD", "Entreprise é")
    assert main(["--db", db, "export", str(out), "--format", "jsonl", "--rename", f"{old}={new}"]) == 0
    labels = {s["label"] for s in json.loads(out.read_text(encoding="utf-8"))["spans"]}
    assert "Entreprise é" in labels and "Société" not in labels


@pytest.mark.parametrize(("option", "value", "said"), [
    ("--labels", "GPE,PER\u200d", "argument --labels: label name 'PER\\u200d' contains '\\u200d' (zero width joiner)"),
    ("--labels", "GPE,PERS\u041eN", "argument --labels: label name 'PERSОN' mixes Latin and Cyrillic letters"),
    ("--rename", "GPE=LOC<b>", "argument --rename: label name 'LOC<b>' contains '<'"),
    ("--rename", "GPE=1ST", "argument --rename: label name '1ST' starts with '1'"),
    ("--rename", "GPE", "argument --rename: 'GPE' must look like OLD=NEW"),
])
def test_a_bad_label_name_in_an_option_is_one_message_naming_the_option_and_nothing_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, said: str) -> None:
    db = _imported(tmp_path)
    capsys.readouterr()
    out = tmp_path / "out.jsonl"
    with pytest.raises(SystemExit) as done:
        main(["--db", db, "export", str(out), "--format", "jsonl", option, value])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not out.exists()


def test_stats_label_column_fits_the_longest_and_widest_label(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    db = _imported(tmp_path)
    capsys.readouterr()
    assert main(["--db", db, "stats"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines.index("spans by label:" + " " * (len("Organisation internationale") - 7) + "human    model")
    rows = lines[header + 1:header + 1 + len(NAMES)]
    assert [row.split()[0] for row in rows] == ["GPE", "Organisation", "Société", "国际组织机构"]
    ends = {cells(row) for row in rows} | {cells(lines[header])}
    assert len(ends) == 1  # every row ends in the same terminal cell as the header
    assert any(cells(line) == cells(lines[header]) - 12 for line in lines if "accepted" in line)


def test_cells_count_wide_characters_twice_and_marks_not_at_all() -> None:
    assert cells("PERSON") == 6
    assert cells("国际组织") == 8
    assert cells(unicodedata.normalize("NFD", "é")) == 1
    assert cells("می\u200cخواهم") == 7
    assert left("国际", 6) == "国际  "
    assert width(["GPE", "国际组织机构"], at_least=4) == 12
    assert width([], at_least=14) == 14
