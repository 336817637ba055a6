"""`vc-engine issue`: sign an issuer's input records as documents, as a resumable batch job."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from cryptography.hazmat.primitives.serialization import Encoding

from vc_engine import keys
from vc_engine.cli.common import console, errors, fail, key_source, now, open_registry, settings
from vc_engine.cli.issuer import known_doctype
from vc_engine.errors import VcEngineError
from vc_engine.inputs import records, sources
from vc_engine.issuance.batch import scheduler as batch
from vc_engine.issuance.batch.workers import SigningSpec
from vc_engine.issuance.status_lists import StatusLists
from vc_engine.policy import INDIA
from vc_engine.store import StatusStore
from vc_engine.store.journal import Journal


def issue(
    ctx: typer.Context,
    issuer_id: Annotated[str, typer.Option("--issuer")],
    key: Annotated[
        str,
        typer.Option(
            "--key",
            help="PEM private key file (passphrase from VC_ENGINE_KEY_PASSPHRASE or a prompt), "
            "or a PKCS#11 URI 'pkcs11:token=NAME;object=LABEL' (PIN from VC_ENGINE_PKCS11_PIN).",
        ),
    ],
    doctype: Annotated[str, typer.Option("--doctype")],
    records_file: Annotated[
        Path,
        typer.Option(
            "--records",
            help="CSV, JSON Lines, Excel (.xlsx) or e-locker Certificate XML (a file of many"
            " <Certificate>, or a directory of .xml files).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Output directory.")],
    cert: Annotated[
        Path | None, typer.Option("--cert", help="The key's certificate (signed XML needs it).")
    ] = None,
    format: Annotated[
        str,
        typer.Option(
            "--format", help="Renditions to write: xml, vc-di, vc-jwt, qr, pdf (comma list)."
        ),
    ] = "xml",
    cryptosuite: Annotated[
        str | None,
        typer.Option(
            help="Data Integrity cryptosuite (default: eddsa-rdfc-2022 / ecdsa-rdfc-2019)."
        ),
    ] = None,
    archive: Annotated[
        bool, typer.Option("--archive", help="Write ZIP archives of 10,000 documents each.")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Local signing processes (default: all cores)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Sign on a Dask cluster, e.g. tcp://host:8786."),
    ] = None,
    pkcs11_module: Annotated[
        str | None,
        typer.Option(
            "--pkcs11-module",
            help="PKCS#11 library (default: $VC_ENGINE_PKCS11_MODULE, else SoftHSM2).",
        ),
    ] = None,
    block_size: Annotated[
        int, typer.Option("--block-size", min=1, help="Records per block (status, register).")
    ] = batch.DEFAULT_BLOCK_SIZE,
    archive_size: Annotated[
        int, typer.Option("--archive-size", min=1, help="Documents per ZIP archive.")
    ] = batch.DEFAULT_ARCHIVE_SIZE,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="The workbook's sheet (default: the active one).")
    ] = None,
    show_progress: Annotated[
        bool | None, typer.Option("--progress/--no-progress", help="Progress bar (default: tty).")
    ] = None,
    keep_renditions: Annotated[
        bool,
        typer.Option(
            "--keep-renditions",
            help="Also keep every rendition in the registry, for the e-locker's Pull API.",
        ),
    ] = False,
    attach_pdf: Annotated[
        Path | None,
        typer.Option(
            "--attach-pdf",
            help="A folder of your own PDFs, one per record named <docId>.pdf: each PDF's "
            "SHA-256 is bound into the record's W3C credential (vc-di, vc-jwt) as a "
            "relatedResource. A record without its PDF is rejected.",
        ),
    ] = None,
    tsa: Annotated[
        str | None,
        typer.Option(
            "--tsa",
            help="An RFC 3161 timestamp authority (http or https URL): each signed PDF gets a "
            "document timestamp.",
        ),
    ] = None,
) -> None:
    """Sign every record of a file as a document, in every rendition asked for, as a resumable
    batch job: killed part-way, the same command carries on where it stopped."""
    if not records_file.exists():
        fail(f"records file {records_file} does not exist", 2)
    chosen = [f.strip() for f in format.split(",") if f.strip()]
    if tsa is not None and urlsplit(tsa).scheme not in ("http", "https"):
        fail(f"--tsa {tsa[:80]!r} is not an http or https URL", 2)
    try:
        source = key_source(key, pkcs11_module)
        certificate = None if cert is None else keys.load_certificate(cert.read_bytes())
    except (OSError, keys.KeyMaterialError) as error:
        fail(str(error))
    signing = SigningSpec(
        issuer_id,
        tuple(chosen),
        source,
        None if certificate is None else certificate.public_bytes(Encoding.DER),
        INDIA,
        cryptosuite,
        tsa_url=tsa,
    )
    with open_registry(ctx) as registry:
        spec = known_doctype(registry, doctype)
        job_id, lines = batch.job_id_for(
            records_file,
            issuer_id=issuer_id,
            doctype=spec.code,
            formats=chosen,
            out_dir=out,
            archive=archive,
            attach_pdf=attach_pdf,
        )
        suffix = records_file.suffix.lower()
        total = max(0, lines - 1) if suffix == ".csv" else lines if suffix == ".jsonl" else None
        options = batch.BatchOptions(
            block_size=block_size,
            archive=archive,
            archive_size=archive_size,
            workers=workers,
            scheduler=scheduler,
            keep_renditions=keep_renditions,
            attach_pdf=attach_pdf,
        )
        with progress_bar(show_progress, total) as progress:
            try:
                summary = batch.run_batch(
                    sources.read_input(records_file, sheet),
                    job_id=job_id,
                    doctype=spec.code,
                    signing=signing,
                    registry=registry,
                    out_dir=out,
                    clock=now,
                    status_lists=StatusLists(StatusStore(registry), settings(ctx).status_base_url),
                    options=options,
                    progress=progress,
                    total=total,
                )
            except records.RecordFileError as error:
                fail(str(error), 2)
            except VcEngineError as error:
                fail(str(error))
            except OSError as error:
                fail(
                    f"the job stopped: {error.strerror or error} ({error.filename or out}); "
                    "what it registered is kept: run the same command again to resume"
                )
        for shown, rejected in enumerate(Journal(registry).rejections(summary.job_id)):
            if shown == 50:
                errors.print(f"... and more: see {summary.rejects}", highlight=False)
                break
            errors.print(f"[yellow]line {rejected.line}:[/] {rejected.reason}", highlight=False)
    console.print(
        f"issued {summary.issued} documents ({summary.issued * len(chosen)} files) into {out}; "
        f"rejected {summary.rejected} (job {summary.job_id}"
        f"{', resumed' if summary.resumed else ''}; manifest {summary.manifest})",
        highlight=False,
        soft_wrap=True,
    )
    if summary.rejected and not summary.issued:
        raise typer.Exit(1)


@contextmanager
def progress_bar(
    show: bool | None, total: int | None
) -> Iterator[Callable[[batch.BatchProgress], None] | None]:
    if not (console.is_terminal if show is None else show):
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("issuing"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]:>8} docs/s"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=errors,
    ) as bar:
        task = bar.add_task("issue", total=total or None, rate="-")
        marks: list[tuple[float, int]] = []

        def update(state: batch.BatchProgress) -> None:
            now = time.monotonic()
            marks.append((now, state.issued))
            del marks[:-50]
            since, issued = marks[0]
            rate = (state.issued - issued) / (now - since) if now > since else None
            bar.update(
                task,
                completed=state.records,
                total=max(state.records, total or 0) or None,
                rate="-" if rate is None else f"{rate:,.0f}",
            )

        yield update
