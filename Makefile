# Everything a new machine needs, from nothing but Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test test-fast lint bench package clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Opens the desktop app; on first start it imports seeds/ and pre-annotates them in the background.
run: $(STAMP)
	$(BIN)/annotator

# The whole suite, headless (offscreen Qt), real SQLite files and real spaCy pipelines.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# The quick loop while working (under a minute): everything but the tests marked slow.
test-fast: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow" -q

lint: $(STAMP)
	$(BIN)/ruff check annotator tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/preannotate.py
	$(BIN)/python benchmarks/export.py
	$(BIN)/python benchmarks/language.py
	$(BIN)/python benchmarks/train.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/gui_open.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/gui_flow.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/gui_latency.py

# A folder app in dist/annotator (PyInstaller), models and resources included.
package: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[package]"
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build packaging/annotator.spec
	QT_QPA_PLATFORM=offscreen dist/annotator/annotator --version

clean:
	rm -rf $(VENV) build dist *.egg-info
