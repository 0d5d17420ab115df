from annotator.core.plural import plural


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert plural(1, "document") == "1 document"
    assert plural(0, "document") == "0 documents"
    assert plural(2, "entity", "entities") == "2 entities"
    assert plural(1, "entity", "entities") == "1 entity"
