"""Run the W3C VC test suites against `vc-engine serve` (see scripts/w3c-interop).

It stands up a throwaway engine the way an operator would, with the engine's own commands: a
temporary SQLite registry, three did:key issuers (Ed25519, P-256, P-384) registered with their
keys and held by the service, one API client, and `vc-engine serve --policy conformance` over
HTTPS on 127.0.0.1 with a self-signed certificate. Then, for each suite found in SUITES_DIR, it
drops in scripts/w3c/localConfig.cjs, runs `npx mocha tests/` and reads mocha's JSON report.
One line per suite; the exit status is 1 when any test failed or a suite could not run.

The suites authenticate with OAuth2 client credentials against POST /oauth2/token (or, with
`--auth static`, with the client's bearer token in a header). Nothing here is part of the
engine: it is a harness around the installed `vc-engine` command.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID

from vc_engine import keys

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "localConfig.cjs"
SUITES = (
    "vc-data-model-2.0-test-suite",
    "vc-di-eddsa-test-suite",
    "vc-di-ecdsa-test-suite",
    "vc-bitstring-status-list-test-suite",
    "vc-api-issuer-test-suite",
    "vc-api-verifier-test-suite",
)
ISSUERS = {
    "ED25519": ("org.w3c.interop.ed25519", "ed25519"),
    "P256": ("org.w3c.interop.p256", "p256"),
    "P384": ("org.w3c.interop.p384", "p384"),
}
STARTUP_DEADLINE_S = 60
SUITE_DEADLINE_S = 900


@dataclass(frozen=True)
class Outcome:
    suite: str
    passed: int
    failed: int
    pending: int
    error: str | None = None

    def line(self) -> str:
        if self.error is not None:
            return f"{self.suite:40} ERROR  {self.error}"
        verdict = "ok" if self.failed == 0 else "FAIL"
        return (
            f"{self.suite:40} {verdict:5} passed {self.passed:3}  failed {self.failed:3}  "
            f"pending {self.pending:3}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(prog="scripts/w3c-interop", description=__doc__.split("\n")[0])
    parser.add_argument("suites_dir", type=Path, help="directory holding the installed suites")
    parser.add_argument("--only", action="append", default=[], help="run only this suite")
    parser.add_argument("--auth", choices=("oauth2", "static"), default="oauth2")
    parser.add_argument("--policy", default="conformance", help="the engine's --policy")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    suites = [
        s for s in SUITES if (args.suites_dir / s).is_dir() and (not args.only or s in args.only)
    ]
    if not suites:
        print(
            f"no suites found in {args.suites_dir} (expected {', '.join(SUITES)})", file=sys.stderr
        )
        return 2
    work = Path(tempfile.mkdtemp(prefix="vc-engine-interop-"))
    try:
        engine = Engine(work)
        env = engine.prepare()
        with engine.serve(args.policy) as base_url:
            env["VC_ENGINE_BASE_URL"] = base_url
            env["VC_ENGINE_AUTH"] = args.auth
            outcomes = [run_suite(args.suites_dir / s, env, work) for s in suites]
    finally:
        if args.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    for outcome in outcomes:
        print(outcome.line())
    return 0 if all(o.error is None and o.failed == 0 for o in outcomes) else 1


class Engine:
    """A throwaway vc-engine: registry, issuers, client, TLS certificate, server."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.registry = f"sqlite:///{work / 'registry.db'}"
        self.signing_keys = work / "signing-keys"
        self.port = _free_port()
        self.tls = work / "tls"
        self.log = work / "serve.log"

    def cli(self, *argv: str) -> str:
        done = subprocess.run(
            [_command(), "--registry", self.registry, *argv],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"vc-engine {' '.join(argv)} failed:\n{done.stderr}{done.stdout}")
        return done.stdout

    def prepare(self) -> dict[str, str]:
        """Registry, issuers and client; the environment the suites' config reads."""
        env: dict[str, str] = {}
        self.cli("registry", "init")
        scopes = ["verify"]
        for name, (issuer_id, algorithm) in ISSUERS.items():
            folder = self.signing_keys / issuer_id
            self.cli("keys", "generate", "--alg", algorithm, "--out", str(folder))
            self.cli(
                "issuer",
                "add",
                issuer_id,
                "--name",
                f"W3C interop ({algorithm})",
                "--doctype",
                "CASCR",
            )
            self.cli("issuer", "add-key", issuer_id, "--cert", str(folder / "cert.pem"))
            public_key = keys.load_private_key(folder / "private.pem", None).public_key()
            env[f"VC_ENGINE_ISSUER_{name}"] = keys.did_key(public_key).partition("#")[0]
            scopes += [f"issue:{issuer_id}", f"revoke:{issuer_id}"]
        created = self.cli(
            "client", "create", "w3c-interop", *[a for s in scopes for a in ("--scope", s)]
        )
        token = created.strip().splitlines()[-1]
        client_id, _, secret = token.partition(".")
        env.update(
            VC_ENGINE_CLIENT_ID=client_id, VC_ENGINE_CLIENT_SECRET=secret, VC_ENGINE_TOKEN=token
        )
        self.certificate = _self_signed(self.tls)
        return env

    def serve(self, policy: str) -> _Server:
        argv = [_command(), "--registry", self.registry, "serve", "--host", "127.0.0.1"]
        argv += ["--port", str(self.port), "--signing-keys", str(self.signing_keys)]
        argv += ["--tls-cert", str(self.certificate), "--tls-key", str(self.tls / "key.pem")]
        argv += ["--public-url", f"https://127.0.0.1:{self.port}"]
        if _serve_has_policy():
            argv += ["--policy", policy]
        else:
            print(
                "note: this vc-engine has no serve --policy; serving the default policy",
                file=sys.stderr,
            )
        return _Server(argv, f"https://127.0.0.1:{self.port}", self.certificate, self.log)


class _Server:
    def __init__(self, argv: list[str], url: str, certificate: Path, log: Path) -> None:
        self.argv, self.url, self.certificate, self.log = argv, url, certificate, log

    def __enter__(self) -> str:
        self.output = self.log.open("wb")
        self.process = subprocess.Popen(self.argv, stdout=self.output, stderr=subprocess.STDOUT)
        context = ssl.create_default_context(cafile=str(self.certificate))
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", context=context) as answer:  # noqa: S310 - our own https URL
                    if answer.status == 200:
                        return self.url
            except (urllib.error.URLError, ConnectionError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"vc-engine serve did not start:\n{self.log.read_text()}")
            time.sleep(0.25)

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.output.close()


def run_suite(root: Path, env: dict[str, str], work: Path) -> Outcome:
    """Run one suite with the engine's localConfig; its counts from mocha's JSON report."""
    shutil.copyfile(CONFIG, root / "localConfig.cjs")
    report = work / f"{root.name}.json"
    child_env = {
        **os.environ,
        **env,
        "NODE_EXTRA_CA_CERTS": str(work / "tls" / "cert.pem"),
        "ISSUER_NAME": "vc-engine",
        "ISSUER_NAME_JWT": "vc-engine",
        "ISSUER_NAME_JCS": "vc-engine",
    }
    argv = ["npx", "mocha", "tests/", "--timeout", "15000", "--preserve-symlinks"]
    argv += ["--reporter", "json", "--reporter-option", f"output={report}"]
    log = work / f"{root.name}.log"
    with log.open("wb") as output:
        try:
            subprocess.run(
                argv,
                cwd=root,
                env=child_env,
                stdout=output,
                stderr=subprocess.STDOUT,
                timeout=SUITE_DEADLINE_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Outcome(root.name, 0, 0, 0, f"no result in {SUITE_DEADLINE_S} s")
    try:
        stats = json.loads(report.read_text())["stats"]
    except (OSError, ValueError, KeyError):
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        return Outcome(root.name, 0, 0, 0, "no mocha report: " + " | ".join(tail))
    shutil.copyfile(report, root / "vc-engine-report.json")
    return Outcome(root.name, stats["passes"], stats["failures"], stats["pending"])


def _command() -> str:
    """The `vc-engine` next to this Python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "vc-engine"
    return str(beside) if beside.exists() else (shutil.which("vc-engine") or "vc-engine")


def _serve_has_policy() -> bool:
    shown = subprocess.run(
        [_command(), "serve", "--help"], capture_output=True, text=True, check=False
    )
    return "--policy" in shown.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _self_signed(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (directory / "cert.pem").write_bytes(certificate.public_bytes(Encoding.PEM))
    (directory / "key.pem").write_bytes(
        key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    os.chmod(directory / "key.pem", 0o600)
    return directory / "cert.pem"


if __name__ == "__main__":
    sys.exit(main())
