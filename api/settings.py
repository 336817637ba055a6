"""The service's configuration: one frozen value, read from the environment by `serve`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REGISTRY_VARIABLE = "VC_ENGINE_REGISTRY"
SIGNING_KEYS_VARIABLE = "VC_ENGINE_SIGNING_KEYS"
MAX_BODY_VARIABLE = "VC_ENGINE_MAX_BODY_BYTES"
RATE_VARIABLE = "VC_ENGINE_RATE_PER_SECOND"
BURST_VARIABLE = "VC_ENGINE_RATE_BURST"
PUBLIC_URL_VARIABLE = "VC_ENGINE_PUBLIC_URL"
BUNDLE_KEY_VARIABLE = "VC_ENGINE_BUNDLE_KEY"
KEEP_RENDITIONS_VARIABLE = "VC_ENGINE_KEEP_RENDITIONS"
SEALING_KEY_VARIABLE = "VC_ENGINE_SEALING_KEY"
POLICY_VARIABLE = "VC_ENGINE_POLICY"
DURABLE_LOG_VARIABLE = "VC_ENGINE_REQUEST_LOG_DURABLE"


@dataclass(frozen=True)
class Settings:
    registry_url: str
    """The registry (and clients, audit log, status lists) as a SQLAlchemy URL."""

    max_body_bytes: int = 2 * 1024 * 1024
    """Larger request bodies get 413, whether or not they announce a Content-Length."""

    rate_per_second: float = 200.0
    """Each client's sustained request rate, per service process (an in-process token bucket)."""

    rate_burst: int = 400
    """How many requests a client may make at once before the rate applies."""

    signing_keys: Path | None = None
    """Issuers' signing keys for /v1/issue and /credentials/issue: one directory per issuer id
    holding `private.pem` and, for signed XML, `cert.pem` (as `vc-engine keys generate` writes
    them). None: the service does not issue."""

    public_url: str = "http://127.0.0.1:8000"
    """Where the service is reached from outside; status list credentials are named under it."""

    max_issue_records: int = 1000
    """Records per /v1/issue request."""

    bundle_key: Path | None = None
    """The registry root's private key (Ed25519 or P-256) that signs offline bundles for
    GET /v1/bundle. None: the service does not hand out bundles."""

    bundle_validity_days: int = 7
    """How long a bundle from GET /v1/bundle is valid (its nextUpdate)."""

    keep_renditions: bool = True
    """The issuing routes keep every rendition they issue in the registry, so the e-locker's
    Pull API can serve it later."""

    sealing_key: Path | None = None
    """The key file that seals e-locker API keys (`vc-engine digilocker configure`). None: the
    Pull API answers every request with Status 0."""

    digilocker_window_seconds: int = 600
    """A Pull request's `ts` may be this far from the service's clock, either way."""

    digilocker_max_body_bytes: int = 256 * 1024
    """Larger Pull requests (a photo included) are answered with Status 0 unread."""

    policy: str | None = None
    """The validation policy: a built-in name (default, elocker-legacy, conformance) or a TOML
    file; None is `default`."""

    durable_request_log: bool = True
    """A verification answers only once its request-log entry is committed and (PostgreSQL) on
    disk, so no acknowledged verification goes unlogged. False: it answers as soon as the entry
    is queued; the entry is still committed, in the next group (queued ones at shutdown), with
    PostgreSQL's asynchronous commit. That saves the commit's latency; a crash of the process
    loses the entries not yet committed."""

    @classmethod
    def from_env(cls, default_registry_url: str) -> Settings:
        keys = os.environ.get(SIGNING_KEYS_VARIABLE)
        bundle_key = os.environ.get(BUNDLE_KEY_VARIABLE)
        sealing_key = os.environ.get(SEALING_KEY_VARIABLE)
        return cls(
            registry_url=os.environ.get(REGISTRY_VARIABLE) or default_registry_url,
            max_body_bytes=int(os.environ.get(MAX_BODY_VARIABLE, 2 * 1024 * 1024)),
            rate_per_second=float(os.environ.get(RATE_VARIABLE, 200.0)),
            rate_burst=int(os.environ.get(BURST_VARIABLE, 400)),
            signing_keys=Path(keys) if keys else None,
            public_url=os.environ.get(PUBLIC_URL_VARIABLE, "http://127.0.0.1:8000"),
            bundle_key=Path(bundle_key) if bundle_key else None,
            keep_renditions=os.environ.get(KEEP_RENDITIONS_VARIABLE, "1") == "1",
            sealing_key=Path(sealing_key) if sealing_key else None,
            policy=os.environ.get(POLICY_VARIABLE) or None,
            durable_request_log=os.environ.get(DURABLE_LOG_VARIABLE, "1") == "1",
        )

    def to_env(self) -> dict[str, str]:
        """The environment that makes `from_env` return these settings (for worker processes)."""
        env = {
            REGISTRY_VARIABLE: self.registry_url,
            MAX_BODY_VARIABLE: str(self.max_body_bytes),
            RATE_VARIABLE: str(self.rate_per_second),
            BURST_VARIABLE: str(self.rate_burst),
            PUBLIC_URL_VARIABLE: self.public_url,
            KEEP_RENDITIONS_VARIABLE: "1" if self.keep_renditions else "0",
            DURABLE_LOG_VARIABLE: "1" if self.durable_request_log else "0",
        }
        if self.signing_keys is not None:
            env[SIGNING_KEYS_VARIABLE] = str(self.signing_keys)
        if self.bundle_key is not None:
            env[BUNDLE_KEY_VARIABLE] = str(self.bundle_key)
        if self.sealing_key is not None:
            env[SEALING_KEY_VARIABLE] = str(self.sealing_key)
        if self.policy is not None:
            env[POLICY_VARIABLE] = self.policy
        return env
