"""Pre-annotation: run each language's pipeline over the documents that need suggestions and store
the entities as the model layer. The same function serves the CLI, GUI workers and benchmarks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc

from annotator.core.labels import map_label
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.core.span import SpanData
from annotator.nlp.pipelines import Pipeline, Pipelines
from annotator.store import Store


@dataclass
class PreannotateReport:
    documents: int = 0
    spans: int = 0
    by_model: dict[str, int] = field(default_factory=dict)  # author -> documents
    without_model: dict[str, int] = field(default_factory=dict)  # language -> documents left as they were
    cancelled: bool = False


def entities_of(doc: Doc, pipeline: Pipeline) -> list[SpanData]:
    """The doc's entities in the project's label scheme; a label mapped to "" is dropped.

    Edges are trimmed: the small models sometimes swallow a following whitespace token
    ("Daesh\n\n" in seed 002), which would highlight blank lines and never match a person's span.
    """
    out = []
    text = doc.text
    for ent in doc.ents:
        label = map_label(ent.label_, pipeline.label_mapping)
        start, end = ent.start_char, ent.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if label and start < end:
            out.append(SpanData(start, end, label))
    return out


def preannotate(
    store: Store,
    pipelines: Pipelines,
    *,
    language: str | None = None,
    rerun: bool = False,
    document_ids: Sequence[int] | None = None,
    batch_size: int = 64,
    progress: ProgressSink = no_progress,
    cancel: CancelToken | None = None,
) -> PreannotateReport:
    """Suggest entities for documents that have none yet (all unfinished ones with ``rerun``, or
    exactly ``document_ids``). Each batch is committed on its own, so a cancel keeps finished batches
    and leaves no document half-done."""
    ids = list(document_ids) if document_ids is not None else store.ids_needing_suggestions(language, rerun)
    report = PreannotateReport()
    total = len(ids)
    progress(0, total, "reading documents")
    done = 0
    # Read texts a block at a time: a 100,000-document corpus never sits in memory at once.
    block = max(batch_size * 8, 256)
    for i in range(0, total, block):
        texts = store.texts(ids[i : i + block])
        by_lang: dict[str, list[int]] = defaultdict(list)
        for doc_id in ids[i : i + block]:
            if doc_id in texts:
                by_lang[texts[doc_id][1]].append(doc_id)
        for lang, lang_ids in by_lang.items():
            progress(done, total, f"loading the {lang} pipeline")
            pipeline = pipelines.get(lang)
            if not pipeline.has_ner:
                report.without_model[lang] = report.without_model.get(lang, 0) + len(lang_ids)
                done += len(lang_ids)
                continue
            for j in range(0, len(lang_ids), batch_size):
                if cancel is not None and cancel.cancelled:
                    report.cancelled = True
                    return report
                chunk = lang_ids[j : j + batch_size]
                docs = pipeline.nlp.pipe((texts[d][0] for d in chunk), batch_size=batch_size)
                batch = {doc_id: entities_of(doc, pipeline) for doc_id, doc in zip(chunk, docs, strict=True)}
                report.spans += store.replace_suggestions(batch, pipeline.author)
                report.documents += len(chunk)
                report.by_model[pipeline.author] = report.by_model.get(pipeline.author, 0) + len(chunk)
                done += len(chunk)
                progress(done, total, f"{pipeline.author}: {done}/{total} documents")
    return report

