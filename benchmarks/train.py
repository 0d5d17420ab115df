"""Training cost and re-run throughput of a trained model, on this machine, in one run.

1. Builds a corpus from the seeds (each English seed copied N times with a numbered dateline), with
   one systematic correction ("Blinken" is a PERSON), all accepted; trains for a few epochs and
   reports update time per epoch per 1,000 training words (rehearsal examples included in the work,
   excluded from the word count, as they are overhead of the guard against forgetting).
2. Re-runs the trained model over the unfinished documents with ``preannotate`` and compares with raw
   ``nlp.pipe`` of the same pipeline on the same texts (goal >= 0.85).

    python benchmarks/train.py [--copies 10] [--epochs 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from annotator.core.document import DocumentStatus, NewDocument
from annotator.nlp.evaluate import gold_documents
from annotator.nlp.pipelines import PipelineConfig, Pipelines
from annotator.nlp.preannotate import preannotate
from annotator.nlp.train import TrainSettings, train
from annotator.store import Store

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rerun-docs", type=int, default=400)
    args = parser.parse_args()
    english = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")) if "Maroc" not in p.read_text()]
    pipelines = Pipelines()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(str(Path(tmp) / "bench.sqlite3"))
        docs = [(NewDocument(f"Dispatch {i}.\n\n{english[i % len(english)]}", f"d{i}", "en"), [])
                for i in range(args.copies * len(english))]
        store.import_documents(docs)
        preannotate(store, pipelines)
        for doc in store.list_documents():
            view = store.view(doc.id, "bench")
            for s in view.suggestions:
                if view.text[s.start : s.end] == "Blinken" and s.label != "PERSON":
                    store.relabel_span(s.id, "PERSON", "bench")
            store.set_status(doc.id, DocumentStatus.ACCEPTED, "bench")
        train_words = sum(len(d.text.split()) for d in gold_documents(store, "en", "train"))
        unfinished = [(NewDocument(f"Wire {i}.\n\n{english[i % len(english)]}", f"w{i}", "en"), [])
                      for i in range(args.rerun_docs)]
        store.import_documents(unfinished)
        report = train(store, pipelines, "en", output=Path(tmp) / "models",
                       settings=TrainSettings(max_epochs=args.epochs, patience=args.epochs, rehearsal=0.0))
        per_epoch = sum(e.seconds for e in report.epochs) / len(report.epochs)
        print(f"training: {report.train_docs} documents, {train_words:,} words, {len(report.epochs)} epochs, "
              f"{per_epoch:.2f} s/epoch = {per_epoch / (train_words / 1000):.3f} s per 1,000 words per epoch")
        before, after = report.before.overall.f, report.after.overall.f
        print(f"  dev F {before:.3f} -> {after:.3f} ({report.dev_docs} dev documents)")

        store.set_suggestion_model("en", report.model.path)
        chosen = Pipelines(PipelineConfig.from_env().with_choices(store.suggestion_models()))
        nlp = chosen.get("en").nlp
        ids = store.ids_needing_suggestions("en", rerun=True)
        texts = [t for t, _ in store.texts(ids).values()]
        words = sum(len(t.split()) for t in texts)
        list(nlp.pipe(texts[:10]))  # warm-up
        start = time.perf_counter()
        raw_ents = sum(len(d.ents) for d in nlp.pipe(texts, batch_size=64))
        raw_s = time.perf_counter() - start
        start = time.perf_counter()
        rerun = preannotate(store, chosen, language="en", rerun=True)
        ours_s = time.perf_counter() - start
        store.close()
    print(f"re-run of the trained model on {rerun.documents} unfinished documents ({words:,} words):")
    print(f"  raw nlp.pipe {raw_s:.2f} s ({raw_ents} entities), preannotate {ours_s:.2f} s ({rerun.spans} stored)")
    print(f"  throughput ratio ours/raw: {raw_s / ours_s:.3f}  (goal >= 0.85)")


if __name__ == "__main__":
    main()
