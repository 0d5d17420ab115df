"""annotator side by side with Label Studio: import and export of the same pre-annotated corpus.

Run by hand, never in CI (it installs Label Studio from the package index, ~2 min the first time):

    python benchmarks/peers.py [--documents 1000 10000] [--workdir DIR] [--keep]
                               [--label-studio-version 1.23.2] [--annotator PATH]

What it does, in one run on this machine:

1. Creates (or reuses) a virtual environment ``DIR/ls-venv`` with ``label-studio==VERSION`` (pinned,
   printed); default DIR is ``~/.cache/annotator-peers`` (never inside the repository).
2. Per N, writes one seeded corpus of N realistic news articles (hundreds of words, dozens of entities
   each: PERSON, ORG, GPE, DATE, MONEY, PERCENT; about one article in four has emoji, flags or other
   non-BMP characters before and inside entities) twice: annotator JSONL (``{"text", "spans",
   "status": "accepted", "meta"}``) and Label Studio tasks JSON (``data.text`` + one ``annotations``
   entry whose ``labels`` results carry the same character offsets).
3. annotator (``.venv/bin/annotator`` of this checkout, a subprocess each time, fresh SQLite file):
   ``import`` (streams, detects each document's language), ``export --format doccano``,
   ``export --format spacy``. Peak memory is the child's VmHWM read from /proc every 20 ms (its
   ``ru_maxrss`` from ``os.wait4`` is printed and saved too, but Linux folds into it the RSS of the
   forking process, this script, so it is only an upper bound). Its times include the process start
   (Python, spaCy imports); the "startup" row (``annotator stats`` on an empty database) says how
   much that is.
4. Label Studio: a fresh data dir (``LABEL_STUDIO_BASE_DATA_DIR`` and ``--data-dir``; SQLite) and a
   server per N (``label-studio start --no-browser --internal-host 127.0.0.1`` on a free port, a user
   and legacy API token given by the start options), polled on ``/health`` (bounded). A project with
   a NER labelling config; import = ``POST /api/projects/ID/import`` of the file (multipart) until
   the project holds N tasks (synchronous in the Community edition; polled anyway); export =
   ``GET /api/projects/ID/export?exportType=JSON&download_all_tasks=true`` read to a file. Peak
   memory: RSS of the server's process group, sampled from /proc every 50 ms during the operation
   (the server's RSS when idle before the import is printed too). The server is stopped at the end
   (process group killed; also on errors and Ctrl+C).
5. Correctness: every document of both exports is matched to the generated corpus by its text and
   its entities (start, end, label) compared: counts of documents missing and of documents whose
   entities differ, for each tool, and between the two tools.

Prints a table (ratio = Label Studio seconds / annotator seconds: > 1 means annotator is faster) and
writes ``DIR/results.json``. ``--keep`` keeps each N's databases, corpus and exports under
``DIR/run-N`` (by default they are removed; the venv and results.json stay).

Offsets: Label Studio's server stores a result's ``start``/``end`` exactly as imported and gives them
back in the export (it never recounts them), so code-point offsets round-trip through the API; what
its web editor counts when a person draws a span next to an astral character (JavaScript strings
are UTF-16) is not exercised here.

The machine has 2 cores shared with other work: figures are one run, with that noise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LS_VERSION = "1.23.2"
LABELS = ("PERSON", "ORG", "GPE", "DATE", "MONEY", "PERCENT")
LS_USER, LS_PASSWORD = "peers@example.com", "peers-bench-password"
START_TIMEOUT = 600.0  # first start runs every migration on a fresh SQLite file
REQUEST_TIMEOUT = 1800.0  # one import or export request
SAMPLE_EVERY = 0.05


class Failed(Exception):
    """A step that cannot go on: one clear message, no traceback."""


# -- corpus ---------------------------------------------------------------------------------------

FIRST = ("Amina Youssef Karim Leila Omar Sara Hassan Nadia Mehdi Salma John Mary Peter Laura David Anna "
         "Paul Julia Mark Emma Rachid Fatima Driss Khadija Antonio Sofia Lucas Ines Hugo Chloe Kenji "
         "Ngozi Priya Mateo Olga Sven").split()
LAST = ("Benali Alaoui Tazi Idrissi Berrada Fassi Smith Johnson Brown Miller Garcia Martin Dubois Moreau "
        "Rossi Bianchi Schmidt Weber Novak Kowalski Haddad Mansouri Chraibi Bennani Lahlou Ziani Okafor "
        "Mensah Tanaka Silva Lindqvist Petrova").split()
ORGS = ["the World Bank", "the European Union", "the African Union", "UNESCO", "Atlas Maritime Group",
        "Maghreb Rail", "the Central Bank", "Northwind Energy", "Helios Solar", "the Ministry of Finance",
        "Orion Telecom", "the Red Crescent", "Sahara Logistics", "the National Statistics Office",
        "Blue Delta Fisheries", "the Port Authority", "Cedar Pharmaceuticals", "Kestrel Airlines"]
ORGS_ASTRAL = ["🚀 Rocket Labs", "Café ☕ Collective", "𝔸tlas Digital", "Green 🌿 Farms"]
GPES = ["Rabat", "Casablanca", "Paris", "London", "Madrid", "Berlin", "Tunis", "Dakar", "Lisbon", "Rome",
        "Vienna", "Cairo", "Lagos", "Oslo", "Tangier", "Marrakesh", "Nairobi", "Accra", "Lyon", "Seville",
        "Morocco", "Senegal", "Portugal", "Kenya", "Egypt", "Spain"]
MONTHS = ("January February March April May June July August September October November December").split()
EMOJI = ["🚀", "🎉", "👍🏽", "🇲🇦", "😀", "📉", "🌍", "🔥", "💧", "𝄞"]

# Sentence templates: {P} person, {O} organisation, {G} place, {D} date, {M} money, {C} percent.
SENTENCES = [
    "{P} told reporters in {G} on {D} that talks with {O} would resume.",
    "{O} said its revenue rose {C} to {M} in the year to {D}.",
    "According to {P}, the agreement signed in {G} covers {M} of new investment.",
    "The project, backed by {O}, is expected to create jobs in {G} and {G}.",
    "{P}, a spokesperson for {O}, declined to comment on the figures.",
    "Officials in {G} said on {D} that unemployment had fallen by {C}.",
    "{O} and {O} announced a joint venture worth {M}.",
    "Critics, including {P}, argue that the plan favours {G} over smaller towns.",
    "Shares of {O} fell {C} after the announcement on {D}.",
    "{P} will travel to {G} next week to meet {P} and representatives of {O}.",
    "The budget for {G} includes {M} for schools and {M} for roads.",
    "Inflation reached {C} in {D}, the highest level since {D}.",
    "Residents of {G} have waited years for the new line, {P} said.",
    "In a statement, {O} said it remained committed to the region.",
]
FILLER = [
    "The negotiations have been slow, and several questions remain open.",
    "Observers expect a decision before the end of the season.",
    "Local businesses welcomed the news, though some remain cautious about the costs.",
    "The details of the arrangement have not been made public.",
    "Analysts say the outcome will depend on the weather and on demand from abroad.",
    "Farmers in the area have complained about water shortages for several months.",
    "The committee will publish its full report later this year.",
    "Traffic was disrupted for several hours while the ceremony took place.",
]
ASTRAL_SENTENCES = [
    '"Huge day for {G} {E}{E}," {P} wrote on social media.',
    "{E} Supporters of {O} gathered outside the offices in {G}.",
    "A post by {P} ({E}) was shared thousands of times before {D}.",
]


@dataclass
class Article:
    text: str
    spans: list[tuple[int, int, str]]
    ref: str


def article(i: int, rng: random.Random) -> Article:
    astral = i % 4 == 1
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    length = 0

    def put(chunk: str, label: str | None = None) -> None:
        nonlocal length
        if label:
            spans.append((length, length + len(chunk), label))
        parts.append(chunk)
        length += len(chunk)

    def fill(template: str) -> None:
        pos = 0
        while (at := template.find("{", pos)) >= 0:
            put(template[pos:at])
            kind = template[at + 1]
            if kind == "P":
                put(f"{rng.choice(FIRST)} {rng.choice(LAST)}", "PERSON")
            elif kind == "O":
                orgs = ORGS + ORGS_ASTRAL if astral else ORGS
                put(rng.choice(orgs), "ORG")
            elif kind == "G":
                put(rng.choice(GPES), "GPE")
            elif kind == "D":
                put(f"{rng.randrange(1, 29)} {rng.choice(MONTHS)} {rng.randrange(1995, 2026)}", "DATE")
            elif kind == "M":
                put(rng.choice(["$", "€", "£"]) + f"{rng.randrange(1, 999)}.{rng.randrange(10)} million", "MONEY")
            elif kind == "C":
                put(f"{rng.randrange(1, 60)}.{rng.randrange(10)}%", "PERCENT")
            elif kind == "E":
                put(rng.choice(EMOJI))
            pos = at + 3
        put(template[pos:])

    put(f"Dispatch {i}: ")
    fill("{O} reports from {G}")
    put("\n\n")
    for paragraph in range(rng.randrange(5, 8)):
        if paragraph:
            put("\n\n")
        sentences = [rng.choice(SENTENCES) for _ in range(rng.randrange(3, 5))]
        sentences += rng.sample(FILLER, 2)
        if astral and paragraph % 2 == 0:
            sentences.append(rng.choice(ASTRAL_SENTENCES))
        rng.shuffle(sentences)
        for k, template in enumerate(sentences):
            if k:
                put(" ")
            fill(template)
    return Article("".join(parts), spans, f"peers/{i}")


def write_corpus(folder: Path, n: int) -> tuple[Path, Path, dict[str, Any]]:
    """The same N articles as annotator JSONL and as Label Studio tasks JSON; returns both paths and
    counts. Seeded: the same N gives the same corpus on every run."""
    rng = random.Random(20240601 + n)
    jsonl, tasks = folder / "corpus.jsonl", folder / "corpus-label-studio.json"
    words = entities = astral_docs = 0
    with open(jsonl, "w", encoding="utf-8") as ours, open(tasks, "w", encoding="utf-8") as theirs:
        theirs.write("[\n")
        for i in range(n):
            a = article(i, rng)
            words += len(a.text.split())
            entities += len(a.spans)
            astral_docs += any(ord(c) > 0xFFFF for c in a.text)
            ours.write(json.dumps({"text": a.text, "spans": [{"start": s, "end": e, "label": lab}
                                                             for s, e, lab in a.spans],
                                   "status": "accepted", "meta": {"ref": a.ref}}, ensure_ascii=False) + "\n")
            result = [{"id": f"e{k}", "from_name": "label", "to_name": "text", "type": "labels",
                       "value": {"start": s, "end": e, "text": a.text[s:e], "labels": [lab]}}
                      for k, (s, e, lab) in enumerate(a.spans)]
            task = {"data": {"text": a.text, "ref": a.ref}, "annotations": [{"result": result}]}
            theirs.write(("," if i else "") + json.dumps(task, ensure_ascii=False) + "\n")
        theirs.write("]\n")
    return jsonl, tasks, {"documents": n, "words": words, "entities": entities, "astral_documents": astral_docs,
                          "jsonl_mb": jsonl.stat().st_size / 1e6, "tasks_json_mb": tasks.stat().st_size / 1e6}


def truth_of(jsonl: Path) -> dict[str, set[tuple[int, int, str]]]:
    truth = {}
    with open(jsonl, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            truth[rec["text"]] = {(s["start"], s["end"], s["label"]) for s in rec["spans"]}
    return truth


# -- processes and memory -------------------------------------------------------------------------


def rss_of_group(pgid: int) -> int:
    """Sum of VmRSS (bytes) of every process in process group ``pgid``."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) != pgid:  # state, ppid, pgrp
                continue
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue  # gone meanwhile
    return total


class PeakSampler:
    """Samples a process group's RSS in a thread while the ``with`` block runs; ``peak`` in bytes."""

    def __init__(self, pgid: int) -> None:
        self.pgid, self.peak = pgid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.peak = max(self.peak, rss_of_group(self.pgid))
            if self._stop.wait(SAMPLE_EVERY):
                return

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_of_group(self.pgid))


def vm_hwm(pid: int) -> int:
    """Peak RSS (VmHWM, bytes) of a live process's own memory since its exec, else 0."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def run_measured(cmd: list[str], log: Path, timeout: float) -> tuple[float, float, str, float]:
    """Run ``cmd``; returns (seconds, peak RSS in MB, stdout, ru_maxrss in MB). Fails with its output.

    The peak is the child's VmHWM, read every 20 ms while it runs: ``ru_maxrss`` from ``wait4`` is
    kept too, but Linux carries into it the RSS of the process that forked the child (this script,
    which holds the last export it checked), so it only bounds the peak from above."""
    peak = 0
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True)
        out_chunks: list[str] = []
        reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read() if proc.stdout else ""))
        reader.start()
        deadline = start + timeout
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                peak = max(peak, vm_hwm(proc.pid))
                if time.perf_counter() > deadline:
                    raise Failed(f"{' '.join(cmd[:4])}... still running after {timeout:.0f} s: killed (log: {log})")
                time.sleep(0.02)
        except BaseException:  # the timeout, Ctrl+C: the child (its own session) goes too
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            raise
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join()
    out = "".join(out_chunks)
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise Failed(f"{' '.join(cmd)} exited {proc.returncode}:\n{out[-1000:]}{tail}")
    return seconds, peak / 1e6, out, usage.ru_maxrss * 1024 / 1e6  # ru_maxrss is in KiB on Linux


# -- Label Studio ---------------------------------------------------------------------------------


def ensure_label_studio(workdir: Path, version: str) -> Path:
    """``workdir/ls-venv`` with label-studio==version (reused when it already has it)."""
    venv = workdir / "ls-venv"
    python = venv / "bin" / "python"
    if python.exists():
        got = subprocess.run([str(python), "-c", "import importlib.metadata as m; print(m.version('label-studio'))"],
                             capture_output=True, text=True, timeout=60)
        if got.returncode == 0 and got.stdout.strip() == version:
            print(f"label-studio {version}: reusing {venv}")
            return venv
    print(f"label-studio {version}: installing into {venv} (a few minutes)...", flush=True)
    base = shutil.which("python3.11") or sys.executable
    steps = [[base, "-m", "venv", "--clear", str(venv)],
             [str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
             [str(python), "-m", "pip", "install", f"label-studio=={version}"]]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=1800)
        except subprocess.TimeoutExpired as exc:
            raise Failed(f"{' '.join(step)} did not finish in 30 min") from exc
        if done.returncode != 0:
            raise Failed(f"cannot install Label Studio: {' '.join(step)} exited {done.returncode}:\n"
                         f"{(done.stdout + done.stderr)[-3000:]}")
    return venv


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LabelStudio:
    """One ``label-studio start`` on 127.0.0.1 with its own data dir; a context manager that always
    kills its process group on the way out."""

    def __init__(self, venv: Path, data_dir: Path, log: Path) -> None:
        self.venv, self.data_dir, self.log = venv, data_dir, log
        self.port = free_port()
        self.token = uuid.uuid4().hex
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LabelStudio:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(self.data_dir),
               "LOG_LEVEL": "WARNING", "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": "",
               "COLLECT_ANALYTICS": "false", "LATEST_VERSION_CHECK": "false",  # loopback only
               "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true"}
        cmd = [str(self.venv / "bin" / "label-studio"), "start", "--no-browser", "--internal-host", "127.0.0.1",
               "--port", str(self.port), "--data-dir", str(self.data_dir), "--username", LS_USER,
               "--password", LS_PASSWORD, "--user-token", self.token, "--enable-legacy-api-token",
               "--log-level", "WARNING"]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=env, start_new_session=True, cwd=self.data_dir)
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)
        # Anything left in the group (a reloader, a worker) goes too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    @property
    def pgid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def _wait_healthy(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failed(f"label-studio start exited {self.proc.returncode} before answering:\n"
                             f"{self.log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=5) as r:
                    if r.status == 200:
                        self.request("GET", "/api/projects/")  # the token works too
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise Failed(f"Label Studio did not answer {self.base}/health within {START_TIMEOUT:.0f} s (log: {self.log})")

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None,
                out: Path | None = None) -> Any:
        """One API call with the token; JSON back, or the body streamed to ``out``."""
        headers = {"Authorization": f"Token {self.token}"}
        if content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT) as r:
                if out is not None:
                    with open(out, "wb") as fh:
                        shutil.copyfileobj(r, fh, 1 << 20)
                    return None
                data = r.read()
        except urllib.error.HTTPError as exc:
            raise Failed(f"Label Studio {method} {path}: HTTP {exc.code}: "
                         f"{exc.read().decode(errors='replace')[:2000]}") from exc
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise Failed(f"Label Studio {method} {path}: {exc} (log: {self.log})") from exc
        return json.loads(data) if data else None

    def create_project(self, title: str) -> int:
        config = ('<View><Labels name="label" toName="text">'
                  + "".join(f'<Label value="{lab}"/>' for lab in LABELS)
                  + '</Labels><Text name="text" value="$text"/></View>')
        body = json.dumps({"title": title, "label_config": config}).encode()
        return int(self.request("POST", "/api/projects/", body, "application/json")["id"])

    def task_count(self, project: int) -> int:
        return int(self.request("GET", f"/api/projects/{project}/")["task_number"])

    def import_file(self, project: int, path: Path, expected: int) -> dict[str, Any]:
        """POST the file (multipart, as the web page does) and wait until the project holds ``expected``
        tasks."""
        boundary = uuid.uuid4().hex
        body = b"".join([f"--{boundary}\r\n".encode(),
                         f'Content-Disposition: form-data; name="file"; filename="{path.name}"\r\n'.encode(),
                         b"Content-Type: application/json\r\n\r\n", path.read_bytes(),
                         f"\r\n--{boundary}--\r\n".encode()])
        answer = self.request("POST", f"/api/projects/{project}/import", body,
                              f"multipart/form-data; boundary={boundary}")
        deadline = time.monotonic() + REQUEST_TIMEOUT
        while (count := self.task_count(project)) < expected:
            if time.monotonic() > deadline:
                raise Failed(f"Label Studio holds {count} of {expected} tasks after {REQUEST_TIMEOUT:.0f} s")
            time.sleep(0.2)
        return answer if isinstance(answer, dict) else {}

    def export(self, project: int, out: Path) -> None:
        self.request("GET", f"/api/projects/{project}/export?exportType=JSON&download_all_tasks=true", out=out)


# -- one size -------------------------------------------------------------------------------------


@dataclass
class Row:
    n: int
    operation: str
    ours_s: float | None
    theirs_s: float | None
    ours_mb: float | None
    theirs_mb: float | None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.theirs_s / self.ours_s if self.ours_s and self.theirs_s else None


@dataclass
class Check:
    compared: int = 0
    missing: dict[str, int] = field(default_factory=lambda: {"annotator": 0, "label-studio": 0})
    differ: dict[str, int] = field(default_factory=lambda: {"annotator": 0, "label-studio": 0})
    between: int = 0
    astral_compared: int = 0
    examples: list[str] = field(default_factory=list)


def read_doccano(path: Path) -> dict[str, set[tuple[int, int, str]]]:
    got = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            got[rec["text"]] = {(s, e, lab) for s, e, lab in rec["label"]}
    return got


def read_label_studio(path: Path) -> dict[str, set[tuple[int, int, str]]]:
    got = {}
    for task in json.loads(path.read_text(encoding="utf-8")):
        spans = set()
        for ann in task.get("annotations") or []:
            for region in ann.get("result") or []:
                v = region.get("value") or {}
                spans.update((v["start"], v["end"], lab) for lab in v.get("labels") or [])
        got[task["data"]["text"]] = spans
    return got


def check(truth: dict[str, set[tuple[int, int, str]]], ours: Path, theirs: Path) -> Check:
    result = Check()
    exports = {"annotator": read_doccano(ours), "label-studio": read_label_studio(theirs)}
    for text, expected in truth.items():
        result.compared += 1
        result.astral_compared += any(ord(c) > 0xFFFF for c in text)
        got = {}
        for tool, found in exports.items():
            if text not in found:
                result.missing[tool] += 1
                continue
            got[tool] = found[text]
            if found[text] != expected:
                result.differ[tool] += 1
                if len(result.examples) < 5:
                    extra, lost = sorted(found[text] - expected)[:3], sorted(expected - found[text])[:3]
                    result.examples.append(f"{tool}: {text[:40]!r}... extra {extra} missing {lost}")
        if len(got) == 2 and got["annotator"] != got["label-studio"]:
            result.between += 1
    return result


def one_size(n: int, workdir: Path, venv: Path, annotator: str) -> tuple[list[Row], dict[str, Any]]:
    run = workdir / f"run-{n}"
    if run.exists():
        shutil.rmtree(run)
    run.mkdir(parents=True)
    print(f"\n== {n:,} documents ==", flush=True)
    jsonl, tasks, corpus = write_corpus(run, n)
    print(f"corpus: {corpus['words']:,} words, {corpus['entities']:,} entities, {corpus['astral_documents']:,} "
          f"documents with non-BMP characters; {corpus['jsonl_mb']:.1f} MB JSONL, {corpus['tasks_json_mb']:.1f} MB "
          f"Label Studio JSON", flush=True)
    rows: list[Row] = []
    db = str(run / "annotator.sqlite3")
    base = [annotator, "--db", db, "--user", "peers"]
    timeout = 600 + n * 0.2

    # stats needs a store that exists: make an empty one with the checkout's own interpreter first
    subprocess.run([str(Path(annotator).parent / "python"), "-c",
                    f"from annotator.store import Store; Store.open({db!r}).close()"], check=True, timeout=120)
    startup_s, startup_mb, _, _ = run_measured(base + ["stats"], run / "annotator-stats.log", 120)
    (run / "annotator.sqlite3").unlink(missing_ok=True)  # the import starts from no database at all
    print(f"annotator startup (stats on an empty database): {startup_s:.2f} s", flush=True)

    imp_s, imp_mb, _, imp_max = run_measured(base + ["import", str(jsonl)], run / "annotator-import.log", timeout)
    print(f"annotator import: {imp_s:.1f} s, peak {imp_mb:.0f} MB (ru_maxrss {imp_max:.0f})", flush=True)
    doc_s, doc_mb, _, doc_max = run_measured(
        base + ["export", str(run / "annotator-doccano.jsonl"), "--format", "doccano"],
        run / "annotator-export-doccano.log", timeout)
    print(f"annotator export doccano: {doc_s:.1f} s, peak {doc_mb:.0f} MB (ru_maxrss {doc_max:.0f})", flush=True)
    spacy_s, spacy_mb, spacy_out, spacy_max = run_measured(
        base + ["export", str(run / "annotator-spacy"), "--format", "spacy"], run / "annotator-export-spacy.log",
        timeout)
    alignment = next((line.strip() for line in spacy_out.splitlines() if line.strip().startswith("spans:")), "")
    print(f"annotator export spacy: {spacy_s:.1f} s, peak {spacy_mb:.0f} MB (ru_maxrss {spacy_max:.0f}; {alignment})",
          flush=True)

    t0 = time.perf_counter()
    with LabelStudio(venv, run / "label-studio-data", run / "label-studio.log") as ls:
        idle_mb = rss_of_group(ls.pgid) / 1e6
        print(f"Label Studio up on {ls.base} after {time.perf_counter() - t0:.1f} s (fresh data dir), "
              f"idle RSS {idle_mb:.0f} MB", flush=True)
        project = ls.create_project(f"peers {n}")
        with PeakSampler(ls.pgid) as sampler:
            t0 = time.perf_counter()
            answer = ls.import_file(project, tasks, n)
            ls_imp_s = time.perf_counter() - t0
        ls_imp_mb = sampler.peak / 1e6
        print(f"Label Studio import: {ls_imp_s:.1f} s, peak {ls_imp_mb:.0f} MB "
              f"(answer: {answer.get('task_count')} tasks, {answer.get('annotation_count')} annotations)", flush=True)
        theirs = run / "label-studio-export.json"
        with PeakSampler(ls.pgid) as sampler:
            t0 = time.perf_counter()
            ls.export(project, theirs)
            ls_exp_s = time.perf_counter() - t0
        ls_exp_mb = sampler.peak / 1e6
        print(f"Label Studio export JSON: {ls_exp_s:.1f} s, peak {ls_exp_mb:.0f} MB", flush=True)

    result = check(truth_of(jsonl), run / "annotator-doccano.jsonl", theirs)
    rows += [Row(n, "startup (no work)", startup_s, None, startup_mb, idle_mb, "LS: idle server"),
             Row(n, "import", imp_s, ls_imp_s, imp_mb, ls_imp_mb, "ours: with language id"),
             Row(n, "export doccano | LS JSON", doc_s, ls_exp_s, doc_mb, ls_exp_mb),
             Row(n, "export spacy | LS JSON", spacy_s, ls_exp_s, spacy_mb, ls_exp_mb, "ours: tokenized DocBin")]
    details = {"corpus": corpus, "label_studio_import_answer": answer, "spacy_alignment": alignment,
               "annotator_ru_maxrss_mb": {"import": imp_max, "export doccano": doc_max, "export spacy": spacy_max},
               "check": result.__dict__}
    return rows, details


# -- main -----------------------------------------------------------------------------------------


def fmt(value: float | None, pattern: str) -> str:
    return format(value, pattern) if value is not None else "-".rjust(int(pattern.split(".")[0]))


def print_table(rows: list[Row]) -> None:
    head = (f"{'N':>7}  {'operation':<26} {'annotator s':>11} {'LS s':>8} {'LS/ann':>7} "
            f"{'ann MB':>7} {'LS MB':>7}  note")
    print("\n" + head + "\n" + "-" * len(head))
    for r in rows:
        print(f"{r.n:>7,}  {r.operation:<26} {fmt(r.ours_s, '11.1f')} {fmt(r.theirs_s, '8.1f')} "
              f"{fmt(r.ratio, '7.2f')} {fmt(r.ours_mb, '7.0f')} {fmt(r.theirs_mb, '7.0f')}  {r.note}")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--documents", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "annotator-peers"
                        if Path.home().is_dir() else Path(tempfile.gettempdir()) / "annotator-peers")
    parser.add_argument("--keep", action="store_true", help="keep each N's corpus, databases and exports")
    parser.add_argument("--label-studio-version", default=LS_VERSION)
    parser.add_argument("--annotator", default=str(REPO / ".venv" / "bin" / "annotator"),
                        help="the annotator command (default: this checkout's .venv)")
    args = parser.parse_args()

    workdir = args.workdir.expanduser().resolve()
    if workdir == REPO or REPO in workdir.parents:
        print(f"peers: --workdir must be outside the repository ({REPO})", file=sys.stderr)
        return 2
    if not Path(args.annotator).exists():
        print(f"peers: no annotator at {args.annotator}: run 'make install' first", file=sys.stderr)
        return 2
    workdir.mkdir(parents=True, exist_ok=True)
    version = subprocess.run([args.annotator, "--version"], capture_output=True, text=True, timeout=120)
    print(f"annotator: {args.annotator} ({version.stdout.strip() or version.stderr.strip()})")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    rows: list[Row] = []
    details: dict[str, Any] = {}
    signal.signal(signal.SIGTERM, _interrupt)  # a kill cleans up as Ctrl+C does
    try:
        venv = ensure_label_studio(workdir, args.label_studio_version)
        for n in args.documents:
            got, details[str(n)] = one_size(n, workdir, venv, args.annotator)
            rows += got
            if not args.keep:
                shutil.rmtree(workdir / f"run-{n}", ignore_errors=True)
    except Failed as exc:
        print(f"\npeers: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\npeers: interrupted (Label Studio stopped)", file=sys.stderr)
        return 130

    print_table(rows)
    print("ratio LS/ann > 1: annotator faster. annotator MB: VmHWM of its process (read every 20 ms); LS MB: peak "
          "RSS of the server's process group during the operation (sampled every 50 ms). MB = 10^6 bytes.")
    for n, d in details.items():
        c = d["check"]
        print(f"check {int(n):,}: {c['compared']:,} documents ({c['astral_compared']:,} with non-BMP characters) "
              f"compared with the corpus: missing ann {c['missing']['annotator']} / LS {c['missing']['label-studio']}, "
              f"entities differ ann {c['differ']['annotator']} / LS {c['differ']['label-studio']}, "
              f"annotator vs LS differ {c['between']}")
        for example in c["examples"]:
            print(f"  {example}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end (2 cores, shared: one run, expect noise)")
    out = workdir / "results.json"
    out.write_text(json.dumps({"label_studio_version": args.label_studio_version, "annotator": version.stdout.strip(),
                               "when": time.strftime("%Y-%m-%d %H:%M:%S"), "cores": os.cpu_count(),
                               "rows": [{**r.__dict__, "ratio": r.ratio} for r in rows], "details": details},
                              indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
