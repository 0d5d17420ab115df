"""The streaming importer over a real store: records are read one at a time and written in bounded
batches that nobody sees before the import publishes; a bad line anywhere removes what was written;
the JSONL stream says exactly what ``read_jsonl`` says; the quick alignment check agrees with a full
tokenization everywhere."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from annotator.core.errors import InputRefused, Problem
from annotator.core.span import SpanData
from annotator.io.importer import BatchLimits, ImportOptions, QuickAlignment, import_paths, iter_inputs
from annotator.io.jsonl import iter_jsonl, parse_line
from annotator.io.readers.base import ReadContext
from annotator.io.spacy_docs import Tokenizers
from annotator.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def article(n: int) -> dict[str, object]:
    text = f"Report {n}: Bourita met Blinken in Rabat."
    at = text.index("Bourita")
    return {"text": text, "spans": [{"start": at, "end": at + 7, "label": "PERSON"},
                                    {"start": at + 12, "end": at + 19, "label": "PERSON"},
                                    {"start": at + 23, "end": at + 28, "label": "GPE"}]}


def write_jsonl(path: Path, lines: list[object]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines), encoding="utf-8")
    return path


def raw_rows(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        return (conn.execute("SELECT count(*) FROM documents").fetchone()[0],
                conn.execute("SELECT count(*) FROM spans").fetchone()[0])


def test_a_large_import_is_written_in_batches_and_published_whole(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "many.jsonl", [article(n) for n in range(95)])
    calls: list[tuple[int, int, str]] = []
    report = import_paths(store, [path], ImportOptions(author="alice"), lambda d, t, m: calls.append((d, t, m)),
                          limits=BatchLimits(documents=10))
    assert len(report.added) == 95 and report.spans == 285
    assert [d.source for d in store.list_documents()][:2] == ["many.jsonl:1", "many.jsonl:2"]  # file order
    batches = [c for c in calls if c[2].startswith("importing")]
    assert len(batches) == 9  # one report per written batch, bytes read so far, growing
    assert [d for d, _, _ in batches] == sorted(d for d, _, _ in batches) and batches[0][0] > 0
    assert calls[-1][0] == calls[-1][1] == path.stat().st_size and calls[-1][2].startswith("checked")


def test_a_bad_line_after_many_batches_removes_them_and_reports_every_problem(
        store: Store, db_path: Path, tmp_path: Path) -> None:
    lines: list[object] = [article(n) for n in range(60)]
    lines[44] = '{"text": "Rabat"'
    lines[57] = {"text": 7}
    path = write_jsonl(tmp_path / "late.jsonl", lines)
    before = raw_rows(db_path)
    with pytest.raises(InputRefused) as err:
        import_paths(store, [path], limits=BatchLimits(documents=10))
    assert [p.line for p in err.value.problems] == [45, 58]
    assert raw_rows(db_path) == before  # four batches had been written: all removed
    assert store.document_count() == 0


def test_records_are_read_one_at_a_time(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "lazy.jsonl", [article(1), article(2), "not json"])
    problems: list[Problem] = []
    stream = iter_inputs([(path, "lazy.jsonl")], ImportOptions(), problems)
    item, offset = next(stream)
    assert item.document.source == "lazy.jsonl:1" and len(item.annotations[0].spans) == 3
    assert problems == [] and 0 < offset < path.stat().st_size  # line 3 not read yet
    rest = list(stream)
    assert len(rest) == 1 and [p.line for p in problems] == [3]


@pytest.mark.parametrize("content", [
    b'\xef\xbb\xbf{"text": "Rabat"}\n\n  \n{"text": "Tanger"}',  # BOM, blank lines, no final newline
    b'{"text": "ok"}\n{"text": "Alg\xe9rie"}\n[1]\n{"text": ""}\r\n{"text": "x", "spans": [[0, 1, "A"]]}\n',
    b"",
    b"\n \n",
    b'{"text": "a\\u00a0b", "spans": [{"start": 0, "end": 1, "label": "X"}]}\r\n',
])
def test_the_jsonl_stream_reads_each_line_as_the_line_alone_reads(tmp_path: Path, content: bytes) -> None:
    """Streaming (a line at a time from the file) gives what parsing the file's lines one by one does:
    the same line numbers, a BOM only at the start, CRLF and blank lines, UTF-8 errors by line."""
    path = tmp_path / "f.jsonl"
    path.write_bytes(content)
    expected = ReadContext("f.jsonl", [])
    whole = []
    for n, raw in enumerate(content.removeprefix(b"\xef\xbb\xbf").split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            expected.bad(f"is not valid UTF-8 (byte offset {exc.start} in the line)", n)
            continue
        rec = parse_line(line, n, expected)
        if rec is not None:
            whole.append(rec)
    if not content.strip():
        expected.bad("holds no documents (no non-empty lines)")
    ctx = ReadContext("f.jsonl", [])
    streamed = [rec for rec, _ in iter_jsonl(path, ctx)]
    assert streamed == whole and ctx.problems == expected.problems and ctx.warnings == expected.warnings


HOSTILE = [
    "Visit https://example.com/a?b=c, or mail a.b@c.org (today) at 5 a.m. -- U.S. don't l'homme aujourd'hui "
    "c.-à-d. e.g. 1,000.50$ 5km ❤️👍🏽 \"quoted\" 'single' [x] {y} <b>z</b> #tag @user 3rd 12:30pm A/B C&D "
    "E-F ...! ?! N.Y.C. Mr. Dr. St. Jan. vs. etc. :) :-) ;) <3 ^_^ o.O",
    "a  b\n\nc\td\u00a0e\r\nf", "(L)", "Blinken's", "“Bourita”,", "U.S.-Morocco", "5.000 €", "n’est-ce", "'90s",
]


def test_the_quick_alignment_check_agrees_with_a_full_tokenization() -> None:
    """Every (start, end) between non-space characters, in seeds, hostile strings and random
    punctuation soup, in English and French: aligned for the quick check exactly when ``char_span``
    of the whole document's tokenization finds it."""
    rng = random.Random(3)
    alphabet = "aA.,;:'\"()[]-/!?$%&*@#1 0’“”…–—\u00a0\né"
    texts = [p.read_text(encoding="utf-8")[:300] for p in sorted(SEEDS.glob("*.txt"))] + HOSTILE
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24))) for _ in range(200)]
    tokenizers = Tokenizers()
    quick = QuickAlignment(tokenizers)
    checked = 0
    for language in ("en", "fr"):  # (each blank pipeline costs seconds of regex compiling)
        nlp = tokenizers.get(language)
        for text in texts:
            doc = nlp.make_doc(text)
            starts, ends = {t.idx for t in doc}, {t.idx + len(t) for t in doc}  # what char_span accepts
            assert doc.char_span(0, len(text)) is None or (0 in starts and len(text) in ends)
            edges = [i for i, c in enumerate(text) if not c.isspace()][:30]
            for a in edges:
                for b in edges:
                    if b >= a:
                        full = a in starts and b + 1 in ends
                        assert quick.aligned(text, [SpanData(a, b + 1, "X")], language) == full, (language, text, a, b)
                        checked += 1
    assert checked > 40_000
