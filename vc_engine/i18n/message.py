"""A message for a person, as a stable code with its parameters, so it can be said in any
language the catalogs hold while the English text stays what it always was."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Message:
    """One sentence of a report: `code` names it for every language, `english` is its template
    with `{name}` placeholders, `params` fill them (text, in the order of their names)."""

    code: str
    english: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        """The English sentence, exactly as reports have always said it."""
        return self.english.format_map(dict(self.params)) if self.params else self.english

    def params_json(self) -> dict[str, str]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class Template:
    """A message code and its English template; calling it with the parameters makes the
    `Message`. A parameter the template does not name, or a missing one, is a programming error
    and raises at once rather than printing a half-filled sentence."""

    code: str
    english: str
    placeholders: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "placeholders", placeholders(self.english))

    def __call__(self, **params: object) -> Message:
        if params.keys() != self.placeholders:
            raise TypeError(f"{self.code} takes {sorted(self.placeholders)}, not {sorted(params)}")
        return Message(self.code, self.english, tuple((k, str(v)) for k, v in params.items()))


def placeholders(template: str) -> frozenset[str]:
    """The `{name}` fields of a template (what a translation must keep, no more, no less)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def fill(template: str, params: Mapping[str, str]) -> str:
    return template.format_map(dict(params)) if params else template
