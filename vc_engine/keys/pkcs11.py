"""Signing with a key held in a PKCS#11 token (an HSM, a smart card, SoftHSM2).

The key is named by an RFC 7512 URI, ``pkcs11:token=NAME;object=LABEL``; the module (the
vendor's shared library) comes from `--pkcs11-module`, the URI's ``module-path`` query attribute,
``VC_ENGINE_PKCS11_MODULE`` or the SoftHSM2 default; the user PIN only ever from the environment
(``VC_ENGINE_PKCS11_PIN``): a URI carrying ``pin-value`` is refused, since a command line is
visible to every user of the machine.

`Pkcs11Signer` implements `keys.Signer`: RSA-2048 with PKCS#1 v1.5 SHA-256, ECDSA P-256 returning
raw r||s. The private key never leaves the token; the public key is read from the token's public
key object of the same label. A signer pickles as its URI, module and PIN and opens its own
session in the process that unpickles it (a PKCS#11 session never crosses a fork or a machine).
Opening fails with `KeyMaterialError` naming the problem (no module, no token, wrong PIN, no key)
before anything is signed.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from vc_engine.keys import KeyAlgorithm, KeyMaterialError, PublicKey, SignatureScheme, algorithm_of

MODULE_VARIABLE = "VC_ENGINE_PKCS11_MODULE"
PIN_VARIABLE = "VC_ENGINE_PKCS11_PIN"
DEFAULT_MODULE = "/usr/lib/softhsm/libsofthsm2.so"

_PATH_ATTRIBUTES = frozenset(
    {
        "token", "object", "id", "type", "manufacturer", "model", "serial",
        "library-manufacturer", "library-description", "library-version",
        "slot-manufacturer", "slot-description", "slot-id",
    }
)  # fmt: skip
_QUERY_ATTRIBUTES = frozenset({"module-path", "module-name", "pin-source", "pin-value"})
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


@dataclass(frozen=True)
class Pkcs11Uri:
    """An RFC 7512 URI, its values percent-decoded."""

    path: dict[str, bytes] = field(default_factory=dict)
    query: dict[str, bytes] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        value = self.path.get(name)
        if value is None:
            return None
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise KeyMaterialError(f"PKCS#11 URI: {name} is not UTF-8 text") from None

    @property
    def token(self) -> str | None:
        return self.text("token")

    @property
    def object(self) -> str | None:
        return self.text("object")


def is_pkcs11_uri(text: str) -> bool:
    return text[:7].lower() == "pkcs11:"


def parse_uri(text: str) -> Pkcs11Uri:
    """Parse ``pkcs11:attr=value;...?qattr=value&...`` (RFC 7512 section 2.3).

    Values are percent-decoded; an attribute given twice, an unknown standard attribute, a
    malformed escape or a stray character is refused. Vendor attributes (``x-...``) are kept.
    """
    if not is_pkcs11_uri(text):
        raise KeyMaterialError("a PKCS#11 URI starts with 'pkcs11:'")
    body = text[7:]
    path_part, _, query_part = body.partition("?")
    path = _attributes(path_part, ";", _PATH_ATTRIBUTES, "path")
    query = _attributes(query_part, "&", _QUERY_ATTRIBUTES, "query")
    if "type" in path and path["type"] not in (
        b"private",
        b"public",
        b"cert",
        b"secret-key",
        b"data",
    ):
        raise KeyMaterialError(
            "PKCS#11 URI: type must be private, public, cert, secret-key or data"
        )
    if "pin-value" in query:
        raise KeyMaterialError(
            f"PKCS#11 URI: pin-value is refused; give the PIN in the {PIN_VARIABLE} variable"
        )
    return Pkcs11Uri(path, query)


def _attributes(part: str, separator: str, known: frozenset[str], where: str) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    if not part:
        return found
    for item in part.split(separator):
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise KeyMaterialError(f"PKCS#11 URI: {where} attribute {item!r} is not name=value")
        if name not in known and not name.startswith("x-"):
            raise KeyMaterialError(f"PKCS#11 URI: unknown {where} attribute {name!r}")
        if name in found:
            raise KeyMaterialError(f"PKCS#11 URI: {name} is given twice")
        found[name] = _percent_decode(value, name)
    return found


def _percent_decode(value: str, name: str) -> bytes:
    allowed = _UNRESERVED | frozenset(b"%:[]@!$'()*+,=&/?|")
    raw = value.encode("utf-8", errors="strict")
    for position, byte in enumerate(raw):
        if byte not in allowed:
            raise KeyMaterialError(f"PKCS#11 URI: {name} holds {chr(byte)!r}; percent-encode it")
        if byte == ord("%"):
            escape = raw[position + 1 : position + 3]
            if len(escape) != 2 or not all(c in b"0123456789abcdefABCDEF" for c in escape):
                raise KeyMaterialError(f"PKCS#11 URI: {name} has a malformed %-escape")
    return unquote_to_bytes(value)


@dataclass(frozen=True)
class Pkcs11Key:
    """How to open a token key in any process (a `batch_workers.KeySource`)."""

    uri: str
    module: str = DEFAULT_MODULE
    pin: str | None = field(default=None, repr=False)

    @classmethod
    def from_environment(cls, uri: str, module: str | None = None) -> Pkcs11Key:
        """The key named by `uri`; module from the argument, the URI, the environment or the
        SoftHSM2 default; PIN from the environment only."""
        parsed = parse_uri(uri)
        chosen = (
            module
            or (parsed.query["module-path"].decode() if "module-path" in parsed.query else None)
            or os.environ.get(MODULE_VARIABLE)
            or DEFAULT_MODULE
        )
        return cls(uri, chosen, os.environ.get(PIN_VARIABLE))

    def open(self) -> Pkcs11Signer:
        return Pkcs11Signer(self)


class Pkcs11Signer:
    """A `keys.Signer` over a token key; one session per process, signing serialised by a lock
    (a PKCS#11 session runs one operation at a time)."""

    def __init__(self, key: Pkcs11Key) -> None:
        self._key = key
        self._lock = threading.Lock()
        self._session: Any = None
        self._private: Any = None
        self._public: PublicKey | None = None
        self._open()

    def __getstate__(self) -> dict[str, Any]:
        return {"key": self._key}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["key"])  # type: ignore[misc]

    @property
    def algorithm(self) -> KeyAlgorithm:
        assert self._public is not None
        return algorithm_of(self._public)

    @property
    def public_key(self) -> PublicKey:
        assert self._public is not None
        return self._public

    def sign(self, data: bytes, scheme: SignatureScheme) -> bytes:
        import pkcs11

        algorithm = self.algorithm
        with self._lock:
            if algorithm is KeyAlgorithm.RSA2048 and scheme is SignatureScheme.RS256:
                return bytes(self._private.sign(data, mechanism=pkcs11.Mechanism.SHA256_RSA_PKCS))
            if algorithm is KeyAlgorithm.P256 and scheme is SignatureScheme.ES256:
                # Hash here and sign the digest (CKM_ECDSA): every token has that mechanism, and
                # its output is already the fixed-size r||s that XMLDSig and JOSE want.
                digest = hashlib.sha256(data).digest()
                return bytes(self._private.sign(digest, mechanism=pkcs11.Mechanism.ECDSA))
        raise KeyMaterialError(f"a PKCS#11 {algorithm} key cannot sign with {scheme}")

    def close(self) -> None:
        """Forget the session (it stays open for other signers of this process on the token)."""
        self._session = None

    def _open(self) -> None:
        try:
            import pkcs11
            from pkcs11 import exceptions as errors
        except ImportError:
            raise KeyMaterialError("PKCS#11 keys need the python-pkcs11 package") from None
        uri = parse_uri(self._key.uri)
        token_label, label = uri.token, uri.object
        if token_label is None or (label is None and "id" not in uri.path):
            raise KeyMaterialError("the PKCS#11 URI must name a token and an object (or id)")
        if self._key.pin is None:
            raise KeyMaterialError(f"set {PIN_VARIABLE} to the token's user PIN")
        try:
            library = pkcs11.lib(self._key.module)
        except (RuntimeError, OSError) as error:
            raise KeyMaterialError(
                f"cannot load the PKCS#11 module {self._key.module}: {error}"
            ) from None
        try:
            token = library.get_token(token_label=token_label)
        except errors.NoSuchToken:
            raise KeyMaterialError(f"no PKCS#11 token labelled {token_label!r}") from None
        except errors.MultipleTokensReturned:
            raise KeyMaterialError(f"several PKCS#11 tokens are labelled {token_label!r}") from None
        self._session, self._lock = _session(token, self._key, token_label)
        search: dict[str, Any] = {}
        if label is not None:
            search["label"] = label
        if "id" in uri.path:
            search["id"] = uri.path["id"]
        try:
            self._private = self._session.get_key(
                object_class=pkcs11.ObjectClass.PRIVATE_KEY, **search
            )
            public = self._session.get_key(object_class=pkcs11.ObjectClass.PUBLIC_KEY, **search)
        except errors.NoSuchKey:
            self.close()
            raise KeyMaterialError(
                f"token {token_label!r} holds no private and public key pair {label!r}"
            ) from None
        except errors.MultipleObjectsReturned:
            self.close()
            raise KeyMaterialError(f"token {token_label!r} holds several keys {label!r}") from None
        self._public = _public_key(public)
        algorithm = algorithm_of(self._public)
        if algorithm not in (KeyAlgorithm.RSA2048, KeyAlgorithm.P256):
            self.close()
            raise KeyMaterialError(f"PKCS#11 keys must be RSA-2048 or P-256, not {algorithm}")


_SESSIONS: dict[tuple[str, str], tuple[Any, threading.Lock, bytes]] = {}
_SESSIONS_LOCK = threading.Lock()


def _session(token: Any, key: Pkcs11Key, token_label: str) -> tuple[Any, threading.Lock]:
    """One logged-in session per token per process: PKCS#11 login state belongs to the whole
    application, so a second login fails. A later key with another PIN is refused (its PIN was
    not the one that opened the token)."""
    from pkcs11 import exceptions as errors

    assert key.pin is not None
    pin_digest = hashlib.sha256(key.pin.encode()).digest()
    with _SESSIONS_LOCK:
        found = _SESSIONS.get((key.module, token_label))
        if found is not None:
            session, lock, opened_with = found
            if opened_with != pin_digest:
                raise KeyMaterialError(
                    f"wrong PIN for PKCS#11 token {token_label!r} (it is open in this process "
                    "with another PIN)"
                )
            return session, lock
        try:
            session = token.open(user_pin=key.pin)
        except (errors.PinIncorrect, errors.PinInvalid, errors.PinLenRange):
            raise KeyMaterialError(f"wrong PIN for PKCS#11 token {token_label!r}") from None
        except errors.PinLocked:
            raise KeyMaterialError(f"PKCS#11 token {token_label!r} is locked") from None
        lock = threading.Lock()
        _SESSIONS[(key.module, token_label)] = (session, lock, pin_digest)
        return session, lock


def _public_key(public: Any) -> PublicKey:
    import pkcs11
    from pkcs11.util.ec import encode_ec_public_key

    if public.key_type == pkcs11.KeyType.RSA:
        modulus = int.from_bytes(public[pkcs11.Attribute.MODULUS], "big")
        exponent = int.from_bytes(public[pkcs11.Attribute.PUBLIC_EXPONENT], "big")
        return rsa.RSAPublicNumbers(exponent, modulus).public_key()
    if public.key_type == pkcs11.KeyType.EC:
        loaded = serialization.load_der_public_key(encode_ec_public_key(public))
        if isinstance(loaded, ec.EllipticCurvePublicKey):
            return loaded
    raise KeyMaterialError(f"unsupported PKCS#11 key type {public.key_type}")
