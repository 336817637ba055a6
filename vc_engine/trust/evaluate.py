"""The trust decision: may this issuer's registry entries vouch for this signed document?

Runs after a format module has verified the signature cryptographically, and judges only the
registry's facts: the issuer, the key that signed (by key id, never by an embedded certificate
alone), the key's window and history at the signing time the document claims, and the issuer's
authorisation for the document type. An issuer registered by its certificates' subject instead
is judged by the certificate the document carries, which must chain to a registered root
(`certificate_trust`). Each rule is one numbered step and one `Check`; after the
first failure the remaining rules would judge a signature nobody vouches for, so they are not run.
"""

from __future__ import annotations

from datetime import datetime

from vc_engine.i18n import report as said
from vc_engine.keys import KeyAlgorithm, SignatureScheme
from vc_engine.model import Check, CheckStatus, Document, SignatureFacts, SubIndication
from vc_engine.policy import VerificationPolicy
from vc_engine.trust.certificate_trust import matches_subject, path_checks, subject_check
from vc_engine.trust.records import IssuerStatus, KeyStatus, RegisteredKey
from vc_engine.trust.source import TrustSource

# The key type a reported algorithm needs: formats may report the signature scheme ("ES256") or
# the key type ("p256"); any other name fits no registered key.
_KEY_ALGORITHM_OF_NAME: dict[str, KeyAlgorithm] = {
    **{algorithm.value: algorithm for algorithm in KeyAlgorithm},
    SignatureScheme.RS256.value: KeyAlgorithm.RSA2048,
    SignatureScheme.RS384.value: KeyAlgorithm.RSA2048,
    SignatureScheme.RS512.value: KeyAlgorithm.RSA2048,
    SignatureScheme.RS1.value: KeyAlgorithm.RSA2048,
    SignatureScheme.ES256.value: KeyAlgorithm.P256,
    SignatureScheme.ES384.value: KeyAlgorithm.P384,
    SignatureScheme.EDDSA.value: KeyAlgorithm.ED25519,
}


def evaluate_trust(
    view: TrustSource,
    document: Document,
    facts: SignatureFacts,
    document_sha256: str,
    policy: VerificationPolicy,
) -> list[Check]:
    """The trust checks for a document whose signature verified under `facts.key_id`.

    `document` must be the signed content (its issuer and claimed signing time are trusted only
    because the signature covered them); `document_sha256` is the hex SHA-256 of the presented
    file's bytes, compared with the issuance register when the key was later compromised.
    """
    checks: list[Check] = []

    # 1. The issuer named inside the signed content is registered and active.
    checks.append(_issuer(view, document.issuer_id))
    if _failed(checks):
        return checks

    # 2. The signer. An issuer registered by its certificates' subject is judged by the
    #    certificate the document carries (and by its key too, when that is also registered,
    #    as it is for issuing through this engine); any other issuer by its registered key.
    key = view.key(facts.key_id)
    subjects = view.certificate_subjects(document.issuer_id)
    der = facts.certificate_der
    certificate = None
    if subjects and der is not None and (key is None or matches_subject(subjects, der)):
        subject, certificate = subject_check(subjects, document.issuer_id, der)
        checks.append(subject)
        if certificate is None:
            return checks
    if key is not None or certificate is None:
        checks.append(_signing_key(document.issuer_id, facts, key))
        if key is None or _failed(checks):
            return checks

    # 3. The claimed signing time is not in the future (the later rules judge keys at that time).
    checks.append(_signing_time(document.issued_at, policy))
    if _failed(checks):
        return checks

    # 4. The certificate chains to a registered root at the signing time, nothing on the path
    #    was revoked by then, and what has expired since is covered by the register.
    if certificate is not None and der is not None:
        checks.extend(path_checks(view, document, certificate, der, document_sha256, policy))
        if _any_failed(checks):
            return checks

    if key is not None:
        # 5. The key was within its window, and not retired, when the document claims to be
        #    signed; and not compromised by then, or the register proves the document
        #    predates it.
        checks.append(_key_validity(key, document.issued_at))
        if _failed(checks):
            return checks
        checks.append(_key_compromise(view, key, document, document_sha256.lower()))
        if _failed(checks):
            return checks

    # 6. The issuer may issue this document type at the signing time.
    checks.append(_authorisation(view, document))
    return checks


def key_vouches(view: TrustSource, key_id: str, issuer_id: str, signed_at: datetime) -> str | None:
    """Why a signature made at `signed_at` by `key_id` does not speak for `issuer_id`, or None
    when it does: the key is registered to that issuer, was inside its window and neither
    retired nor compromised by then. The rules of `evaluate_trust`'s steps 2, 4 and 5 for
    whatever an issuer signs besides its documents (its status lists); a document signed before
    a later compromise may still pass with the issuance register's proof, a list never does."""
    key = view.key(key_id)
    if key is None or key.issuer_id != issuer_id:
        return f"it is not signed by a key registered to {issuer_id}"
    validity = _key_validity(key, signed_at)
    if validity.status is not CheckStatus.PASSED:
        return validity.message
    compromise = key.first_event(KeyStatus.COMPROMISED)
    if compromise is not None and compromise.effective_at <= signed_at:
        return (
            f"it was signed at {_at(signed_at)} with key {key.key_id}, compromised since "
            f"{_at(compromise.effective_at)}"
        )
    return None


def _failed(checks: list[Check]) -> bool:
    return checks[-1].status is CheckStatus.FAILED


def _any_failed(checks: list[Check]) -> bool:
    return any(c.status is CheckStatus.FAILED for c in checks)


def _issuer(view: TrustSource, issuer_id: str) -> Check:
    issuer = view.issuer(issuer_id)
    if issuer is None:
        return Check.failed(
            "issuer", SubIndication.NOT_TRUSTED, said.ISSUER_UNKNOWN(issuer=issuer_id)
        )
    if issuer.status is not IssuerStatus.ACTIVE:
        inactive = (
            said.ISSUER_SUSPENDED
            if issuer.status is IssuerStatus.SUSPENDED
            else said.ISSUER_REVOKED
        )
        since = _at(issuer.status_since)
        return Check.failed(
            "issuer",
            SubIndication.NOT_TRUSTED,
            inactive(issuer=issuer_id, name=issuer.name, since=since),
        )
    return Check.passed("issuer", said.ISSUER_ACTIVE(issuer=issuer_id, name=issuer.name))


def _signing_key(issuer_id: str, facts: SignatureFacts, key: RegisteredKey | None) -> Check:
    kid = facts.key_id
    if key is None:
        return Check.failed(
            "signing-key",
            SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
            said.KEY_UNREGISTERED(kid=kid),
        )
    if key.issuer_id != issuer_id:
        return Check.failed(
            "signing-key",
            SubIndication.NOT_TRUSTED,
            said.KEY_OTHER_ISSUER(kid=kid, owner=key.issuer_id, issuer=issuer_id),
        )
    if _KEY_ALGORITHM_OF_NAME.get(facts.algorithm) is not key.algorithm:
        return Check.failed(
            "signing-key",
            SubIndication.NOT_TRUSTED,
            said.KEY_WRONG_ALGORITHM(algorithm=facts.algorithm, kid=kid, registered=key.algorithm),
        )
    return Check.passed(
        "signing-key", said.KEY_REGISTERED(kid=kid, algorithm=key.algorithm, issuer=issuer_id)
    )


def _signing_time(signed: datetime, policy: VerificationPolicy) -> Check:
    latest = policy.at + policy.clock_skew
    if signed > latest:
        return Check.failed(
            "signing-time",
            SubIndication.NOT_YET_VALID,
            said.SIGNED_IN_FUTURE(signed=_at(signed), at=_at(policy.at), latest=_at(latest)),
        )
    return Check.passed("signing-time", said.SIGNED_AT(signed=_at(signed)))


def _key_validity(key: RegisteredKey, signed: datetime) -> Check:
    if not key.in_window(signed):
        window = {"kid": key.key_id, "valid_from": _at(key.valid_from), "signed": _at(signed)}
        outside = (
            said.KEY_OUTSIDE_OPEN_WINDOW(**window)
            if key.valid_until is None
            else said.KEY_OUTSIDE_WINDOW(**window, valid_until=_at(key.valid_until))
        )
        return Check.failed("key-validity", SubIndication.NOT_TRUSTED, outside)
    retired = key.first_event(KeyStatus.RETIRED)
    if retired is not None and retired.effective_at <= signed:
        return Check.failed(
            "key-validity",
            SubIndication.NOT_TRUSTED,
            said.KEY_RETIRED(
                kid=key.key_id,
                at=_at(retired.effective_at),
                reason=retired.reason,
                signed=_at(signed),
            ),
        )
    return Check.passed("key-validity", said.KEY_VALID(kid=key.key_id, signed=_at(signed)))


def _key_compromise(
    view: TrustSource, key: RegisteredKey, document: Document, document_sha256: str
) -> Check:
    signed = document.issued_at
    compromise = key.first_event(KeyStatus.COMPROMISED)
    if compromise is None:
        return Check.passed("key-compromise", said.KEY_NOT_COMPROMISED(kid=key.key_id))
    since = compromise.effective_at
    if signed >= since:
        return Check.failed(
            "key-compromise",
            SubIndication.KEY_COMPROMISED,
            said.KEY_COMPROMISED(
                kid=key.key_id, since=_at(since), reason=compromise.reason, signed=_at(signed)
            ),
        )
    proof = view.issuance(document.id)
    if proof is not None and proof.proves(document_sha256) and proof.recorded_at < since:
        return Check.passed(
            "key-compromise",
            said.KEY_COMPROMISED_LATER_PROVEN(
                kid=key.key_id, since=_at(since), recorded=_at(proof.recorded_at)
            ),
        )
    return Check.indeterminate(
        "key-compromise",
        SubIndication.REVOKED_NO_POE,
        said.KEY_COMPROMISED_NO_PROOF(
            signed=_at(signed), kid=key.key_id, since=_at(since), reason=compromise.reason
        ),
    )


def _authorisation(view: TrustSource, doc: Document) -> Check:
    held = view.authorisations(doc.issuer_id)
    if any(a.covers(doc.doctype, doc.issued_at) for a in held):
        return Check.passed(
            "authorisation", said.AUTHORISED(issuer=doc.issuer_id, doctype=doc.doctype)
        )
    return Check.failed(
        "authorisation",
        SubIndication.NOT_AUTHORIZED,
        said.NOT_AUTHORISED(issuer=doc.issuer_id, doctype=doc.doctype, signed=_at(doc.issued_at)),
    )


def _at(instant: datetime) -> str:
    return instant.isoformat()
