"""`vc-engine serve --tls-cert/--tls-key`: the service speaks HTTPS with the given certificate, on
either server, and the two options come together or not at all."""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from cryptography.x509.oid import NameOID
from typer.testing import CliRunner

from vc_engine.cli import app

STARTUP_DEADLINE_S = 60


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, as PEM files."""
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
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(Encoding.PEM))
    key_path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["uvicorn", "granian"])
def https_service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = self_signed(tmp_path)
    port = free_port()
    command = str(Path(sys.executable).parent / "vc-engine")
    argv = [command, "--registry", f"sqlite:///{tmp_path / 'r.db'}"]
    argv += ["serve", "--port", str(port), "--tls-cert", str(cert), "--tls-key", str(key)]
    argv += ["--server", request.param]
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ}
    )
    try:
        yield f"https://127.0.0.1:{port}", cert
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_for_health(url: str, context: ssl.SSLContext) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while True:
        try:
            return httpx.get(f"{url}/healthz", verify=context)
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_speaks_https_with_the_given_certificate(https_service: tuple[str, Path]) -> None:
    url, cert = https_service
    answer = wait_for_health(url, ssl.create_default_context(cafile=str(cert)))
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    with pytest.raises(httpx.ConnectError):  # an unknown certificate is not trusted by default
        httpx.get(f"{url}/healthz", verify=ssl.create_default_context())


@pytest.mark.parametrize("given", ["--tls-cert", "--tls-key"])
def test_one_tls_option_without_the_other_is_a_usage_error(tmp_path: Path, given: str) -> None:
    cert, _ = self_signed(tmp_path)
    ran = CliRunner().invoke(
        app, ["--registry", f"sqlite:///{tmp_path / 'r.db'}", "serve", given, str(cert)]
    )
    assert ran.exit_code == 2
    assert "--tls-cert and --tls-key go together" in ran.output
