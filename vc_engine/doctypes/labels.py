"""What a reader is shown for each document type and field, in English, Bengali and Hindi: the
names printed on the paper a clerk compares with what the issuer signed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from vc_engine.doctypes.spec import DocType
from vc_engine.doctypes.values import Field


def _say(en: str, bn: str, hi: str) -> Mapping[str, str]:
    return {"en": en, "bn": bn, "hi": hi}


TITLES: Mapping[str, Mapping[str, str]] = {
    "BTHCER": _say("Birth certificate", "জন্ম শংসাপত্র", "जन्म प्रमाण पत्र"),
    "CASCR": _say("Caste certificate", "জাতি শংসাপত্র", "जाति प्रमाण पत्र"),
    "SSCMS": _say("Class X mark sheet", "দশম শ্রেণির মার্কশিট", "कक्षा 10 की अंकतालिका"),
    "DRVLC": _say("Driving licence", "ড্রাইভিং লাইসেন্স", "ड्राइविंग लाइसेंस"),
}

FIELDS: Mapping[str, Mapping[str, str]] = {
    "name": _say("Name", "নাম", "नाम"),
    "nameLocal": _say("Name in own script", "নাম (নিজ লিপিতে)", "नाम (अपनी लिपि में)"),
    "dateOfBirth": _say("Date of birth", "জন্ম তারিখ", "जन्म तिथि"),
    "gender": _say("Gender", "লিঙ্গ", "लिंग"),
    "fatherName": _say("Father's name", "পিতার নাম", "पिता का नाम"),
    "motherName": _say("Mother's name", "মাতার নাম", "माता का नाम"),
    "address": _say("Address", "ঠিকানা", "पता"),
    "district": _say("District", "জেলা", "ज़िला"),
    "state": _say("State", "রাজ্য", "राज्य"),
    "registrationNumber": _say("Registration number", "নিবন্ধন নম্বর", "पंजीकरण संख्या"),
    "registrationDate": _say("Date of registration", "নিবন্ধনের তারিখ", "पंजीकरण की तिथि"),
    "placeOfBirth": _say("Place of birth", "জন্মস্থান", "जन्म स्थान"),
    "ward": _say("Ward", "ওয়ার্ড", "वार्ड"),
    "caste": _say("Caste", "জাতি", "जाति"),
    "category": _say("Category", "শ্রেণি", "श्रेणी"),
    "issuingAuthority": _say("Issuing authority", "প্রদানকারী কর্তৃপক্ষ", "जारीकर्ता प्राधिकारी"),
    "rollNumber": _say("Roll number", "রোল নম্বর", "अनुक्रमांक"),
    "board": _say("Board", "পর্ষদ", "बोर्ड"),
    "examYear": _say("Year of examination", "পরীক্ষার বছর", "परीक्षा का वर्ष"),
    "school": _say("School", "বিদ্যালয়", "विद्यालय"),
    "result": _say("Result", "ফলাফল", "परिणाम"),
    "total": _say("Total marks", "মোট নম্বর", "कुल अंक"),
    "subjects": _say("Subjects", "বিষয়সমূহ", "विषय"),
    "licenceNumber": _say("Licence number", "লাইসেন্স নম্বর", "लाइसेंस संख्या"),
    "vehicleClasses": _say("Vehicle classes", "যানবাহনের শ্রেণি", "वाहन श्रेणियाँ"),
    "bloodGroup": _say("Blood group", "রক্তের গ্রুপ", "रक्त समूह"),
    "rtoOffice": _say(
        "Licensing office (RTO)", "লাইসেন্স প্রদানকারী অফিস (আরটিও)", "लाइसेंस कार्यालय (आरटीओ)"
    ),
}

SUBJECT_COLUMNS: Mapping[str, Mapping[str, str]] = {
    "code": _say("Code", "কোড", "कोड"),
    "name": _say("Subject", "বিষয়", "विषय"),
    "marks": _say("Marks", "প্রাপ্ত নম্বর", "प्राप्तांक"),
    "maxMarks": _say("Full marks", "পূর্ণমান", "पूर्णांक"),
    "grade": _say("Grade", "গ্রেড", "ग्रेड"),
}


def labelled(doctype: DocType) -> DocType:
    """`doctype` with its title and every field's (and table column's) labels."""
    return replace(
        doctype,
        titles=TITLES.get(doctype.code, {}),
        holder_fields=tuple(_labelled(f) for f in doctype.holder_fields),
        claim_fields=tuple(_labelled(f) for f in doctype.claim_fields),
    )


def _labelled(spec: Field) -> Field:
    columns = tuple(replace(c, labels=SUBJECT_COLUMNS.get(c.name, {})) for c in spec.columns)
    return replace(spec, labels=FIELDS.get(spec.name, {}), columns=columns)
