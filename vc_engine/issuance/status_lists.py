"""Status entries for issued documents, and publishing the issuers' signed status lists.

Every issued document gets a revocation and a suspension entry, signed into each of its
renditions; a document that already holds entries (a run resumed after a crash) keeps them, so
an index is never handed out twice. A list is published as a signed
BitstringStatusListCredential twice over, from the same unsigned credential: as a vc+jwt (any key
of the issuer can sign one) and, when the issuer's key can make a Data Integrity proof (Ed25519,
ECDSA P-256/P-384), as JSON-LD with an eddsa-rdfc-2022 or ecdsa-rdfc-2019 proof. Both are signed
when the list changes and kept as that version's publication, never signed per request.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from vc_engine.formats import vc_jwt
from vc_engine.formats.vc_di import DEFAULT_CRYPTOSUITE
from vc_engine.formats.vc_di.proofs import add_proof
from vc_engine.issuance.issuer import IssuanceRefused, Issuer
from vc_engine.model import Document, issuer_did
from vc_engine.revocation.credential import status_list_credential, status_reference
from vc_engine.revocation.status import PublishedList
from vc_engine.store.status import StatusStore

DEFAULT_STATUS_TTL = timedelta(days=1)


@dataclass(frozen=True)
class StatusLists:
    """Where issued documents get their status entries and how their lists are published."""

    store: StatusStore
    base_url: str
    ttl: timedelta = DEFAULT_STATUS_TTL


def with_status(
    documents: Sequence[tuple[int, Document]],
    issuer_id: str,
    status_lists: StatusLists,
    at: datetime,
) -> tuple[list[tuple[int, Document]], set[str]]:
    """The documents with their status entries, and the lists those are in: entries a document
    already holds are kept, the others drawn in one allocation."""
    store = status_lists.store
    ids = [document.id for _, document in documents]
    entries = store.entries_of_many(ids)
    fresh = [document_id for document_id in ids if document_id not in entries]
    if fresh:
        entries.update(store.allocate(issuer_id, fresh, at=at))
    with_entries = []
    lists: set[str] = set()
    for number, document in documents:
        pair = entries[document.id]
        references = tuple(
            status_reference(entry, base_url=status_lists.base_url) for entry in pair
        )
        lists.update(entry.list_id for entry in pair)
        with_entries.append((number, dataclasses.replace(document, status=references)))
    return with_entries, lists


@dataclass(frozen=True)
class SignedStatusList:
    """One version of a list, signed: as a vc+jwt, and as JSON-LD with a Data Integrity proof
    when the issuer's key can make one (None for RSA)."""

    jwt: bytes
    json_ld: bytes | None


def sign_status_list(
    published: PublishedList, issuer: Issuer, status_lists: StatusLists, at: datetime
) -> SignedStatusList:
    """The list as a signed BitstringStatusListCredential, in each form the issuer's key allows."""
    credential = status_list_credential(
        published,
        base_url=status_lists.base_url,
        issuer=issuer_did(issuer.id),
        valid_from=at,
        ttl=status_lists.ttl,
    )
    jwt = vc_jwt.sign_credential(
        credential, issuer.signer, kid=issuer.verification_method, issued_at=at, expires_at=None
    )
    cryptosuite = DEFAULT_CRYPTOSUITE.get(issuer.signer.algorithm)
    if cryptosuite is None:
        return SignedStatusList(jwt, None)
    secured = add_proof(
        credential,
        cryptosuite=cryptosuite,
        signer=issuer.signer,
        verification_method=issuer.verification_method,
        created=at,
    )
    return SignedStatusList(jwt, json.dumps(secured, ensure_ascii=False).encode("utf-8"))


def publish_lists(
    status_lists: StatusLists, issuer: Issuer, list_ids: Iterable[str], at: datetime
) -> list[str]:
    """Sign and publish the current state of each list; returns the ids published."""
    published_ids = []
    for list_id in list_ids:
        published = status_lists.store.list_bits(list_id)
        if published is None or published.issuer_id != issuer.id:
            raise IssuanceRefused(f"status list {list_id} is not a list of {issuer.id}")
        signed = sign_status_list(published, issuer, status_lists, at)
        status_lists.store.publish(
            list_id, signed.jwt, version=published.version, at=at, json_ld=signed.json_ld
        )
        published_ids.append(list_id)
    return published_ids
