"""A document type: its fields, its cross-field rules and how long its documents are valid."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from vc_engine.doctypes.ids import CODE
from vc_engine.doctypes.values import Field, FieldKind
from vc_engine.errors import BadInput
from vc_engine.model import ClaimValue

RECORD_COLUMNS = ("docId", "validFrom", "validUntil")
"""The columns every record may have besides its document type's fields."""


class UnknownDocTypeError(BadInput):
    """No document type has this code."""


Rule = Callable[[Mapping[str, ClaimValue]], None]
"""A check across fields, given the parsed holder and claim values together; raises RecordError."""


class Validity(StrEnum):
    PERMANENT = "permanent"
    """The document never expires: valid_until is None and a record may not give one."""
    UNTIL_RECORDED = "until-recorded"
    """The record must give validUntil (a driving licence expires on a date the issuer sets)."""
    TERM = "term"
    """Valid for `term_months` from validFrom: validUntil defaults to the term's last day and
    may not be later (an income certificate holds for a financial year)."""


@dataclass(frozen=True)
class DocType:
    """A kind of document: which fields its holder and claims have, and how long it is valid."""

    code: str
    name: str
    holder_fields: tuple[Field, ...]
    """Facts about the person; rendered as the XML `IssuedTo/Person` attributes."""
    claim_fields: tuple[Field, ...]
    """Facts of this kind of document; rendered as the XML `CertificateData` children."""
    validity: Validity
    rules: tuple[Rule, ...] = ()
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)
    """The document's title by language ("en", "bn", "hi")."""
    version: int = 1
    term_months: int = 0
    """For Validity.TERM: how many months a document holds."""
    display: tuple[str, ...] = ()
    """Every field name once, in the order a reader sees them (empty: holder, then claims)."""

    def title(self, language: str = "en") -> str:
        """The title in `language`, else in English, else the type's name capitalised."""
        return self.titles.get(language) or self.titles.get("en") or self.name.capitalize()

    def __post_init__(self) -> None:
        if not CODE.fullmatch(self.code):
            raise ValueError(f"{self.code!r} is not a document type code (5 or 6 capitals)")
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names) or set(names) & set(RECORD_COLUMNS):
            raise ValueError(f"{self.code}: field names must be distinct and not {RECORD_COLUMNS}")
        if any(f.kind is FieldKind.TABLE for f in self.holder_fields):
            raise ValueError(f"{self.code}: holder fields are text, never tables")
        if (self.validity is Validity.TERM) != (self.term_months > 0):
            raise ValueError(f"{self.code}: a term belongs to, and is needed by, TERM validity")
        if self.display and sorted(self.display) != sorted(names):
            raise ValueError(f"{self.code}: the display order must list every field once")

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.holder_fields + self.claim_fields

    @property
    def display_order(self) -> tuple[Field, ...]:
        """The fields in the order a reader sees them."""
        by_name = {f.name: f for f in self.fields}
        return tuple(by_name[name] for name in self.display) if self.display else self.fields

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column a record of this type may have, in the order a CSV file lists them."""
        return RECORD_COLUMNS + tuple(f.name for f in self.fields)
