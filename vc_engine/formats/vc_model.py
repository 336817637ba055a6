"""The W3C Verifiable Credentials Data Model rules (2.0, and 1.1 for 1.1 input), as JSON checks.

What is checked here is the shape the data model requires of a credential or presentation
before anything is signed or believed: the `@context` order, types, `credentialSubject`, the
issuer, the validity period as dateTimeStamp, that `credentialStatus`, `termsOfUse`, `evidence`,
`refreshService` and `credentialSchema` each name a `type`, and that a `relatedResource` names
its `id` and a digest. Each refusal is a `DataModelError` naming the rule (the section of the
data model), so an issuer is told which rule its credential breaks.

What is not checked here: what the terms mean. That is JSON-LD's job (safe mode in `vc_di`:
every term and type must expand), run after these rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from vc_engine.errors import BadInput

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "2.0"
V1 = "1.1"
CREDENTIAL_TYPE = "VerifiableCredential"
PRESENTATION_TYPE = "VerifiablePresentation"
ENVELOPED_CREDENTIAL = "EnvelopedVerifiableCredential"
TYPED_PROPERTIES = {
    "credentialStatus": "status",
    "termsOfUse": "terms-of-use",
    "evidence": "evidence",
    "refreshService": "refresh-service",
    "credentialSchema": "data-schemas",
}
"""Properties whose every value must name a `type`, with the rule (section) that says so."""

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_DATE_TIME_STAMP = re.compile(
    r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})"
)
_DATE_TIME = re.compile(
    r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?"
)
_LANGUAGE_VALUE_KEYS = frozenset({"@value", "@language", "@direction"})


class DataModelError(BadInput):
    """A credential or presentation breaks a data-model rule; `rule` names it."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule


def version_of(document: Mapping[str, Any]) -> str:
    """`2.0` or `1.1`, by the first `@context` entry; anything else breaks the context rule."""
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first == VC_V2:
        return V2
    if first == VC_V1:
        return V1
    raise DataModelError(
        "contexts", "the first @context must be the VC 2.0 context (or the VC 1.1 context)"
    )


def check_credential(credential: object) -> str:
    """Refuse a credential that breaks a data-model rule; its version otherwise."""
    if not isinstance(credential, Mapping):
        raise DataModelError("credential", "a credential must be a JSON object")
    version = version_of(credential)
    _contexts(credential)
    _identifier(credential, "id", "identifiers")
    _types(credential, CREDENTIAL_TYPE)
    _names_and_descriptions(credential)
    _issuer(credential)
    _subjects(credential.get("credentialSubject"))
    if version == V2:
        _validity_v2(credential)
    else:
        _validity_v1(credential)
    for name, rule in TYPED_PROPERTIES.items():
        _typed(credential, name, rule)
    _schemas(credential)
    _statuses(credential)
    _related_resources(credential.get("relatedResource"))
    _proofs(credential.get("proof"))
    return version


def check_presentation(presentation: object) -> str:
    """Refuse a presentation that breaks a data-model rule (its credentials included)."""
    if not isinstance(presentation, Mapping):
        raise DataModelError("presentation", "a presentation must be a JSON object")
    version = version_of(presentation)
    _contexts(presentation)
    _identifier(presentation, "id", "identifiers")
    _types(presentation, PRESENTATION_TYPE)
    holder = presentation.get("holder")
    if holder is not None:
        holder_id = holder.get("id") if isinstance(holder, Mapping) else holder
        if not _is_url(holder_id):
            raise DataModelError("presentations", "holder must be a URL or an object with an id")
    for credential in _values(presentation.get("verifiableCredential")):
        if not isinstance(credential, Mapping):
            raise DataModelError(
                "presentations", "verifiableCredential entries must be objects, not strings"
            )
        if _has_type(credential, ENVELOPED_CREDENTIAL):
            _enveloped(credential)
        else:
            check_credential(credential)
    _proofs(presentation.get("proof"))
    return version


def _values(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _is_url(value: object) -> bool:
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def _has_type(value: Mapping[str, Any], name: str) -> bool:
    return name in _values(value.get("type"))


def _contexts(document: Mapping[str, Any]) -> None:
    context = document.get("@context")
    entries = context if isinstance(context, list) else [context]
    for entry in entries[1:]:
        if not (_is_url(entry) or isinstance(entry, Mapping)):
            raise DataModelError("contexts", f"@context entries must be URLs or objects: {entry!r}")


def _identifier(value: Mapping[str, Any], name: str, rule: str) -> None:
    if name in value and not _is_url(value[name]):
        raise DataModelError(rule, f"{name} must be a single URL")


def _types(document: Mapping[str, Any], required: str) -> None:
    types = document.get("type")
    names = _values(types)
    if not names or not all(isinstance(t, str) and t for t in names):
        raise DataModelError("types", "type must be a string or a list of strings")
    if required not in names:
        raise DataModelError("types", f"type must include {required}")


def _language_value(value: object, what: str) -> None:
    if isinstance(value, str):
        return
    if isinstance(value, Mapping) and "@value" in value:
        extra = set(value) - _LANGUAGE_VALUE_KEYS
        if extra:
            raise DataModelError(
                "names-and-descriptions", f"{what} has unexpected members {sorted(extra)}"
            )
        if all(isinstance(value[k], str) for k in value):
            return
    raise DataModelError("names-and-descriptions", f"{what} must be text or language values")


def _names_and_descriptions(document: Mapping[str, Any]) -> None:
    holders = [document]
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        holders.append(issuer)
    for holder in holders:
        for name in ("name", "description"):
            for value in _values(holder.get(name)):
                _language_value(value, name)


def _issuer(credential: Mapping[str, Any]) -> None:
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not _is_url(issuer_id):
        raise DataModelError("issuer", "issuer must be a URL or an object whose id is a URL")


def _subjects(subjects: object) -> None:
    entries = _values(subjects)
    if not entries:
        raise DataModelError("credential-subject", "credentialSubject is required")
    for subject in entries:
        if not isinstance(subject, Mapping) or not subject:
            raise DataModelError(
                "credential-subject", "each credentialSubject must be an object with claims"
            )
        _identifier(subject, "id", "credential-subject")


def _instant(credential: Mapping[str, Any], name: str, pattern: re.Pattern[str]) -> datetime | None:
    value = credential.get(name)
    if value is None and name not in credential:
        return None
    if not isinstance(value, str) or pattern.fullmatch(value) is None:
        kind = "dateTimeStamp (with a time zone)" if pattern is _DATE_TIME_STAMP else "dateTime"
        raise DataModelError("validity-period", f"{name} must be an XML Schema {kind}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None  # a year outside Python's calendar: well-formed, not comparable
    return moment if moment.tzinfo is not None else None  # 1.1 local times: not comparable


def _validity_v2(credential: Mapping[str, Any]) -> None:
    valid_from = _instant(credential, "validFrom", _DATE_TIME_STAMP)
    valid_until = _instant(credential, "validUntil", _DATE_TIME_STAMP)
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise DataModelError("validity-period", "validUntil is before validFrom")


def _validity_v1(credential: Mapping[str, Any]) -> None:
    if "issuanceDate" not in credential:
        raise DataModelError("validity-period", "a 1.1 credential needs issuanceDate")
    issued = _instant(credential, "issuanceDate", _DATE_TIME)
    expires = _instant(credential, "expirationDate", _DATE_TIME)
    if issued is not None and expires is not None and expires < issued:
        raise DataModelError("validity-period", "expirationDate is before issuanceDate")


def _typed(document: Mapping[str, Any], name: str, rule: str) -> None:
    for entry in _values(document.get(name)):
        if not isinstance(entry, Mapping):
            raise DataModelError(rule, f"each {name} must be an object")
        types = _values(entry.get("type"))
        if not types or not all(isinstance(t, str) and t for t in types):
            raise DataModelError(rule, f"each {name} must name a type")


def _schemas(credential: Mapping[str, Any]) -> None:
    for entry in _values(credential.get("credentialSchema")):
        if not _is_url(entry.get("id")):
            raise DataModelError("data-schemas", "each credentialSchema needs an id that is a URL")


def _statuses(credential: Mapping[str, Any]) -> None:
    for entry in _values(credential.get("credentialStatus")):
        _identifier(entry, "id", "status")


def _related_resources(resources: object) -> None:
    seen: set[str] = set()
    for resource in _values(resources):
        if not isinstance(resource, Mapping) or not _is_url(resource.get("id")):
            raise DataModelError("integrity", "each relatedResource needs an id that is a URL")
        if resource["id"] in seen:
            raise DataModelError(
                "integrity", f"relatedResource id {resource['id'][:100]} is listed twice"
            )
        seen.add(resource["id"])
        digests = [resource.get(name) for name in ("digestSRI", "digestMultibase")]
        if not any(isinstance(d, str) and d for d in digests):
            raise DataModelError(
                "integrity", "each relatedResource needs a digestSRI or digestMultibase"
            )


def _proofs(proofs: object) -> None:
    for proof in _values(proofs):
        if not isinstance(proof, Mapping) or not isinstance(proof.get("type"), str):
            raise DataModelError("securing-mechanisms", "each proof must be an object with a type")


def _enveloped(credential: Mapping[str, Any]) -> None:
    identifier = credential.get("id")
    if not isinstance(identifier, str) or not identifier.startswith("data:"):
        raise DataModelError("enveloped-verifiable-credentials", "id must be a data: URL")


def types_of(document: Mapping[str, Any]) -> Iterable[str]:
    """The document's type names."""
    return [t for t in _values(document.get("type")) if isinstance(t, str)]
