"""The parsers in front of the service's access rules, with any input: OAuth2 access tokens and
status lists' `Accept` negotiation never raise, and a token round-trips only untouched."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from api.oauth2 import ACCESS_TOKEN_LIFETIME, AccessTokens
from api.routes.status_lists import JSON_LD_TYPES, MEDIA_TYPE, negotiate

from factory import NOW


class FixedSecrets:
    """The registry's service secrets, in memory."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def get_or_create(self, name: str, *, at: datetime) -> bytes:
        return self.secret


TOKENS = AccessTokens(FixedSecrets(b"k" * 32))  # type: ignore[arg-type]
SCOPES = st.frozensets(st.sampled_from(["verify", "audit", "issue:in.gov.x", "revoke:in.gov.x"]))


@given(client_id=st.from_regex(r"vcc_[0-9a-f]{16}", fullmatch=True), scopes=SCOPES)
def test_a_token_round_trips_until_it_expires(client_id: str, scopes: frozenset[str]) -> None:
    token = TOKENS.issue(client_id, scopes, at=NOW)
    grant = TOKENS.check(token, at=NOW + ACCESS_TOKEN_LIFETIME - timedelta(seconds=1))
    assert grant is not None
    assert (grant.client_id, grant.scopes) == (client_id, scopes)
    assert TOKENS.check(token, at=NOW + ACCESS_TOKEN_LIFETIME) is None


@given(position=st.integers(min_value=0), replacement=st.characters())
def test_a_changed_character_breaks_the_token(position: int, replacement: str) -> None:
    token = TOKENS.issue("vcc_0123456789abcdef", frozenset({"verify"}), at=NOW)
    index = position % len(token)
    changed = token[:index] + replacement + token[index + 1 :]
    if changed != token:
        assert TOKENS.check(changed, at=NOW) is None


def test_a_token_of_another_key_is_refused() -> None:
    other = AccessTokens(FixedSecrets(b"o" * 32))  # type: ignore[arg-type]
    token = other.issue("vcc_0123456789abcdef", frozenset({"verify"}), at=NOW)
    assert TOKENS.check(token, at=NOW) is None


@given(text=st.text(max_size=300))
def test_any_text_as_a_token_is_refused_without_raising(text: str) -> None:
    assert TOKENS.check(text, at=NOW) is None
    assert TOKENS.check("vct_" + text, at=NOW) is None


@given(accept=st.text(max_size=300))
def test_any_accept_header_is_negotiated_without_raising(accept: str) -> None:
    choice = negotiate(accept)
    assert choice is None or choice.media_type in (MEDIA_TYPE, *JSON_LD_TYPES)


def test_no_other_spelling_of_the_mac_passes() -> None:
    """The MAC's last base64url character carries unused bits: each other character must fail."""
    token = TOKENS.issue("vcc_0123456789abcdef", frozenset({"verify"}), at=NOW)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    others = [token[:-1] + c for c in alphabet if c != token[-1]]
    assert [TOKENS.check(t, at=NOW) for t in others] == [None] * len(others)
