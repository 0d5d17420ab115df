"""A CoNLL tag with a prefix no scheme has ("X-FOO") is refused by line and field, not made a label."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.errors import InputRefused
from annotator.io.importer import ImportOptions, import_paths
from annotator.store import Store


def test_an_unknown_prefix_is_refused_naming_the_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "typo.conll"
    path.write_text("Amina\tB-PER\nmet\tO\nOmar\tX-FOO\n", encoding="utf-8")
    with pytest.raises(InputRefused) as refused:
        import_paths(store, [path], ImportOptions(author="ana"))
    assert "typo.conll, line 3, field 'tag': 'X-FOO' is not a tag: 'X-' is no scheme's prefix" in str(refused.value)
    assert store.document_count() == 0 and "X-FOO" not in {label.name for label in store.labels()}


def test_bare_types_of_the_io_scheme_are_still_labels(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "io.conll"
    path.write_text("Amina\tPER\nBenali\tPER\nmet\tO\nRabat\tLOC\n", encoding="utf-8")
    import_paths(store, [path], ImportOptions(author="ana"))
    (doc,) = store.list_documents()
    assert [(s.label, s.start, s.end) for s in store.view(doc.id, "ana").confirmed] == [("PER", 0, 12), ("LOC", 17, 22)]
