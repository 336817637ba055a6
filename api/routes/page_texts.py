"""What the clerks' page says, in the clerk's language: every word of the page, every message a
report can carry (by code), and the document types' titles and field labels, so the page can
show what the issuer signed under the names printed on the paper.

Public like the page itself: it holds no document and nothing about any client.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api import problems
from vc_engine import doctypes
from vc_engine.i18n import LANGUAGE_NAMES, LANGUAGES, templates

router = APIRouter(include_in_schema=False)

_CACHE = {"Cache-Control": "public, max-age=3600"}


@cache
def page_texts(language: str) -> dict[str, Any]:
    """The page's texts and the document types' labels in `language` (the same until the
    package changes, so made once)."""
    return {
        "language": language,
        "languages": {code: LANGUAGE_NAMES[code] for code in LANGUAGES},
        "texts": templates(language),
        "doctypes": {
            code: _labels(doctype, language) for code, doctype in doctypes.DOCTYPES.items()
        },
    }


def _labels(doctype: doctypes.DocType, language: str) -> dict[str, Any]:
    return {
        "title": doctype.title(language),
        "fields": {f.name: f.label(language) for f in doctype.fields},
        "columns": {
            f.name: {c.name: c.label(language) for c in f.columns}
            for f in doctype.fields
            if f.columns
        },
    }


@router.get("/page/texts/{language}")
async def texts(language: str) -> JSONResponse:
    if language not in LANGUAGES:
        raise problems.Problem(
            404,
            "unknown_language",
            f"no texts for {language[:20]!r}; known: {', '.join(LANGUAGES)}",
        )
    return JSONResponse(page_texts(language), headers=_CACHE)
