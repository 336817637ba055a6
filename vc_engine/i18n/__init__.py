"""What vc-engine says to people, in Bengali, Hindi and English.

Every sentence of a report is a `Message`: a stable code, its English template and parameters.
Reports keep the English text they always had, plus the code and parameters, so a page or a
command can say the same thing in the reader's language from the gettext catalogs.
"""

from vc_engine.i18n.catalogs import (
    LANGUAGE_NAMES,
    LANGUAGES,
    UnknownLanguageError,
    sources,
    templates,
    translate,
    word,
)
from vc_engine.i18n.message import Message, Template, placeholders

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "Message",
    "Template",
    "UnknownLanguageError",
    "placeholders",
    "sources",
    "templates",
    "translate",
    "word",
]
