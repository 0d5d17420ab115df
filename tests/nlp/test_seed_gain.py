"""Issue 12's setting, kept short: an analyst corrects seed articles 000 and 002 to hand-made gold
(tests/nlp/gold_seeds.py) through the store's edit calls and accepts them; training learns from both;
base and trained model are scored on 001 and 004, which are not even in the store. The full-length
figures (default settings) come from benchmarks/train.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from annotator.core.document import DocumentStatus
from annotator.io.selection import ExportDocument
from annotator.nlp.evaluate import evaluate, paired_gain
from annotator.nlp.pipelines import PipelineConfig, Pipelines
from annotator.nlp.train import TrainSettings, train
from annotator.store import Store
from tests.nlp.gold_seeds import correct_to_gold, gold_spans, seed_path, seed_text, seeded_store


def held_out(keys: list[str]) -> list[ExportDocument]:
    out = []
    for i, key in enumerate(keys):
        text = seed_text(key)
        out.append(ExportDocument(-1 - i, text, "en", seed_path(key).name, DocumentStatus.ACCEPTED, "gold",
                                  hashlib.sha256(text.encode()).hexdigest(), {}, tuple(gold_spans(key)), (), True))
    return out


@pytest.mark.slow
def test_two_corrected_articles_teach_what_two_unseen_ones_show(tmp_path: Path, pipelines: Pipelines) -> None:
    ids = seeded_store(tmp_path / "s.sqlite3", ["000", "002"], pipelines)
    store = Store.open(str(tmp_path / "s.sqlite3"))
    try:
        edits = [correct_to_gold(store, ids[k], gold_spans(k)) for k in ("000", "002")]
        assert sum(sum(e.values()) for e in edits) > 60  # the base model's output needed real work
        report = train(store, pipelines, "en", settings=TrainSettings(max_epochs=4, patience=2, folds=2),
                       output=tmp_path / "models")
    finally:
        store.close()
    assert report.mode == "cv" and report.train_docs == 2 and "over sentences" in report.plan
    assert report.after_evaluation is not None and report.after_evaluation.entities == 210
    docs = held_out(["001", "004"])
    base = evaluate(pipelines.get("en"), docs, how="held out")
    trained = evaluate(Pipelines(PipelineConfig.from_env(report.model.path, "en")).get("en"), docs, how="held out")
    assert base.entities == trained.entities == 114
    assert trained.scores.overall.f > base.scores.overall.f + 0.05, (base.scores.overall.f, trained.scores.overall.f)
    gain = paired_gain(base, trained)
    assert gain is not None and gain[0] > 0.0  # the gain's 95% interval excludes zero
