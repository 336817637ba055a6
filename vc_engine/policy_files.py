"""Validation policies as data: TOML files, after EU DSS's constraint files.

A policy file names, for every check a report can hold, what its failure costs (FAIL, WARN,
INFORM, IGNORE), the accepted algorithms and every limit, the trust model (`registry` or `open`)
and the context rules. Three are built in (vc_engine/data/policies): `default`, the engine's rules
as they always were; `elocker-legacy`, for archives of older e-locker documents; `conformance`,
what the W3C test suites require. `--policy NAME|FILE` selects one; every report names it and
the SHA-256 of its bytes, so a verdict can be traced to the exact rules it was reached under.

A file is read strictly: an unknown section or key, a value of the wrong type or an unknown
severity is a `PolicyFileError` naming it, because a misspelt key silently falling back to a
default would make a policy mean something other than what its author wrote.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vc_engine.errors import BadInput
from vc_engine.policy import (
    POLICY_DIRECTORY,
    Algorithms,
    ContextRules,
    Limits,
    Severity,
    TrustModel,
    VerificationPolicy,
    XmlLimits,
)

BUILT_IN = ("default", "elocker-legacy", "conformance")
CONTEXT_SETS = frozenset({"standard", "conformance"})
_SECTIONS = frozenset(
    {"name", "description", "trust", "time", "algorithms", "limits", "contexts", "checks"}
)
_EMBEDDED_CERTIFICATE = "embedded-certificate"


class PolicyFileError(BadInput):
    """A policy file that cannot be read or does not say what a policy must say."""


@dataclass(frozen=True)
class PolicyFile:
    """A loaded policy: everything but the moment of verification, which each call supplies."""

    name: str
    sha256: str
    description: str
    _rules: VerificationPolicy

    def at(self, when: datetime) -> VerificationPolicy:
        """The policy for a verification speaking for `when`."""
        return dataclasses.replace(self._rules, at=when)

    def with_contexts(self, operator: tuple[tuple[str, bytes], ...]) -> PolicyFile:
        """This policy plus the contexts an operator pinned in the registry."""
        rules = dataclasses.replace(
            self._rules, contexts=dataclasses.replace(self._rules.contexts, operator=operator)
        )
        return dataclasses.replace(self, _rules=rules)

    def adding_contexts(self, pinned: tuple[tuple[str, bytes], ...]) -> PolicyFile:
        """This policy with more pinned contexts beside its operator's (a registry's types')."""
        if not pinned:
            return self
        return self.with_contexts((*self._rules.contexts.operator, *pinned))


def load_policy(spec: str | None) -> PolicyFile:
    """A built-in policy by name, or a policy file by path; None is `default`."""
    spec = spec or "default"
    if spec in BUILT_IN:
        data = (POLICY_DIRECTORY / f"{spec}.toml").read_bytes()
        return parse_policy(data, spec)
    path = Path(spec)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PolicyFileError(
            f"policy {spec!r} is neither a built-in ({', '.join(BUILT_IN)}) nor a readable "
            f"file: {error.strerror}"
        ) from None
    return parse_policy(data, str(path))


def parse_policy(data: bytes, where: str) -> PolicyFile:
    """Read a policy file's bytes; `where` names it in errors."""
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PolicyFileError(f"{where}: not a TOML file: {error}") from None
    reader = _Reader(where)
    reader.keys(table, _SECTIONS, "")
    name = reader.text(table, "name", "")
    placeholder = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))
    rules = VerificationPolicy(
        at=placeholder,
        clock_skew=timedelta(
            seconds=reader.whole(_section(reader, table, "time"), "clock_skew_seconds", "time")
        ),
        civil_timezone=_zone(reader, _section(reader, table, "time")),
        algorithms=_algorithms(reader, _section(reader, table, "algorithms")),
        limits=_limits(reader, _section(reader, table, "limits")),
        trust_model=_trust(reader, _section(reader, table, "trust")),
        contexts=_contexts(reader, _section(reader, table, "contexts")),
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    severities = _severities(reader, _section(reader, table, "checks"))
    rules = dataclasses.replace(
        rules,
        embedded_certificate_window=severities.get(_EMBEDDED_CERTIFICATE, Severity.FAIL),
        severities=tuple(
            (check, level)
            for check, level in sorted(severities.items())
            if check != _EMBEDDED_CERTIFICATE and level is not Severity.FAIL
        ),
    )
    description = table.get("description", "")
    if not isinstance(description, str):
        raise PolicyFileError(f"{where}: description must be text")
    return PolicyFile(name, rules.sha256, description, rules)


class _Reader:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, path: str, message: str) -> PolicyFileError:
        return PolicyFileError(f"{self.where}: {path}: {message}")

    def keys(self, table: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(path or "top level", f"unknown keys {unknown}")

    def text(self, table: Mapping[str, Any], key: str, path: str) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{path}{key}", "must be non-empty text")
        return value

    def whole(self, table: Mapping[str, Any], key: str, path: str) -> int:
        value = table.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{path}.{key}", "must be a whole number")
        return value

    def flag(self, table: Mapping[str, Any], key: str, path: str) -> bool:
        value = table.get(key)
        if not isinstance(value, bool):
            raise self.fail(f"{path}.{key}", "must be true or false")
        return value

    def names(self, table: Mapping[str, Any], key: str, path: str) -> frozenset[str]:
        value = table.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{path}.{key}", "must be a list of text")
        return frozenset(value)


def _section(reader: _Reader, table: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = table.get(name)
    if not isinstance(value, dict):
        raise reader.fail(name, "the section is missing")
    return value


def _zone(reader: _Reader, table: Mapping[str, Any]) -> ZoneInfo:
    reader.keys(table, frozenset({"clock_skew_seconds", "civil_timezone"}), "time")
    name = reader.text(table, "civil_timezone", "time.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise reader.fail("time.civil_timezone", f"unknown time zone {name!r}") from None


def _algorithms(reader: _Reader, table: Mapping[str, Any]) -> Algorithms:
    fields = {f.name for f in dataclasses.fields(Algorithms)}
    reader.keys(table, frozenset(fields), "algorithms")
    return Algorithms(
        signatures=reader.names(table, "signatures", "algorithms"),
        digests=reader.names(table, "digests", "algorithms"),
        canonicalizations=reader.names(table, "canonicalizations", "algorithms"),
        cryptosuites=reader.names(table, "cryptosuites", "algorithms"),
        legacy_elocker_rsa_sha1=reader.flag(table, "legacy_elocker_rsa_sha1", "algorithms"),
    )


def _limits(reader: _Reader, table: Mapping[str, Any]) -> Limits:
    numbers = {f.name for f in dataclasses.fields(Limits)} - {"xml"}
    reader.keys(table, frozenset({*numbers, "xml"}), "limits")
    xml = _section(reader, table, "xml")
    xml_fields = {f.name for f in dataclasses.fields(XmlLimits)}
    reader.keys(xml, frozenset(xml_fields), "limits.xml")
    return Limits(
        xml=XmlLimits(**{name: reader.whole(xml, name, "limits.xml") for name in xml_fields}),
        **{name: reader.whole(table, name, "limits") for name in numbers},
    )


def _trust(reader: _Reader, table: Mapping[str, Any]) -> TrustModel:
    reader.keys(table, frozenset({"model"}), "trust")
    model = reader.text(table, "model", "trust.")
    try:
        return TrustModel(model)
    except ValueError:
        raise reader.fail("trust.model", f"{model!r} is neither registry nor open") from None


def _contexts(reader: _Reader, table: Mapping[str, Any]) -> ContextRules:
    reader.keys(table, frozenset({"sets", "allow_inline"}), "contexts")
    sets = reader.names(table, "sets", "contexts")
    unknown = sorted(sets - CONTEXT_SETS)
    if unknown or "standard" not in sets:
        raise reader.fail(
            "contexts.sets", f"must include standard and name only {sorted(CONTEXT_SETS)}"
        )
    return ContextRules(sets=sets, allow_inline=reader.flag(table, "allow_inline", "contexts"))


def _severities(reader: _Reader, table: Mapping[str, Any]) -> dict[str, Severity]:
    levels = {}
    for check, level in table.items():
        try:
            levels[check] = Severity(level)
        except ValueError:
            raise reader.fail(
                f"checks.{check}", f"{level!r} is not FAIL, WARN, INFORM or IGNORE"
            ) from None
    return levels
