from annotator.core.snapping import TokenBounds

# "Antony Blinken met Rabat." -> tokens Antony(0-6) Blinken(7-14) met(15-18) Rabat(19-24) .(24-25)
TOKENS = TokenBounds.from_offsets([(0, 6), (7, 14), (15, 18), (19, 24), (24, 25)])


def test_selection_inside_a_token_grows_to_the_whole_token() -> None:
    snap = TOKENS.snap(2, 4)
    assert snap.ok and (snap.start, snap.end) == (0, 6)


def test_selection_across_tokens_covers_every_touched_token() -> None:
    assert (TOKENS.snap(3, 9).start, TOKENS.snap(3, 9).end) == (0, 14)


def test_surrounding_whitespace_is_dropped() -> None:
    snap = TOKENS.snap(6, 15)  # " Blinken " from the space before to the space after
    assert (snap.start, snap.end) == (7, 14)


def test_reversed_selection_is_normalised() -> None:
    assert (TOKENS.snap(14, 7).start, TOKENS.snap(14, 7).end) == (7, 14)


def test_whitespace_only_and_empty_selections_are_refused_with_a_reason() -> None:
    only_space = TOKENS.snap(6, 7)
    assert not only_space.ok and "whitespace" in only_space.reason
    empty = TOKENS.snap(3, 3)
    assert not empty.ok and "nothing" in empty.reason


def test_punctuation_is_its_own_token() -> None:
    assert (TOKENS.snap(19, 25).start, TOKENS.snap(19, 25).end) == (19, 25)
    assert (TOKENS.snap(19, 22).start, TOKENS.snap(19, 22).end) == (19, 24)


def test_alignment_and_token_range() -> None:
    assert TOKENS.aligned(0, 14)
    assert not TOKENS.aligned(1, 14)
    assert TOKENS.token_range(7, 18) == (1, 2)
    assert TOKENS.token_range(7, 17) is None


def test_grow_and_shrink_by_one_token_and_stop_at_the_edges() -> None:
    assert TOKENS.grow(7, 14, at_start=True) == (0, 14)
    assert TOKENS.grow(7, 14, at_start=False) == (7, 18)
    assert TOKENS.grow(0, 6, at_start=True) is None
    assert TOKENS.grow(24, 25, at_start=False) is None
    assert TOKENS.shrink(0, 14, at_start=True) == (7, 14)
    assert TOKENS.shrink(0, 14, at_start=False) == (0, 6)
    assert TOKENS.shrink(0, 6, at_start=True) is None


def test_snapping_with_real_spacy_tokens(pipelines) -> None:  # type: ignore[no-untyped-def]
    text = "Le ministre Nasser Bourita s'est rendu à Washington."
    bounds = pipelines.get("fr").token_bounds(text)
    start = text.index("asser")
    snap = bounds.snap(start, start + 3)
    assert text[snap.start : snap.end] == "Nasser"
