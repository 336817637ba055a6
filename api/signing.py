"""Issuers' signing keys for the issuing routes, read from the directory named in the settings.

`<signing_keys>/<issuer-id>/private.pem` (and `cert.pem` for signed XML), as `vc-engine keys
generate --out` writes them; an encrypted key's passphrase comes from VC_ENGINE_KEY_PASSPHRASE.
Keys stay with the issuer's own deployment of the service: nothing here fetches or stores a key.
A loaded key is reused until its file changes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography import x509

from vc_engine import keys
from vc_engine.errors import Refused
from vc_engine.store import validate
from vc_engine.store.errors import InvalidRegistryInput

PASSPHRASE_VARIABLE = "VC_ENGINE_KEY_PASSPHRASE"  # noqa: S105 - a variable name, not a secret


class NoSigningKey(Refused):
    pass


class SigningKeys:
    def __init__(self, directory: Path | None) -> None:
        self._directory = directory
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[float, keys.FileSigner, x509.Certificate | None]] = {}

    def load(self, issuer_id: str) -> tuple[keys.FileSigner, x509.Certificate | None]:
        if self._directory is None:
            raise NoSigningKey("this service holds no signing keys (VC_ENGINE_SIGNING_KEYS)")
        try:
            validate.issuer_id(issuer_id)  # a directory name: no traversal
        except InvalidRegistryInput as error:
            raise NoSigningKey(str(error)) from None
        folder = self._directory / issuer_id
        private = folder / "private.pem"
        try:
            stamp = private.stat().st_mtime
        except OSError:
            raise NoSigningKey(f"this service holds no signing key for {issuer_id}") from None
        with self._lock:
            cached = self._loaded.get(issuer_id)
        if cached is not None and cached[0] == stamp:
            return cached[1], cached[2]
        passphrase = os.environ.get(PASSPHRASE_VARIABLE)
        try:
            signer = keys.FileSigner(
                keys.load_private_key(private, passphrase.encode() if passphrase else None)
            )
            cert_path = folder / "cert.pem"
            certificate = (
                keys.load_certificate(cert_path.read_bytes()) if cert_path.is_file() else None
            )
        except (OSError, keys.KeyMaterialError) as error:
            raise NoSigningKey(
                f"the signing key of {issuer_id} cannot be loaded: {error}"
            ) from None
        with self._lock:
            self._loaded[issuer_id] = (stamp, signer, certificate)
        return signer, certificate

    def issuer_of_did_key(self, did: str) -> str | None:
        """The issuer whose signing key a did:key DID names, or None: how a credential whose
        issuer is a did:key finds the key that signs it."""
        if self._directory is None or not did.startswith("did:key:"):
            return None
        try:
            folders = sorted(p.name for p in self._directory.iterdir() if p.is_dir())
        except OSError:
            return None
        for issuer_id in folders:
            try:
                signer, _ = self.load(issuer_id)
            except NoSigningKey:
                continue
            if keys.did_key(signer.public_key).partition("#")[0] == did:
                return issuer_id
        return None
