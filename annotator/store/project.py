"""Project-wide data: the label scheme, settings (the suggestion model per language), trained models,
and a document's language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.core.labels import DEFAULT_LABELS, Label, validate_label
from annotator.store.queries import document_row
from annotator.store.records import TrainedModel, label_of, trained_of
from annotator.store.schema import LabelRow, SettingRow, TrainedModelRow, utcnow

_SUGGESTION_MODEL = "suggestion_model."  # settings key prefix, followed by the language


def seed_labels(s: Session) -> None:
    """A new store starts with the default label scheme."""
    if s.scalar(select(func.count()).select_from(LabelRow)):
        return
    for pos, label in enumerate(DEFAULT_LABELS):
        s.add(LabelRow(name=label.name, colour=label.colour, key=label.key,
                       description=label.description, position=pos))


def labels(s: Session) -> list[Label]:
    return [label_of(r) for r in s.scalars(select(LabelRow).order_by(LabelRow.position, LabelRow.name))]


def add_label(s: Session, label: Label) -> None:
    validate_label(label, {r.name: label_of(r) for r in s.scalars(select(LabelRow))})
    row = s.get(LabelRow, label.name)
    if row is None:
        position = (s.scalar(select(func.max(LabelRow.position))) or 0) + 1
        s.add(LabelRow(name=label.name, colour=label.colour, key=label.key,
                       description=label.description, position=position))
    else:
        row.colour, row.key, row.description = label.colour, label.key, label.description


def register_model(s: Session, model: TrainedModel) -> TrainedModel:
    row = TrainedModelRow(
        name=model.name, version=model.version, path=model.path, language=model.language, base=model.base,
        data_hash=model.data_hash, labels=list(model.labels), settings=dict(model.settings),
        scores=dict(model.scores), created_at=model.created_at,
    )
    s.add(row)
    s.flush()
    return trained_of(row)


def trained_models(s: Session, language: str | None = None) -> list[TrainedModel]:
    query = select(TrainedModelRow).order_by(TrainedModelRow.id)
    if language is not None:
        query = query.where(TrainedModelRow.language == language)
    return [trained_of(r) for r in s.scalars(query)]


def set_setting(s: Session, key: str, value: Any) -> None:
    """Store ``value`` (JSON) under ``key``; ``None`` removes the setting."""
    row = s.get(SettingRow, key)
    if value is None:
        if row is not None:
            s.delete(row)
    elif row is None:
        s.add(SettingRow(key=key, value=value))
    else:
        row.value = value


def suggestion_models(s: Session) -> dict[str, str]:
    rows = s.scalars(select(SettingRow).where(SettingRow.key.startswith(_SUGGESTION_MODEL)))
    return {r.key[len(_SUGGESTION_MODEL):]: str(r.value) for r in rows}


def set_suggestion_model(s: Session, language: str, model: str | None) -> None:
    set_setting(s, _SUGGESTION_MODEL + language, model)


def set_language(s: Session, document_id: int, language: str) -> None:
    doc = document_row(s, document_id)
    doc.language = language
    doc.updated_at = utcnow()
