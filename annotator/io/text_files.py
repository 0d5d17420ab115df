"""Plain-text articles: one ``.txt`` file, one document, text kept exactly as written (CRLF included)."""

from __future__ import annotations

import codecs
from pathlib import Path

from annotator.core.errors import Problem
from annotator.core.limits import file_name_problem


def read_text(path: Path, source: str) -> tuple[str, bool] | Problem:
    """``(text, had_bom)`` or the Problem that makes this file unusable. The BOM is stripped (it is
    not part of the article) but recorded, so an export can put it back. Any length is fine: spaCy's
    ``max_length`` limits its models, not this tool (tokens are made with the tokenizer alone)."""
    named = file_name_problem(source)  # the file's name is the document's source in the store
    if named is not None:
        return Problem(source, f"cannot be imported: {named}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Problem(source, f"cannot be read: {exc.strerror or exc}")
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            return Problem(source, f"is {name} encoded (byte order mark); save it as UTF-8 and import again")
    nul = data.find(b"\x00")
    if nul >= 0:
        return Problem(source, f"looks binary (NUL byte at offset {nul}), not a text file")
    had_bom = data.startswith(codecs.BOM_UTF8)
    if had_bom:
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Problem(source, f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})", line=line)
    if not text.strip():
        return Problem(source, "is empty (no text to annotate)")
    return text, had_bom
