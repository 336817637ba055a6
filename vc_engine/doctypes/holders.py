"""Is the person asking the person a document was issued to? Comparing names and values as a
clerk would, and no more loosely.

The e-locker sends a holder's name as its own records spell it (from the national identity
record), which rarely equals the issuer's byte for byte: case, compatibility characters,
spacing and initials differ. A comparison that is too strict loses real holders; one that is too
loose lets anyone who guesses a roll number take a stranger's mark sheet. The rules:

* `normalise`: Unicode NFKC (compatibility forms such as full-width letters fold to their plain
  form, composed and decomposed Indic vowel signs become one form), case folding, every run of
  whitespace one space, ends trimmed. Search values are compared in this form.
* `names_match` (the initials rule): both names are split into parts at whitespace and at full
  stops. They match when
  1. they have the same number of parts, in the same order;
  2. the last part (the family name) is equal in full on both sides and is not an initial;
  3. every other part is equal, or one side is an initial (a single letter) that is the first
     letter of the other side's part.

  So "R. K. Sharma", "R K Sharma" and "Ravi K. Sharma" match "Ravi Kumar Sharma", while
  "Ravi Sharma" (a part missing), "RK Sharma" (two initials written as one part), "Sharma Ravi
  Kumar" (another order), "Ravi Kumar S." (an initial for the family name) and "V. K. Sharma"
  do not. A name is never matched by initials alone.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_PARTS = re.compile(r"[\s.]+")


def normalise(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: the form search values are compared in."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    # Case folding can produce a non-NFKC sequence (e.g. some Greek and Latin ligatures).
    folded = unicodedata.normalize("NFKC", folded)
    return _SPACES.sub(" ", folded).strip()


def name_parts(name: str) -> tuple[str, ...]:
    """The parts of a name (normalised), split at whitespace and full stops."""
    return tuple(part for part in _PARTS.split(normalise(name)) if part)


def names_match(asked: str, held: str) -> bool:
    """Whether the name sent by the e-locker (`asked`) is the holder's name (`held`) under the
    initials rule of the module docstring. Symmetric."""
    left, right = name_parts(asked), name_parts(held)
    if not left or len(left) != len(right):
        return False
    if left[-1] != right[-1] or _is_initial(left[-1]):
        return False
    return all(_parts_match(a, b) for a, b in zip(left[:-1], right[:-1], strict=True))


def _parts_match(a: str, b: str) -> bool:
    if a == b:
        return True
    if _is_initial(a):
        return b.startswith(a)
    if _is_initial(b):
        return a.startswith(b)
    return False


def _is_initial(part: str) -> bool:
    return len(part) == 1
