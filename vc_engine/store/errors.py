"""The registry's one exception family.

Registry operations refuse bad input or an impossible change by raising a `RegistryError` whose
message is written for the person at the CLI or the admin API, so callers print it as it is.
A verification outcome is never one of these: `evaluate` returns checks, not exceptions.
"""

from __future__ import annotations

from vc_engine.errors import BadInput, Refused


class RegistryError(Refused):
    """Base of every refusal the registry makes; the message is meant for a human."""


class InvalidRegistryInput(BadInput):
    """A value handed to the registry is malformed (bad id, naive datetime, empty window...)."""


class UnknownIssuer(RegistryError):
    """The named issuer is not in the registry."""


class IssuerAlreadyExists(RegistryError):
    """An issuer with this id is already registered."""


class UnknownKey(RegistryError):
    """The key id is not registered, or not to the issuer named in the request."""


class KeyAlreadyRegistered(RegistryError):
    """The key is already registered (to this issuer or another one)."""


class KeyStatusConflict(RegistryError):
    """The requested status change cannot follow the key's history (e.g. compromised twice)."""


class IssuerStatusConflict(RegistryError):
    """The requested issuer status change is not allowed (e.g. leaving `revoked`)."""


class AlreadyIssued(RegistryError):
    """The issuance register already holds this document id; ids are never reused."""


class AlreadyAuthorised(RegistryError):
    """The issuer already holds an authorisation for this document type from the same instant."""


class UnknownAnchor(RegistryError):
    """No registered CA certificate has this name or fingerprint."""


class AnchorConflict(RegistryError):
    """The CA certificate, its name, the CRL or the certificate subject is already registered,
    or the CA or CRL cannot be placed under a registered root."""
