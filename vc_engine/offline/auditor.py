"""The auditor's offline audit: verify a whole archive against a signed trust bundle.

Every file is verified by the same pipeline an online verifier runs (`verify.verify`), with a
`BundleSnapshot` standing in for both the registry and the status lists, so the same documents get
the same verdicts offline as online; nothing touches a network or a database. Formats may be
mixed: each file's format is detected from its content.

Work is spread over any `concurrent.futures.Executor`: a `ProcessPoolExecutor` on one machine,
or a Dask cluster's (`distributed.Client(address).get_executor()`). Tasks carry a bundle
*factory* (`BundleLoader`), never the bundle: each worker process opens and checks the bundle
once and keeps it for every later chunk. With a cluster, the archive, the bundle and the root
certificate must be readable at the same paths on every worker (a shared file system).

A file that cannot be read, is empty, or is not a document is an entry of the report, never a
crash; a fault of the engine on one file is reported for that file (INDETERMINATE, naming the
fault) so one bad file cannot stop an audit of a million.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from vc_engine.i18n import translate
from vc_engine.model import (
    Check,
    CheckStatus,
    Indication,
    PolicyName,
    SubIndication,
    VerificationReport,
)
from vc_engine.offline.bundle_snapshot import BundleSnapshot
from vc_engine.policy import VerificationPolicy
from vc_engine.verify import verify

BundleFactory = Callable[[], BundleSnapshot]
REPORT_TYPE = "vc-engine-audit-report"
DEFAULT_CHUNK = 250
"""Files per task: large enough that dispatch costs little, small enough for a smooth bar."""

_ORDER = {Indication.FAILED: 0, Indication.INDETERMINATE: 1, Indication.PASSED: 2}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One file's verdict. `path` is as the caller named it (relative to the audited DIR)."""

    path: str
    sha256: str | None
    """Of the bytes verified; None when the file could not be read."""
    indication: Indication
    sub_indication: SubIndication | None
    document_id: str | None
    format: str | None
    reasons: tuple[str, ...]
    """Every check that did not pass, as "check: message"; empty for PASSED."""
    warnings: tuple[str, ...] = ()
    findings: tuple[Check, ...] = ()
    """The checks behind `reasons`, with their message codes, to be said in any language."""

    def to_json(self, language: str | None = None) -> dict[str, Any]:
        """The entry; with a `language`, also its findings with their codes, said in it."""
        shown: dict[str, Any] = {
            "path": self.path,
            "sha256": self.sha256,
            "indication": str(self.indication),
            "subIndication": None if self.sub_indication is None else str(self.sub_indication),
            "documentId": self.document_id,
            "format": self.format,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
        }
        if language is not None:
            shown["findings"] = [
                {**check.to_json(), "translatedMessage": translate(check.said, language)}
                for check in self.findings
            ]
        return shown


@dataclass(frozen=True, slots=True)
class BundleFacts:
    """Which bundle an audit trusted."""

    sha256: str
    root_key_id: str
    created: datetime
    next_update: datetime
    documents: int
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "rootKeyId": self.root_key_id,
            "created": self.created.isoformat(),
            "nextUpdate": self.next_update.isoformat(),
            "documents": self.documents,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class AuditReport:
    verified_at: datetime
    bundle: BundleFacts
    entries: tuple[AuditEntry, ...]
    """Sorted by path."""
    policy: PolicyName | None = None
    """The validation policy every verdict was reached under."""

    @property
    def by_indication(self) -> dict[str, int]:
        counted = Counter(str(e.indication) for e in self.entries)
        return {str(i): counted.get(str(i), 0) for i in Indication}

    @property
    def by_sub_indication(self) -> dict[str, int]:
        counted = Counter(str(e.sub_indication) for e in self.entries if e.sub_indication)
        return dict(sorted(counted.items()))

    def failures_first(self) -> list[AuditEntry]:
        """FAILED, then INDETERMINATE, then PASSED; by path within each."""
        return sorted(self.entries, key=lambda e: (_ORDER[e.indication], e.path))

    def to_json(self, language: str | None = None) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "type": REPORT_TYPE,
            "version": 1,
            "verifiedAt": self.verified_at.isoformat(),
            "bundle": self.bundle.to_json(),
            "totals": {
                "documents": len(self.entries),
                "byIndication": self.by_indication,
                "bySubIndication": self.by_sub_indication,
            },
            "entries": [e.to_json(language) for e in self.entries],
            **({} if self.policy is None else {"policy": self.policy.to_json()}),
        }
        if language is not None:
            shown["language"] = language
        return shown


# The library entry points


def verify_offline(
    data: bytes, view: BundleSnapshot, policy: VerificationPolicy
) -> VerificationReport:
    """`verify` against a bundle, as trust and as status, with the document types and their
    contexts it carries, and with the bundle's warnings added."""
    if view.type_contexts:
        rules = policy.contexts
        operator = (*rules.operator, *view.type_contexts)
        policy = dataclasses.replace(policy, contexts=dataclasses.replace(rules, operator=operator))
    report = verify(data, view, policy, view, catalogue=view.catalogue)
    if not view.warnings:
        return report
    return dataclasses.replace(report, warnings=(*report.warnings, *view.warnings))


def collect(directory: Path, *, exclude: Iterable[Path] = ()) -> list[tuple[str, Path]]:
    """Every non-directory entry under `directory` (broken links included: they are reported,
    not skipped), as (path relative to `directory`, path), sorted."""
    skipped = {p.resolve() for p in exclude}
    found = []
    for folder, subfolders, files in os.walk(directory):
        subfolders.sort()
        for name in files:
            path = Path(folder) / name
            if path.resolve() not in skipped:
                found.append((path.relative_to(directory).as_posix(), path))
    return sorted(found)


def audit(
    paths: Iterable[tuple[str, Path]] | Iterable[Path],
    bundle_view_factory: BundleFactory,
    policy: VerificationPolicy,
    executor: Executor | None = None,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    max_pending: int | None = None,
) -> AuditReport:
    """Verify every file offline and report each verdict.

    `paths` are paths, or (name to report, path) pairs. `bundle_view_factory` must be picklable
    when `executor` runs in other processes (`BundleLoader` is); it is called once in this
    process first, so a refused bundle (`BundleRefused`) stops the audit before any work is
    sent. Without `executor` everything runs here. `progress(n)` is called as each chunk of n
    files is done. `policy.at` is the moment every verdict speaks for.
    """
    view = open_once(bundle_view_factory)
    items = [(p.as_posix(), p) if isinstance(p, Path) else p for p in paths]
    # Files of one format verify faster one after another (warm caches): dispatch grouped by
    # extension; the report is sorted by path whatever the order of work.
    items.sort(key=lambda item: (Path(item[0]).suffix, item[0]))
    chunks = [items[i : i + chunk_size] for i in range(0, len(items), chunk_size)]
    results: list[AuditEntry] = []
    for done in _run(chunks, bundle_view_factory, policy, executor, max_pending):
        results.extend(done)
        if progress is not None:
            progress(len(done))
    facts = BundleFacts(
        sha256=view.sha256,
        root_key_id=view.root_key_id,
        created=view.created,
        next_update=view.next_update,
        documents=view.documents,
        warnings=view.warnings,
    )
    entries = tuple(sorted(results, key=lambda e: e.path))
    return AuditReport(policy.at, facts, entries, PolicyName(policy.name, policy.sha256))


def write_json(report: AuditReport, out: Path, language: str | None = None) -> None:
    """The report as JSON; with a `language`, each finding's message also said in it."""
    answer = report.to_json(language)
    out.write_text(json.dumps(answer, ensure_ascii=False, indent=1), encoding="utf-8")


# Workers


def _run(
    chunks: Sequence[list[tuple[str, Path]]],
    factory: BundleFactory,
    policy: VerificationPolicy,
    executor: Executor | None,
    max_pending: int | None,
) -> Iterator[list[AuditEntry]]:
    if executor is None:
        for chunk in chunks:
            yield audit_chunk(factory, policy, chunk)
        return
    # A bounded number of chunks in flight: memory stays flat however large the archive.
    limit = max_pending or 4 * (os.cpu_count() or 2)
    waiting = iter(chunks)
    pending: set[Future[list[AuditEntry]]] = set()
    for chunk in waiting:
        pending.add(executor.submit(audit_chunk, factory, policy, chunk))
        if len(pending) >= limit:
            break
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            yield future.result()
        for chunk in waiting:
            pending.add(executor.submit(audit_chunk, factory, policy, chunk))
            if len(pending) >= limit:
                break


_views: dict[Any, BundleSnapshot] = {}
_views_lock = threading.Lock()


def open_once(factory: BundleFactory) -> BundleSnapshot:
    """The view `factory` makes, opened on its first use in this process and kept: each worker
    process opens a bundle once, however many chunks it verifies."""
    key: Any = factory
    try:
        hash(factory)
    except TypeError:
        key = id(factory)
    with _views_lock:
        found = _views.get(key)
        if found is None:
            found = _views[key] = factory()
    return found


def audit_chunk(
    factory: BundleFactory, policy: VerificationPolicy, chunk: Sequence[tuple[str, Path]]
) -> list[AuditEntry]:
    """Verify one chunk of files (the task a worker runs)."""
    view = open_once(factory)
    return [_audit_one(name, Path(path), view, policy) for name, path in chunk]


def _audit_one(
    name: str, path: Path, view: BundleSnapshot, policy: VerificationPolicy
) -> AuditEntry:
    try:
        with path.open("rb") as handle:
            data = handle.read(policy.limits.max_document_bytes + 1)
    except OSError as error:
        return AuditEntry(
            name,
            None,
            Indication.INDETERMINATE,
            SubIndication.TRY_LATER,
            None,
            None,
            (f"read: cannot read the file: {error.strerror or error}",),
            view.warnings,
        )
    digest = hashlib.sha256(data).hexdigest()
    try:
        report = verify_offline(data, view, policy)
    except Exception as error:  # one file's fault must not stop the audit
        return AuditEntry(
            name,
            digest,
            Indication.INDETERMINATE,
            None,
            None,
            None,
            (f"engine: verification failed with {type(error).__name__}: {error}",),
            view.warnings,
        )
    findings = tuple(c for c in report.checks if c.status is not CheckStatus.PASSED)
    return AuditEntry(
        path=name,
        sha256=digest,
        indication=report.indication,
        sub_indication=report.sub_indication,
        document_id=None if report.document is None else report.document.id,
        format=report.format,
        reasons=tuple(f"{c.name}: {c.message}" for c in findings),
        warnings=tuple(report.warnings),
        findings=findings,
    )
