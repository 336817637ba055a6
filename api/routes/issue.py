"""Issuing: our formats in batches (/v1/issue) and the W3C VC API shape (/credentials/issue).

The service signs with the issuer's own key, held by the issuer's deployment of the service
(`Settings.signing_keys`), after the same preflight as the CLI: a document the registry would
refuse is never signed. Every document is registered before it is returned.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api import bodies
from api.access import Client
from api.openapi import json_body, problems
from api.problems import Problem
from api.schemas import IssueAnswer, IssuedCredential
from api.services import Services, authenticated, require, require_any, services
from api.signing import NoSigningKey
from vc_engine import doctypes, keys
from vc_engine.doctypes.versions import Catalogue
from vc_engine.formats.vc_di.cryptosuites import SUITES
from vc_engine.formats.vc_json import ENGINE_CONTEXT, MalformedCredential, from_credential
from vc_engine.formats.vc_model import DataModelError, check_credential
from vc_engine.formats.w3c import policy_loader
from vc_engine.issuance.block import Plan, issue, issue_documents
from vc_engine.issuance.issuer import (
    RENDITIONS,
    IssuanceRefused,
    Issuer,
    preflight,
    renditions,
)
from vc_engine.issuance.w3c import CredentialRefused, dated, issue_w3c
from vc_engine.model import Document, issuer_id_of_did
from vc_engine.policy import INDIA

router = APIRouter(tags=["issue"])


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(description="The issuer id, e.g. in.gov.wb.kmc", max_length=200)
    doctype: str = Field(description="Document type code, e.g. BTHCER", max_length=20)
    formats: list[str] = Field(
        default=["xml"], description="Renditions: xml, vc-di, vc-jwt", max_length=3
    )
    records: list[dict[str, Any]] = Field(
        description="The issuer's records, as in fixtures/records/*.csv (up to 1,000)"
    )


_ISSUE_EXAMPLE = {
    "issuer": "in.gov.wb.kmc",
    "doctype": "BTHCER",
    "formats": ["xml", "vc-jwt"],
    "records": [
        {
            "docId": "2026000123",
            "name": "Ananya Das",
            "nameLocal": "অনন্যা দাস",
            "gender": "F",
            "dateOfBirth": "2026-11-01",
            "placeOfBirth": "Kolkata",
        }
    ],
}


@router.post(
    "/v1/issue",
    summary="Sign records as documents, in our formats",
    description="Up to 1,000 records per request. Each good record is signed in every "
    "rendition asked for and registered; each bad one is reported by its index with the reason. "
    "Renditions are returned as text, byte for byte as registered (keep them as they are). "
    "Scope: `issue:<issuer>`.",
    openapi_extra=json_body(IssueRequest, _ISSUE_EXAMPLE),
    responses={200: {"model": IssueAnswer}, **problems(400, 409, 413, 422)},
)
async def issue_batch(
    request: Request,
    client: Annotated[Client, Depends(authenticated)],
    found: Annotated[Services, Depends(services)],
) -> JSONResponse:
    require_any(client, "issue:")
    ask = await bodies.model(request, IssueRequest)
    require(client, f"issue:{ask.issuer}")
    limit = found.settings.max_issue_records
    if len(ask.records) > limit:
        raise Problem(
            413, "too_many_records", f"{len(ask.records):,} records; at most {limit:,} a request"
        )
    if not ask.records:
        raise Problem(422, "invalid_request", "records is empty")
    return JSONResponse(await run_in_threadpool(_issue_batch, found, ask))


def _issue_batch(found: Services, ask: IssueRequest) -> dict[str, Any]:
    now = found.clock()
    try:
        spec = _catalogue(found).in_force(ask.doctype, now)
    except doctypes.UnknownDocTypeError as error:
        raise Problem(422, "unknown_doctype", str(error)) from None
    issuer = _issuer(found, ask.issuer, spec.code, now)
    names = list(dict.fromkeys(ask.formats))
    try:
        chosen = renditions(names, issuer)
    except (IssuanceRefused, keys.KeyMaterialError) as error:
        raise Problem(422, "format_unavailable", str(error)) from None
    plan = Plan(
        issuer,
        spec,
        chosen,
        found.registry,
        found.status_lists,
        keep_renditions=found.settings.keep_renditions,
    )
    result = issue(plan, ask.records, clock=lambda: now)
    rejected = [
        {"index": r.line, "reason": r.reason, "documentId": r.document_id}
        for r in result.rejections
    ]
    issued = [
        {
            "index": item.line,
            "id": item.document.id,
            "renditions": {
                name: data.decode("utf-8") for name, data in zip(names, item.outputs, strict=True)
            },
        }
        for item in result.issued
    ]
    return {"issued": issued, "rejected": rejected}


def _issuer(found: Services, issuer_id: str, doctype: str | None, now: Any) -> Issuer:
    try:
        signer, certificate = found.signing.load(issuer_id)
    except NoSigningKey as error:
        raise Problem(409, "no_signing_key", str(error)) from None
    try:
        name = preflight(found.registry, issuer_id, keys.key_id(signer.public_key), doctype, now)
    except IssuanceRefused as error:
        raise Problem(409, "issuance_refused", str(error)) from None
    return Issuer(issuer_id, name, signer, certificate, INDIA)


class VcIssueRequest(BaseModel):
    """The VC API's issuing request."""

    credential: dict[str, Any]
    options: dict[str, Any] | None = None


_VC_ISSUE_EXAMPLE = {
    "credential": {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://vc-engine.org/contexts/v1"],
        "id": "urn:elocker:in.gov.up.edistrict-CASCR-2026000001",
        "type": ["VerifiableCredential", "ElockerDocument"],
        "documentType": "CASCR",
        "issuer": {"id": "did:web:edistrict.up.gov.in", "name": "e-District, Uttar Pradesh"},
        "issuedAt": "2026-11-23T04:30:00Z",
        "validFrom": "2026-11-23T00:00:00+05:30",
        "credentialSubject": {"name": "...", "certificateData": {"caste": "..."}},
    },
    "options": {},
}


@router.post(
    "/credentials/issue",
    summary="Issue a credential (W3C VC API)",
    description="`{credential, options}` in, `{verifiableCredential}` out (201). Any credential "
    "that passes the VC Data Model 2.0 rules (or 1.1 for 1.1 input) and JSON-LD safe mode under "
    "the service's policy is signed by the issuer it names (a did:web of a registered issuer, "
    "or the did:key of a key this service holds); a refusal is a 400 naming the rule. 1.1 "
    "input without `issuanceDate` is dated when signed. A `relatedResource` digest of a "
    "resource the service holds (a pinned context) must match it (rule `integrity`). "
    "`options.cryptosuite`: eddsa-rdfc-2022, eddsa-jcs-2022, ecdsa-rdfc-2019, ecdsa-jcs-2019. "
    "`options.format` `vc+jwt` (and any RSA key) returns an EnvelopedVerifiableCredential. 2.0 "
    "credentials get revocation and suspension entries. Our own documents (the "
    "vc-engine context) keep their document-type rules. Scope: `issue:<issuer>`.",
    status_code=201,
    openapi_extra=json_body(VcIssueRequest, _VC_ISSUE_EXAMPLE),
    responses={201: {"model": IssuedCredential}, **problems(400, 409, 422)},
)
async def issue_credential(
    request: Request,
    client: Annotated[Client, Depends(authenticated)],
    found: Annotated[Services, Depends(services)],
) -> JSONResponse:
    require_any(client, "issue:")
    body = await bodies.json_object(request)
    credential = body.get("credential")
    if not isinstance(credential, dict):
        raise Problem(422, "invalid_request", "credential must be a credential object")
    options = body.get("options", {})
    if not isinstance(options, dict):
        raise Problem(422, "invalid_request", "options must be an object")
    if not _is_our_document(credential):
        credential = dict(dated(credential, found.clock()))  # 1.1 input may come undated
        try:
            check_credential(credential)  # the rules first: a refusal names the rule
        except DataModelError as error:
            raise Problem(400, "invalid_credential", str(error)) from None
        issuer_id = _signing_issuer(found, credential)
        require(client, f"issue:{issuer_id}")
        answer = await run_in_threadpool(_issue_w3c, found, issuer_id, credential, options)
        return JSONResponse(answer, status_code=201)
    try:
        document = from_credential(credential)
    except (MalformedCredential, ValueError, TypeError, KeyError) as error:
        raise Problem(422, "invalid_credential", f"not a credential we issue: {error}") from None
    require(client, f"issue:{document.issuer_id}")
    answer = await run_in_threadpool(_issue_one, found, document, options.get("cryptosuite"))
    return JSONResponse(answer, status_code=201)


def _is_our_document(credential: dict[str, Any]) -> bool:
    context = credential.get("@context")
    return isinstance(context, list) and ENGINE_CONTEXT in context


def _signing_issuer(found: Services, credential: dict[str, Any]) -> str:
    """The issuer id whose key signs a W3C credential: its did:web's issuer, or the holder of
    the did:key it names."""
    issuer = credential.get("issuer")
    named = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(named, str):
        raise Problem(400, "invalid_credential", "issuer: the credential names no issuer URL")
    issuer_id = issuer_id_of_did(named) or found.signing.issuer_of_did_key(named)
    if issuer_id is None:
        raise Problem(
            409, "no_signing_key", f"this service holds no signing key for issuer {named[:100]}"
        )
    return issuer_id


def _catalogue(found: Services) -> Catalogue:
    """The document types as the registry holds them now, added versions included."""
    return found.cache.catalogue(found.cache.current())


def _issue_w3c(
    found: Services, issuer_id: str, credential: dict[str, Any], options: dict[str, Any]
) -> dict[str, Any]:
    now = found.clock()
    issuer = _issuer(found, issuer_id, None, now)
    try:
        secured = issue_w3c(
            credential,
            options,
            issuer=issuer,
            contexts=policy_loader(found.policy_of(found.cache.current()).at(now)),
            status_lists=found.status_lists,
            at=now,
        )
    except (DataModelError, CredentialRefused) as error:
        raise Problem(400, "invalid_credential", str(error)) from None
    return {"verifiableCredential": secured}


def _issue_one(found: Services, document: Document, suite: object) -> dict[str, Any]:
    now = found.clock()
    issuer = _issuer(found, document.issuer_id, document.doctype, now)
    if suite is not None:
        algorithm = issuer.signer.algorithm
        known = SUITES.get(suite) if isinstance(suite, str) else None
        if known is None or algorithm not in known.key_algorithms:
            raise Problem(
                400,
                "invalid_options",
                f"options.cryptosuite {str(suite)[:40]!r} cannot sign "
                f"with this issuer's {algorithm} key; use one of {sorted(SUITES)}",
            )
        issuer = dataclasses.replace(issuer, cryptosuite=known.name)
    document = dataclasses.replace(document, issuer_name=issuer.name, issued_at=now)
    catalogue = _catalogue(found)
    problems = doctypes.check_document(document, catalogue)
    if problems:
        raise Problem(422, "invalid_credential", "; ".join(problems))
    use_di = issuer.signer.algorithm in (
        keys.KeyAlgorithm.ED25519,
        keys.KeyAlgorithm.P256,
        keys.KeyAlgorithm.P384,
    )
    chosen = (RENDITIONS["vc-di" if use_di else "vc-jwt"],)
    plan = Plan(
        issuer,
        catalogue.in_force(document.doctype, now),
        chosen,
        found.registry,
        found.status_lists,
        keep_renditions=found.settings.keep_renditions,
    )
    result = issue_documents(plan, [(0, document)], issued_at=now, clock=found.clock)
    if not result.issued:
        reason = result.rejections[0].reason if result.rejections else "refused"
        raise Problem(409, "already_issued", reason)
    data = result.issued[0].outputs[0]
    if use_di:
        return {"verifiableCredential": json.loads(data)}
    return {
        "verifiableCredential": {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "data:application/vc+jwt," + data.decode("ascii").strip(),
            "type": "EnvelopedVerifiableCredential",
        }
    }
