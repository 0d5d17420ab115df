"""CoNLL token lines with a column missing (adversary pass). The tag is the last column, so in a
CoNLL-2003 table (token POS chunk NER) a line that lost its NER column made its chunk tag an entity
(``met VBD B-VP`` -> a "VP" entity), and in a two-column file a line with an extra column made the
POS tag one (``met VBD`` after ``Bourita NNP B-PER`` -> a "VBD" entity); both imported with exit 0
and a new label in the scheme. Every token line of a file now has the same number of columns, or
the file is refused naming the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.errors import InputRefused
from annotator.io.importer import import_paths
from annotator.store import Store

CONLL_2003 = ("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\n"
              "call NN I-NP O\n. . O O\n")


@pytest.mark.parametrize(("content", "line", "columns", "first"), [
    (CONLL_2003.replace("rejects VBZ B-VP O", "rejects VBZ B-VP"), 4, 3, 4),
    ("Bourita NNP B-PER\nmet VBD\nBlinken NNP B-PER\n", 2, 2, 3),
    ("Bourita\tB-PER\nmet\tO\textra\n", 2, 3, 2),
    ("Bourita B-PER\n\n-DOCSTART- -X- O O\n\nBlinken NNP B-PER\n", 5, 3, 2),
])
def test_a_token_line_with_another_number_of_columns_is_refused_by_line(
        store: Store, tmp_path: Path, content: str, line: int, columns: int, first: int) -> None:
    path = tmp_path / "news.conll"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputRefused) as err:
        import_paths(store, [path])
    message = str(err.value)
    assert f"news.conll, line {line}: has {columns} columns, but the first token line has {first}" in message
    assert store.document_count() == 0 and not {"VBD", "VP"} & {lab.name for lab in store.labels()}


def test_same_columns_with_tabs_or_spaces_and_our_own_docstart_still_import(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "mixed.conll"
    path.write_text("-DOCSTART- -X- O O\n\nBourita\tB-PER\nmet O\n\n-DOCSTART- -X- O O\n\nRabat\tU-GPE\n",
                    encoding="utf-8")
    assert len(import_paths(store, [path]).added) == 2
    assert len(import_paths(store, [tmp_path / "mixed.conll"]).added) == 0  # same texts: nothing new
    path.write_text(CONLL_2003, encoding="utf-8")
    assert len(import_paths(store, [path]).added) == 1


def test_a_no_break_space_inside_a_token_is_part_of_it(store: Store, tmp_path: Path) -> None:
    """Columns are separated by spaces or tabs, not by any Unicode space: "10\\u00a0000 O" is one token
    (it was cut in two, "000" taken for the tag column)."""
    path = tmp_path / "fr.conll"
    path.write_text("Budget O\n10\u00a0000 O\ndirhams O\nà O\nRabat B-LOC\n", encoding="utf-8")
    report = import_paths(store, [path])
    view = store.view(report.added[0], "tester")
    assert view.text == "Budget 10\u00a0000 dirhams à Rabat"
