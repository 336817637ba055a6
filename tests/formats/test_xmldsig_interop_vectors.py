"""Signed XML made by signxml and python-xmlsec (tests/vectors/xmldsig/interop/, written by its
generate.py): each file through the format stage, against the outcome its table row names, and
through xmlsec1, against the verdict the row expects of it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from xml_peers import embedded_certificate_pem, xmlsec_accepts

from vc_engine.formats.xml import open_signed
from vc_engine.model import CheckStatus
from vc_engine.policy import VerificationPolicy

from factory import NOW
from paths import VECTORS

INTEROP = VECTORS / "xmldsig" / "interop"
TABLE: list[dict[str, Any]] = json.loads((INTEROP / "outcomes.json").read_text(encoding="utf-8"))


def test_the_table_names_every_file_once() -> None:
    files = sorted(p.name for p in INTEROP.glob("*.xml"))
    assert sorted(row["file"] for row in TABLE) == files


@pytest.mark.parametrize("row", TABLE, ids=[row["file"] for row in TABLE])
def test_sample_gets_its_expected_outcome_here_and_in_xmlsec(row: dict[str, Any]) -> None:
    data = (INTEROP / row["file"]).read_bytes()
    outcome = open_signed(data, VerificationPolicy(at=NOW), lambda _: None)
    failed = [c for c in outcome.checks if c.status is not CheckStatus.PASSED]
    assert (outcome.document is None) == bool(failed), row["sample"]
    if row["expected"] is None:
        assert not failed, f"{row['sample']}: {failed}"
    else:
        assert failed and failed[0].code.value == row["expected"], f"{row['sample']}: {failed}"
    assert xmlsec_accepts(data, embedded_certificate_pem(data)) is row["xmlsec"], row["sample"]
