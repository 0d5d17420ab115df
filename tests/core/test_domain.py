import pytest

from annotator.core.document import DocumentStatus, content_hash, title_of
from annotator.core.errors import AnnotatorError, SpanRefused
from annotator.core.labels import DEFAULT_LABELS, Label, parse_label_mapping, validate_label
from annotator.core.span import Layer, Span, SpanData, check_bounds, first_overlap, split_layers


def span(i: int, start: int, end: int, label: str, layer: Layer, rejected: bool = False) -> Span:
    return Span(i, 1, start, end, label, layer, "m@1" if layer is Layer.MODEL else "alice", rejected)


def test_status_parse_accepts_stored_values_and_forgiving_spellings() -> None:
    assert DocumentStatus.parse("in_progress") is DocumentStatus.IN_PROGRESS
    assert DocumentStatus.parse("Pre-Annotated") is DocumentStatus.PREANNOTATED
    assert DocumentStatus.parse("done") is DocumentStatus.ACCEPTED
    with pytest.raises(ValueError, match="unknown status 'finished'"):
        DocumentStatus.parse("finished")
    assert DocumentStatus.ACCEPTED.finished and not DocumentStatus.FLAGGED.finished


def test_content_hash_ignores_unicode_normalisation_form_only() -> None:
    assert content_hash("Algérie") == content_hash("Alge\u0301rie")
    assert content_hash("Algérie") != content_hash("Algerie")


def test_title_is_the_first_non_empty_line() -> None:
    assert title_of("\n\n  Morocco   hosts\nbody") == "Morocco hosts"
    assert len(title_of("x" * 500)) == 80


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(-1, 3, "outside"), (0, 99, "outside"), (4, 4, "empty"), (5, 2, "empty"),
     (5, 8, "whitespace"), (0, 6, "whitespace"),
     ("0", 2, "integers"), (True, 2, "integers")],
)
def test_check_bounds_refuses_bad_offsets(start: object, end: object, message: str) -> None:
    with pytest.raises(SpanRefused, match=message):
        check_bounds("Rabat is big", start, end)  # type: ignore[arg-type]


def test_first_overlap_finds_overlapping_pair() -> None:
    assert first_overlap([SpanData(0, 5, "A"), SpanData(6, 9, "B")]) is None
    clash = first_overlap([SpanData(6, 9, "B"), SpanData(0, 7, "A")])
    assert clash == (SpanData(0, 7, "A"), SpanData(6, 9, "B"))


def test_split_layers_human_wins_and_rejections_hide_suggestions() -> None:
    model = [span(1, 0, 5, "GPE", Layer.MODEL), span(2, 10, 15, "ORG", Layer.MODEL),
             span(3, 20, 25, "GPE", Layer.MODEL)]
    human = [span(4, 0, 7, "PERSON", Layer.HUMAN), span(5, 20, 25, "GPE", Layer.HUMAN, rejected=True)]
    confirmed, suggestions, rejections = split_layers(model, human)
    assert [s.id for s in confirmed] == [4]
    assert [s.id for s in suggestions] == [2]
    assert [s.id for s in rejections] == [5]


def test_rejection_is_label_specific() -> None:
    model = [span(1, 0, 5, "PERSON", Layer.MODEL)]
    human = [span(2, 0, 5, "GPE", Layer.HUMAN, rejected=True)]
    assert [s.id for s in split_layers(model, human)[1]] == [1]


def test_default_labels_are_valid_and_keys_unique() -> None:
    existing = {label.name: label for label in DEFAULT_LABELS}
    for label in DEFAULT_LABELS:
        validate_label(label, existing)
    keys = [label.key for label in DEFAULT_LABELS if label.key]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("label", "message"),
    [(Label("per\tson", "#ffffff"), "contains a tab"), (Label("X", "red"), "#RRGGBB"),
     (Label("NEW", "#ffffff", "1"), "already used by PERSON"), (Label("NEW", "#ffffff", "ab"), "single")],
)
def test_validate_label_refuses_with_reason(label: Label, message: str) -> None:
    with pytest.raises(AnnotatorError, match=message):
        validate_label(label, {lb.name: lb for lb in DEFAULT_LABELS})


def test_parse_label_mapping() -> None:
    assert parse_label_mapping("fr:PER=PERSON,LOC=GPE; de:PER=PERSON") == {
        "fr": {"PER": "PERSON", "LOC": "GPE"}, "de": {"PER": "PERSON"}}
    with pytest.raises(AnnotatorError, match="PER=PERSON"):
        parse_label_mapping("fr:PER")
