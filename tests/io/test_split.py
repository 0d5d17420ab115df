"""The train/dev rule (``split_train_dev``): one place decides it for export, training and evaluation."""

from __future__ import annotations

from annotator.io.selection import split_train_dev


def sides(items: list[tuple[str, float]], ratio: float) -> list[tuple[str, str]]:
    return [(side, name) for side, (name, _) in split_train_dev(items, lambda it: it[1], ratio)]


def test_items_below_the_ratio_go_to_dev_in_input_order() -> None:
    items = [("a", 0.5), ("b", 0.1), ("c", 0.9), ("d", 0.05)]
    assert sides(items, 0.2) == [("train", "a"), ("dev", "b"), ("train", "c"), ("dev", "d")]


def test_nothing_is_borrowed_to_fill_an_empty_dev_side() -> None:
    """A side depends on the item's own score only: no fallback moves an item when the corpus changes."""
    assert sides([("only", 0.9)], 0.2) == [("train", "only")]
    assert sides([("a", 0.9), ("b", 0.3)], 0.2) == [("train", "a"), ("train", "b")]
    assert sides([("a", 0.9), ("b", 0.3)], 0.0) == [("train", "a"), ("train", "b")]
    assert sides([], 0.2) == []
