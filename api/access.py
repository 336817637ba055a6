"""API clients: who may call the service, and for what.

A client is an id, a name, scopes and the scrypt hash of a random secret; the secret itself is
shown once, at creation, and never stored. A request names its client with

    Authorization: Bearer <client-id>.<secret>

Scopes: `verify`, `audit` (offline bundles), `issue:<issuer-id>`, `revoke:<issuer-id>`,
`registry:admin`. A revoked client
is refused from the moment its row says so: rows are reused only within a request's registry
`View` (`api.trust_cache`), which a write to the clients table anywhere replaces. The fact that
a given token matched a given stored hash is remembered too, so the slow scrypt runs once per
process per token rather than on every request.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Row, insert, select, update

from vc_engine.store.reads import read_only
from vc_engine.store.schema import api_clients

if TYPE_CHECKING:
    from api.trust_cache import View

SCOPE_PATTERN = re.compile(r"verify|audit|registry:admin|(issue|revoke):[a-z0-9][a-z0-9.-]{0,127}")
CLIENT_ID_PATTERN = re.compile(r"vcc_[0-9a-f]{16}")

# scrypt: 16 MiB and a few tens of milliseconds per hash. The secrets are 256 random bits, so the
# cost only has to make a stolen table useless, and it does.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024


class UnknownClient(Exception):
    pass


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes

    def allows_any(self, prefix: str) -> bool:
        """Holds some scope starting with `prefix` (e.g. `issue:` for one issuer or another)."""
        return any(scope.startswith(prefix) for scope in self.scopes)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class StoredClient:
    client: Client
    secret_hash: str


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
    """Clients in the registry database; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._matched: OrderedDict[tuple[str, str, str], None] = OrderedDict()
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
                " (verify, issue:<issuer>, revoke:<issuer>, registry:admin)"
            )
        client_id = "vcc_" + secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        with self._engine.begin() as conn:
            conn.execute(
                insert(api_clients).values(
                    id=client_id,
                    name=name,
                    secret_hash=hash_secret(secret),
                    scopes=" ".join(sorted(set(scopes))),
                    created_at=at,
                    revoked_at=None,
                )
            )
        client = Client(client_id, name, frozenset(scopes), at, None)
        return client, f"{client_id}.{secret}"

    def revoke(self, client_id: str, *, at: datetime) -> None:
        with self._engine.begin() as conn:
            done = conn.execute(
                update(api_clients)
                .where(api_clients.c.id == client_id, api_clients.c.revoked_at.is_(None))
                .values(revoked_at=at)
            )
        if done.rowcount != 1:
            raise UnknownClient(f"no active client {client_id}")

    def list(self) -> list[Client]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(api_clients).order_by(api_clients.c.created_at)).all()
        return [_client(row) for row in rows]

    def authenticate(self, token: str, view: View | None = None) -> Client | None:
        """The client a bearer token names, if its secret matches; revoked clients included
        (the caller refuses them with their own reason). None for anything else. The row is
        read from `view` when it holds it, else from the database (and kept in `view`)."""
        parsed = _parse(token)
        if parsed is None:
            return None
        client_id, secret = parsed
        stored = None if view is None else view.clients.get(client_id)
        if stored is None:
            stored = self._load(client_id)
            if stored is None:
                return None
            if view is not None:
                view.remember_client(stored)
        key = self._match_key(token, stored)
        with self._lock:
            seen = key in self._matched
            if seen:
                self._matched.move_to_end(key)
        if not seen:
            if not secret_matches(secret, stored.secret_hash):
                return None
            with self._lock:
                self._matched[key] = None
                while len(self._matched) > 10_000:
                    self._matched.popitem(last=False)
        return stored.client

    def authenticate_cached(self, token: str, view: View) -> Client | None:
        """`authenticate` without I/O or scrypt: the client when `view` holds its row and the
        token is known to match it; None when that is not known (ask `authenticate`)."""
        parsed = _parse(token)
        stored = None if parsed is None else view.clients.get(parsed[0])
        if stored is None:
            return None
        key = self._match_key(token, stored)
        with self._lock:
            if key not in self._matched:
                return None
            self._matched.move_to_end(key)
        return stored.client

    def _load(self, client_id: str) -> StoredClient | None:
        with read_only(self._engine) as conn:
            row = conn.execute(
                select(api_clients).where(api_clients.c.id == client_id)
            ).one_or_none()
        return None if row is None else StoredClient(_client(row), row.secret_hash)

    @staticmethod
    def _match_key(token: str, stored: StoredClient) -> tuple[str, str, str]:
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        return stored.client.id, stored.secret_hash, digest


def _parse(token: str) -> tuple[str, str] | None:
    client_id, dot, secret = token.partition(".")
    if not dot or CLIENT_ID_PATTERN.fullmatch(client_id) is None or len(secret) > 256:
        return None
    return client_id, secret


def _client(row: Row[Any]) -> Client:
    return Client(
        id=row.id,
        name=row.name,
        scopes=frozenset(row.scopes.split()),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )
