"""The catalogs say every message in every language: each code translated, not fuzzy, with
exactly the placeholders of its English template; English repeats the source; and every check
a real report makes carries a code the catalogs know."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from vc_engine.i18n import LANGUAGES, UnknownLanguageError, placeholders, sources, translate
from vc_engine.i18n import report as said
from vc_engine.i18n.catalogs import DOMAIN, catalog_path, templates
from vc_engine.policy import VerificationPolicy
from vc_engine.store import Registry
from vc_engine.verify import verify

from factory import NOW
from service import signed_birth_certificate, tampered, trust_kmc

SOURCES = sources()


def _catalog(language: str):  # type: ignore[no-untyped-def]
    with catalog_path(language).open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_is_translated_with_the_same_placeholders(language: str) -> None:
    entries = {m.context: m for m in _catalog(language) if m.id}
    assert entries.keys() == SOURCES.keys(), "run scripts/update_catalogs.py"
    for code, english in SOURCES.items():
        entry = entries[code]
        assert entry.id == english, f"{code}: the catalog has an old English text"
        assert entry.string, f"{code} is not translated into {language}"
        assert not entry.fuzzy, f"{code} in {language} waits for a translator's confirmation"
        assert placeholders(entry.string) == placeholders(english), f"{code} in {language}"


def test_english_repeats_the_source_and_the_others_are_in_their_own_script() -> None:
    assert {m.context: m.string for m in _catalog("en") if m.id} == SOURCES
    assert templates("en") == SOURCES
    bengali, hindi = templates("bn"), templates("hi")
    for code in SOURCES:
        if placeholders(SOURCES[code]) == {"detail"} or code == "crypto-constraints.jwt":
            continue  # a technical detail or an algorithm's name, said as it is
        assert any("\u0980" <= c <= "\u09ff" for c in bengali[code]), code
        assert any("\u0900" <= c <= "\u097f" for c in hindi[code]), code


def test_a_message_is_said_in_each_language_with_its_parameters() -> None:
    message = said.REVOKED_SINCE_BY(since="2026-03-01T10:00:00+00:00", actor="kmc", reason="void")
    assert translate(message, "en") == message.text
    assert translate(message, "bn") == "2026-03-01T10:00:00+00:00 থেকে প্রত্যাহৃত, করেছেন kmc: void"
    assert translate(message, "hi") == "2026-03-01T10:00:00+00:00 से निरस्त, kmc द्वारा: void"


def test_a_template_refuses_missing_or_unknown_parameters() -> None:
    with pytest.raises(TypeError):
        said.SIGNED_AT()
    with pytest.raises(TypeError):
        said.SIGNED_AT(signed="x", extra="y")


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(UnknownLanguageError):
        translate(said.FORMAT_UNKNOWN(), "fr")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: signed_birth_certificate(), id="genuine"),
        pytest.param(lambda: tampered(signed_birth_certificate()), id="tampered"),
        pytest.param(lambda: b"%PDF-1.7 not yet a format", id="unknown-format"),
        pytest.param(lambda: b"{not json", id="broken-json"),
    ],
)
def test_every_check_of_a_report_has_a_known_code(data, registry: Registry) -> None:  # type: ignore[no-untyped-def]
    trust_kmc(registry)
    report = verify(data(), registry.snapshot(), VerificationPolicy(at=NOW))
    assert report.checks
    for check in report.checks:
        assert check.said.code in SOURCES
        assert f"check.{check.name}" in SOURCES
        assert check.to_json()["messageCode"] == check.said.code
        assert check.to_json()["message"] == check.message
