"""Bring every language's catalog in line with the message codes in `vc_engine.i18n`.

Run after adding or changing a message: new codes get an empty translation (English is then
shown until a translator fills it), a changed English template keeps the old translation marked
fuzzy (left out until a translator confirms it), and codes no longer used are dropped. English's
catalog repeats the source. `tests/i18n` fails until every entry is translated.

    .venv/bin/python scripts/update_catalogs.py
"""

from __future__ import annotations

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from vc_engine.i18n.catalogs import DOMAIN, LANGUAGES, catalog_path, sources


def update(language: str) -> None:
    path = catalog_path(language)
    old: Catalog | None = None
    if path.exists():
        with path.open("rb") as source:
            old = read_po(source, locale=language, domain=DOMAIN)
    catalog = Catalog(
        locale=language,
        domain=DOMAIN,
        project="vc-engine",
        copyright_holder="the vc-engine authors",
        fuzzy=False,
        # Kept from the file, so an update that changes no message changes no byte.
        creation_date=old.creation_date if old is not None else None,
        revision_date=old.revision_date if old is not None else None,
    )
    for code, english in sources().items():
        before = old.get(english, context=code) if old is not None else None
        if language == "en":
            catalog.add(english, english, context=code)
        elif before is not None and before.string:
            catalog.add(english, before.string, context=code, flags=before.flags)
        else:
            moved = _by_code(old, code)
            if moved is not None and moved.string:
                catalog.add(english, moved.string, context=code, flags=("fuzzy",))
            else:
                catalog.add(english, "", context=code)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=100, omit_header=False, sort_output=False)


def _by_code(catalog: Catalog | None, code: str) -> Message | None:
    """The entry of `code` whatever its English (the English changed since it was translated)."""
    if catalog is None:
        return None
    return next((m for m in catalog if m.context == code), None)


if __name__ == "__main__":
    for language in LANGUAGES:
        update(language)
