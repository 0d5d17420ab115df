"""Persistence: SQLAlchemy models, engine set-up, Alembic migrations and the ``Store`` API."""

from annotator.store.store import Store

__all__ = ["Store"]
