"""The shapes of what the service answers, for its OpenAPI document.

Routes build their JSON by hand (the verification route's answer is `VerificationReport.to_json`,
written once, fast); these models only describe it, so clients and the API fuzzing tests
(schemathesis, which checks every response against them) know exactly what to expect.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """An RFC 9457 problem: every error the service answers."""

    type: str = Field(examples=["https://vc-engine.org/problems/insufficient_scope"])
    title: str = Field(examples=["Forbidden"])
    status: int = Field(examples=[403])
    code: str = Field(description="A machine code, stable across versions", examples=["x"])
    detail: str = Field(description="What went wrong, for a person")


class Check(BaseModel):
    name: str
    status: Literal["passed", "failed", "indeterminate"]
    code: str | None
    message: str = Field(description="What was found, in English")
    messageCode: str = Field(
        description="The message's stable code: the same sentence in any language from the "
        "catalogs (`vc_engine/data/locale`), filled with `messageParams`",
        examples=["issuer.active"],
    )
    messageParams: dict[str, str] = Field(description="The values the message names")


class ProblemDetail(BaseModel):
    """A W3C VC Data Model 2.0 problem detail."""

    type: str
    code: int
    title: str
    detail: str


class IssuerRef(BaseModel):
    id: str
    name: str


class StatusEntry(BaseModel):
    id: str
    type: Literal["BitstringStatusListEntry"]
    statusPurpose: str
    statusListIndex: str
    statusListCredential: str


class SignedDocument(BaseModel):
    """What the signature covered, in every format alike."""

    id: str
    type: str
    issuer: IssuerRef
    issuedAt: str
    validFrom: str
    validUntil: str | None
    holder: dict[str, str]
    claims: dict[str, str | list[dict[str, str]]]
    claimsDigest: str = Field(description="SHA-256 of the claims' canonical JSON")
    credentialStatus: list[StatusEntry]


class Report(BaseModel):
    """The VerificationReport: indication and sub-indication after ETSI EN 319 102-1, and every
    check in pipeline order."""

    verified: bool
    indication: Literal["PASSED", "FAILED", "INDETERMINATE"]
    subIndication: str | None
    checks: list[Check]
    warnings: list[str]
    problemDetails: list[ProblemDetail]
    format: str | None
    document: SignedDocument | None


class VcApiVerification(BaseModel):
    """The W3C VC API's answer to /credentials/verify."""

    model_config = ConfigDict(extra="allow")
    verified: bool
    credential: object
    problemDetails: list[ProblemDetail]
    results: Report


class IssuedRendition(BaseModel):
    index: int
    id: str
    renditions: dict[str, str]


class RejectedRecord(BaseModel):
    index: int
    reason: str
    documentId: str | None = None


class IssueAnswer(BaseModel):
    issued: list[IssuedRendition]
    rejected: list[RejectedRecord]


class IssuedCredential(BaseModel):
    verifiableCredential: dict[str, object]


class StatusEvent(BaseModel):
    action: Literal["revoke", "suspend", "reinstate"]
    effectiveAt: str
    reason: str | None
    actor: str | None
    recordedAt: str


class StatusChangeAnswer(BaseModel):
    documentId: str
    state: Literal["active", "suspended", "revoked"] | None
    event: StatusEvent
    listPublished: bool


class ListEntry(BaseModel):
    purpose: Literal["revocation", "suspension"]
    list: str
    index: int


class DocumentStatusAnswer(BaseModel):
    documentId: str
    state: Literal["active", "suspended", "revoked"]
    entries: list[ListEntry]
    history: list[StatusEvent]


class IssuerAnswer(BaseModel):
    id: str
    name: str
    status: Literal["active", "suspended", "revoked"]
    createdAt: str | None
    statusSince: str | None


class IssuerList(BaseModel):
    issuers: list[IssuerAnswer]


class AuthorisationAnswer(BaseModel):
    issuer: str
    doctype: str
    validFrom: str | None
    validUntil: str | None


class KeyEventAnswer(BaseModel):
    status: Literal["active", "retired", "compromised"]
    effectiveAt: str | None
    reason: str
    recordedAt: str | None


class KeyAnswer(BaseModel):
    keyId: str
    algorithm: str
    validFrom: str | None
    validUntil: str | None
    addedAt: str | None
    history: list[KeyEventAnswer]


class IssuerDetail(IssuerAnswer):
    authorisations: list[AuthorisationAnswer]
    keys: list[KeyAnswer]


class KeyAdded(BaseModel):
    keyId: str


class KeyChanged(KeyEventAnswer):
    keyId: str


class Health(BaseModel):
    status: Literal["ok"]
