"""Sessions: one short session per store call, and backend failures turned into messages a user can act on.

``reading`` opens a plain session; ``writing`` one committed transaction (on SQLite it begins with
``BEGIN IMMEDIATE``, see ``engine.writer``). Either way a lost server, a busy database or a stale
version comes out as an ``AnnotatorError`` subclass, never as a driver exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from annotator.core.errors import AnnotatorError, ConflictError, StoreUnavailable

CHUNK = 500  # keeps IN (...) lists under every backend's parameter limit


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    with _translated_errors(), Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def writing(writer: Engine) -> Iterator[Session]:
    """One committed transaction on ``writer`` (``engine.writer(engine)``); any error rolls it all back."""
    with _translated_errors(), Session(writer, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def writing_core(writer: Engine) -> Iterator[Connection]:
    """``writing`` without an ORM session: one committed transaction on a plain connection (a human
    edit's few statements cost less this way than the session's bookkeeping around them)."""
    with _translated_errors(), writer.begin() as connection:
        yield connection


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except StaleDataError as exc:
        raise ConflictError("the document was changed by someone else; reload it and try again") from exc
    except (OperationalError, InterfaceError) as exc:
        if "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower():
            raise AnnotatorError("the database is busy (another program is writing); try again") from exc
        if exc.connection_invalidated or engine_unreachable(exc):
            raise StoreUnavailable(f"lost the connection to the database ({_first_line(exc.orig)}); "
                                   "nothing was saved — retry when it is back") from exc
        raise AnnotatorError(f"database error: {_first_line(exc.orig)}") from exc


def engine_unreachable(exc: Exception) -> bool:
    """Errors that mean "the server is not there" rather than "this statement is wrong"."""
    text = str(getattr(exc, "orig", exc)).lower()
    return any(k in text for k in ("connection", "server closed", "terminating", "could not connect",
                                   "connection refused", "no route", "timeout", "shutdown"))


def _first_line(exc: object) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
