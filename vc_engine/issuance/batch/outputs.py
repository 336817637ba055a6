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

import hashlib
import json
import os
import shutil
import time
import zipfile
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vc_engine.issuance.files import fsync_directory, sync_directory, write_atomically
from vc_engine.issuance.issuer import Rendition
from vc_engine.model import StatusReference

_MAGIC = b"VCBATCH1\n"
STAGING_PREFIX = ".vc-batch-"
_QUEUED = 2
"""Blocks whose outputs may wait for the background writer (their bytes are held meanwhile)."""


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


MANIFEST = "manifest.jsonl"
REJECTS = "rejects.csv"


class BatchOutputs:
    """Where a job's registered blocks go: each document's renditions as files (or into the
    open ZIP archive), a manifest part per block, and at checkpoints the durability that lets
    a block's staging file go (`Journal.mark_done`)."""

    def __init__(
        self,
        out_dir: Path,
        staging: Staging,
        formats: Sequence[Rendition],
        *,
        archive_size: int | None,
        archives_closed: int,
        mark_done: Callable[[list[int], int | None], None],
        checkpoint_seconds: float,
    ) -> None:
        self.out = out_dir
        self.staging = staging
        self.formats = tuple(formats)
        self._mark_done = mark_done
        self._checkpoint_seconds = checkpoint_seconds
        self._last_checkpoint = time.monotonic()
        self._ready: list[int] = []
        self._archives_closed: int | None = None
        self._writers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="vc-batch-write")
        self._behind = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vc-batch-outputs")
        self._queued: deque[Future[None]] = deque()
        self.archive = (
            None
            if archive_size is None
            else ArchiveWriter(out_dir, archive_size, archives_closed, self._closed)
        )

    def write(self, block: int, first_sequence: int, staged: StagedBlock) -> None:
        """Write a registered block's outputs and its manifest part, in the background: the
        block's bytes are already staged durably, so the coordinator goes on preparing and
        registering while one thread compresses and writes, in block order. A failure there
        (a full disk) is raised by the next call here, or by `finish`."""
        while self._queued and (len(self._queued) >= _QUEUED or self._queued[0].done()):
            self._queued.popleft().result()
        self._queued.append(self._behind.submit(self._write, block, first_sequence, staged))

    def _drain(self) -> None:
        while self._queued:
            self._queued.popleft().result()

    def _write(self, block: int, first_sequence: int, staged: StagedBlock) -> None:
        lines = []
        members: list[list[tuple[str, bytes]]] = []
        files_to_write: list[tuple[Path, bytes]] = []
        for offset, document in enumerate(staged.documents):
            names = [f"{document.document_id}{r.suffix}" for r in self.formats]
            files = []
            for rendition, name, data in zip(self.formats, names, document.outputs, strict=True):
                where: dict[str, str] = {"file": name}
                if self.archive is not None:
                    archive = self.archive.location(first_sequence + offset)
                    where = {"archive": archive, "member": name}
                else:
                    files_to_write.append((self.out / name, data))
                digest = hashlib.sha256(data).hexdigest()
                files.append({"format": rendition.format, **where, "sha256": digest})
            members.append(list(zip(names, document.outputs, strict=True)))
            entry = {
                "documentId": document.document_id,
                "line": document.line,
                "files": files,
                "status": [
                    {"purpose": s.purpose, "statusListCredential": s.list_url, "index": s.index}
                    for s in document.status
                ],
            }
            lines.append(json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n")
        # Creating files is kernel work that releases the GIL: a few threads overlap it.
        for _ in self._writers.map(lambda item: write_atomically(*item), files_to_write):
            pass
        self.staging.write_manifest_part(block, lines)
        if self.archive is not None:
            self.archive.add_block(block, first_sequence, members, staged.issued_at)
        else:
            self._ready.append(block)
        if time.monotonic() - self._last_checkpoint >= self._checkpoint_seconds:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Make the finished outputs durable, then let go of their staging files."""
        self._last_checkpoint = time.monotonic()
        if not self._ready and self._archives_closed is None:
            return
        sync_directory(self.out)
        self._mark_done(self._ready, self._archives_closed)
        self.staging.drop(self._ready)
        self._ready, self._archives_closed = [], None

    def finish(self, blocks: int, rejections: Sequence[tuple[int, str | None, str]]) -> None:
        """Close the last archive, make everything durable, assemble the manifest of `blocks`
        blocks and write the rejects file of (line, document id, reason)."""
        self._drain()
        if self.archive is not None:
            self.archive.finish()
        self.checkpoint()
        self.staging.assemble_manifest(blocks, self.out / MANIFEST)
        target = self.out / REJECTS
        rows = ["line,documentId,reason\n"]
        rows.extend(f"{line},{_csv(d or '')},{_csv(reason)}\n" for line, d, reason in rejections)
        if len(rows) == 1:
            target.unlink(missing_ok=True)
        else:
            write_atomically(target, "".join(rows).encode("utf-8"), durable=True)

    def close(self) -> None:
        """Wait for the background writing; its failure, if any, was raised already or is
        beside the point (the job is stopping for another reason; a re-run writes again)."""
        self._behind.shutdown(wait=True, cancel_futures=True)
        self._queued.clear()
        self._writers.shutdown(wait=True, cancel_futures=True)

    def _closed(self, closed: int, done: list[int]) -> None:
        self._archives_closed = closed
        self._ready.extend(done)


def _csv(value: str) -> str:
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value
