"""The gettext catalogs: one `vc_engine.po` per language under `vc_engine/data/locale`, each
entry's context the message code and its id the English template.

The .po files are the only form kept in the repository; each is compiled in memory with Babel
the first time its language is asked for, so a fresh clone and `pip install` need no build step
and a compiled file can never fall out of step with its source.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from vc_engine.i18n.message import Message, fill
from vc_engine.i18n.report import REPORT
from vc_engine.i18n.words import WORDS

LANGUAGES = ("en", "bn", "hi")
"""The languages every message is said in; English is the source."""
LANGUAGE_NAMES = {"en": "English", "bn": "বাংলা", "hi": "हिन्दी"}
"""Each language's name in itself, as a chooser shows it."""
DOMAIN = "vc_engine"
LOCALE_DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "locale"


class UnknownLanguageError(ValueError):
    """A language this engine has no catalog for."""


def sources() -> dict[str, str]:
    """Every message code with its English template: what each catalog must translate."""
    return {**{code: t.english for code, t in REPORT.items()}, **WORDS}


def catalog_path(language: str) -> Path:
    return LOCALE_DIRECTORY / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.GNUTranslations:
    """The compiled catalog of `language`; fuzzy entries are left out, as msgfmt does."""
    if language not in LANGUAGES:
        raise UnknownLanguageError(f"no catalog for {language!r}; known: {', '.join(LANGUAGES)}")
    # Babel only when a language is first said: verifying a document never needs it.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def template(code: str, english: str, language: str) -> str:
    """The template of `code` in `language`; the English one when the catalog lacks it.

    English is the source, and its catalog repeats it (a test holds them equal), so English is
    said without compiling a catalog: a report printed in English need not load Babel."""
    if language == "en":
        return english
    return translations(language).pgettext(code, english)


def translate(message: Message, language: str) -> str:
    """`message` said in `language`."""
    return fill(template(message.code, message.english, language), message.params_json())


def word(code: str, language: str, **params: object) -> str:
    """A word of `words.WORDS` in `language`, its placeholders filled."""
    said = template(code, WORDS[code], language)
    return fill(said, {k: str(v) for k, v in params.items()})


def templates(language: str) -> dict[str, str]:
    """Every template in `language` by code, for a page that fills them itself."""
    return {code: template(code, english, language) for code, english in sources().items()}
