"""brat reads a ``.txt`` with its byte order mark as a character, so the offsets it writes run one
ahead of the text we store with the mark stripped (adversary pass: a pair brat itself made was refused
as "the .ann does not belong to this .txt"). The quotes decide, as for any brat annotation."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.core.errors import InputRefused
from annotator.io.importer import import_paths
from annotator.store import Store
from annotator.store.schema import SpanRow

TEXT = "Bourita met Blinken in Rabat.\n"


def pair(folder: Path, ann: str, bom: bool = True) -> Path:
    folder.mkdir()
    (folder / "a.txt").write_bytes((b"\xef\xbb\xbf" if bom else b"") + TEXT.encode())
    (folder / "a.ann").write_text(ann, encoding="utf-8")
    return folder


def entities(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        return [(TEXT[r.start:r.end], r.label) for r in conn.execute(select(SpanRow).order_by(SpanRow.start))]


def test_offsets_that_count_the_byte_order_mark_are_moved_back_and_said(store: Store, tmp_path: Path) -> None:
    ann = "T1\tPERSON 1 8\tBourita\r\nT2\tPERSON 13 20;24 29\tBlinken Rabat\r\nT3\tGPE 24 30\tRabat.\r\n"
    report = import_paths(store, [pair(tmp_path / "brat", ann)])
    assert entities(store) == [("Bourita", "PERSON"), ("Blinken", "PERSON"), ("Rabat", "PERSON"), ("Rabat.", "GPE")]
    assert any("a.ann" in w and "3 annotations counted the .txt's byte order mark" in w for w in report.warnings)


def test_offsets_that_do_not_count_it_are_kept(store: Store, tmp_path: Path) -> None:
    report = import_paths(store, [pair(tmp_path / "brat", "T1\tPERSON 0 7\tBourita\n")])
    assert entities(store) == [("Bourita", "PERSON")]
    assert not any("byte order mark" in w for w in report.warnings)


@pytest.mark.parametrize("bom", [True, False])
def test_quotes_that_fit_neither_way_still_refuse_the_pair(store: Store, tmp_path: Path, bom: bool) -> None:
    with pytest.raises(InputRefused, match=r"a.ann, line 1: quotes 'Bourita' but the text at its offsets is 'et Bli'"):
        import_paths(store, [pair(tmp_path / "brat", "T1\tPERSON 9 15\tBourita\n", bom)])
    assert store.document_count() == 0


def test_an_annotation_id_given_twice_is_refused_naming_both_lines(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Amina met Omar in Rabat.", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tPERSON 0 5\tAmina\nT2\tPERSON 10 14\tOmar\nT1\tGPE 18 23\tRabat\n",
                                    encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        import_paths(store, [tmp_path])
    assert "a.ann, line 3: gives the id 'T1' again (line 1 has it)" in str(refused.value)
    assert store.document_count() == 0
