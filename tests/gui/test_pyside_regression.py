"""PySide6 6.12.0 on Python 3.11 drops a reference to None on every void-method call and aborts the
interpreter after a few thousand calls. Run many such calls in a child process: an abort fails this
test instead of killing the test run. This guards the version bound in pyproject.toml."""

from __future__ import annotations

import os
import subprocess
import sys

CODE = """
import sys
from PySide6.QtGui import QGuiApplication, QTextCursor, QTextDocument
app = QGuiApplication([])
doc = QTextDocument()
doc.setPlainText("x" * 1000)
cursor = QTextCursor(doc)
before = sys.getrefcount(None)
for i in range(200_000):
    cursor.setPosition(i % 1000)  # void method
after = sys.getrefcount(None)
print("ok", before, after)
"""


def test_many_void_method_calls_do_not_leak_none_or_abort() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, f"interpreter died ({result.returncode}): {result.stderr[-2000:]}"
    status, before, after = result.stdout.split()
    assert status == "ok"
    assert int(before) - int(after) < 1000, "None's reference count fell with each call"


def test_installed_pyside_is_inside_the_pinned_range() -> None:
    import PySide6

    major, minor, *_ = (int(x) for x in PySide6.__version__.split(".")[:3])
    assert (major, minor) < (6, 12), PySide6.__version__
