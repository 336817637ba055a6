"""Where a batch puts what it signed: the staging area, the documents, and the ZIP archives.

Nothing is ever half-written under its final name. Each file goes to a temporary name in the same
directory and is renamed into place; an archive is built under `<name>.partial` and renamed when
it holds its documents. Before a block is registered, its signed bytes are written to one staging
file and fsynced, so once the register says a document exists, its bytes survive any crash; the
staging file is deleted only after the block's outputs are durable (`sync_directory`). Staging
files hold only signed documents (public by design), in a plain length-prefixed layout read back
without any deserialiser that could run code.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vc_engine.model import StatusReference

_MAGIC = b"VCBATCH1\n"
STAGING_PREFIX = ".vc-batch-"


@dataclass(frozen=True)
class StagedDocument:
    document_id: str
    line: int
    outputs: tuple[bytes, ...]
    status: tuple[StatusReference, ...]


@dataclass(frozen=True)
class StagedBlock:
    block: int
    issued_at: datetime
    documents: tuple[StagedDocument, ...]


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
    """Make everything written under `path` durable: one syncfs(2) of its file system (far
    cheaper than an fsync per document), or a global sync where syncfs is missing."""
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


class Staging:
    """`OUT/.vc-batch-<job>/`: one staging file per registered-but-not-done block, and one
    manifest part per registered block until the job's manifest is assembled."""

    def __init__(self, out_dir: Path, job_id: str) -> None:
        self.directory = out_dir / f"{STAGING_PREFIX}{job_id}"

    def prepare(self, registered: int) -> None:
        """Create the area; forget what a crash left of blocks that were never registered
        (they are signed again) and any temporary file."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for path in self.directory.iterdir():
            number = _block_number(path.name)
            if path.name.endswith(".tmp") or (number is not None and number >= registered):
                path.unlink()

    def stage(self, staged: StagedBlock) -> None:
        header = {
            "block": staged.block,
            "issuedAt": staged.issued_at.isoformat(),
            "documents": [
                {
                    "id": d.document_id,
                    "line": d.line,
                    "sizes": [len(o) for o in d.outputs],
                    "status": [[s.purpose, s.list_url, s.index] for s in d.status],
                }
                for d in staged.documents
            ],
        }
        encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
        parts = [_MAGIC, len(encoded).to_bytes(8, "big"), encoded]
        parts.extend(o for d in staged.documents for o in d.outputs)
        write_atomically(self._stage_path(staged.block), b"".join(parts), durable=True)
        fsync_directory(self.directory)

    def read(self, block: int) -> StagedBlock:
        data = self._stage_path(block).read_bytes()
        if not data.startswith(_MAGIC):
            raise ValueError(f"staging file of block {block} is not a batch staging file")
        start = len(_MAGIC) + 8
        end = start + int.from_bytes(data[len(_MAGIC) : start], "big")
        header = json.loads(data[start:end])
        documents = []
        for d in header["documents"]:
            outputs = []
            for size in d["sizes"]:
                outputs.append(data[end : end + size])
                end += size
            status = tuple(StatusReference(p, u, i) for p, u, i in d["status"])
            documents.append(StagedDocument(d["id"], d["line"], tuple(outputs), status))
        if end != len(data):
            raise ValueError(f"staging file of block {block} is truncated or padded")
        return StagedBlock(
            header["block"], datetime.fromisoformat(header["issuedAt"]), tuple(documents)
        )

    def drop(self, blocks: Sequence[int]) -> None:
        for block in blocks:
            self._stage_path(block).unlink(missing_ok=True)

    def write_manifest_part(self, block: int, lines: Sequence[str]) -> None:
        write_atomically(self._manifest_path(block), "".join(lines).encode("utf-8"))

    def assemble_manifest(self, blocks: int, target: Path) -> None:
        """Concatenate the manifest parts of blocks 0..blocks-1 into `target`, atomically."""
        temporary = target.with_name(f".{target.name}.tmp")
        try:
            with temporary.open("wb") as out:
                for block in range(blocks):
                    with self._manifest_path(block).open("rb") as part:
                        shutil.copyfileobj(part, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        fsync_directory(target.parent)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def _stage_path(self, block: int) -> Path:
        return self.directory / f"block-{block:08d}.stage"

    def _manifest_path(self, block: int) -> Path:
        return self.directory / f"block-{block:08d}.manifest"


def _block_number(name: str) -> int | None:
    if not name.startswith("block-"):
        return None
    digits = name[len("block-") :].split(".", 1)[0]
    return int(digits) if digits.isdigit() else None


def remove_stale_temporaries(out_dir: Path) -> None:
    """Temporary files a crash left in the output directory (never under a final name)."""
    for path in out_dir.glob(".*.tmp"):
        path.unlink(missing_ok=True)
    for path in out_dir.glob("*.zip.partial"):
        path.unlink(missing_ok=True)


class ArchiveWriter:
    """ZIP archives of `size` documents each, `documents-00000.zip` onwards, in document
    sequence order. The open archive is `<name>.partial`; after a crash it is rebuilt from the
    staging files of the blocks not yet done. `on_close(closed, done_blocks)` learns when an
    archive is durably in place and which blocks now lie entirely in closed archives."""

    def __init__(
        self,
        out_dir: Path,
        size: int,
        closed: int,
        on_close: Callable[[int, list[int]], None],
    ) -> None:
        self._out, self._size, self.index = out_dir, size, closed
        self._on_close = on_close
        self._zip: zipfile.ZipFile | None = None
        self._count = 0
        self._pending: list[tuple[int, int]] = []

    @staticmethod
    def name(index: int) -> str:
        return f"documents-{index:05d}.zip"

    def location(self, sequence: int) -> str:
        return self.name(sequence // self._size)

    def add_block(
        self,
        block: int,
        first_sequence: int,
        documents: Sequence[Sequence[tuple[str, bytes]]],
        issued_at: datetime,
    ) -> None:
        """Add each document's (member name, bytes) to its archive, skipping those already in
        a closed one (a block replayed after a crash)."""
        stamp = issued_at.astimezone(UTC).timetuple()[:6]
        for offset, members in enumerate(documents):
            index = (first_sequence + offset) // self._size
            if index < self.index:
                continue
            while index > self.index:
                self._close()
            if self._zip is None:
                self._zip = zipfile.ZipFile(
                    self._partial(), "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
                )
            for member, data in members:
                info = zipfile.ZipInfo(member, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                self._zip.writestr(info, data, compresslevel=1)
            self._count += 1
        self._pending.append((block, first_sequence + len(documents)))
        if self._count >= self._size:
            self._close()

    def finish(self) -> None:
        """Close the last, partly filled archive."""
        if self._zip is not None:
            self._close()
        elif self._pending:
            self._on_close(self.index, [b for b, _ in self._pending])
            self._pending = []

    def _partial(self) -> Path:
        return self._out / f"{self.name(self.index)}.partial"

    def _close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None
            with self._partial().open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(self._partial(), self._out / self.name(self.index))
            fsync_directory(self._out)
        self.index += 1
        self._count = 0
        boundary = self.index * self._size
        done = [b for b, end in self._pending if end <= boundary]
        self._pending = [(b, end) for b, end in self._pending if end > boundary]
        self._on_close(self.index, done)
