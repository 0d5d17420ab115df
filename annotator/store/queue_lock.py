"""One pre-annotating process per SQLite file: an exclusive lock on a small file next to the database,
held for the life of an open file descriptor, so the operating system drops it when the process ends,
however it ends."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import IO

from annotator.core.errors import AnnotatorError


class FileLock:
    """An exclusive lock on a small file, held for the life of an open file descriptor: the operating
    system drops it when the process ends, however it ends."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path, self.handle = path, handle

    @classmethod
    def acquire(cls, path: Path) -> FileLock:
        try:
            handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 -- held until release()
        except OSError as exc:
            raise AnnotatorError(f"cannot create the pre-annotation lock file {path}: {exc.strerror}") from exc
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise AnnotatorError(
                f"{holder} is already pre-annotating {path.name.removesuffix('.preannotate.lock')}; an SQLite "
                "database takes one pre-annotation at a time: wait for it to finish (or stop it), or use "
                "PostgreSQL to run several workers")
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}")
        handle.flush()
        return cls(path, handle)

    def release(self) -> None:
        _unlock(self.handle)
        self.handle.close()


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
