"""Keys in a PKCS#11 token (SoftHSM2): URI parsing, RSA-2048 and P-256 signing through a batch,
and the errors a clerk must see before anything is written.

SoftHSM2 missing: these tests skip on a developer machine but FAIL under CI=true, so a pipeline
without the token cannot pass by skipping them. The token lives in a temporary directory named by
SOFTHSM2_CONF, set for the whole session before the module is first loaded.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from vc_engine import keys
from vc_engine.inputs.records import read_records
from vc_engine.issuance.batch.scheduler import BatchOptions, run_batch
from vc_engine.issuance.batch.workers import SigningSpec
from vc_engine.issuance.status_lists import StatusLists
from vc_engine.keys.pkcs11 import DEFAULT_MODULE, Pkcs11Key, Pkcs11Signer, parse_uri
from vc_engine.store import Registry, StatusStore

from batch_support import (
    DOCTYPE,
    ISSUER,
    check_all_verify,
    clock,
    enrol_public,
    registered,
    write_records,
)

TOKEN = "vc-engine-test"
PIN = "246810"
MODULE = os.environ.get("VC_ENGINE_PKCS11_MODULE", DEFAULT_MODULE)


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh SoftHSM2 token holding an RSA-2048 key 'rsa-key' and a P-256 key 'ec-key'."""
    tool = shutil.which("softhsm2-util")
    if tool is None or not Path(MODULE).exists():
        message = f"SoftHSM2 is not installed (softhsm2-util, {MODULE}): apt-get install softhsm2"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    import pkcs11
    from pkcs11.util.ec import encode_named_curve_parameters

    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\n"
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(config)
    subprocess.run(
        [tool, "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "13579"],
        check=True,
        capture_output=True,
    )
    token = pkcs11.lib(MODULE).get_token(token_label=TOKEN)
    with token.open(rw=True, user_pin=PIN) as session:
        session.generate_keypair(pkcs11.KeyType.RSA, 2048, label="rsa-key", store=True)
        parameters = session.create_domain_parameters(
            pkcs11.KeyType.EC,
            {pkcs11.Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
            local=True,
        )
        parameters.generate_keypair(label="ec-key", store=True)
    yield TOKEN
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def token_key(label: str, *, pin: str = PIN, token: str = TOKEN) -> Pkcs11Key:
    return Pkcs11Key(f"pkcs11:token={token};object={label}", MODULE, pin)


# RFC 7512 URIs


def test_uri_values_are_percent_decoded() -> None:
    uri = parse_uri("pkcs11:token=Board%20of%20Education;object=marks%3B2026;id=%01%02")
    assert (uri.token, uri.object, uri.path["id"]) == ("Board of Education", "marks;2026", b"\1\2")


def test_uri_with_a_pin_value_is_refused() -> None:
    with pytest.raises(keys.KeyMaterialError, match="VC_ENGINE_PKCS11_PIN"):
        parse_uri("pkcs11:token=t;object=k?pin-value=1234")


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("pkcs12:token=t", "starts with 'pkcs11:'"),
        ("pkcs11:token=a;token=b", "given twice"),
        ("pkcs11:tokn=a", "unknown path attribute"),
        ("pkcs11:token=a%2", "malformed"),
        ("pkcs11:token=a b", "percent-encode"),
        ("pkcs11:token", "name=value"),
        ("pkcs11:token=t;type=banana", "type must be"),
    ],
)
def test_malformed_uri_is_refused(uri: str, problem: str) -> None:
    with pytest.raises(keys.KeyMaterialError, match=problem):
        parse_uri(uri)


# Signing with token keys


@pytest.mark.parametrize(
    ("label", "kind"), [("rsa-key", rsa.RSAPublicKey), ("ec-key", ec.EllipticCurvePublicKey)]
)
def test_token_signer_reads_its_public_key_and_signs_verifiably(
    softhsm: str, label: str, kind: type
) -> None:
    signer = token_key(label).open()
    assert isinstance(signer.public_key, kind)
    scheme = keys.default_scheme(signer.algorithm)
    signature = signer.sign(b"mark sheet", scheme)
    assert keys.verify_signature(signer.public_key, signature, b"mark sheet", scheme)
    if label == "ec-key":
        assert len(signature) == 64  # raw r||s


def test_token_signer_pickles_as_its_uri_and_reopens(softhsm: str) -> None:
    signer = token_key("ec-key").open()
    again = pickle.loads(pickle.dumps(signer))
    assert isinstance(again, Pkcs11Signer)
    assert keys.key_id(again.public_key) == keys.key_id(signer.public_key)
    assert PIN.encode() not in repr(token_key("ec-key")).encode()


def issue_with(
    registry: Registry, key: Pkcs11Key, formats: tuple[str, ...], tmp_path: Path, *, workers: int
) -> int:
    certificate = enrol_public(registry, key.open().public_key)
    spec = SigningSpec(ISSUER, formats, key, certificate)
    source = write_records(tmp_path / "in.csv", 12)
    out = tmp_path / "out"
    summary = run_batch(
        read_records(source),
        job_id="token-job",
        doctype=DOCTYPE,
        signing=spec,
        registry=registry,
        out_dir=out,
        clock=clock,
        status_lists=StatusLists(StatusStore(registry), "https://status.example.gov.in"),
        options=BatchOptions(block_size=5, workers=workers),
    )
    assert summary.issued == 12
    files = [p.read_bytes() for p in sorted(out.iterdir()) if p.name != "manifest.jsonl"]
    assert check_all_verify(registry, files) == {"PASSED": 12 * len(formats)}
    return len(files)


def test_rsa2048_token_key_issues_signed_xml_that_verifies(
    softhsm: str, registry: Registry, tmp_path: Path
) -> None:
    assert issue_with(registry, token_key("rsa-key"), ("xml", "vc-jwt"), tmp_path, workers=2) == 24


def test_p256_token_key_issues_xml_json_ld_and_jwt_that_verify(
    softhsm: str, registry: Registry, tmp_path: Path
) -> None:
    formats = ("xml", "vc-di", "vc-jwt")
    assert issue_with(registry, token_key("ec-key"), formats, tmp_path, workers=1) == 36


def test_wrong_pin_is_a_clear_error_before_any_output(
    softhsm: str, registry: Registry, tmp_path: Path
) -> None:
    spec = SigningSpec(ISSUER, ("xml",), token_key("ec-key", pin="000000"))
    with pytest.raises(keys.KeyMaterialError, match="wrong PIN"):
        run_batch(
            read_records(write_records(tmp_path / "in.csv", 3)),
            job_id="wrong-pin",
            doctype=DOCTYPE,
            signing=spec,
            registry=registry,
            out_dir=tmp_path / "out",
            clock=clock,
        )
    assert not (tmp_path / "out").exists() and registered(registry) == 0


def test_missing_token_is_a_clear_error_before_any_output(
    softhsm: str, registry: Registry, tmp_path: Path
) -> None:
    spec = SigningSpec(ISSUER, ("xml",), token_key("k", token="no-such"))
    with pytest.raises(keys.KeyMaterialError, match="no PKCS#11 token labelled 'no-such'"):
        run_batch(
            read_records(write_records(tmp_path / "in.csv", 3)),
            job_id="no-token",
            doctype=DOCTYPE,
            signing=spec,
            registry=registry,
            out_dir=tmp_path / "out",
            clock=clock,
        )
    assert not (tmp_path / "out").exists()


def test_missing_key_on_the_token_is_a_clear_error(softhsm: str) -> None:
    with pytest.raises(keys.KeyMaterialError, match="holds no private and public key pair"):
        token_key("no-such-key").open()


def test_missing_pin_is_a_clear_error(softhsm: str) -> None:
    with pytest.raises(keys.KeyMaterialError, match="VC_ENGINE_PKCS11_PIN"):
        Pkcs11Key(f"pkcs11:token={TOKEN};object=ec-key", MODULE, None).open()
