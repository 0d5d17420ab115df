"""A broken JSON line is named with json's own words and where, read as a sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.errors import InputRefused
from annotator.io.importer import ImportOptions, import_paths
from annotator.store import Store


@pytest.mark.parametrize(("content", "said"), [
    ('{"text": "broken\n', "a.jsonl, line 1: is not valid JSON (Unterminated string starting at column 10)"),
    ('{"text": "Rabat" "x": 1}\n', "a.jsonl, line 1: is not valid JSON (Expecting ',' delimiter at column 18)"),
])
def test_the_message_reads_as_a_sentence(store: Store, tmp_path: Path, content: str, said: str) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputRefused) as caught:
        import_paths(store, [path], ImportOptions(author="maria"))
    assert said in str(caught.value)
