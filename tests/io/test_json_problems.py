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


def test_a_bad_tag_in_spacy_v2_json_is_named_by_sentence_and_token(store: Store, tmp_path: Path) -> None:
    # The message named "paragraphs[0].tokens[3].ner", a place the file does not have: the third
    # token of the second sentence was counted across sentences.
    import json

    tokens = [[{"orth": "Bourita", "ner": "U-PER"}, {"orth": "spoke", "ner": "O"}, {"orth": ".", "ner": "O"}],
              [{"orth": "Blinken", "ner": "O"}, {"orth": "listened", "ner": "X-PER"}]]
    path = tmp_path / "v2.json"
    path.write_text(json.dumps([{"id": 0, "paragraphs": [{"sentences": [{"tokens": t} for t in tokens]}]}]),
                    encoding="utf-8")
    with pytest.raises(InputRefused) as caught:
        import_paths(store, [path], ImportOptions(author="maria"))
    assert "[0].paragraphs[0].sentences[1].tokens[1].ner" in str(caught.value), str(caught.value)
    assert store.stats().documents == 0
