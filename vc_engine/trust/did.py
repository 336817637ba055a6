"""DID resolution from the registry only: `did:web:<issuer host>#<key id>` names a registered key.

Nothing is fetched: a did:web document on the issuer's web server is never consulted, because
the registry, not the issuer's web server, is the source of trust. `did:key` needs no resolution
(the key is in the identifier) and is decoded by the formats; whether that key is registered to
the issuer is still the trust stage's question.
"""

from __future__ import annotations

from collections.abc import Callable

from vc_engine.keys import PublicKey
from vc_engine.model import issuer_did, issuer_id_of_did
from vc_engine.trust.source import TrustSource

Resolver = Callable[[str], PublicKey | None]


def verification_method(issuer_id: str, key_id: str) -> str:
    """The did:web URL under which a registered key is named in credentials."""
    return f"{issuer_did(issuer_id)}#{key_id}"


def registry_resolver(view: TrustSource) -> Resolver:
    def resolve(url: str) -> PublicKey | None:
        did, _, fragment = url.partition("#")
        issuer_id = issuer_id_of_did(did)
        if issuer_id is None or not fragment:
            return None
        key = view.key(fragment)
        if key is None or key.issuer_id != issuer_id:
            return None
        return key.public_key

    return resolve
