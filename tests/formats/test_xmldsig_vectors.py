"""The signed-XML attack documents (tests/vectors/xmldsig/, written by its generate.py): each
file through the format stage, against the outcome its table row names."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vc_engine.formats.xml import open_signed
from vc_engine.model import CheckStatus
from vc_engine.policy import Algorithms, VerificationPolicy

from factory import NOW
from paths import VECTORS

XMLDSIG = VECTORS / "xmldsig"
TABLE: list[dict[str, Any]] = json.loads((XMLDSIG / "outcomes.json").read_text(encoding="utf-8"))


def test_the_table_names_every_file_once() -> None:
    files = sorted(p.name for p in XMLDSIG.glob("*.xml"))
    assert sorted(row["file"] for row in TABLE) == files


@pytest.mark.parametrize("row", TABLE, ids=[row["file"] for row in TABLE])
def test_attack_document_gets_its_expected_outcome(row: dict[str, Any]) -> None:
    policy = VerificationPolicy(
        at=NOW, algorithms=Algorithms(legacy_elocker_rsa_sha1=row.get("legacy", True))
    )
    outcome = open_signed((XMLDSIG / row["file"]).read_bytes(), policy, lambda _: None)
    failed = [c for c in outcome.checks if c.status is not CheckStatus.PASSED]
    assert (outcome.document is None) == bool(failed), row["attack"]
    expected = row["expected"]
    if expected is None:
        assert not failed, f"{row['attack']}: {failed}"
    else:
        allowed = expected if isinstance(expected, list) else [expected]
        assert failed and failed[0].code.value in allowed, f"{row['attack']}: {failed}"
        assert failed[0].message, "every refusal says why"
