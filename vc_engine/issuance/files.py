"""Writing issued documents to disk: never half a file under its final name.

A file goes to a temporary name in the same directory and is renamed over its final name; with
`durable`, it is fsynced first. `sync_directory` makes everything written under a directory
durable at once (one syncfs(2), far cheaper than an fsync per document).
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write under a temporary name in the same directory, then rename over `path`."""
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_directory(path: Path) -> None:
    """Make everything written under `path` durable: one syncfs(2) of its file system, or a
    global sync where syncfs is missing."""
    syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
    if syncfs is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"syncfs: {os.strerror(error)}", str(path))
    finally:
        os.close(fd)
