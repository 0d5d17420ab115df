"""The layer contracts in pyproject.toml hold (checked by import-linter, as napari does)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is part of the dev extra"
    result = subprocess.run([exe, "--config", str(REPO / "pyproject.toml")], cwd=REPO, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 broken." in result.stdout
    kept = [line for line in result.stdout.splitlines() if line.endswith(" KEPT") or " KEPT (" in line]
    for contract in ("cli > gui > nlp > io > store > core", "Only the GUI imports Qt",
                     "The annotation session imports no Qt", "standard library only"):
        assert any(contract in line for line in kept), f"contract {contract!r} missing:\n{result.stdout}"


def test_core_imports_without_third_party_packages() -> None:
    """core is pure: importing all of it in a fresh interpreter pulls in no SQLAlchemy, spaCy or Qt."""
    code = (
        "import sys, pkgutil, importlib, annotator.core as c\n"
        "for m in pkgutil.iter_modules(c.__path__): importlib.import_module('annotator.core.' + m.name)\n"
        "bad = [m for m in ('sqlalchemy', 'spacy', 'PySide6', 'alembic') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_ruff_is_clean() -> None:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert exe, "ruff is part of the dev extra"
    result = subprocess.run([exe, "check", "annotator", "tests", "benchmarks", "packaging"], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    """The type checker passes on annotator/ with the settings in pyproject.toml (no blanket ignores)."""
    exe = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")
    assert exe, "mypy is part of the dev extra"
    result = subprocess.run([exe, "--config-file", str(REPO / "pyproject.toml")], cwd=REPO, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_no_blanket_type_ignores() -> None:
    """Every `type: ignore` in annotator/ names its error code (mypy also flags unused ones)."""
    bare = [f"{p.relative_to(REPO)}:{n}" for p in (REPO / "annotator").rglob("*.py")
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if "type: ignore" in line and "type: ignore[" not in line]
    assert not bare, bare
