from annotator.core.agreement import PairAgreement, cohen_kappa, token_labels
from annotator.core.snapping import TokenBounds
from annotator.core.span import SpanData as S

# "Antony Blinken met Bourita in Rabat ."
BOUNDS = TokenBounds.from_offsets([(0, 6), (7, 14), (15, 18), (19, 26), (27, 29), (30, 35), (36, 37)])


def test_token_labels_cover_every_token_of_an_entity() -> None:
    assert token_labels(BOUNDS, [S(0, 14, "PERSON"), S(30, 35, "GPE")]) == \
        ["PERSON", "PERSON", "O", "O", "O", "GPE", "O"]


def test_kappa_known_values() -> None:
    assert cohen_kappa(["A", "B", "A", "B"], ["A", "B", "A", "B"]) == 1.0
    assert cohen_kappa(["A", "A", "B", "B"], ["A", "B", "A", "B"]) == 0.0
    # 2x2 table 20/5/10/15 out of 50: po = 0.7, pe = 0.5 -> kappa 0.4
    a = ["y"] * 25 + ["n"] * 25
    b = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert abs(cohen_kappa(a, b) - 0.4) < 1e-9
    assert cohen_kappa([], []) is None and cohen_kappa(["O", "O"], ["O", "O"]) is None


def test_pair_agreement_span_f_and_kappa() -> None:
    pair = PairAgreement("alice", "bob")
    pair.add(1, BOUNDS, [S(0, 14, "PERSON"), S(19, 26, "PERSON"), S(30, 35, "GPE")],
             [S(0, 14, "PERSON"), S(19, 26, "PERSON"), S(30, 35, "PERSON")])
    assert round(pair.f, 4) == round(2 / 3, 4)
    assert pair.kappa is not None and 0 < pair.kappa < 1
    assert pair.kappa_for("PERSON") is not None
    data = pair.as_dict()
    assert data["documents"] == 1 and set(data["per_label"]) == {"PERSON", "GPE"}
    assert data["per_document"]["1"]["f"] == round(2 / 3, 4)
