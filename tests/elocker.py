"""A small client playing the national e-locker's part in the issuer Pull API: it builds
PullURIRequest and PullDocRequest from the specification's element and attribute names, signs
each raw body with the issuer's API key (x-digilocker-hmac) and reads the answers."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from fastapi.testclient import TestClient
from lxml import etree

TEMPURI = "http://tempuri.org/"
_TXN = itertools.count(1)


@dataclass(frozen=True)
class PullAnswer:
    root: str
    status: int
    status_text: str
    ts: str
    txn: str
    details: dict[str, str]
    code: str
    reason: str
    http_status: int

    def content(self, name: str) -> bytes:
        return base64.b64decode(self.details[name], validate=True)


@dataclass
class ELocker:
    http: TestClient
    issuer_id: str
    api_key: bytes
    now: datetime

    def pull_uri_body(
        self,
        doctype: str,
        search: Mapping[str, str],
        *,
        format: str | None = None,
        holder: Mapping[str, str] | None = None,
        ts: str | None = None,
        txn: str | None = None,
        org_id: str | None = None,
    ) -> bytes:
        details = {"DocType": doctype, "DigiLockerId": "DL-123e4567", **(holder or {}), **search}
        return self._body("PullURIRequest", details, format, ts, txn, org_id)

    def pull_doc_body(
        self,
        uri: str,
        *,
        format: str | None = None,
        holder: Mapping[str, str] | None = None,
        ts: str | None = None,
        txn: str | None = None,
        org_id: str | None = None,
    ) -> bytes:
        details = {"URI": uri, "DigiLockerId": "DL-123e4567", **(holder or {})}
        return self._body("PullDocRequest", details, format, ts, txn, org_id)

    def _body(
        self,
        root_name: str,
        details: Mapping[str, str],
        format: str | None,
        ts: str | None,
        txn: str | None,
        org_id: str | None,
    ) -> bytes:
        root = etree.Element(root_name, nsmap={"ns2": TEMPURI})
        root.set("ver", "1.0")
        root.set("ts", ts or self.now.isoformat())
        root.set("txn", txn or f"txn-{next(_TXN):08d}")
        root.set("orgId", org_id or self.issuer_id)
        if format is not None:
            root.set("format", format)
        holder = etree.SubElement(root, "DocDetails")
        for name, value in details.items():
            etree.SubElement(holder, name).text = value
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def hmac(self, body: bytes, key: bytes | None = None) -> str:
        digest = hmac.new(key or self.api_key, body, hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")

    def send(
        self,
        api: str,
        body: bytes,
        *,
        signature: str | None = "",
        issuer_id: str | None = None,
    ) -> PullAnswer:
        """POST `body` to pull-uri or pull-doc; `signature` "" signs it, None sends none."""
        headers = {"Content-Type": "application/xml"}
        if signature is not None:
            headers["x-digilocker-hmac"] = signature or self.hmac(body)
        response = self.http.post(
            f"/digilocker/{issuer_id or self.issuer_id}/{api}", content=body, headers=headers
        )
        assert response.headers["content-type"].startswith("application/xml")
        root = etree.fromstring(response.content)
        status = root.find("ResponseStatus")
        assert status is not None
        holder = root.find("DocDetails")
        details = {} if holder is None else {e.tag: e.text or "" for e in holder}
        return PullAnswer(
            root=root.tag,
            status=int(status.get("Status")),
            status_text=status.text or "",
            ts=status.get("ts"),
            txn=status.get("txn"),
            details=details,
            code=response.headers["x-vc-engine-code"],
            reason=response.headers["x-vc-engine-reason"],
            http_status=response.status_code,
        )

    def pull_uri(self, doctype: str, search: Mapping[str, str], **options: str) -> PullAnswer:
        return self.send("pull-uri", self.pull_uri_body(doctype, search, **options))

    def pull_doc(self, uri: str, **options: str) -> PullAnswer:
        return self.send("pull-doc", self.pull_doc_body(uri, **options))
