"""Statements compiled once per database and run on the driver's cursor through ``exec_driver_sql``.

``Connection.execute`` of a Core statement looks it up in the compiled cache, builds and processes
every parameter and sets up type processing of the result on each call; on a human edit's few small
statements that cost about as much as the statements themselves (issue #13, "lean edits"). A
``Precompiled`` statement is compiled the first time it runs on a dialect; after that a call puts the
values in the driver's order, converts the few whose column type needs it (a ``DateTime`` on SQLite,
a ``Boolean``) and hands the SQL to ``Connection.exec_driver_sql``, which keeps the connection's
transaction, its events and the translation of driver errors. The rows come back as the driver gives
them: a boolean column may be 0 or 1 on SQLite, so readers apply ``bool()``.

Values fixed in a statement are sent as parameters like any other, except those marked
``fixed()``, which are part of the SQL text: SQLite prepares a statement again on every call
when a bound value is compared with the condition of a partial index (``ix_spans_author_document_human``
is ``WHERE layer = 'human'``), so ``layer = ?`` cost a fresh query plan per edit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, Connection, CursorResult, String, literal_column
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable


def fixed(value: str) -> ColumnElement[str]:
    """The constant ``value`` (a word: a layer's or a state's name) written into the statement's SQL
    text rather than bound (see the module docstring)."""
    if not value.replace("_", "").isalnum():
        raise ValueError(f"fixed() takes a plain word, not {value!r}")
    return literal_column(f"'{value}'", String)


class _Form:
    """One statement compiled for one dialect: its SQL and how to lay out a call's values."""

    def __init__(self, statement: Executable, dialect: Dialect, column_keys: list[str] | None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)  # type: ignore[attr-defined]
        if compiled.literal_execute_params or compiled.post_compile_params:
            # IN (...) lists and values SQLAlchemy renders per call: not what this is for.
            raise TypeError(f"a statement with values rendered at execution cannot be precompiled: {compiled}")
        self.sql = str(compiled)
        defaults = compiled.construct_params(_check=False)
        names = compiled.positiontup if compiled.positiontup is not None else list(compiled.bind_names.values())
        self.positional = compiled.positiontup is not None
        # (name, key of the caller's value or None, converter or None, fixed value): in the driver's order.
        self.slots: list[tuple[str, str | None, Callable[[Any], Any] | None, Any]] = []
        for name in names:
            bind = next(b for b, n in compiled.bind_names.items() if n == name)
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required or bind.callable is not None:
                self.slots.append((name, bind.key, process, None))
            else:
                value = defaults[name]
                self.slots.append((name, None, None, process(value) if process is not None else value))

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        laid = [value if key is None else (values[key] if process is None else process(values[key]))
                for _, key, process, value in self.slots]
        if self.positional:
            return tuple(laid)
        return {name: value for (name, *_), value in zip(self.slots, laid, strict=True)}


class Precompiled:
    """``statement``, compiled once for each dialect it runs on (``column_keys``: an INSERT's columns)."""

    def __init__(self, statement: Executable, column_keys: list[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = column_keys
        self._forms: WeakKeyDictionary[Dialect, _Form] = WeakKeyDictionary()

    def form(self, dialect: Dialect) -> _Form:
        form = self._forms.get(dialect)
        if form is None:
            form = self._forms[dialect] = _Form(self.statement, dialect, self.column_keys)
        return form

    def run(self, c: Connection, values: Mapping[str, Any]) -> CursorResult[Any]:
        form = self.form(c.dialect)
        return c.exec_driver_sql(form.sql, form.parameters(values))
