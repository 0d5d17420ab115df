"""The train/dev rule (``split_train_dev``): one place decides it for export, training and evaluation."""

from __future__ import annotations

from annotator.io.selection import split_train_dev


def sides(items: list[tuple[str, float, str]], ratio: float) -> list[tuple[str, str]]:
    return [(side, name) for side, (name, _, _) in
            split_train_dev(items, lambda it: it[1], ratio, group=lambda it: it[2])]


def test_items_below_the_ratio_go_to_dev_and_the_held_back_one_comes_last() -> None:
    items = [("a", 0.5, "en"), ("b", 0.1, "en"), ("c", 0.9, "en"), ("d", 0.05, "en")]
    assert sides(items, 0.2) == [("dev", "b"), ("train", "c"), ("dev", "d"), ("train", "a")]


def test_a_group_with_no_dev_item_gets_its_lowest_scoring_one() -> None:
    items = [("en1", 0.7, "en"), ("fr1", 0.9, "fr"), ("en2", 0.4, "en"), ("en3", 0.6, "en"), ("fr2", 0.3, "fr")]
    assert sides(items, 0.2) == [("train", "en1"), ("train", "en3"), ("train", "fr1"), ("dev", "en2"), ("dev", "fr2")]


def test_no_fallback_for_a_single_item_a_zero_ratio_or_a_group_that_has_dev() -> None:
    assert sides([("only", 0.9, "en")], 0.2) == [("train", "only")]
    assert sides([("a", 0.9, "en"), ("b", 0.3, "en")], 0.0) == [("train", "a"), ("train", "b")]
    assert sides([("a", 0.1, "en"), ("b", 0.3, "en"), ("c", 0.5, "en")], 0.2) == [
        ("dev", "a"), ("train", "c"), ("train", "b")]
    assert sides([], 0.2) == []
