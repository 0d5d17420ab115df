"""Our DocBin (``docbin_shards._DocBin``: user data packed by one Packer made once) writes the same
bytes as spaCy's ``DocBin(store_user_data=True)`` for the same documents."""

from __future__ import annotations

import spacy
from spacy.tokens import DocBin

from annotator.io.docbin_shards import _DocBin


def test_the_same_bytes_as_spacys_docbin() -> None:
    nlp = spacy.blank("en")
    ours, theirs = _DocBin(), DocBin(store_user_data=True)
    for i, text in enumerate(["Blinken met Bourita in Rabat.", "Émile à Fès 😀 le 3 mai.", ""]):
        doc = nlp(text)
        if len(doc) > 2:
            doc.set_ents([doc.char_span(0, len(doc[0].text), label="PERSON")])
        doc.user_data["annotator"] = {"id": i, "source": f"d{i}.txt", "raw": b"\x00\xff", "ok": True, "n": None}
        ours.add(doc)
        theirs.add(doc)
    assert ours.to_bytes() == theirs.to_bytes()
    back = list(DocBin().from_bytes(ours.to_bytes()).get_docs(nlp.vocab))
    assert back[1].user_data["annotator"]["raw"] == b"\x00\xff"
