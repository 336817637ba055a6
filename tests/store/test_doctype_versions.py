"""Document type versions in the registry: every version kept, added only in sequence, and a
document checked against the version in force when it was issued."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from importlib import resources
from itertools import islice
from pathlib import Path

import pytest

from vc_engine import doctypes, keys
from vc_engine.doctypes.definition import DefinitionError
from vc_engine.inputs import records
from vc_engine.issuance.block import Plan
from vc_engine.issuance.directory import issue_records
from vc_engine.issuance.issuer import Issuer, renditions
from vc_engine.model import Indication
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import Registry
from vc_engine.store.doctype_versions import DoctypeVersions
from vc_engine.verify import verify

from factory import NOW
from paths import FIXTURES

SHIPPED = resources.files("vc_engine") / "data" / "doctypes"
BIRTH_V1 = (SHIPPED / "BTHCER.v1.yaml").read_text("utf-8")
# Version 2 of the birth certificate gains a required claim: the hospital's registration code.
BIRTH_V2 = BIRTH_V1.replace("version: 1", "version: 2").replace(
    "  - {field: district, type: text,",
    "  - {field: hospitalCode, type: text,"
    " label: {en: Hospital code, bn: হাসপাতালের কোড, hi: अस्पताल कोड}}\n"
    "  - {field: district, type: text,",
    1,
)
INCOME = (SHIPPED / "INCER.v1.yaml").read_text("utf-8")
NEW_TYPE = INCOME.replace("code: INCER", "code: OBCNCL").replace(
    "name: income certificate", "name: OBC non-creamy layer certificate"
)


def test_a_new_version_is_kept_beside_the_shipped_one(registry: Registry) -> None:
    store = DoctypeVersions(registry)
    added = store.add(BIRTH_V2, "BTHCER.v2.yaml", NOW)
    catalogue = store.catalogue()
    assert [v.doctype.version for v in catalogue.versions("BTHCER")] == [1, 2]
    assert catalogue.latest("BTHCER") == added.doctype
    assert "hospitalCode" in {f.name for f in catalogue.latest("BTHCER").fields}
    assert catalogue.in_force("BTHCER", NOW - timedelta(seconds=1)).version == 1
    assert catalogue.in_force("BTHCER", NOW).version == 2
    assert catalogue.versions("BTHCER")[-1].definition.text == BIRTH_V2


def test_a_new_type_is_added_and_its_code_is_then_in_use(registry: Registry) -> None:
    store = DoctypeVersions(registry)
    store.add(NEW_TYPE, "OBCNCL.v1.yaml", NOW)
    assert "OBCNCL" in store.catalogue().codes
    with pytest.raises(DefinitionError, match=r"the code OBCNCL is in use by the OBC non-creamy"):
        store.add(NEW_TYPE, "again.yaml", NOW)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(
            INCOME, "the code INCER is in use by the income certificate", id="code-in-use"
        ),
        pytest.param(
            BIRTH_V2.replace("version: 2", "version: 3"),
            "BTHCER is at version 1; the next is 2",
            id="version-skipped",
        ),
        pytest.param(
            BIRTH_V2.replace(
                "label: {en: Hospital code, bn: হাসপাতালের কোড, ", "label: {en: Hospital code, "
            ),
            "'bn' is a required property",
            id="label-missing",
        ),
    ],
)
def test_a_definition_that_cannot_be_the_next_version_is_refused(
    registry: Registry, text: str, reason: str
) -> None:
    with pytest.raises(DefinitionError) as refused:
        DoctypeVersions(registry).add(text, "next.yaml", NOW)
    assert reason in str(refused.value)
    assert DoctypeVersions(registry).catalogue().latest("BTHCER").version == 1


def test_an_old_document_still_verifies_after_its_type_gains_a_field(
    registry: Registry, tmp_path: Path
) -> None:
    private_key = keys.generate_private_key(keys.KeyAlgorithm.P256)
    certificate = keys.self_signed_certificate(
        private_key, "KMC", NOW - timedelta(days=1), NOW + timedelta(days=365)
    )
    registry.add_issuer("in.gov.wb.kmc", "KMC", at=NOW - timedelta(days=1))
    registry.authorise("in.gov.wb.kmc", "BTHCER", valid_from=NOW - timedelta(days=1))
    registry.add_key(
        "in.gov.wb.kmc", private_key.public_key(), certificate=certificate,
        valid_from=None, valid_until=None, at=NOW - timedelta(days=1),
    )  # fmt: skip
    issuer = Issuer("in.gov.wb.kmc", "KMC", keys.FileSigner(private_key), certificate, INDIA)
    summary = issue_records(
        islice(records.read_records(FIXTURES / "BTHCER.csv"), 2),
        Plan(issuer, doctypes.get_doctype("BTHCER"), renditions(("xml", "vc-jwt"), issuer),
             registry, None),
        tmp_path,
        lambda: NOW,
    )  # fmt: skip
    store = DoctypeVersions(registry)
    store.add(BIRTH_V2, "BTHCER.v2.yaml", NOW + timedelta(hours=1))
    catalogue = store.catalogue()
    policy = VerificationPolicy(at=NOW + timedelta(days=2))
    for path in summary.issued:
        report = verify(path.read_bytes(), registry.snapshot(), policy, catalogue=catalogue)
        assert report.indication is Indication.PASSED, report.to_json()
        assert report.document is not None
        # The same document claiming to be issued under version 2 lacks its required field.
        later = replace(report.document, issued_at=NOW + timedelta(hours=2))
        assert doctypes.check_document(later, catalogue) == ["hospitalCode: is required"]
