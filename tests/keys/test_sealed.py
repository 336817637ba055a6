"""Sealed secrets (the e-locker API keys): they open only with their sealing key, for their
context, unaltered; and a sealing key file is never replaced."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from vc_engine.keys import KeyMaterialError
from vc_engine.keys.sealed import create_sealing_key, load_sealing_key, seal, unseal


@pytest.fixture
def sealing_key(tmp_path: Path) -> bytes:
    create_sealing_key(tmp_path / "sealing.key")
    return load_sealing_key(tmp_path / "sealing.key")


def test_a_sealed_secret_opens_for_its_context(sealing_key: bytes) -> None:
    sealed = seal(sealing_key, b"api-key-0123456789", "in.gov.wb.kmc")
    assert b"api-key" not in sealed
    assert unseal(sealing_key, sealed, "in.gov.wb.kmc") == b"api-key-0123456789"


def test_a_sealed_secret_does_not_open_for_another_issuer(sealing_key: bytes) -> None:
    sealed = seal(sealing_key, b"api-key-0123456789", "in.gov.wb.kmc")
    with pytest.raises(KeyMaterialError, match=r"in\.gov\.wb\.wbbse"):
        unseal(sealing_key, sealed, "in.gov.wb.wbbse")


def test_a_sealed_secret_does_not_open_with_another_key(sealing_key: bytes, tmp_path: Path) -> None:
    create_sealing_key(tmp_path / "other.key")
    sealed = seal(sealing_key, b"api-key-0123456789", "in.gov.wb.kmc")
    with pytest.raises(KeyMaterialError):
        unseal(load_sealing_key(tmp_path / "other.key"), sealed, "in.gov.wb.kmc")


@pytest.mark.parametrize("cut", [0, 5, 13, -1])
def test_an_altered_sealed_secret_does_not_open(sealing_key: bytes, cut: int) -> None:
    sealed = bytearray(seal(sealing_key, b"api-key-0123456789", "in.gov.wb.kmc"))
    sealed[cut] ^= 1
    with pytest.raises(KeyMaterialError):
        unseal(sealing_key, bytes(sealed), "in.gov.wb.kmc")


def test_the_key_file_is_private_and_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "sealing.key"
    create_sealing_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.read_bytes()
    with pytest.raises(KeyMaterialError, match="not replacing"):
        create_sealing_key(path)
    assert path.read_bytes() == before


def test_a_file_of_the_wrong_size_is_not_a_sealing_key(tmp_path: Path) -> None:
    (tmp_path / "short.key").write_bytes(b"x" * 16)
    with pytest.raises(KeyMaterialError, match="not a sealing key"):
        load_sealing_key(tmp_path / "short.key")
