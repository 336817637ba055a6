"""The trust decision: may this issuer's registry entries vouch for a signed document?

The registry (issuers, their keys with validity windows and status history, what each may issue,
and the issuance register) is the only source of trust: a key or certificate carried inside a
document counts only if it is registered, or, for an issuer registered by its certificates'
subject, only if it chains to a registered root (`chains`, `certificate_trust`).
`evaluate_trust` judges a signed document against a `TrustSource`: the live registry
(`vc_engine.store.Registry`), a `TrustSnapshot` of it, or an offline bundle.
Nothing here reads a database.
"""

from vc_engine.trust.anchors import CertificateSubject, RevocationList, TrustAnchor
from vc_engine.trust.chains import AnchorSet
from vc_engine.trust.evaluate import evaluate_trust
from vc_engine.trust.records import (
    Authorisation,
    IssuanceRecord,
    IssuerRecord,
    IssuerStatus,
    KeyEvent,
    KeyStatus,
    RegisteredKey,
)
from vc_engine.trust.source import TrustSnapshot, TrustSource

__all__ = [
    "AnchorSet",
    "Authorisation",
    "CertificateSubject",
    "IssuanceRecord",
    "IssuerRecord",
    "IssuerStatus",
    "KeyEvent",
    "KeyStatus",
    "RegisteredKey",
    "RevocationList",
    "TrustAnchor",
    "TrustSnapshot",
    "TrustSource",
    "evaluate_trust",
]
