"""Issuing any W3C credential that passes the data-model rules (the VC API's
/credentials/issue), not only our documents.

In order: a 1.1 credential given without `issuanceDate` is dated when it is signed (1.1 requires
the date, and it is the issuer's to give, as the 1.1 issuers the W3C suites know do); the
data-model rules (2.0, or 1.1 for 1.1 input: `vc_model`, each refusal naming its rule), and a
relatedResource's digest when the engine holds the resource (`related_resources`); for a
1.1 credential secured with a DataIntegrityProof, the Data Integrity context appended (1.1's
context does not define the proof's terms); revocation and suspension entries in the issuer's
Bitstring Status Lists for a 2.0 credential that names no status of its own (keyed by issuer and
credential id: `status_entries_for`); JSON-LD safe mode (every term and type must expand,
whichever suite signs); then a Data Integrity proof in the cryptosuite asked for, or a vc+jwt
returned as an EnvelopedVerifiableCredential.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from vc_engine.errors import BadInput
from vc_engine.formats.related_resources import check_related_resources
from vc_engine.formats.vc_di import DEFAULT_CRYPTOSUITE
from vc_engine.formats.vc_di.canonical import CanonicalizationError
from vc_engine.formats.vc_di.contexts import ContextError, ContextLoader
from vc_engine.formats.vc_di.cryptosuites import SUITES
from vc_engine.formats.vc_di.proofs import add_proof, canonicalizer
from vc_engine.formats.vc_jwt import sign_credential
from vc_engine.formats.vc_model import V1, VC_V2, DataModelError, check_credential, version_of
from vc_engine.issuance.issuer import Issuer
from vc_engine.issuance.status_lists import StatusLists, publish_lists
from vc_engine.keys import KeyAlgorithm
from vc_engine.revocation.credential import status_reference
from vc_engine.revocation.status import DocumentEntries
from vc_engine.store import AlreadyAllocated

DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
JWT_FORMATS = frozenset({"vc+jwt", "application/vc+jwt"})


class CredentialRefused(BadInput):
    """The credential cannot be issued as asked; the message says which rule or option."""


def status_document_id(issuer_id: str, credential_id: str) -> str:
    """The key under which a W3C credential's status entries are kept: its issuer and its id
    (our documents are keyed by their e-locker id, which has no `w3c:` prefix)."""
    return f"w3c:{issuer_id}:{credential_id}"


def status_entries_for(
    status_lists: StatusLists, issuer_id: str, credential_id: str
) -> DocumentEntries | None:
    """The revocation and suspension entries of a credential issued through the VC API by
    `issuer_id` with this `id`, or None when it got none (for POST /credentials/status)."""
    return status_lists.store.entries_of(status_document_id(issuer_id, credential_id))


def issue_w3c(
    credential: Mapping[str, Any],
    options: Mapping[str, Any],
    *,
    issuer: Issuer,
    contexts: ContextLoader,
    status_lists: StatusLists | None,
    at: datetime,
) -> dict[str, Any]:
    """The secured credential (or its EnvelopedVerifiableCredential); refuses with
    `CredentialRefused` (or `DataModelError`, naming the rule) before anything is signed."""
    credential = dated(credential, at)
    version = check_credential(credential)
    check_related_resources(credential, contexts.held)
    envelope = _wants_envelope(options, issuer)
    suite = None if envelope else _cryptosuite(options, issuer)
    if envelope and version == V1:
        raise CredentialRefused("vc+jwt secures VC 2.0 credentials only, not 1.1")
    unsecured = {k: copy.deepcopy(v) for k, v in credential.items() if k != "proof"}
    if suite is not None and version == V1:
        _append_context(unsecured, DATA_INTEGRITY_CONTEXT)
    if status_lists is not None and version != V1 and "credentialStatus" not in unsecured:
        _add_status(unsecured, issuer, status_lists, at)
    try:
        canonicalizer(contexts).quads(unsecured)
    except (ContextError, CanonicalizationError) as exc:
        raise CredentialRefused(f"DATA_LOSS: {exc}") from None
    if envelope:
        token = sign_credential(
            unsecured, issuer.signer, kid=issuer.verification_method, issued_at=at, expires_at=None
        )
        return {
            "@context": [VC_V2],
            "id": "data:application/vc+jwt," + token.decode("ascii"),
            "type": "EnvelopedVerifiableCredential",
        }
    assert suite is not None
    secured = add_proof(
        unsecured,
        cryptosuite=suite,
        signer=issuer.signer,
        verification_method=issuer.verification_method,
        created=at,
        contexts=contexts,
    )
    earlier = credential.get("proof")
    if earlier is not None:  # a proof set: each proof signs the credential without proofs
        earlier_proofs = earlier if isinstance(earlier, list) else [earlier]
        secured["proof"] = [*copy.deepcopy(earlier_proofs), secured["proof"]]
    return secured


def dated(credential: Mapping[str, Any], at: datetime) -> Mapping[str, Any]:
    """A 1.1 credential without `issuanceDate`, dated `at` (to the second, in UTC); anything
    else as it came (the data-model rules judge it next)."""
    if not isinstance(credential, Mapping) or "issuanceDate" in credential:
        return credential
    try:
        version = version_of(credential)
    except DataModelError:
        return credential
    if version != V1:
        return credential
    return {**credential, "issuanceDate": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def _wants_envelope(options: Mapping[str, Any], issuer: Issuer) -> bool:
    chosen = options.get("format")
    if chosen is not None and chosen not in JWT_FORMATS and chosen != "ldp_vc":
        raise CredentialRefused(f"options.format {str(chosen)[:40]!r}: use vc+jwt or ldp_vc")
    return chosen in JWT_FORMATS or issuer.signer.algorithm is KeyAlgorithm.RSA2048


def _cryptosuite(options: Mapping[str, Any], issuer: Issuer) -> str:
    algorithm = issuer.signer.algorithm
    chosen = options.get("cryptosuite") or issuer.cryptosuite or DEFAULT_CRYPTOSUITE.get(algorithm)
    suite = SUITES.get(chosen) if isinstance(chosen, str) else None
    if suite is None:
        raise CredentialRefused(f"unknown cryptosuite {str(chosen)[:40]!r}; use {sorted(SUITES)}")
    if algorithm not in suite.key_algorithms:
        raise CredentialRefused(f"{suite.name} cannot sign with this issuer's {algorithm} key")
    return suite.name


def _append_context(credential: dict[str, Any], url: str) -> None:
    context = credential["@context"]
    entries = context if isinstance(context, list) else [context]
    if url not in entries:
        credential["@context"] = [*entries, url]


def _add_status(
    credential: dict[str, Any], issuer: Issuer, status_lists: StatusLists, at: datetime
) -> None:
    """Revocation and suspension entries, drawn from the issuer's lists, and the lists
    re-published so the new entries can be checked at once. A credential id this issuer has
    issued before keeps its entries: it is the same credential, with the same status."""
    if not isinstance(credential.get("id"), str):
        credential["id"] = f"urn:uuid:{uuid.uuid4()}"
    key = status_document_id(issuer.id, credential["id"])
    entries = status_lists.store.entries_of(key)
    if entries is None:
        try:
            entries = status_lists.store.allocate(issuer.id, [key], at=at)[key]
        except AlreadyAllocated:  # issued by another request a moment ago: the same entries
            entries = status_lists.store.entries_of(key)
    if entries is None:
        raise CredentialRefused(f"no status entries could be kept for {credential['id']}")
    references = [status_reference(e, base_url=status_lists.base_url) for e in entries]
    credential["credentialStatus"] = [r.to_json() for r in references]
    publish_lists(status_lists, issuer, {e.list_id for e in entries}, at)
