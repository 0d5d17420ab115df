"""A side of a spaCy export (``train.spacy``, ``dev.spacy``) written in shards, so memory stays flat.

A ``DocBin`` holds every document it is given until ``to_bytes`` (which copies it all once more), so
one DocBin for a whole corpus grows with the corpus: 3.2 GB at 10,000 articles. ``DocBinShards`` keeps
at most one shard in memory. When a side fits in one shard it is written exactly as before, as the
FILE ``train.spacy``; when it does not, ``train.spacy`` is a FOLDER of ``0000.spacy``, ``0001.spacy``, ...
spaCy's corpus reader (``spacy.training.Corpus``, and so ``spacy train --paths.train out/train.spacy``
and the ``config.cfg`` an export writes) takes either: it walks a folder for ``.spacy`` files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab
from srsly.msgpack import Packer

from annotator.io.atomic import atomic_write_bytes

SUFFIX = ".spacy"


@dataclass(frozen=True)
class ShardLimit:
    """A shard is closed before a document would take it past either limit (a document longer than
    ``tokens`` gets a shard of its own)."""

    documents: int
    tokens: int


# What a shard costs is its tokens: ~0.5 KB each at the peak of ``to_bytes`` (the token array, stacked,
# packed and compressed, each a copy). benchmarks/export.py, 10,000 articles of ~640 words: peak RSS
# 250 MB with shards of 100 articles, 310 MB of 250, 420 MB of 500, 640 MB of 1,000, 800 MB of 2,000, the
# time the same. 250,000 tokens is ~330 such articles; the document cap is for short ones (tweets).
SHARD_LIMIT = ShardLimit(documents=1_000, tokens=250_000)


@dataclass(frozen=True)
class WrittenDocBin:
    """What one side of an export is on disk."""

    path: Path  # .../train.spacy: a file, or a folder of shards
    documents: int
    shards: int  # 0: ``path`` is one DocBin file; else the number of shard files in the folder ``path``

    def summary(self) -> str:
        """e.g. ``12 shards, 11,873 documents`` for a shard folder, ``1 document`` for a file."""
        docs = f"{self.documents:,} document{'' if self.documents == 1 else 's'}"
        return f"{self.shards} shards, {docs}" if self.shards else docs


class _DocBin(DocBin):
    """spaCy's ``DocBin`` with user data (our record of each document), packed by one ``Packer`` made
    once: ``DocBin.add`` packs through ``srsly.msgpack_dumps``, which makes a ``Packer`` per document,
    and each reads every installed package's entry points: a third of a short-document export's time.
    The bytes are the same (srsly's own ``Packer``, the same encoders)."""

    def __init__(self) -> None:
        super().__init__(store_user_data=True)
        self._packer = Packer(use_bin_type=True)  # as srsly.msgpack_dumps packs

    def add(self, doc: Doc) -> None:
        self.store_user_data = False  # everything but the user data, as spaCy does it
        try:
            super().add(doc)
        finally:
            self.store_user_data = True
        self.user_data.append(self._packer.pack(doc.user_data))


class DocBinShards:
    """Documents added one at a time to ``path``, written shard by shard; ``close`` writes the rest."""

    def __init__(self, path: Path, limit: ShardLimit = SHARD_LIMIT) -> None:
        self.path = path
        self.limit = limit
        self.documents = 0
        self.shards = 0
        self._bin = _DocBin()
        self._tokens = 0

    def add(self, doc: Doc) -> None:
        held = len(self._bin)
        if held and (held >= self.limit.documents or self._tokens + len(doc) > self.limit.tokens):
            self._write_shard()
        self._bin.add(doc)
        self._tokens += len(doc)
        self.documents += 1

    def close(self) -> WrittenDocBin:
        if self.shards == 0:  # it all fit in one: the single file as it always was
            atomic_write_bytes(self.path, self._bin.to_bytes())
        elif len(self._bin):
            self._write_shard()
        self._bin = _DocBin()
        return WrittenDocBin(self.path, self.documents, self.shards)

    def _write_shard(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path / f"{self.shards:04d}{SUFFIX}", self._bin.to_bytes())
        self.shards += 1
        self._bin = _DocBin()
        self._tokens = 0


def docbin_files(path: Path) -> list[Path]:
    """The DocBin files ``path`` stands for: itself when a file, else the shards in a folder (its
    ``.spacy`` files, hidden ones left out, in the order they were written: 9999.spacy before 10000.spacy)."""
    if not path.is_dir():
        return [path]
    shards = [p for p in path.iterdir() if p.suffix == SUFFIX and not p.name.startswith(".") and p.is_file()]
    return sorted(shards, key=lambda p: (len(p.name), p.name))


def read_docs(path: Path, vocab: Vocab) -> Iterator[Doc]:
    """Every document of a DocBin file or shard folder, in order, one shard in memory at a time."""
    for file in docbin_files(path):
        yield from DocBin().from_disk(file).get_docs(vocab)
