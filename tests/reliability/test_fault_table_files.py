"""Fault table for files (issue 11, items 4, 7, 8 and 9): damaged databases, read-only folders, a full
disk, a newer or hostile schema revision, output of the wrong kind, and kills between the renames of an
export or during a pre-upgrade backup.

Everything runs on real files through the real command line in a subprocess (real kills, real
permissions, a real tmpfs), and every row asserts the one message a user sees, the exit status, and
that nothing partial is left under a complete name.
"""

from __future__ import annotations

import os
import random
import re
import shlex
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import StoreDamaged
from annotator.core.span import SpanData
from annotator.io.exporter import ExportFormat, export
from annotator.io.selection import ExportOptions
from annotator.store import Store, migrate
from annotator.store.engine import make_engine

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
DOCS = 200
ROOT = os.geteuid() == 0
CAPS = "-dac_override,-dac_read_search,-fowner"  # what lets root ignore file permissions


# -- a real store, real damage ------------------------------------------------------------------------


def _text(i: int) -> str:
    return (f"Report {i}: Bourita met Blinken in Rabat on day {i % 28 + 1}. " +
            " ".join(f"word{(i * 7 + k) % 997}" for k in range(60)) + ".")


def build_store(path: Path, docs: int = DOCS) -> Path:
    store = Store.open(str(path))
    items = []
    for i in range(docs):
        text = _text(i)
        start = text.index("Rabat")
        items.append((NewDocument(text, f"doc{i:04}.txt", "en", DocumentStatus.ACCEPTED),
                      [SpanData(start, start + 5, "GPE")]))
    store.import_documents(items, author="alice")
    store.close()
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("faults") / "template.sqlite3")


def btree_pages(db: Path, name: str) -> list[int]:
    """Pages of table or index ``name`` in key order (interior pages first, then their children)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        (root,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()
        (size,) = con.execute("PRAGMA page_size").fetchone()
    data = db.read_bytes()

    def walk(page: int) -> list[int]:
        base = (page - 1) * size
        header = base + (100 if page == 1 else 0)
        if data[header] not in (0x02, 0x05):  # a leaf
            return [page]
        cells = struct.unpack(">H", data[header + 3 : header + 5])[0]
        children = []
        for i in range(cells):
            (ptr,) = struct.unpack(">H", data[header + 12 + 2 * i : header + 14 + 2 * i])
            children.append(struct.unpack(">I", data[base + ptr : base + ptr + 4])[0])
        children.append(struct.unpack(">I", data[header + 8 : header + 12])[0])
        return [page] + [p for child in children for p in walk(child)]

    return walk(root)


def page_size(db: Path) -> int:
    return struct.unpack(">H", db.read_bytes()[16:18])[0]


def write_at(db: Path, offset: int, data: bytes) -> None:
    with db.open("r+b") as fh:
        fh.seek(offset)
        fh.write(data)


def leaves(db: Path, name: str) -> list[int]:
    data = db.read_bytes()
    size = page_size(db)
    return [p for p in btree_pages(db, name) if data[(p - 1) * size] in (0x0A, 0x0D)]


def damage_index_page(db: Path) -> None:
    """The status index (what an export selects by) claims a third of its entries: reads come back
    short with no error at all -- the silent 331-of-2,000 export."""
    page = btree_pages(db, "ix_documents_status")[-1]
    header = (page - 1) * page_size(db)
    cells = struct.unpack(">H", db.read_bytes()[header + 3 : header + 5])[0]
    write_at(db, header + 3, struct.pack(">H", cells // 3))


def damage_table_page(db: Path) -> None:
    """A leaf of the documents table overwritten with noise (cell pointers and cells)."""
    page = leaves(db, "documents")[len(leaves(db, "documents")) // 2]
    size = page_size(db)
    write_at(db, (page - 1) * size + 8, random.Random(1).randbytes(size - 8))


def damage_page_type(db: Path) -> None:
    """The last leaf of the documents table (the highest ids) gets an invalid page type: any read
    that reaches those documents fails with "database disk image is malformed"."""
    write_at(db, (leaves(db, "documents")[-1] - 1) * page_size(db), b"\x00")


def damage_header_magic(db: Path) -> None:
    write_at(db, 0, bytes(16))


def damage_header_fields(db: Path) -> None:
    write_at(db, 16, b"\x00\x03\x07\x07\x99\x98\x97\x96")  # page size 3, unknown file format versions


def truncate_half(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 2)


def truncate_unsized(db: Path) -> None:
    """Truncated, and the header's page count invalidated, so only SQLite's own reading can tell.
    The schema's pages are kept (its b-tree outgrew page 1 with the search tables): losing them is
    the unopenable file of the other cases, not damage that only a read of the data finds."""
    with closing(sqlite3.connect(db)) as conn:
        schema_end = conn.execute("SELECT max(pageno) FROM dbstat WHERE name = 'sqlite_schema'").fetchone()[0] or 1
    write_at(db, 92, b"\xff\xff\xff\xff")
    size = page_size(db)
    os.truncate(db, max(db.stat().st_size // size // 2, schema_end) * size)


def zero_bytes(db: Path) -> None:
    os.truncate(db, 0)


def text_file(db: Path) -> None:
    db.write_text("These are my notes, saved under the wrong name.\n", encoding="utf-8")


def wal_garbage(db: Path) -> None:
    Path(f"{db}-wal").write_bytes(random.Random(2).randbytes(40_000))


QUICK_CHECK = r"quick_check: [^\n]+"
RECOVER = (r"To get the data back, restore it from a backup, or save what is still readable with: "
           r"sqlite3 \S+/store\.sqlite3 \.recover \| sqlite3 \S+/store-recovered\.sqlite3")
MALFORMED = "SQLite: database disk image is malformed"
DAMAGE: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("index page", damage_index_page, QUICK_CHECK, RECOVER),
    ("table page", damage_table_page, QUICK_CHECK, RECOVER),
    ("page type", damage_page_type, MALFORMED, RECOVER),  # quick_check itself stops on it
    ("header magic", damage_header_magic, "it does not start with the SQLite header: it is not a database, or its "
                                          "first page was overwritten", RECOVER),
    ("header fields", damage_header_fields, "SQLite: file is not a database", RECOVER),
    ("truncated", truncate_half, r"the file is shorter than its header says \(\d+ of \d+ bytes\): it was truncated",
     RECOVER),
    ("truncated, header size invalid", truncate_unsized, QUICK_CHECK, RECOVER),
    ("zero bytes", zero_bytes, r"the file is empty \(0 bytes\): it was truncated, or is not an annotator store",
     "Restore it from a backup, or delete the empty file to start a new store there."),
    ("text file named .sqlite3", text_file, "it does not start with the SQLite header: it is not a database, or "
                                            "its first page was overwritten", RECOVER),
    ("WAL garbage", wal_garbage,
     "its write-ahead log store.sqlite3-wal is not a valid SQLite log; the changes it held cannot be read",
     r"Move .+-wal aside to open the database as it was at its last checkpoint \(recent edits are lost\), "
     r"or restore it from a backup\."),
]


def cli(*args: str, db: Path | str, unprivileged: bool = False, prefix: list[str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "annotator", "--db", str(db), *args]
    if unprivileged and ROOT:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: file permissions cannot be tested")
        cmd = ["setpriv", f"--bounding-set={CAPS}", f"--inh-caps={CAPS}", *cmd]
    return subprocess.run([*(prefix or []), *cmd], cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


PROGRESS = re.compile(r"\s*\d+\.\d% .*")


def one_error_line(result: subprocess.CompletedProcess[str], after_progress: bool = False) -> str:
    """The run failed with exactly one line on stderr, ``annotator: error: …``, and no traceback
    (``after_progress``: after the progress lines of work that had started)."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    if after_progress:
        lines = [line for line in lines if not PROGRESS.fullmatch(line)]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("annotator: error: "), lines[0]
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("command", ["stats", "export", "check", "import"])
@pytest.mark.parametrize(("case", "damage", "detail", "advice"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_damaged_database_file(template: Path, tmp_path: Path, command: str, case: str,
                               damage: Callable[[Path], None], detail: str, advice: str) -> None:
    db = tmp_path / "store.sqlite3"
    shutil.copy(template, db)
    damage(db)
    before = db.read_bytes()
    out = tmp_path / "out"
    args = {"stats": ["stats"], "export": ["export", str(out)], "check": ["check"],
            "import": ["import", str(SEEDS)]}[command]
    result = cli(*args, db=db)
    line = one_error_line(result)
    outcome = "; nothing was exported" if command == "export" and detail in (QUICK_CHECK, MALFORMED) else ""
    if command == "check" and detail == QUICK_CHECK:  # the problems are listed on stdout, above the error
        assert "problems:" in result.stdout
        detail = r"\d+ problems?, listed above"
    assert re.fullmatch(f"annotator: error: the database file {re.escape(str(db))} is damaged \\({detail}\\)"
                        f"{outcome}\\. {advice}", line), line
    assert not out.exists() and leftovers(tmp_path) == []  # no export, complete or partial
    assert db.read_bytes() == before  # nothing was written into the damaged file
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["store.sqlite3"] + (["store.sqlite3-wal"] if case == "WAL garbage" else []))


def test_a_read_error_in_the_middle_of_an_export_is_an_error_not_a_short_export(tmp_path: Path) -> None:
    """Past the integrity check (a caller that skips it, or damage that appears mid-way): the export
    reads 500 documents at a time, the third batch hits a malformed page, and nothing is written."""
    db = build_store(tmp_path / "store.sqlite3", docs=1200)
    # the spans of the last documents: counting the documents (before the export starts) reads no span
    write_at(db, (leaves(db, "spans")[-1] - 1) * page_size(db), b"\x00")
    store = Store.open(str(db))
    try:
        for fmt, out in ((ExportFormat.SPACY, tmp_path / "out"), (ExportFormat.JSONL, tmp_path / "out.jsonl")):
            done: list[int] = []
            with pytest.raises(StoreDamaged) as raised:
                export(store, out, fmt, ExportOptions(), progress=lambda n, _total, _msg, seen=done: seen.append(n),
                       check_integrity=False)
            assert done[-1] == 1000  # two batches were read and converted before the third failed
            assert str(raised.value).startswith(f"the database file {db} is damaged (SQLite: database disk image is "
                                                "malformed); nothing was exported. To get the data back,")
            assert not out.exists()
            assert leftovers(tmp_path) == []
        with pytest.raises(StoreDamaged, match=r"\(SQLite: database disk image is malformed\); nothing was exported"):
            export(store, tmp_path / "out", ExportFormat.SPACY, ExportOptions())
    finally:
        store.close()


# -- permissions, space, kinds of paths ---------------------------------------------------------------


def test_read_only_folder_still_serves_read_commands(template: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "store.sqlite3"
    shutil.copy(template, db)
    folder.chmod(0o555)
    try:
        stats = cli("stats", "--json", db=db, unprivileged=True)
        assert stats.returncode == 0, stats.stderr
        assert f'"documents": {DOCS}' in stats.stdout
        assert cli("check", db=db, unprivileged=True).stdout.splitlines()[-1] == "ok"
        exported = cli("export", str(tmp_path / "out"), db=db, unprivileged=True)
        assert exported.returncode == 0, exported.stderr
        refused = cli("set-language", "fr", "1", db=db, unprivileged=True)
        assert one_error_line(refused) == (f"annotator: error: the database {db} is read-only (its folder {folder} is "
                                           "not writable); nothing was saved")
        assert sorted(p.name for p in folder.iterdir()) == ["store.sqlite3"]  # no -wal, -shm or journal
    finally:
        folder.chmod(0o755)


def test_db_in_a_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    db = blocker / "sub" / "store.sqlite3"
    article = tmp_path / "article.txt"
    article.write_text("Rabat, Monday.", encoding="utf-8")
    article.chmod(0o644)
    assert one_error_line(cli("import", str(article), db=db)) == (
        f"annotator: error: cannot create the folder {db.parent} for the database {db}: a file is in the way")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    db = locked / "new" / "store.sqlite3"
    assert one_error_line(cli("import", str(article), db=db, unprivileged=True)) == (
        f"annotator: error: cannot create the folder {db.parent} for the database {db}: Permission denied")
    folder_as_db = tmp_path / "a-folder"
    folder_as_db.mkdir()
    assert one_error_line(cli("stats", db=folder_as_db)) == (
        f"annotator: error: the database path {folder_as_db} is a folder; give the database file inside it "
        f"(e.g. {folder_as_db / 'annotator.sqlite3'})")


def test_export_to_a_read_only_folder(template: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    for args, target in ((["--format", "jsonl"], folder / "out.jsonl"), ([], folder / "out")):
        result = cli("export", str(target), *args, db=template, unprivileged=True)
        assert one_error_line(result) == (f"annotator: error: cannot write the export {target}: Permission denied; "
                                          "nothing was written")
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("fmt", ["spacy", "jsonl", "conll"])
def test_full_disk(template: Path, tmp_path: Path, fmt: str) -> None:
    """An 8 KiB tmpfs (in a private mount namespace) fills up part-way through the export."""
    disk = tmp_path / "disk"
    disk.mkdir()
    target = disk / ("out" if fmt == "spacy" else f"out.{fmt}")
    err, listing = tmp_path / "stderr.txt", tmp_path / "listing.txt"
    script = (f"mount -t tmpfs -o size=8k tmpfs {shlex.quote(str(disk))} || exit 99; "
              f"{shlex.quote(sys.executable)} -m annotator --db {shlex.quote(str(template))} export "
              f"{shlex.quote(str(target))} --format {fmt} >/dev/null 2>{shlex.quote(str(err))}; rc=$?; "
              f"ls -A {shlex.quote(str(disk))} >{shlex.quote(str(listing))}; exit $rc")
    unshare = ["unshare", "-m"] if ROOT else ["unshare", "-rm"]
    if shutil.which("unshare") is None:
        pytest.skip("no unshare: cannot mount a small file system")
    done = subprocess.run([*unshare, "sh", "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    if done.returncode == 99 or "Operation not permitted" in done.stderr:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs in CI: {done.stderr}")
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr}")
    result = subprocess.CompletedProcess(done.args, done.returncode, "", err.read_text())
    assert one_error_line(result, after_progress=True) == (
        f"annotator: error: cannot write the export {target}: No space left on device; nothing was written")
    assert listing.read_text() == ""  # no partial file, no temporary left on the full disk


def test_output_of_the_wrong_kind(template: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("keep me")
    a_folder = tmp_path / "a-folder"
    a_folder.mkdir()
    cases = [
        (["export", str(a_file)], f"cannot export to {a_file}: it is a file, and the spaCy format writes a folder "
                                  "(train.spacy, dev.spacy); give a folder path"),
        (["export", str(a_folder), "--format", "jsonl"],
         f"cannot export to {a_folder}: it is a folder, and the jsonl format writes one file; give a file path such "
         f"as {a_folder / 'export.jsonl'}"),
        (["export", "/dev/full", "--format", "conll"],
         "cannot export to /dev/full: it is not a regular file (a pipe, socket or device); give a file path"),
        (["export", str(a_file / "x.jsonl"), "--format", "jsonl"],
         f"cannot export to {a_file / 'x.jsonl'}: {a_file} is a file, not a folder"),
    ]
    desktop = tmp_path / "Desktop"  # someone's folder, not an export: never replaced whole
    desktop.mkdir()
    (desktop / "notes.txt").write_text("mine")
    (desktop / "photos").mkdir()
    cases.append((["export", str(desktop)],
                  f"cannot export to {desktop}: it holds other files (notes.txt, photos/) and no earlier export; the "
                  f"spaCy format replaces its folder whole, so give a new or empty folder, e.g. "
                  f"{desktop / 'training-data'}"))
    for args, message in cases:
        assert one_error_line(cli(*args, db=template)) == f"annotator: error: {message}"
    assert a_file.read_text() == "keep me" and list(a_folder.iterdir()) == []
    assert sorted(p.name for p in desktop.iterdir()) == ["notes.txt", "photos"]


def test_import_refuses_what_it_would_skip(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "readable").mkdir(parents=True)
    (corpus / "locked").mkdir()
    shutil.copy(SEEDS / "001_118d716e0188fb48.txt", corpus / "readable")
    shutil.copy(sorted(SEEDS.glob("*.txt"))[1], corpus / "locked")
    (corpus / "locked").chmod(0o000)
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    db = tmp_path / "store.sqlite3"
    try:
        folder = cli("import", str(corpus), db=db, unprivileged=True)
        assert folder.returncode == 1 and "Traceback" not in folder.stderr
        assert folder.stderr.splitlines() == [
            "annotator: error: import refused, nothing was imported:",
            f"  {corpus / 'locked'}: cannot be read: Permission denied (its files would be skipped)"]
    finally:
        (corpus / "locked").chmod(0o755)
    pipe = cli("import", str(fifo), db=db)
    assert pipe.stderr.splitlines() == [
        "annotator: error: import refused, nothing was imported:",
        f"  {fifo}: is not a regular file (a pipe, socket or device); give files of these types, or folders of "
        "them: .txt, .jsonl, .json, .spacy, .conll/.iob/.bio/.train/.testa/.testb, brat .txt+.ann"]
    assert not db.exists()  # all or nothing: not even an empty store


# -- schema revisions ---------------------------------------------------------------------------------


def set_revision(db: Path, revision: str) -> None:
    with closing(sqlite3.connect(db)) as con, con:  # closed: the change is in the file, not in a -wal
        con.execute("UPDATE alembic_version SET version_num = ?", (revision,))


INJECTION = 'x";COMMIT;CREATE TABLE p();--'
REVISIONS = [
    ("newer schema", "0099", "was made by a newer annotator (schema revision 0099); upgrade annotator to open it. "
                             "Nothing was changed"),
    ("SQL in the revision", INJECTION,
     "has a schema revision that is not a revision id ('x\";COMMIT;CREATE TABLE p();--'): it was not made by "
     "annotator, or its alembic_version table was tampered with. Nothing was changed"),
]


@pytest.mark.parametrize(("revision", "message"), [r[1:] for r in REVISIONS], ids=[r[0] for r in REVISIONS])
def test_unknown_schema_revision_is_refused_without_a_backup(template: Path, tmp_path: Path, revision: str,
                                                             message: str) -> None:
    db = tmp_path / "store.sqlite3"
    shutil.copy(template, db)
    set_revision(db, revision)
    before = db.read_bytes()
    for _ in range(3):  # every failed attempt: same message, no backup, nothing changed
        assert one_error_line(cli("stats", db=db)) == f"annotator: error: the database {db} {message}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.sqlite3"]
    assert db.read_bytes() == before


def test_sql_in_the_revision_on_postgresql_creates_nothing(postgres) -> None:  # type: ignore[no-untyped-def]
    """The old backup put the revision into DDL: this value created table p when a client opened the
    store. Now it is refused as not a revision id, before any statement is built from it."""
    from sqlalchemy import create_engine, inspect

    url = postgres.create_database("injection")
    engine = create_engine(url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = %s", (INJECTION,))
    result = cli("stats", db=url)
    assert one_error_line(result) == f"annotator: error: the database {url} {REVISIONS[1][2]}"
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        schemas = set(inspect(conn).get_schema_names())
    assert "p" not in tables and not any(s.startswith("backup_") for s in schemas)
    engine.dispose()


# -- kills ----------------------------------------------------------------------------------------------


def docbin_ids(path: Path) -> list[int]:
    import spacy
    from spacy.tokens import DocBin

    return [d.user_data["annotator"]["id"] for d in DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)]


def split_of(folder: Path) -> tuple[frozenset[int], frozenset[int]]:
    return frozenset(docbin_ids(folder / "train.spacy")), frozenset(docbin_ids(folder / "dev.spacy"))


def start_export(db: Path, out: Path, seed: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "annotator", "--db", str(db), "export", str(out), "--seed",
                             str(seed), "--dev-ratio", "0.3"], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})


def wait_for_staging(proc: subprocess.Popen[bytes], out: Path) -> float:
    """Wait until the export has started building its folder (or ended); returns when that was."""
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and not any(
            p.name.startswith(f".{out.name}.tmp-") for p in out.parent.iterdir()):
        time.sleep(0.001)
    return time.monotonic()


def test_kill_during_an_export_never_mixes_two_exports(template: Path, tmp_path: Path) -> None:
    """Exports with two seeds (two different train/dev splits) into one folder, SIGKILLed at random
    points of the phase that builds and swaps the folder. After every kill the folder is one complete
    export of one seed -- never a new train.spacy beside an old dev.spacy -- what the user added to
    it is there, and the next export leaves no temporary folder behind."""
    out = tmp_path / "out"
    expected = {}
    phase = 0.0  # from the staging folder's creation to the end of the process
    for seed in (0, 1):
        reference = tmp_path / f"ref{seed}"
        proc = start_export(template, reference, seed)
        staged = wait_for_staging(proc, reference)
        assert proc.wait(timeout=300) == 0
        phase = max(phase, time.monotonic() - staged)
        expected[seed] = split_of(reference)
    assert expected[0] != expected[1]
    shutil.copytree(tmp_path / "ref0", out)
    (out / "model").mkdir()  # what spacy train --output out/model adds, kept through every swap
    (out / "model" / "weights.bin").write_bytes(b"w")
    rng = random.Random(11)
    kills = 0
    for round_no in range(16):
        proc = start_export(template, out, round_no % 2)
        wait_for_staging(proc, out)
        time.sleep(rng.uniform(0, phase))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        kills += proc.returncode == -signal.SIGKILL
        if out.exists():
            assert split_of(out) in (expected[0], expected[1]), f"round {round_no}: a mixed export"
            assert (out / "model" / "weights.bin").read_bytes() == b"w"
        else:  # killed between the two renames: the old folder is set aside, and comes back next time
            assert any(p.name.startswith(".out.old-") for p in tmp_path.iterdir())
    assert kills >= 8
    final = cli("export", str(out), "--seed", "1", "--dev-ratio", "0.3", db=template)
    assert final.returncode == 0, final.stderr
    assert split_of(out) == expected[1]
    assert (out / "model" / "weights.bin").read_bytes() == b"w"
    assert sorted(p.name for p in out.iterdir()) == [".annotator-export", "dev.spacy", "model", "train.spacy"]
    assert leftovers(tmp_path) == []


def test_kill_during_the_pre_upgrade_backup_never_names_a_partial_copy_as_a_backup(tmp_path: Path) -> None:
    """A first-schema store is opened (backup, then upgrade) and SIGKILLed at random points, most of
    them while the copy is being written. Every file named as a backup is a whole first-schema copy;
    partial copies carry a temporary name and are removed by the next upgrade."""
    old = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{old}")
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        for i in range(3000):
            conn.exec_driver_sql(
                "INSERT INTO documents (text, source, title, language, content_hash, status, had_bom, meta, "
                "created_at, updated_at, version) VALUES (?, ?, 't', 'en', ?, 'accepted', 0, '{}', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)", (_text(i) * 8, f"d{i}.txt", f"h{i}"))
    engine.dispose()
    folder = tmp_path / "work"
    folder.mkdir()
    db = folder / "store.sqlite3"
    rng = random.Random(5)
    kills = 0
    for _ in range(10):
        shutil.copy(old, db)
        proc = subprocess.Popen([sys.executable, "-m", "annotator", "--db", str(db), "stats"], cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline and not any(
                ".backup-" in p.name for p in folder.iterdir()):
            time.sleep(0.001)
        time.sleep(rng.uniform(0, 0.02))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        kills += proc.returncode == -signal.SIGKILL
        for backup in folder.glob("store.sqlite3.backup-*"):
            with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as con:
                assert con.execute("PRAGMA quick_check").fetchone() == ("ok",), backup
                assert con.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
                assert con.execute("SELECT count(*) FROM documents").fetchone() == (3000,)
            backup.unlink()
    assert kills >= 5
    shutil.copy(old, db)
    store = Store.open(str(db))
    assert store.backup is not None and store.document_count() == 3000
    store.close()
    names = sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm")))
    assert names == ["store.sqlite3", Path(store.backup).name]  # the partial copies of killed runs are gone
