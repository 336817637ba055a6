"""Every document type has a title, and every field and table column a label, in each language
of the catalogs, each in its own script: the clerks' page shows them beside the signed values."""

from __future__ import annotations

import pytest

from vc_engine import doctypes
from vc_engine.i18n import LANGUAGES

SCRIPTS = {"bn": ("\u0980", "\u09ff"), "hi": ("\u0900", "\u097f")}


def _in_script(text: str, language: str) -> bool:
    if language == "en":
        return text.isascii()
    low, high = SCRIPTS[language]
    return any(low <= c <= high for c in text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", sorted(doctypes.DOCTYPES))
def test_titles_and_labels_are_said_in_each_language(code: str, language: str) -> None:
    doctype = doctypes.DOCTYPES[code]
    assert language in doctype.titles and _in_script(doctype.title(language), language)
    for spec in doctype.fields:
        assert language in spec.labels, f"{code}.{spec.name} has no {language} label"
        assert _in_script(spec.label(language), language), f"{code}.{spec.name}"
        for column in spec.columns:
            assert _in_script(column.label(language), language), f"{code}.{spec.name}.{column}"
