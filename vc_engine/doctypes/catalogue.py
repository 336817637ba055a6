"""The document types this engine knows, and their cross-field rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from vc_engine.doctypes.labels import labelled
from vc_engine.doctypes.spec import DocType, UnknownDocTypeError, Validity
from vc_engine.doctypes.values import Field, FieldKind, RecordError, quoted
from vc_engine.model import ClaimValue


def get_doctype(code: str) -> DocType:
    try:
        return DOCTYPES[code]
    except KeyError:
        known = ", ".join(sorted(DOCTYPES))
        raise UnknownDocTypeError(f"unknown document type {quoted(code)}; known: {known}") from None


def _registered_after_birth(values: Mapping[str, ClaimValue]) -> None:
    born, registered = values.get("dateOfBirth"), values.get("registrationDate")
    if isinstance(born, str) and isinstance(registered, str) and registered < born:
        raise RecordError("registrationDate", f"{registered} is before the birth on {born}")


def _subjects_consistent(values: Mapping[str, ClaimValue]) -> None:
    subjects, total = values.get("subjects"), values.get("total")
    if not isinstance(subjects, tuple):
        return
    seen: set[str] = set()
    for number, row in enumerate(subjects, start=1):
        if int(row["marks"]) > int(row["maxMarks"]):
            raise RecordError(
                f"subjects[{number}].marks", f"{row['marks']} is more than {row['maxMarks']}"
            )
        if row["code"] in seen:
            raise RecordError(f"subjects[{number}].code", f"{row['code']} is listed twice")
        seen.add(row["code"])
    added = sum(int(row["marks"]) for row in subjects)
    if isinstance(total, str) and int(total) != added:
        raise RecordError("total", f"{total} is not the sum of the subject marks ({added})")


_NAME = Field("name", FieldKind.TEXT)

_NAME_LOCAL = Field("nameLocal", FieldKind.TEXT, required=False)

_DATE_OF_BIRTH = Field("dateOfBirth", FieldKind.DATE)

_GENDER = Field("gender", FieldKind.ENUM, choices=("M", "F", "T"))

_FATHER = Field("fatherName", FieldKind.TEXT)

_MOTHER = Field("motherName", FieldKind.TEXT)

_ADDRESS = Field("address", FieldKind.TEXT, max_length=400)

_DISTRICT = Field("district", FieldKind.TEXT)

_STATE = Field("state", FieldKind.TEXT)


def _optional(spec: Field) -> Field:
    return replace(spec, required=False)


BIRTH_CERTIFICATE = labelled(
    DocType(
        code="BTHCER",
        name="birth certificate",
        holder_fields=(
            _NAME,
            _NAME_LOCAL,
            _DATE_OF_BIRTH,
            _GENDER,
            _FATHER,
            _MOTHER,
            _optional(_ADDRESS),
        ),
        claim_fields=(
            Field("registrationNumber", FieldKind.TEXT, max_length=60),
            Field("registrationDate", FieldKind.DATE),
            Field("placeOfBirth", FieldKind.TEXT),
            Field("ward", FieldKind.INTEGER, required=False, minimum=1, maximum=999),
            _DISTRICT,
            _STATE,
        ),
        validity=Validity.PERMANENT,
        rules=(_registered_after_birth,),
    )
)

CASTE_CERTIFICATE = labelled(
    DocType(
        code="CASCR",
        name="caste certificate",
        holder_fields=(
            _NAME,
            _NAME_LOCAL,
            _optional(_DATE_OF_BIRTH),
            _GENDER,
            _FATHER,
            _ADDRESS,
        ),
        claim_fields=(
            Field("caste", FieldKind.TEXT, max_length=100),
            Field("category", FieldKind.ENUM, choices=("SC", "ST", "OBC")),
            _DISTRICT,
            _STATE,
            Field("issuingAuthority", FieldKind.TEXT),
        ),
        validity=Validity.PERMANENT,
    )
)

SUBJECT_COLUMNS = (
    Field("code", FieldKind.TEXT, max_length=10, pattern=r"[A-Z0-9]{2,10}"),
    Field("name", FieldKind.TEXT, max_length=80),
    Field("marks", FieldKind.INTEGER, maximum=1000),
    Field("maxMarks", FieldKind.INTEGER, minimum=1, maximum=1000),
    Field("grade", FieldKind.TEXT, required=False, max_length=4),
)

MARK_SHEET = labelled(
    DocType(
        code="SSCMS",
        name="class X mark sheet",
        holder_fields=(_NAME, _NAME_LOCAL, _DATE_OF_BIRTH, _FATHER, _optional(_MOTHER)),
        claim_fields=(
            Field("rollNumber", FieldKind.TEXT, max_length=30),
            Field("board", FieldKind.TEXT),
            Field("examYear", FieldKind.INTEGER, minimum=1950, maximum=2100),
            Field("school", FieldKind.TEXT),
            Field("result", FieldKind.ENUM, choices=("PASS", "COMPARTMENTAL", "FAIL")),
            Field("total", FieldKind.INTEGER, maximum=10_000),
            Field("subjects", FieldKind.TABLE, columns=SUBJECT_COLUMNS),
        ),
        validity=Validity.PERMANENT,
        rules=(_subjects_consistent,),
    )
)

VEHICLE_CLASSES = (
    "MC50CC",
    "MCWOG",
    "MCWG",
    "LMV-NT",
    "LMV",
    "LMV-TR",
    "E-RICKSHAW",
    "MGV",
    "HMV",
    "HGMV",
    "HPMV",
    "TRANS",
)

DRIVING_LICENCE = labelled(
    DocType(
        code="DRVLC",
        name="driving licence",
        holder_fields=(_NAME, _NAME_LOCAL, _DATE_OF_BIRTH, _optional(_GENDER), _FATHER, _ADDRESS),
        claim_fields=(
            # State code, RTO number, year of issue, serial: the Sarathi (MoRTH) licence number.
            Field("licenceNumber", FieldKind.TEXT, pattern=r"[A-Z]{2}-?[0-9]{2} ?[0-9]{11}"),
            Field("vehicleClasses", FieldKind.ENUM_LIST, choices=VEHICLE_CLASSES),
            Field(
                "bloodGroup",
                FieldKind.ENUM,
                required=False,
                choices=("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"),
            ),
            Field("rtoOffice", FieldKind.TEXT),
            _STATE,
        ),
        validity=Validity.UNTIL_RECORDED,
    )
)

DOCTYPES: Mapping[str, DocType] = MappingProxyType(
    {d.code: d for d in (BIRTH_CERTIFICATE, CASTE_CERTIFICATE, MARK_SHEET, DRIVING_LICENCE)}
)
