"""Long documents (issue 11 #1): cut into pieces at paragraph, line, sentence or word boundaries, never
inside a token, entities shifted back to the document's offsets; a document over spaCy's max_length
(1,000,000 characters) is pre-annotated like any other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotator.core.document import NewDocument
from annotator.io.importer import import_paths
from annotator.nlp.pieces import split_points
from annotator.nlp.pipelines import Pipelines
from annotator.nlp.preannotate import entities_of, preannotate
from annotator.nlp.suggest import Item, Limits, Suggested, suggest
from annotator.store import Store


def seed_paragraphs(seeds_dir: Path) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    return [p.strip() for t in texts if "Maroc" not in t for p in re.split(r"\n\s*\n", t) if p.strip()]


def long_text(seeds_dir: Path, chars: int) -> str:
    paragraphs = seed_paragraphs(seeds_dir)
    parts, size, i = [], 0, 0
    while size < chars:
        p = f"{paragraphs[i % len(paragraphs)]} (paragraph {i})"
        parts.append(p)
        size += len(p) + 2
        i += 1
    return "\n\n".join(parts)


def covers(text: str, pieces: list[tuple[int, int]], limit: int) -> None:
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))
    assert all(0 < end - start <= limit for start, end in pieces)


def test_cuts_prefer_paragraphs_then_lines_then_sentences_then_spaces() -> None:
    para = "First paragraph, a bit longer.\n\nSecond one. It goes on,\nand on. Next sentence ends"
    pieces = split_points(para, 50)
    covers(para, pieces, 50)
    assert para[pieces[0][1] :].startswith("Second one")  # after the blank line, not the later sentence
    lines = "aaaa bbbb cccc.\ndddd eeee ffff. gggg hhhh iiii jjjj"
    assert lines[split_points(lines, 30)[0][1] :].startswith("dddd")
    sentences = "aaaa bbbb cccc. dddd eeee ffff gggg hhhh"
    assert sentences[split_points(sentences, 25)[0][1] :].startswith("dddd")
    words = "aaaa bbbb cccc dddd eeee ffff"
    pieces = split_points(words, 12)
    covers(words, pieces, 12)
    assert [words[s:e] for s, e in pieces] == ["aaaa bbbb ", "cccc dddd ", "eeee ffff"]


def test_text_without_spaces_is_cut_after_a_sentence_or_at_a_token() -> None:
    chinese = "外交部长布里塔访问了华盛顿。" * 10
    pieces = split_points(chinese, 40)
    covers(chinese, pieces, 40)
    assert all(chinese[end - 1] == "。" for _, end in pieces)

    def per_char(text: str) -> list[tuple[int, int]]:
        return [(i, i + 1) for i in range(len(text))]

    assert split_points("a" * 25, 10, per_char) == [(0, 9), (9, 18), (18, 25)]
    assert split_points("a" * 25, 10) == [(0, 10), (10, 20), (20, 25)]  # one 25-letter token: nothing better


def test_no_piece_splits_a_token_of_a_real_article(seeds_dir: Path, pipelines: Pipelines) -> None:
    en = pipelines.get("en")
    text = long_text(seeds_dir, 300_000).replace("\n\n", "\n", 40).replace(". ", ".  ", 500)
    whole = [(t.idx, t.idx + len(t)) for t in en.nlp.tokenizer(text) if not t.is_space]
    for limit in (997, 10_000, 100_000):
        pieces = split_points(text, limit)
        covers(text, pieces, limit)
        joined = [(start + t.idx, start + t.idx + len(t)) for start, end in pieces
                  for t in en.nlp.tokenizer(text[start:end]) if not t.is_space]
        assert joined == whole, limit


def test_entities_in_pieces_are_the_entities_of_the_whole(seeds_dir: Path, pipelines: Pipelines) -> None:
    en = pipelines.get("en")
    text = long_text(seeds_dir, 40_000)
    whole = entities_of(en.nlp(text), en)
    outcome = suggest(pipelines, [Item(1, text, "en")], Limits(piece_chars=5_000))[1]
    assert isinstance(outcome, Suggested) and len(whole) > 300
    # Cut at blank lines, the NER sees nearly the same context: the same entities at the same offsets,
    # but for a few next to a cut (the model reads a few tokens either side).
    cuts = [start for start, _ in split_points(text, 5_000)][1:]
    differ = set(outcome.spans) ^ set(whole)
    assert len(differ) <= len(whole) // 100
    assert all(min(abs(span.start - cut) for cut in cuts) < 300 for span in differ)


def test_a_document_over_max_length_gets_suggestions_and_the_others_too(
        store: Store, seeds_dir: Path, pipelines: Pipelines) -> None:
    """Before: E088 on every run, and no document of the batch got suggestions."""
    filler = ("x" * 999 + " ") * 1_000  # 1,000,000 characters of long words: quick for the NER
    sentence = "Antony Blinken met Nasser Bourita in Rabat on Monday.\n\n"
    text = sentence + filler + sentence + filler + sentence
    assert len(text) > 2 * pipelines.get("en").nlp.max_length
    import_paths(store, [seeds_dir])
    long_id = store.import_documents([(NewDocument(text, "long.txt", "en"), [])]).added[0]
    report = preannotate(store, pipelines, processes=1)
    assert report.documents == 6 and not report.failures
    suggestions = store.view(long_id, "alice").suggestions
    found = {(text[s.start : s.end], s.label, s.start // 1_000_000) for s in suggestions}
    for part in (0, 1, 2):
        assert ("Antony Blinken", "PERSON", part) in found
    assert all(d.model_count > 0 for d in store.list_documents())


@pytest.mark.parametrize("processes", [1, 2])
def test_long_and_short_documents_through_the_workers(
        store: Store, seeds_dir: Path, pipelines: Pipelines, processes: int) -> None:
    text = long_text(seeds_dir, 120_000)
    ids = store.import_documents([(NewDocument(text, "long.txt", "en"), []),
                                  *[(NewDocument(f"Note {i}. Antony Blinken was in Rabat.", f"n{i}", "en"), [])
                                    for i in range(5)]]).added
    report = preannotate(store, pipelines, processes=processes, batch_size=3,
                         limits=Limits(batch_size=3, piece_chars=30_000))
    assert report.documents == 6 and report.processes == processes
    spans = store.view(ids[0], "alice").suggestions
    assert spans[-1].start > 90_000
    assert all(text[s.start : s.end] == text[s.start : s.end].strip() for s in spans)
