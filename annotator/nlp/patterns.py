"""Patterns and gazetteers as a second suggester: a terms/patterns file per project, in spaCy's
``EntityRuler`` / ``SpanRuler`` JSONL format, suggesting entities under its own name.

One JSON object a line::

    {"label": "ORG", "pattern": "Daesh"}                                 # a phrase (exact tokens)
    {"label": "GPE", "pattern": [{"LOWER": "rabat"}], "id": "rabat"}     # a token pattern
    # blank lines and lines starting with '#' are skipped

``load_patterns`` refuses a bad file with every problem named by file, line and field. A
``PatternSuggester`` runs the patterns in an ``EntityRuler`` on the language's tokenizer and suggests
``SpanData`` in the project's labels, as author ``patterns@<first 12 hex digits of the file's
sha256>``: a changed file is a new suggester, as a retrained model is. ``patterns_from_corrections``
proposes terms the analysts keep confirming with the same label; ``to_jsonl`` writes them in the same
format, to review and load.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.schemas import validate_token_pattern

from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError
from annotator.core.labels import Label, label_name, validate_label
from annotator.core.plural import plural
from annotator.core.span import SpanData
from annotator.io.selection import ExportOptions, iter_export
from annotator.io.tokenizers import blank_pipeline
from annotator.store import Store

_ALLOWED_FIELDS = frozenset({"label", "pattern", "id"})


@dataclass(frozen=True)
class PatternProblem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class PatternFileError(AnnotatorError):
    """A patterns file with problems; ``problems`` names each by file, line and field."""

    def __init__(self, problems: Sequence[PatternProblem]) -> None:
        self.problems = list(problems)
        shown = "\n  ".join(str(p) for p in self.problems[:20])
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{plural(len(self.problems), 'problem')} in the patterns file:\n  {shown}{more}")


@dataclass(frozen=True)
class Patterns:
    """A validated patterns file: its entries (EntityRuler dicts) and the hash that names it."""

    source: str
    entries: tuple[dict[str, Any], ...]
    sha256: str

    @property
    def author(self) -> str:
        return f"patterns@{self.sha256[:12]}"

    @property
    def labels(self) -> list[str]:
        return sorted({str(e["label"]) for e in self.entries})


def parse_patterns(text: str, source: str = "<patterns>") -> Patterns:
    """Validate JSONL pattern lines; raises ``PatternFileError`` listing every problem."""
    problems: list[PatternProblem] = []
    entries: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            entry = json.loads(stripped)
        except json.JSONDecodeError as exc:
            problems.append(PatternProblem(source, number, "(line)", f"not JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(entry, dict):
            problems.append(PatternProblem(source, number, "(line)", "must be a JSON object"))
            continue
        found = _check_entry(entry, source, number)
        problems.extend(found)
        if not found:
            kept = {k: entry[k] for k in ("label", "pattern", "id") if k in entry}
            entries.append({**kept, "label": label_name(entry["label"])})  # NFC: one label however spelt
    if problems:
        raise PatternFileError(problems)
    if not entries:
        raise PatternFileError([PatternProblem(source, 0, "(file)", "has no patterns")])
    return Patterns(source, tuple(entries), hashlib.sha256(text.encode("utf-8")).hexdigest())


def _check_entry(entry: dict[str, Any], source: str, number: int) -> list[PatternProblem]:
    problems = [PatternProblem(source, number, key, "unknown field (expected label, pattern, id)")
                for key in sorted(set(entry) - _ALLOWED_FIELDS)]
    label = entry.get("label")
    if not isinstance(label, str) or not label.strip():
        problems.append(PatternProblem(source, number, "label", "required: a non-empty string"))
    else:
        try:
            validate_label(Label(label, "#000000"))
        except AnnotatorError as exc:
            problems.append(PatternProblem(source, number, "label", str(exc)))
    pattern = entry.get("pattern")
    if isinstance(pattern, str):
        if not pattern.strip():
            problems.append(PatternProblem(source, number, "pattern", "an empty phrase matches nothing"))
    elif isinstance(pattern, list):
        if not pattern:
            problems.append(PatternProblem(source, number, "pattern", "an empty token pattern matches nothing"))
        for message in validate_token_pattern(pattern):
            problems.append(PatternProblem(source, number, "pattern", message))
    else:
        problems.append(PatternProblem(source, number, "pattern",
                                       "required: a phrase (string) or a token pattern (list of objects)"))
    if "id" in entry and not isinstance(entry["id"], str):
        problems.append(PatternProblem(source, number, "id", "must be a string"))
    return problems


def load_patterns(path: Path | str) -> Patterns:
    """Read and validate a patterns JSONL file (UTF-8)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PatternFileError([PatternProblem(str(path), 0, "(file)", f"cannot be read: {exc}")]) from exc
    return parse_patterns(text, str(path))


class PatternSuggester:
    """Runs ``patterns`` with spaCy's ``EntityRuler`` on ``language``'s tokenizer. ``ignore_case``
    matches phrases on lower-cased tokens (token patterns say for themselves)."""

    def __init__(self, patterns: Patterns, language: str, ignore_case: bool = False) -> None:
        self.patterns = patterns
        self.language = language
        nlp: Language = blank_pipeline(language)[0]  # any language, a fallback tokenizer if need be
        config = {"phrase_matcher_attr": "LOWER"} if ignore_case else {}
        ruler = nlp.add_pipe("entity_ruler", config=config)
        ruler.add_patterns(list(patterns.entries))  # type: ignore[attr-defined]
        self.nlp = nlp

    @property
    def author(self) -> str:
        return self.patterns.author

    def suggest(self, texts: Iterable[str], batch_size: int = 64) -> list[list[SpanData]]:
        """Entities per text (non-overlapping: the EntityRuler keeps the longest match)."""
        return [[SpanData(e.start_char, e.end_char, e.label_) for e in doc.ents]
                for doc in self.nlp.pipe(texts, batch_size=batch_size)]


def suggest(patterns: Patterns, texts: Iterable[str], language: str = "en") -> list[list[SpanData]]:
    """One-off: the patterns' entities in each of ``texts``."""
    return PatternSuggester(patterns, language).suggest(texts)


def merge_suggestions(model: Sequence[SpanData], patterns: Sequence[SpanData],
                      prefer: str = "patterns") -> list[SpanData]:
    """One non-overlapping set from two suggesters, for a model layer that can show only one:
    ``prefer``'s span wins where they overlap (the analyst wrote the patterns on purpose)."""
    first, second = (patterns, model) if prefer == "patterns" else (model, patterns)
    chosen = sorted(first, key=lambda s: s.start)
    for s in second:
        if not any(s.overlaps(c) for c in chosen):
            chosen.append(s)
    return sorted(chosen, key=lambda s: (s.start, s.end))


@dataclass
class ProposedTerm:
    text: str
    label: str
    count: int  # times a person confirmed or drew it with this label
    documents: int  # in how many documents
    other_labels: dict[str, int] = field(default_factory=dict)  # the same text given other labels

    @property
    def agreement(self) -> float:
        return self.count / (self.count + sum(self.other_labels.values()))

    def as_pattern(self) -> dict[str, Any]:
        return {"label": self.label, "pattern": self.text}


def patterns_from_corrections(store: Store, min_count: int = 3, *, language: str | None = None,
                              min_agreement: float = 0.9, user: str | None = None) -> list[ProposedTerm]:
    """Terms the analysts keep confirming: each text given the same label at least ``min_count``
    times in accepted or in-progress documents (people's entities, not unreviewed suggestions), and
    that label in at least ``min_agreement`` of the times the text was labelled at all. Most
    frequent first."""
    include = frozenset({DocumentStatus.ACCEPTED, DocumentStatus.IN_PROGRESS})
    counts: Counter[tuple[str, str]] = Counter()
    documents: dict[tuple[str, str], set[int]] = defaultdict(set)
    by_text: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in iter_export(store, ExportOptions(include=include, language=language, user=user)):
        for s in doc.entities:
            term = doc.text[s.start : s.end]
            counts[term, s.label] += 1
            documents[term, s.label].add(doc.id)
            by_text[term][s.label] += 1
    proposed = []
    for (term, label), n in counts.items():
        others = {lb: c for lb, c in by_text[term].items() if lb != label}
        candidate = ProposedTerm(term, label, n, len(documents[term, label]), others)
        if n >= min_count and candidate.agreement >= min_agreement:
            proposed.append(candidate)
    return sorted(proposed, key=lambda t: (-t.count, t.text, t.label))


def to_jsonl(terms: Iterable[ProposedTerm]) -> str:
    """Proposed terms as lines of a patterns file."""
    return "".join(json.dumps(t.as_pattern(), ensure_ascii=False) + "\n" for t in terms)
