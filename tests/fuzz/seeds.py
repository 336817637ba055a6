"""Write the seed inputs of each fuzzing target into corpus/<target>/ (run once; the corpora
are kept). Seeds are genuine documents and lists, so the fuzzer starts from inputs that reach
deep into each parser rather than failing at the first byte.

    .venv/bin/python tests/fuzz/seeds.py
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tempfile
from itertools import islice
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from targets import root_key  # noqa: E402

from vc_engine import doctypes, keys  # noqa: E402
from vc_engine.formats import vc_di, vc_jwt  # noqa: E402
from vc_engine.formats import xml as signed_xml  # noqa: E402
from vc_engine.formats.vc_json import to_credential  # noqa: E402
from vc_engine.inputs import records  # noqa: E402
from vc_engine.issuance.block import Plan  # noqa: E402
from vc_engine.issuance.directory import issue_records  # noqa: E402
from vc_engine.issuance.issuer import Issuer, renditions  # noqa: E402
from vc_engine.issuance.status_lists import StatusLists  # noqa: E402
from vc_engine.offline.bundle import export_bundle  # noqa: E402
from vc_engine.policy import INDIA  # noqa: E402
from vc_engine.store import Registry, StatusStore  # noqa: E402

from factory import NOW, fixture_document, make_key  # noqa: E402

CORPUS = HERE / "corpus"
VECTORS = HERE.parent / "vectors"
FIXTURES = HERE.parent.parent / "fixtures" / "records"


def write(target: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"seed-{hashlib.sha1(data).hexdigest()[:16]}").write_bytes(data)


def main() -> None:
    birth = fixture_document("BTHCER", "in.gov.wb.kmc", "Kolkata Municipal Corporation")
    marks = fixture_document("SSCMS", "in.gov.wb.wbbse", "WBBSE")
    xml = [
        signed_xml.issue(birth, make_key("seed rsa").signing_key, INDIA),
        signed_xml.issue(marks, make_key("seed p256", keys.KeyAlgorithm.P256).signing_key, INDIA),
    ]
    for data in xml:
        for target in ("safe_xml_parse", "signed_xml_open", "pipeline"):
            write(target, data)
    ed25519 = keys.FileSigner(keys.generate_private_key(keys.KeyAlgorithm.ED25519))
    p256 = keys.FileSigner(keys.generate_private_key(keys.KeyAlgorithm.P256))
    credentials = [
        vc_di.issue(
            birth, signer, verification_method=keys.did_key(signer.public_key),
            civil_timezone=INDIA, cryptosuite=suite,
        )
        for signer, suite in (
            (ed25519, "eddsa-rdfc-2022"), (ed25519, "eddsa-jcs-2022"), (p256, "ecdsa-rdfc-2019"),
        )
    ]  # fmt: skip
    for path in sorted(VECTORS.glob("w3c/*/signed*.json")):
        credentials.append(path.read_bytes())
    for data in credentials:
        for target in ("strict_json", "data_integrity_open", "pipeline"):
            write(target, data)
    for signer in (ed25519, p256):
        token = vc_jwt.issue(
            marks, signer, kid=keys.did_key(signer.public_key), civil_timezone=INDIA
        )
        for target in ("vc_jwt_open", "pipeline"):
            write(target, token)
    for signer in (ed25519, p256):
        write("multibase", keys.did_key(signer.public_key).encode())
        write("multibase", keys.multikey_encode(signer.public_key).encode())
    write("multibase", json.loads(credentials[0])["proof"]["proofValue"].encode())
    for path in sorted((VECTORS / "bitstring-status-list").rglob("*.json")):
        write("status_list", path.read_bytes())
        parsed = json.loads(path.read_bytes())
        found = parsed.get("credentialSubject") if isinstance(parsed, dict) else None
        if isinstance(found, dict) and isinstance(found.get("encodedList"), str):
            write("status_list", found["encodedList"].encode())
    for doctype in ("BTHCER", "SSCMS"):
        lines = (FIXTURES / f"{doctype}.csv").read_bytes().splitlines(keepends=True)
        write("issuer_records", b"".join(lines[:4]))
    write(
        "issuer_records",
        json.dumps(to_credential(birth, INDIA)["credentialSubject"]).encode() + b"\n",
    )
    write("bundle_open", _bundle())
    for message in PULL_MESSAGES:
        write("pull_request", message)


PULL_MESSAGES = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<PullURIRequest xmlns:ns2="http://tempuri.org/" ver="1.0" ts="2026-11-23T11:30:00+05:30" '
    b'txn="txn-1" orgId="in.gov.wb.wbbse" format="both"><DocDetails><DocType>SSCMS</DocType>'
    b"<DigiLockerId>DL-1</DigiLockerId><UID>XXXXXXXX1234</UID><FullName>R. K. Sharma</FullName>"
    b"<DOB>07-05-2010</DOB><Photo>aGVsbG8=</Photo><UDF1>6190207-0001</UDF1><UDF2>2026</UDF2>"
    b"</DocDetails></PullURIRequest>",
    b'<PullDocRequest ver="1.0" ts="2026-11-23T06:00:00Z" txn="txn-2" orgId="in.gov.wb.kmc">'
    b"<DocDetails><URI>in.gov.wb.kmc-BTHCER-2026000001</URI><DigiLockerId>DL-1</DigiLockerId>"
    b"<FullName>Amit Halder</FullName><DOB>07-05-2025</DOB></DocDetails></PullDocRequest>",
)


def _bundle() -> bytes:
    """A small genuine bundle, signed by the fuzzing root: an issuer, two documents, lists."""
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        with Registry.open(f"sqlite:///{directory / 'r.db'}") as registry:
            registry.init()
            private_key = keys.generate_private_key(keys.KeyAlgorithm.ED25519)
            certificate = keys.self_signed_certificate(
                private_key, "seed", NOW - NOW.resolution * 10**6, NOW.replace(year=2030)
            )
            registry.add_issuer("in.gov.wb.kmc", "KMC", at=NOW.replace(year=2025))
            registry.authorise("in.gov.wb.kmc", "BTHCER", valid_from=NOW.replace(year=2025))
            registry.add_key(
                "in.gov.wb.kmc", private_key.public_key(), certificate=certificate,
                valid_from=None, valid_until=None, at=NOW.replace(year=2025),
            )  # fmt: skip
            issuer = Issuer(
                "in.gov.wb.kmc", "KMC", keys.FileSigner(private_key), certificate, INDIA
            )
            plan = Plan(
                issuer,
                doctypes.get_doctype("BTHCER"),
                renditions(["vc-jwt"], issuer),
                registry,
                StatusLists(StatusStore(registry), "https://status.example"),
            )
            lines = islice(records.read_records(FIXTURES / "BTHCER.csv"), 2)
            issue_records(lines, plan, directory / "out", lambda: NOW)
            out = io.BytesIO()
            export_bundle(
                registry,
                keys.FileSigner(root_key()),
                out,
                created=NOW,
                next_update=NOW.replace(year=2027),
                rows_per_section=1,
            )
            return out.getvalue()


if __name__ == "__main__":
    main()
