"""API clients: who may call the service, and for what.

A client is an id, a name, scopes and the scrypt hash of a random secret (its row:
`vc_engine.store.clients`); the secret itself is shown once, at creation, and never stored. A
request names its client with

    Authorization: Bearer <client-id>.<secret>

Scopes: `verify`, `audit` (offline bundles), `issue:<issuer-id>`, `revoke:<issuer-id>`,
`registry:admin`. A revoked client is refused from the moment its row says so: rows are reused
only within a request's registry `Generation` (`api.registry_cache`), which a write to the
clients table anywhere replaces. The fact that a given token matched a given stored hash is
remembered too, so the slow scrypt runs once per process per token rather than on every request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import MutableMapping
from datetime import datetime

from sqlalchemy import Engine

from vc_engine.errors import Refused
from vc_engine.store.clients import ClientRecord, ClientTable

Client = ClientRecord
SCOPE_PATTERN = re.compile(r"verify|audit|registry:admin|(issue|revoke):[a-z0-9][a-z0-9.-]{0,127}")
CLIENT_ID_PATTERN = re.compile(r"vcc_[0-9a-f]{16}")
MAX_REMEMBERED_CLIENTS = 10_000

# scrypt: 16 MiB and a few tens of milliseconds per hash. The secrets are 256 random bits, so the
# cost only has to make a stolen table useless, and it does.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024


class UnknownClient(Refused):
    """No active client has this id."""


def valid_scope(scope: str) -> bool:
    return SCOPE_PATTERN.fullmatch(scope) is not None


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(
        secret.encode("utf-8"),
        salt=salt,
        n=_SCRYPT_N,
        r=_SCRYPT_R,
        p=_SCRYPT_P,
        maxmem=_SCRYPT_MAXMEM,
        dklen=32,
    )
    return "$".join(
        (
            "scrypt",
            str(_SCRYPT_N),
            str(_SCRYPT_R),
            str(_SCRYPT_P),
            base64.b64encode(salt).decode("ascii"),
            base64.b64encode(digest).decode("ascii"),
        )
    )


def secret_matches(secret: str, stored: str) -> bool:
    """Constant-time comparison of `secret` against a stored `hash_secret` value."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            secret.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_SCRYPT_MAXMEM,
            dklen=32,
        )
        return hmac.compare_digest(digest, base64.b64decode(expected))
    except ValueError:
        return False


class ClientStore:
    """Creating, revoking and authenticating clients; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self._table = ClientTable(engine)
        self._matched: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self._checking: dict[tuple[str, str, str], threading.Lock] = {}
        """Tokens whose secret is being checked now, each with the lock its checker holds."""
        self._lock = threading.Lock()

    def create(self, name: str, scopes: list[str], *, at: datetime) -> tuple[Client, str]:
        """Make a client; returns it and its bearer token (shown once, stored only hashed)."""
        name = name.strip()
        if not name or len(name) > 200:
            raise ValueError("a client needs a name of 1 to 200 characters")
        bad = [s for s in scopes if not valid_scope(s)]
        if bad or not scopes:
            raise ValueError(
                f"invalid scope {bad[0]!r}"
                if bad
                else "a client needs at least one scope"
                " (verify, audit, issue:<issuer>, revoke:<issuer>, registry:admin)"
            )
        secret = secrets.token_urlsafe(32)
        client = Client(
            id="vcc_" + secrets.token_hex(8),
            name=name,
            scopes=frozenset(scopes),
            created_at=at,
            revoked_at=None,
            secret_hash=hash_secret(secret),
        )
        self._table.insert(client)
        return client, f"{client.id}.{secret}"

    def revoke(self, client_id: str, *, at: datetime) -> None:
        if not self._table.revoke(client_id, at=at):
            raise UnknownClient(f"no active client {client_id}")

    def list(self) -> list[Client]:
        return self._table.all()

    def authenticate(
        self, token: str, known: MutableMapping[str, Client] | None = None
    ) -> Client | None:
        """The client a bearer token names, if its secret matches; revoked clients included
        (the caller refuses them with their own reason). None for anything else. The row is
        taken from `known` when it holds it, else read (and kept in `known`)."""
        parsed = _parse(token)
        if parsed is None:
            return None
        client_id, secret = parsed
        stored = None if known is None else known.get(client_id)
        if stored is None:
            stored = self._table.get(client_id)
            if stored is None:
                return None
            if known is not None and len(known) < MAX_REMEMBERED_CLIENTS:
                known[client_id] = stored
        key = self._match_key(token, stored)
        if self._seen(key):
            return stored
        # One scrypt per token at a time: a client's first burst (one request per connection)
        # would otherwise run as many 16 MiB hashes at once, all of the same secret.
        with self._lock:
            checking = self._checking.setdefault(key, threading.Lock())
        try:
            with checking:
                if not self._seen(key):
                    if not secret_matches(secret, stored.secret_hash):
                        return None
                    with self._lock:
                        self._matched[key] = None
                        while len(self._matched) > MAX_REMEMBERED_CLIENTS:
                            self._matched.popitem(last=False)
        finally:
            with self._lock:
                self._checking.pop(key, None)
        return stored

    def _seen(self, key: tuple[str, str, str]) -> bool:
        with self._lock:
            seen = key in self._matched
            if seen:
                self._matched.move_to_end(key)
        return seen

    def row(self, client_id: str, known: MutableMapping[str, Client]) -> Client | None:
        """The client's row as stored (revoked or not), kept in `known` once read."""
        stored = self._table.get(client_id)
        if stored is not None and len(known) < MAX_REMEMBERED_CLIENTS:
            known[client_id] = stored
        return stored

    def authenticate_cached(self, token: str, known: MutableMapping[str, Client]) -> Client | None:
        """`authenticate` without I/O or scrypt: the client when `known` holds its row and the
        token is known to match it; None when that is not known (ask `authenticate`)."""
        parsed = _parse(token)
        stored = None if parsed is None else known.get(parsed[0])
        if stored is None:
            return None
        return stored if self._seen(self._match_key(token, stored)) else None

    @staticmethod
    def _match_key(token: str, stored: Client) -> tuple[str, str, str]:
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        return stored.id, stored.secret_hash, digest


def _parse(token: str) -> tuple[str, str] | None:
    client_id, dot, secret = token.partition(".")
    if not dot or CLIENT_ID_PATTERN.fullmatch(client_id) is None or len(secret) > 256:
        return None
    return client_id, secret
