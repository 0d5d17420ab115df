"""``annotator import`` of a JSONL file with spans against a raw ``json.loads`` + bulk insert of the
same rows, in the same run on this machine (SQLite file), at two sizes to show memory stays flat.

  raw:   read the file a line at a time, ``json.loads``, insert the same document and span rows with
         SQLAlchemy Core executemany in one transaction (no checks, no staging);
  ours:  ``annotator.io.importer.import_paths``: streaming, every field checked, spans judged
         against the tokenizer (kept and marked when off), staged batches published at once.

Each run is a subprocess of its own (``benchmarks/import_scale.py``'s workers), so its peak RSS
(VmHWM) is that run's alone. Prints throughput ratio ours/raw (goal >= 0.5) and peak memory per size
(goal: flat in the file size).

    python benchmarks/import.py [--lines 10000 100000]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIRST = "Amina Youssef Karim Leila Omar Sara John Mary Peter Laura David Anna Paul Julia Mark Emma".split()
LAST = "Benali Alaoui Tazi Idrissi Smith Johnson Brown Miller Garcia Martin Dubois Moreau Rossi Weber".split()
PLACES = "Rabat Casablanca Paris London Madrid Berlin Tunis Dakar Lisbon Rome Vienna Cairo Lagos Oslo".split()
ORGS = ["the United Nations", "the World Bank", "the European Union", "the African Union", "NATO", "UNESCO"]


def scale() -> Any:
    spec = importlib.util.spec_from_file_location("import_scale", HERE / "import_scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def line(i: int, rng: random.Random) -> dict[str, Any]:
    """One short dispatch with a person, a place and an organisation; 1 in 100 also has a nested span
    (kept as the file says and marked "needs attention")."""
    person = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    place, org = rng.choice(PLACES), rng.choice(ORGS)
    head = f"Dispatch {i}: "
    text = (f"{head}{person} met officials of {org} in {place} on day {rng.randrange(1, 366)} to discuss "
            f"trade, water and the budget for {2000 + i % 30}.")
    spans = [{"start": len(head), "end": len(head) + len(person), "label": "PERSON"}]
    start = text.index(org)
    spans.append({"start": start, "end": start + len(org), "label": "ORG"})
    start = text.index(f" in {place}") + 4
    spans.append({"start": start, "end": start + len(place), "label": "GPE"})
    if i % 100 == 0:
        spans.append({"start": len(head), "end": len(head) + len(person.split()[0]), "label": "PERSON"})
    return {"text": text, "spans": spans, "meta": {"source": f"wire/{i}"}}


def write_corpus(path: Path, n: int) -> int:
    rng = random.Random(n)
    spans = 0
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            record = line(i, rng)
            spans += len(record["spans"])
            out.write(json.dumps(record) + "\n")
    return spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workdir", type=Path, help="where corpora and SQLite files go (default: a temp folder)")
    args = parser.parse_args()
    workers = scale()
    rows = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        for n in args.lines:
            corpus = Path(tmp) / f"corpus-{n}.jsonl"
            spans = write_corpus(corpus, n)
            raw = workers.run_worker("raw", str(Path(tmp) / f"raw-{n}.sqlite3"), str(corpus))
            ours = workers.run_worker("ours", str(Path(tmp) / f"ours-{n}.sqlite3"), str(corpus))
            assert ours["documents"] == raw["documents"] == n and ours["visible"] == n, (raw, ours)
            row = {"lines": n, "spans": spans, "megabytes": round(corpus.stat().st_size / 1e6, 1),
                   "raw_s": round(raw["seconds"], 2), "ours_s": round(ours["seconds"], 2),
                   "ratio": round(raw["seconds"] / ours["seconds"], 2),
                   "raw_peak_mb": round(raw["peak_rss_mb"]), "ours_peak_mb": round(ours["peak_rss_mb"]),
                   "ours_rss_at_start_mb": round(ours["rss_at_start_mb"]),
                   "ours_longest_write_s": round(ours["longest_write_s"], 2)}
            rows.append(row)
            print(f"{n:>8,} lines ({row['megabytes']} MB, {spans:,} spans): raw {row['raw_s']} s, "
                  f"{row['raw_peak_mb']} MB peak | ours {row['ours_s']} s, {row['ours_peak_mb']} MB peak "
                  f"({row['ours_rss_at_start_mb']} MB before importing) | throughput ours/raw {row['ratio']}",
                  flush=True)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    sys.exit(main())
