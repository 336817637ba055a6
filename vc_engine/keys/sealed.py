"""Sealing a secret the service must use again (an e-locker API key) under a key file of its own.

A shared HMAC key cannot be stored as a hash: checking a request's HMAC needs the key itself. It
is stored sealed instead: AES-256-GCM under a 32-byte *sealing key* kept in a file beside the
service (mode 0600, never in the database), with a context (the issuer id) bound in as associated
data, so a sealed key copied onto another issuer's row does not open. A copy of the database
alone reveals no key. Sealing keys and secrets are never logged or put into a message.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vc_engine.keys.algorithms import KeyMaterialError

SEALING_KEY_BYTES = 32
_NONCE_BYTES = 12
_VERSION = b"\x01"


def create_sealing_key(path: Path) -> None:
    """Write a new random sealing key to `path` (0600); refuses to replace an existing file,
    which would make every secret sealed under it unreadable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyMaterialError(f"{path} exists; not replacing a sealing key") from None
    with os.fdopen(fd, "wb") as out:
        out.write(secrets.token_bytes(SEALING_KEY_BYTES))


def load_sealing_key(path: Path) -> bytes:
    try:
        key = path.read_bytes()
    except OSError as error:
        raise KeyMaterialError(f"cannot read the sealing key {path}: {error.strerror}") from None
    if len(key) != SEALING_KEY_BYTES:
        raise KeyMaterialError(f"{path} is not a sealing key ({SEALING_KEY_BYTES} bytes)")
    return key


def seal(sealing_key: bytes, secret: bytes, context: str) -> bytes:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(sealing_key).encrypt(nonce, secret, _VERSION + context.encode("utf-8"))
    return _VERSION + nonce + sealed


def unseal(sealing_key: bytes, sealed: bytes, context: str) -> bytes:
    """The secret `seal` sealed under `sealing_key` for `context`; KeyMaterialError when it was
    sealed under another key or context, or altered."""
    version, nonce, body = sealed[:1], sealed[1 : 1 + _NONCE_BYTES], sealed[1 + _NONCE_BYTES :]
    if version != _VERSION or len(nonce) != _NONCE_BYTES:
        raise KeyMaterialError("not a sealed secret")
    try:
        return AESGCM(sealing_key).decrypt(nonce, body, _VERSION + context.encode("utf-8"))
    except InvalidTag:
        raise KeyMaterialError(
            f"the secret for {context} does not open with this sealing key"
        ) from None
