"""Is the store whole? Checks before anything is read as if it were, and the messages when it is not.

Three layers, cheapest first:

- ``preflight(path)`` looks at an SQLite file before SQLite touches it: a folder or a pipe given as the
  database, an empty file, a file without the SQLite header, a file shorter than its header says, and
  a write-ahead log that is not one (SQLite would silently throw such a log away, and with it every
  commit it held, so it is refused instead).
- ``problems(engine)`` runs ``PRAGMA quick_check``: every page, every index entry. An export, a training
  or an import into a damaged file is refused (a damaged index page once made an export silently
  short); ``annotator check`` runs it on demand.
- ``damaged(path, detail)`` builds the one-line message naming the file and how to get the data back
  (the newest pre-upgrade backup beside it, or ``sqlite3 .recover``). The engine raises it for every
  "malformed" or "not a database" error SQLite reports later, e.g. in the middle of an export.
"""

from __future__ import annotations

import shlex
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from annotator.core.errors import AnnotatorError, StoreDamaged
from annotator.core.plural import plural

SQLITE_HEADER = b"SQLite format 3\x00"
WAL_MAGIC = (0x377F0682, 0x377F0683)  # little- / big-endian checksums
WAL_VERSION = 3007000
MAX_PROBLEMS = 20
TABLES = ("documents", "spans", "labels", "trained_models", "settings")  # counted by `annotator check`


def sqlite_path(url: URL) -> Path | None:
    """The database file of an SQLite URL; None for other backends and in-memory databases."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def describe(engine: Engine) -> str:
    """How messages name a store: its file on SQLite, its URL (no password) elsewhere."""
    path = sqlite_path(engine.url)
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def newest_backup(path: Path) -> Path | None:
    """The most recent complete pre-upgrade copy beside ``path`` (see ``migrate.backup_before_upgrade``)."""
    try:
        found = [p for p in path.parent.iterdir() if p.name.startswith(f"{path.name}.backup-") and p.is_file()]
    except OSError:
        return None
    return max(found, key=lambda p: p.name) if found else None


def recovery_advice(path: Path) -> str:
    backup = newest_backup(path)
    restore = f"restore a copy (the newest backup beside it is {backup})" if backup else "restore it from a backup"
    recovered = path.with_name(f"{path.stem}-recovered{path.suffix or '.sqlite3'}")
    return (f"To get the data back, {restore}, or save what is still readable with: "
            f"sqlite3 {shlex.quote(str(path))} .recover | sqlite3 {shlex.quote(str(recovered))}")


def damaged(path: Path, detail: str, advice: str | None = None) -> StoreDamaged:
    return StoreDamaged(str(path), detail, advice if advice is not None else recovery_advice(path))


# -- before SQLite opens the file ----------------------------------------------------------------


def preflight(path: Path) -> None:
    """Refuse a database path that SQLite would misread; a missing file is fine (a new store)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise AnnotatorError(f"cannot open the database file {path}: {exc.strerror or exc}") from None
    if path.is_dir():
        raise AnnotatorError(f"the database path {path} is a folder; give the database file inside it "
                             f"(e.g. {path / 'annotator.sqlite3'})")
    if not path.is_file():
        raise AnnotatorError(f"the database path {path} is not a regular file (a pipe, socket or device)")
    try:
        with path.open("rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise AnnotatorError(f"cannot read the database file {path}: {exc.strerror or exc}") from None
    if st.st_size == 0:
        raise damaged(path, "the file is empty (0 bytes): it was truncated, or is not an annotator store",
                      "Restore it from a backup, or delete the empty file to start a new store there.")
    if not header.startswith(SQLITE_HEADER):
        raise damaged(path, "it does not start with the SQLite header: it is not a database, or its first "
                            "page was overwritten")
    wal = path.with_name(path.name + "-wal")
    wal_size = _size(wal)
    _check_wal(path, wal, wal_size)
    if len(header) == 100 and not wal_size:
        page_size = struct.unpack(">H", header[16:18])[0]
        page_size = 65536 if page_size == 1 else page_size
        pages = struct.unpack(">I", header[28:32])[0]
        counter, valid_for = header[24:28], header[92:96]
        if counter == valid_for and pages and st.st_size < pages * page_size:
            raise damaged(path, f"the file is shorter than its header says ({st.st_size} of "
                                f"{pages * page_size} bytes): it was truncated")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _check_wal(path: Path, wal: Path, size: int) -> None:
    """A write-ahead log with content must start with a valid WAL header. A torn tail is normal
    (uncommitted frames, which SQLite drops by their checksums); a garbage header is not."""
    if size == 0:
        return
    try:
        with wal.open("rb") as fh:
            head = fh.read(32)
    except OSError as exc:
        raise AnnotatorError(f"cannot read the write-ahead log {wal} of the database {path}: "
                             f"{exc.strerror or exc}") from None
    if len(head) == 32 and _valid_wal_header(head):
        return
    raise damaged(path, f"its write-ahead log {wal.name} is not a valid SQLite log; the changes it held cannot "
                        "be read",
                  f"Move {wal} aside to open the database as it was at its last checkpoint (recent edits are "
                  "lost), or restore it from a backup.")


def _valid_wal_header(head: bytes) -> bool:
    magic, version = struct.unpack(">II", head[:8])
    if magic not in WAL_MAGIC or version != WAL_VERSION:
        return False
    order = ">" if magic & 1 else "<"
    s0 = s1 = 0
    for i in range(0, 24, 8):
        x0, x1 = struct.unpack(order + "II", head[i : i + 8])
        s0 = (s0 + x0 + s1) & 0xFFFFFFFF
        s1 = (s1 + x1 + s0) & 0xFFFFFFFF
    return struct.unpack(">II", head[24:32]) == (s0, s1)


# -- with SQLite ----------------------------------------------------------------------------------


def problems(engine: Engine, limit: int = MAX_PROBLEMS) -> list[str]:
    """What ``PRAGMA quick_check`` finds wrong (empty: the file is whole). Other backends: nothing
    (the server guards its own pages)."""
    if engine.dialect.name != "sqlite":
        return []
    with engine.connect() as conn:
        rows = [str(r) for r in conn.exec_driver_sql(f"PRAGMA quick_check({int(limit)})").scalars()]
    if rows == ["ok"]:
        return []
    # A row may hold several lines under a "*** in database main ***" heading: one problem per line.
    found = [line.strip() for row in rows for line in row.splitlines()]
    return [line for line in found if line and not line.startswith("***")][:limit]


def require_intact(engine: Engine) -> None:
    """Raise ``StoreDamaged`` (naming the file and the way back) unless ``quick_check`` finds nothing."""
    found = problems(engine)
    path = sqlite_path(engine.url)
    if found and path is not None:
        at_least = "at least " if len(found) >= MAX_PROBLEMS else ""
        more = f", and {at_least}{plural(len(found) - 1, 'more problem')}" if len(found) > 1 else ""
        raise damaged(path, f"quick_check: {found[0]}{more}")


@dataclass
class CheckReport:
    """What ``annotator check`` looked at (``checked``) and what is wrong (``problems``)."""

    database: str
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(engine: Engine, current: str | None, head: str | None) -> CheckReport:
    """Every page (SQLite ``quick_check``), the schema revision, row counts, and that the span counts
    match the spans (a problem only when they do not). On PostgreSQL: the connection, the schema
    revision, that every table is there, row counts and the span counts."""
    report = CheckReport(describe(engine))
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            path = sqlite_path(engine.url)
            if path is not None:
                report.checked.append(f"file: {path} ({_size(path)} bytes)")
        else:
            version = conn.exec_driver_sql("SELECT version()").scalar() or "?"
            report.checked.append(f"connection: ok ({str(version).split(',')[0]})")
    found = problems(engine)
    if engine.dialect.name == "sqlite":
        report.checked.append("quick_check: " + ("ok (every page and index entry read)" if not found else
                                                 plural(len(found), "problem")))
        report.problems.extend(found)
    state = "current" if current == head else f"expected {head}"
    report.checked.append(f"schema revision: {current} ({state})")
    if current != head:
        report.problems.append(f"schema revision {current} is not the current one ({head})")
    present = set(inspect(engine).get_table_names())
    missing = [t for t in TABLES if t not in present]
    if missing:
        report.problems.append(f"missing tables: {', '.join(missing)}")
    from annotator.store.schema import Base

    counts = []
    with engine.connect() as conn:
        for name in TABLES:
            if name in present:
                try:
                    rows = conn.execute(select(func.count()).select_from(Base.metadata.tables[name])).scalar()
                except (DBAPIError, StoreDamaged):  # a damaged page on the way (quick_check lists it): say so
                    conn.rollback()
                    report.problems.append(f"table {name} cannot be read to the end (damaged pages)")
                    counts.append(f"{name} ?")
                    continue
                counts.append(f"{name} {rows}")
    report.checked.append("rows: " + ", ".join(counts))
    if current == head and "span_counts" in present:
        _check_span_counts(engine, report)
    if current == head and "document_counts" in present:
        _check_document_counts(engine, report)
    if current == head and "suggestion_counts" in present:
        _check_suggestion_counts(engine, report)
    return report


def _counts_drift(engine: Engine, report: CheckReport, drift: Callable[[Any], dict[Any, Any]],
                  what: str) -> dict[Any, Any]:
    """``drift`` of counts kept by triggers, read in one session; a damaged file says so in ``report``
    (as ``what`` that cannot be compared) and gives nothing."""
    from sqlalchemy.orm import Session

    try:
        with Session(engine) as s:
            return drift(s)
    except (DBAPIError, StoreDamaged):
        report.problems.append(f"{what} cannot be compared with the spans (damaged pages)")
        return {}


def _check_span_counts(engine: Engine, report: CheckReport) -> None:
    """The counts ``annotator stats`` reads (kept by triggers) against the spans themselves (one
    GROUP BY over every span: the quick_check before it read every page anyway)."""
    from annotator.store import span_counts

    off = _counts_drift(engine, report, span_counts.drift, "the span counts")
    if not off:
        return  # said only when wrong: the lines of a whole store are the ones ``annotator check`` always printed
    shown = ", ".join(f"{label}/{layer}{' rejected' if rejected else ''} {n:+d}"
                      for (label, layer, rejected), n in sorted(off.items())[:5])
    report.problems.append(f"the span counts `annotator stats` shows differ from the spans stored ({shown}"
                           f"{', …' if len(off) > 5 else ''}): the counts were changed by hand or a trigger "
                           "was dropped")


def _check_document_counts(engine: Engine, report: CheckReport) -> None:
    """The per-document model span counts the list sorts by (kept by triggers) against the spans."""
    from annotator.store import document_counts

    off = _counts_drift(engine, report, document_counts.drift, "the per-document suggestion counts")
    if off:
        shown = ", ".join(f"document {doc} {n:+d}" for doc, (n, _rows) in sorted(off.items())[:5])
        report.problems.append(f"the suggestion counts the list sorts by differ from the spans stored for "
                               f"{plural(len(off), 'document')} ({shown}{', …' if len(off) > 5 else ''}): the "
                               "counts were changed by hand or a trigger was dropped")


def _check_suggestion_counts(engine: Engine, report: CheckReport) -> None:
    """Each person's count of the suggestions they still see on the documents they touched (the list's
    "Sugg." column and sort, kept by triggers) against the spans."""
    from annotator.store import document_counts

    off = _counts_drift(engine, report, document_counts.suggestion_drift, "each person's suggestion counts")
    if off:
        shown = ", ".join(f"document {doc} for '{who}' {_pair(kept, counted)}"
                          for (doc, who), (kept, counted) in sorted(off.items())[:5])
        report.problems.append(f"the suggestions each person still sees, as the list counts them, differ from the "
                               f"spans stored for {plural(len(off), 'document')} ({shown}"
                               f"{', …' if len(off) > 5 else ''}): the counts were changed by hand or a trigger "
                               "was dropped")


def _pair(kept: int | None, counted: int | None) -> str:
    if kept is None:
        return "has no count"
    return f"kept {kept}, counted {'all' if counted is None else counted}"
