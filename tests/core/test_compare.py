from annotator.core.compare import Outcome, Scores, compare
from annotator.core.span import SpanData as S


def test_every_kind_of_difference() -> None:
    gold = [S(0, 14, "PERSON"), S(20, 25, "GPE"), S(30, 40, "ORG"), S(50, 55, "DATE")]
    pred = [S(0, 14, "PERSON"), S(20, 25, "PERSON"), S(30, 35, "ORG"), S(60, 65, "GPE")]
    outcomes = [(d.outcome, d.predicted, d.gold) for d in compare(pred, gold)]
    assert outcomes == [
        (Outcome.CORRECT, S(0, 14, "PERSON"), S(0, 14, "PERSON")),
        (Outcome.WRONG_LABEL, S(20, 25, "PERSON"), S(20, 25, "GPE")),
        (Outcome.WRONG_BOUNDARY, S(30, 35, "ORG"), S(30, 40, "ORG")),
        (Outcome.SPURIOUS, S(60, 65, "GPE"), None),
        (Outcome.MISSED, None, S(50, 55, "DATE")),
    ]


def test_scores_are_exact_span_and_label() -> None:
    scores = Scores()
    scores.add([S(0, 14, "PERSON"), S(20, 25, "PERSON")], [S(0, 14, "PERSON"), S(20, 25, "GPE")])
    assert (scores.overall.tp, scores.overall.fp, scores.overall.fn) == (1, 1, 1)
    assert scores.overall.f == 0.5
    assert scores.per_label["PERSON"].precision == 0.5 and scores.per_label["PERSON"].recall == 1.0
    assert scores.per_label["GPE"].recall == 0.0
    assert scores.as_dict()["outcomes"] == {"correct": 1, "wrong label": 1}


def test_empty_is_zero_not_a_division_error() -> None:
    assert Scores().overall.f == 0.0
