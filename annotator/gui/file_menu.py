"""The File menu: import files or a folder, export training data; both background jobs."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget
from shiboken6 import isValid

from annotator.core.plural import plural
from annotator.core.progress import CancelToken, ProgressSink
from annotator.gui import export_target, plain
from annotator.gui.jobs import Job, JobRunner
from annotator.io.exporter import ExportFormat, ExportReport, export, written_paths
from annotator.io.import_report import other_layers, report_lines, summary
from annotator.io.importer import SUFFIXES, ImportOptions, import_paths
from annotator.io.selection import ExportOptions
from annotator.store import Store
from annotator.store.records import ImportReport

Notify = Callable[[str, bool], None]
# Whose entities an export writes (io.selection): not "your corrections" -- another annotator's
# accepted article is exported as they left it.
EXPORT_PROMPT = ("Format (accepted documents, each as its gold version, else as the person who accepted it "
                 "left it):")


class FileActions:
    def __init__(self, parent: QWidget, store: Store, jobs: JobRunner, user: Callable[[], str], notify: Notify,
                 imported: Callable[[ImportReport, str], None]) -> None:
        self.parent, self.store, self.jobs, self.user, self.notify = parent, store, jobs, user, notify
        self.imported = imported  # the window suggests entities for new documents (and says again what came in)
        self.report_box: QMessageBox | None = None  # the last import's report, when it had something to say

    def ask_import_files(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in sorted(SUFFIXES))
        paths, _ = QFileDialog.getOpenFileNames(self.parent, "Import articles", "",
                                                f"Articles and annotations ({patterns});;All files (*)")
        plain.give_back_keys(self.parent)
        if paths:
            self.import_files(paths)

    def ask_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.parent, "Import a folder of articles")
        plain.give_back_keys(self.parent)
        if folder:
            self.import_files([folder])

    def import_files(self, paths: Sequence[str | Path]) -> bool:
        """All or nothing, in the background (Cancel stops it part-way: nothing is imported); new
        documents then get suggestions."""
        store, author = self.store, self.user()
        self.close_report()  # the last import's report goes: it stayed open behind the next one's

        def work(progress: ProgressSink, cancel: CancelToken) -> object:
            return import_paths(store, list(paths), ImportOptions(author=author), progress, cancel=cancel)

        def done(report: ImportReport) -> None:
            # a label the file brought is said, not buried
            new = report.new_labels
            said = summary(report) + (f"; {plural(len(new), 'new label')} added to the scheme: "
                                      f"{', '.join(new[:5])}{' …' if len(new) > 5 else ''}" if new else "")
            self.notify(said, bool(report.attention or report.warnings))
            elsewhere = other_layers(report, author)
            if report.attention or report.warnings or elsewhere or new:  # the status line is soon replaced
                hints = ["Documents that need attention: the list's status filter, Document → Next needing "
                         "attention (Ctrl+Shift+N)."] if report.attention else []
                hints += [elsewhere[0].upper() + elsewhere[1:] + "."] if elsewhere else []
                self.report_box = plain.show_report(self.parent, "Import report",
                                                    "\n\n".join([said, *hints]),
                                                    "\n".join(report_lines(report)))
            self.imported(report, said)

        def refused(error: str) -> None:  # every problem, by file, line and field: more than a status line holds
            lines = error.splitlines()
            self.report_box = plain.show_report(self.parent, "Import refused", "\n".join(lines[:12]) + (
                f"\n… and {plural(len(lines) - 12, 'more line')} under Show Details." if len(lines) > 12 else ""),
                error if len(lines) > 12 else "", QMessageBox.Icon.Warning)

        return self.jobs.start(Job("importing", work, "nothing was imported"), done, refused)

    def close_report(self) -> None:
        box, self.report_box = self.report_box, None
        if box is not None and isValid(box):  # the person may have closed it (deleted on close)
            box.close()

    def ask_export(self) -> None:
        formats = [f.value for f in ExportFormat]
        fmt, ok = QInputDialog.getItem(self.parent, "Export training data", EXPORT_PROMPT, formats, 0, False)
        if not ok:
            return
        if fmt == ExportFormat.SPACY.value:
            # never the root or a system folder; a folder holding other files: asked, naming the new folder
            folder = export_target.ask_folder(self.parent)
            if folder is not None:
                self.export_to(folder, ExportFormat(fmt))
            return
        suffix = ".conll" if fmt == ExportFormat.CONLL.value else ".jsonl"
        start = f"export{suffix}"
        while target := _save_name(self.parent, start):
            why = export_target.file_refusal(target)
            if why is None:
                self.export_to(Path(target), ExportFormat(fmt))
                return
            export_target.refuse(self.parent, why)
            start = str(Path.home() / f"export{suffix}")

    def export_to(self, target: Path, fmt: ExportFormat, options: ExportOptions | None = None) -> bool:
        store, chosen = self.store, options or ExportOptions()

        def work(progress: ProgressSink, cancel: CancelToken) -> object:
            return export(store, target, fmt, chosen, progress, cancel)

        def done(report: ExportReport) -> None:
            files = ", ".join(written_paths(report))
            folders = {path.parent for path in report.files}
            if len(report.files) > 1 and len(folders) == 1:  # the folder first, once: it is what is read
                folder = str(folders.pop()) + os.sep
                files = f"{folder}: " + ", ".join(p.removeprefix(folder) for p in written_paths(report))
            changed = report.alignment.kept - report.alignment.as_stored
            left_out = report.alignment.left_out
            said = f"; {plural(changed, 'span')} aligned to tokens, {left_out} left out" if changed or left_out else ""
            notes = "".join(f"; {note}" for note in report.split_notes)
            self.notify(f"exported {plural(report.documents, 'document')} to {files}{said}{notes}", bool(left_out))

        return self.jobs.start(Job("exporting", work), done)


def _save_name(parent: QWidget, start: str) -> str:
    target = QFileDialog.getSaveFileName(parent, "Export to", start)[0]
    plain.give_back_keys(parent)
    return target
