"""Shared fixtures: a real SQLite file per test, the real seeds, the real spaCy pipelines (loaded once)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


# Slow by nature: SIGKILL loops and concurrent processes, CLI runs in subprocesses (each loads spaCy),
# training, background jobs over hundreds of documents. `make test-fast` leaves them out; `make test`
# (CI, the README's command) runs everything. A test may also say @pytest.mark.slow itself.
SLOW_FILES = ("reliability/", "test_cli.py", "nlp/test_train.py", "gui/test_large_and_jobs.py",
              "gui/test_model_loop.py", "gui/test_background.py", "gui/test_learning_gui.py")
SLOW_NAMES = ("subprocess", "sigkill", "cli_", "_cli", "train")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        where = item.path.relative_to(REPO / "tests").as_posix()
        if where.startswith(SLOW_FILES) or any(n in item.name.lower() for n in SLOW_NAMES):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may touch the real per-user database or inherit the developer's configuration."""
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "default.sqlite3"))
    monkeypatch.delenv("ANNOTATOR_PIPELINES", raising=False)
    monkeypatch.delenv("ANNOTATOR_LABEL_MAPPING", raising=False)
    monkeypatch.setenv("ANNOTATOR_USER", "tester")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.sqlite3"


@pytest.fixture
def store(db_path: Path):  # type: ignore[no-untyped-def]
    from annotator.store import Store

    s = Store.open(str(db_path))
    yield s
    s.close()


@pytest.fixture(scope="session")
def postgres():  # type: ignore[no-untyped-def]
    """A throwaway PostgreSQL server for the session. Skipped only outside CI when no binaries exist."""
    from tests.postgres import ThrowawayPostgres, require_pg_bin

    server = ThrowawayPostgres(require_pg_bin()).start()
    yield server
    server.stop()


_pg_counter = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, db_path: Path):  # type: ignore[no-untyped-def]
    """The same Store on an SQLite file and on a fresh PostgreSQL database."""
    from annotator.store import Store

    if request.param == "sqlite":
        s = Store.open(str(db_path))
    else:
        server = request.getfixturevalue("postgres")
        s = Store.open(server.create_database(f"t{next(_pg_counter)}"))
    yield s
    s.close()


@pytest.fixture(scope="session")
def pipelines():  # type: ignore[no-untyped-def]
    from annotator.nlp.pipelines import Pipelines

    return Pipelines()


@pytest.fixture
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, pipelines) -> Path:  # type: ignore[no-untyped-def]
    """The seeds imported and pre-annotated once per session; tests work on copies."""
    from annotator.io.importer import import_paths
    from annotator.nlp.preannotate import preannotate
    from annotator.store import Store

    path = tmp_path_factory.mktemp("template") / "seeded.sqlite3"
    store = Store.open(str(path))
    import_paths(store, [SEEDS])
    preannotate(store, pipelines)
    store.close()
    return path


@pytest.fixture
def seeded_store(seeded_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    from tests.corrections import open_copy

    store = open_copy(seeded_template, tmp_path)
    yield store
    store.close()
