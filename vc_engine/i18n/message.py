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
    bare: Message | None = field(init=False, repr=False, compare=False)
    """The one message of a template without placeholders (messages are immutable, so every
    report that says it can share it: most checks that pass say such a sentence)."""

    def __post_init__(self) -> None:
        names = placeholders(self.english)
        object.__setattr__(self, "placeholders", names)
        object.__setattr__(self, "bare", None if names else Message(self.code, self.english))

    def __call__(self, **params: object) -> Message:
        if not params and self.bare is not None:
            return self.bare
        if params.keys() != self.placeholders:
            raise TypeError(f"{self.code} takes {sorted(self.placeholders)}, not {sorted(params)}")
        return Message(self.code, self.english, tuple([(k, str(v)) for k, v in params.items()]))


def placeholders(template: str) -> frozenset[str]:
    """The `{name}` fields of a template (what a translation must keep, no more, no less)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def fill(template: str, params: Mapping[str, str]) -> str:
    return template.format_map(dict(params)) if params else template
