"""The e-locker's issuer Pull API, driven by a client playing the e-locker (`elocker.py`), on
SQLite and PostgreSQL: documents issued through /v1/issue (which keeps them), then pulled by
search (Pull URI) and by URI (Pull Doc) in every format, with and without each optional field;
and every hostile request answered Status 0, never a 500, and logged."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from elocker import ELocker, PullAnswer
from fastapi.testclient import TestClient

from vc_engine.keys.sealed import create_sealing_key, load_sealing_key, seal
from vc_engine.store import Registry
from vc_engine.store.digilocker import DigiLockerStore, DoctypeSearch

from factory import NOW
from service import KMC_ID, make_clients, start, trust_kmc, write_signing_key

API_KEY = b"elocker-shared-secret-0123456789"
RECORDS = Path(__file__).parents[2] / "fixtures" / "records" / "BTHCER.csv"
SEARCH = {"BTHCER": DoctypeSearch({"UDF1": "registrationNumber", "UDF2": "docId"})}


@dataclass
class Issued:
    id: str
    xml: bytes
    name: str
    name_local: str
    born: str  # YYYY-MM-DD
    registration: str
    doc_id: str

    @property
    def dob(self) -> str:
        year, month, day = self.born.split("-")
        return f"{day}-{month}-{year}"

    @property
    def search(self) -> dict[str, str]:
        return {"UDF1": self.registration, "UDF2": self.doc_id}

    @property
    def holder(self) -> dict[str, str]:
        return {"FullName": self.name, "DOB": self.dob}


@dataclass
class Pull:
    elocker: ELocker
    documents: list[Issued]
    registry: Registry
    http: TestClient
    tokens: dict[str, str]

    def logged(self) -> list[str]:
        return [e.code for e in DigiLockerStore(self.registry.engine).requests(limit=1000)]


def configure(registry: Registry, sealing: Path, searches: dict[str, DoctypeSearch]) -> None:
    sealed = seal(load_sealing_key(sealing), API_KEY, KMC_ID)
    DigiLockerStore(registry.engine).configure(KMC_ID, sealed_key=sealed, doctypes=searches, at=NOW)


def issue_records(http: TestClient, token: str, count: int) -> list[Issued]:
    with RECORDS.open(encoding="utf-8") as lines:
        records = list(itertools.islice(csv.DictReader(lines), count))
    records = [{k: v for k, v in r.items() if v} for r in records]
    response = http.post(
        "/v1/issue",
        json={"issuer": KMC_ID, "doctype": "BTHCER", "formats": ["xml"], "records": records},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    issued = response.json()["issued"]
    assert len(issued) == count
    return [
        Issued(
            item["id"],
            item["renditions"]["xml"].encode("utf-8"),
            record["name"],
            record["nameLocal"],
            record["dateOfBirth"],
            record["registrationNumber"],
            record["docId"],
        )
        for item, record in zip(issued, records, strict=True)
    ]


@pytest.fixture
def pull(registry: Registry, registry_url: str, tmp_path: Path) -> Iterator[Pull]:
    trust_kmc(registry)
    keys_dir = tmp_path / "signing-keys"
    write_signing_key(keys_dir)
    sealing = tmp_path / "sealing.key"
    create_sealing_key(sealing)
    configure(registry, sealing, SEARCH)
    tokens = make_clients(registry_url)
    with start(registry_url, keys_dir, sealing_key=sealing) as http:
        documents = issue_records(http, tokens["issuer"], 3)
        yield Pull(ELocker(http, KMC_ID, API_KEY, NOW), documents, registry, http, tokens)


# Pull URI


def test_pull_uri_xml_gives_the_signed_xml_as_issued(pull: Pull) -> None:
    document = pull.documents[0]
    answer = pull.elocker.pull_uri("BTHCER", document.search, format="xml", holder=document.holder)
    assert (answer.root, answer.status, answer.status_text) == ("PullURIResponse", 1, "1")
    assert answer.details["URI"] == document.id
    assert answer.content("DataContent") == document.xml
    assert "DocContent" not in answer.details
    assert answer.http_status == 200


def test_pull_uri_echoes_ts_txn_and_the_request_fields(pull: Pull) -> None:
    document = pull.documents[1]
    holder = {**document.holder, "UID": "XXXXXXXX1234", "Photo": "aGVsbG8="}
    body = pull.elocker.pull_uri_body(
        "BTHCER", document.search, format="xml", holder=holder, txn="txn-echo-1"
    )
    answer = pull.elocker.send("pull-uri", body)
    assert (answer.ts, answer.txn) == (NOW.isoformat(), "txn-echo-1")
    expected = {"DocType": "BTHCER", "DigiLockerId": "DL-123e4567", **holder, **document.search}
    assert {k: answer.details[k] for k in expected} == expected
    assert list(answer.details)[-2:] == ["URI", "DataContent"]


@pytest.mark.parametrize(
    "sent", [(), ("FullName",), ("DOB",), ("UID",), ("Photo",), ("FullName", "DOB", "UID")]
)
def test_pull_uri_with_and_without_each_optional_field(pull: Pull, sent: tuple[str, ...]) -> None:
    document = pull.documents[0]
    every = {**document.holder, "UID": "XXXXXXXX1234", "Photo": "aGVsbG8="}
    holder = {name: every[name] for name in sent}
    answer = pull.elocker.pull_uri("BTHCER", document.search, format="xml", holder=holder)
    assert answer.status == 1
    assert answer.content("DataContent") == document.xml


@pytest.mark.parametrize("format", ["pdf", "both", None])
def test_pull_uri_asking_for_a_pdf_of_a_document_issued_without_one_is_status_0(
    pull: Pull, format: str | None
) -> None:
    document = pull.documents[0]
    options = {} if format is None else {"format": format}
    answer = pull.elocker.pull_uri("BTHCER", document.search, holder=document.holder, **options)
    assert (answer.status, answer.code) == (0, "no_pdf_rendition")
    assert answer.reason == "the document was issued without a PDF rendition"
    assert "DocContent" not in answer.details and "DataContent" not in answer.details


def test_the_pulled_xml_verifies(pull: Pull) -> None:
    document = pull.documents[2]
    answer = pull.elocker.pull_uri("BTHCER", document.search, format="xml", holder=document.holder)
    report = pull.http.post(
        "/v1/verify",
        content=answer.content("DataContent"),
        headers={
            "Authorization": f"Bearer {pull.tokens['verify']}",
            "Content-Type": "application/xml",
        },
    ).json()
    assert report["indication"] == "PASSED"


# Pull Doc


@pytest.mark.parametrize("sent", [(), ("FullName",), ("DOB",), ("FullName", "DOB", "UID")])
def test_pull_doc_xml(pull: Pull, sent: tuple[str, ...]) -> None:
    document = pull.documents[1]
    every = {**document.holder, "UID": "XXXXXXXX1234"}
    answer = pull.elocker.pull_doc(
        document.id, format="xml", holder={name: every[name] for name in sent}
    )
    assert (answer.root, answer.status) == ("PullDocResponse", 1)
    assert list(answer.details) == ["DataContent"]
    assert answer.content("DataContent") == document.xml


@pytest.mark.parametrize("format", ["pdf", "both", None])
def test_pull_doc_pdf_without_a_pdf_rendition_is_status_0(pull: Pull, format: str | None) -> None:
    document = pull.documents[1]
    options = {} if format is None else {"format": format}
    answer = pull.elocker.pull_doc(document.id, holder=document.holder, **options)
    assert (answer.root, answer.status, answer.code) == ("PullDocResponse", 0, "no_pdf_rendition")


# Matching the holder


def test_initials_match_the_holder(pull: Pull) -> None:
    document = pull.documents[0]  # Amit Halder
    for name in ("A. Halder", "amit  HALDER", "A Halder"):
        answer = pull.elocker.pull_doc(document.id, format="xml", holder={"FullName": name})
        assert answer.status == 1, name


def test_the_name_in_the_holders_own_script_matches(pull: Pull) -> None:
    document = pull.documents[0]
    answer = pull.elocker.pull_doc(
        document.id, format="xml", holder={"FullName": document.name_local}
    )
    assert answer.status == 1


@pytest.mark.parametrize("api", ["uri", "doc"])
@pytest.mark.parametrize(
    "holder",
    [
        {"FullName": "Ayesha Rahaman"},
        {"FullName": "Halder"},
        {"FullName": "Amit H."},
        {"DOB": "01-01-2000"},
        {"DOB": "2025-05-07"},
        {"FullName": "Amit Halder", "DOB": "08-05-2025"},
    ],
    ids=["other-name", "surname-only", "initial-surname", "other-dob", "iso-dob", "off-by-a-day"],
)
def test_a_wrong_name_or_date_of_birth_gets_nothing(
    pull: Pull, api: str, holder: dict[str, str]
) -> None:
    document = pull.documents[0]
    if api == "uri":
        answer = pull.elocker.pull_uri("BTHCER", document.search, format="xml", holder=holder)
    else:
        answer = pull.elocker.pull_doc(document.id, format="xml", holder=holder)
    assert (answer.status, answer.code) == (0, "no_match")
    assert "DataContent" not in answer.details


def test_a_guessed_number_answers_as_a_wrong_name_does(pull: Pull) -> None:
    """Someone else's real registration number with my name, and a made-up number: the same
    answer, so the API tells nobody which numbers exist."""
    mine, theirs = pull.documents[0], pull.documents[1]
    guessed = pull.elocker.pull_uri(
        "BTHCER",
        {"UDF1": "B/2025/999/99999", "UDF2": "2026000999"},
        format="xml",
        holder=mine.holder,
    )
    stolen = pull.elocker.pull_uri("BTHCER", theirs.search, format="xml", holder=mine.holder)
    stolen_doc = pull.elocker.pull_doc(theirs.id, format="xml", holder=mine.holder)
    assert [(a.status, a.code) for a in (guessed, stolen, stolen_doc)] == [(0, "no_match")] * 3


def test_a_required_date_of_birth_must_be_sent(pull: Pull, tmp_path: Path) -> None:
    strict = {"BTHCER": DoctypeSearch(SEARCH["BTHCER"].search, require=("DOB",))}
    configure(pull.registry, pull.http.app.state.services.settings.sealing_key, strict)
    document = pull.documents[0]
    without = pull.elocker.pull_doc(document.id, format="xml", holder={"FullName": document.name})
    with_dob = pull.elocker.pull_doc(document.id, format="xml", holder=document.holder)
    assert (without.status, with_dob.status) == (0, 1)


# Hostile requests


def _status_0(answer: PullAnswer, code: str) -> None:
    assert (answer.http_status, answer.status, answer.status_text, answer.code) == (
        200,
        0,
        "0",
        code,
    )


@pytest.mark.parametrize(
    "signature",
    ["wrong-key", "other-body", "not-base64", "empty", "missing"],
)
def test_a_bad_hmac_is_refused_before_parsing(pull: Pull, signature: str) -> None:
    document = pull.documents[0]
    body = pull.elocker.pull_doc_body(document.id, format="xml", txn="txn-bad-hmac")
    header: str | None = {
        "wrong-key": pull.elocker.hmac(body, b"not-the-issuers-key-0123456789"),
        "other-body": pull.elocker.hmac(body + b" "),
        "not-base64": "%%%not base64%%%",
        "empty": " ",
        "missing": None,
    }[signature]
    answer = pull.elocker.send("pull-doc", body, signature=header)
    _status_0(answer, "bad_hmac")
    assert (answer.ts, answer.txn, answer.details) == ("", "", {})  # the body was not read
    assert pull.logged()[0] == "bad_hmac"


def test_an_issuer_that_is_not_configured_looks_like_a_bad_hmac(pull: Pull) -> None:
    body = pull.elocker.pull_doc_body("in.gov.up.transport-DRVLC-1", org_id="in.gov.up.transport")
    answer = pull.elocker.send("pull-doc", body, issuer_id="in.gov.up.transport")
    _status_0(answer, "bad_hmac")
    assert pull.logged()[0] == "not_configured"


XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE PullDocRequest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<PullDocRequest ver="1.0" ts="2026-11-23T06:00:00+00:00" txn="t" orgId="in.gov.wb.kmc">
<DocDetails><URI>&xxe;</URI><DigiLockerId>x</DigiLockerId></DocDetails></PullDocRequest>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<PullDocRequest ts="x" txn="y" orgId="in.gov.wb.kmc"><DocDetails><URI>&c;</URI></DocDetails>
</PullDocRequest>"""


@pytest.mark.parametrize(
    "body",
    [
        XXE,
        LAUGHS,
        b"<PullDocRequest",
        b"",
        b"not xml at all",
        "<PullDocRequest/>".encode("utf-16"),
        b'<PullURIRequest ts="t" txn="x" orgId="in.gov.wb.kmc"><DocDetails/></PullURIRequest>',
        b'<PullDocRequest txn="x" orgId="in.gov.wb.kmc"><DocDetails><URI>u</URI>'
        b"<DigiLockerId>d</DigiLockerId></DocDetails></PullDocRequest>",
        b'<PullDocRequest ts="t" txn="x" orgId="in.gov.wb.kmc" format="docx"><DocDetails>'
        b"<URI>u</URI><DigiLockerId>d</DigiLockerId></DocDetails></PullDocRequest>",
        b'<PullDocRequest ts="t" txn="x" orgId="in.gov.wb.kmc"><DocDetails><URI>u</URI>'
        b"<URI>v</URI><DigiLockerId>d</DigiLockerId></DocDetails></PullDocRequest>",
        b'<PullDocRequest ts="t" txn="x" orgId="in.gov.wb.kmc"><DocDetails><URI><b>u</b></URI>'
        b"<DigiLockerId>d</DigiLockerId></DocDetails></PullDocRequest>",
    ],
    ids=[
        "xxe",
        "billion-laughs",
        "truncated",
        "empty",
        "not-xml",
        "utf-16",
        "wrong-root",
        "no-ts",
        "unknown-format",
        "repeated-element",
        "nested-element",
    ],
)
def test_malformed_xml_with_a_good_hmac_is_status_0(pull: Pull, body: bytes) -> None:
    _status_0(pull.elocker.send("pull-doc", body), "malformed")
    assert pull.logged()[0] == "malformed"


def test_an_oversized_request_is_status_0_unread(pull: Pull) -> None:
    document = pull.documents[0]
    photo = "A" * (300 * 1024)
    body = pull.elocker.pull_uri_body("BTHCER", document.search, holder={"Photo": photo})
    _status_0(pull.elocker.send("pull-uri", body), "oversized")
    assert pull.logged()[0] == "oversized"


def test_a_replayed_request_is_refused(pull: Pull) -> None:
    document = pull.documents[0]
    body = pull.elocker.pull_doc_body(document.id, format="xml", txn="txn-once")
    first = pull.elocker.send("pull-doc", body)
    second = pull.elocker.send("pull-doc", body)
    assert first.status == 1
    _status_0(second, "replayed")
    assert "DataContent" not in second.details
    assert pull.logged()[:2] == ["replayed", "found"]


@pytest.mark.parametrize("minutes", [-11, 11])
def test_a_request_outside_the_time_window_is_refused(pull: Pull, minutes: int) -> None:
    document = pull.documents[0]
    ts = (NOW + timedelta(minutes=minutes)).isoformat()
    answer = pull.elocker.pull_doc(document.id, format="xml", ts=ts)
    _status_0(answer, "stale")


def test_a_naive_ts_is_read_as_india_time(pull: Pull) -> None:
    document = pull.documents[0]
    india = (NOW + timedelta(hours=5, minutes=30)).replace(tzinfo=None).isoformat()
    answer = pull.elocker.pull_doc(document.id, format="xml", ts=india)
    assert answer.status == 1


def test_another_orgs_request_is_refused(pull: Pull) -> None:
    document = pull.documents[0]
    answer = pull.elocker.pull_doc(document.id, format="xml", org_id="in.gov.up.transport")
    _status_0(answer, "wrong_org")


@pytest.mark.parametrize(
    "uri", ["in.gov.up.transport-DRVLC-2026000001", "in.gov.wb.kmc-CASCR-2026000001"]
)
def test_a_uri_of_another_issuer_or_an_unserved_type_is_refused(pull: Pull, uri: str) -> None:
    _status_0(pull.elocker.pull_doc(uri, format="xml"), "unknown_doctype")


@pytest.mark.parametrize("uri", ["in.gov.wb.kmc-BTHCER-2026009999", "no-such-uri-at-all-x"])
def test_an_unknown_uri_is_no_match(pull: Pull, uri: str) -> None:
    _status_0(pull.elocker.pull_doc(uri, format="xml"), "no_match")


def test_an_unknown_doctype_is_refused(pull: Pull) -> None:
    document = pull.documents[0]
    answer = pull.elocker.pull_uri("INCER", document.search, format="xml")
    _status_0(answer, "unknown_doctype")


@pytest.mark.parametrize(
    "search", [{"UDF1": "B/2025/008/27653"}, {"UDF1": "x", "UDF2": "y", "UDF3": "z"}, {}]
)
def test_search_fields_other_than_the_configured_ones_are_refused(
    pull: Pull, search: dict[str, str]
) -> None:
    _status_0(pull.elocker.pull_uri("BTHCER", search, format="xml"), "bad_search")


def test_every_request_is_logged_without_its_body(pull: Pull) -> None:
    document = pull.documents[0]
    pull.elocker.pull_doc(document.id, format="xml", txn="txn-logged")
    entry = DigiLockerStore(pull.registry.engine).requests(limit=1)[0]
    assert (entry.api, entry.txn, entry.status, entry.code, entry.document_id) == (
        "PullDoc",
        "txn-logged",
        1,
        "found",
        document.id,
    )
    assert len(entry.body_sha256) == 64


def test_the_pdf_rendition_is_kept_and_pulled_under_one_format_name() -> None:
    """DocContent is the rendition `--format pdf` issues: kept as a PDF, looked up by its name."""
    from api.digilocker import pull as pull_api
    from vc_engine.issuance.issuer import RENDITIONS
    from vc_engine.issuance.kept import MEDIA_TYPES

    issued_as = RENDITIONS["pdf"].format
    assert issued_as == pull_api.PDF
    assert MEDIA_TYPES[issued_as] == "application/pdf"
