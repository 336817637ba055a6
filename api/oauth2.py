"""OAuth2 client credentials (RFC 6749 §4.4): short-lived, scoped access tokens for clients.

A client trades its id and secret (the two halves of its bearer token `<client-id>.<secret>`)
at `POST /oauth2/token` for an access token that lives `ACCESS_TOKEN_LIFETIME` and carries the
scopes asked for (by default all of the client's). The token is self-contained and signed:

    vct_<base64url(JSON {"sub": client id, "scope": "...", "iat": s, "exp": s})>.<base64url(HMAC)>

HMAC-SHA256 under the service's `oauth2-token-key` (made once, kept in the registry, so every
service process accepts the tokens of the others). Nothing is stored per token; instead every
use re-reads what the client may do now: a revoked client's tokens stop at once, and a token
never grants a scope the client no longer holds (its scopes are intersected with the row's).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from vc_engine.store.service_secrets import ServiceSecrets

ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)
TOKEN_PREFIX = "vct_"  # noqa: S105 - a marker, not a secret
KEY_NAME = "oauth2-token-key"
MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True)
class AccessGrant:
    """What a valid access token says: which client, which scopes, until when."""

    client_id: str
    scopes: frozenset[str]
    expires_at: datetime


class AccessTokens:
    """Issuing and checking access tokens; the signing key is read from the registry once."""

    def __init__(self, secrets: ServiceSecrets) -> None:
        self._secrets = secrets
        self._key: bytes | None = None
        self._lock = threading.Lock()

    def issue(self, client_id: str, scopes: frozenset[str], *, at: datetime) -> str:
        """A token for `client_id` with `scopes`, valid from `at` for ACCESS_TOKEN_LIFETIME."""
        claims = {
            "sub": client_id,
            "scope": " ".join(sorted(scopes)),
            "iat": int(at.timestamp()),
            "exp": int((at + ACCESS_TOKEN_LIFETIME).timestamp()),
        }
        body = TOKEN_PREFIX + _b64(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
        return body + "." + _b64(self._mac(body, at))

    def check(self, token: str, *, at: datetime) -> AccessGrant | None:
        """The grant `token` carries if its MAC holds and it has not expired at `at`; None for
        anything else (a forged, mangled, expired or foreign token)."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
            return None
        body, dot, mac = token.rpartition(".")
        if not dot or not token.isascii():
            return None
        # The MAC is compared in its one canonical encoding, so no other spelling of it passes.
        if not hmac.compare_digest(mac, _b64(self._mac(body, at))):
            return None
        try:
            claims = json.loads(_unb64(body[len(TOKEN_PREFIX) :]))
        except (ValueError, binascii.Error):
            return None
        if not isinstance(claims, dict):
            return None
        subject, scope, expires = claims.get("sub"), claims.get("scope"), claims.get("exp")
        if not isinstance(subject, str) or not isinstance(scope, str):
            return None
        if isinstance(expires, bool) or not isinstance(expires, int):
            return None
        if at.timestamp() >= expires:
            return None
        return AccessGrant(
            subject, frozenset(scope.split()), datetime.fromtimestamp(expires, at.tzinfo)
        )

    @property
    def key_loaded(self) -> bool:
        """Whether the signing key is in memory (checking a token then does no I/O)."""
        return self._key is not None

    def _mac(self, body: str, at: datetime) -> bytes:
        with self._lock:
            if self._key is None:
                self._key = self._secrets.get_or_create(KEY_NAME, at=at)
            key = self._key
        return hmac.new(key, body.encode("ascii"), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
