"""What an auditor remembers between runs: the newest bundle sequence seen for each root key.

A bundle is valid until its nextUpdate, so an older bundle that has not expired yet still
verifies; if it predates a revocation, the revoked document would pass an audit made with it.
Every export is numbered per root (`bundle_export`), and the auditor's machine keeps the highest
number it has accepted in a small JSON file, so a bundle older than one already seen is refused
(`Refusal.ROLLBACK`), or accepted with a warning when the auditor says so explicitly.

The file is `{"<root key id>": <highest sequence>, ...}`, replaced atomically under an exclusive
lock, so two audits on one machine never lose each other's record.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

from vc_engine.offline.bundle_format import BundleRefused, Refusal

STATE_DIR_VARIABLE = "VC_ENGINE_STATE_DIR"
FILE_NAME = "bundles-seen.json"


def default_history_path() -> Path:
    directory = os.environ.get(STATE_DIR_VARIABLE) or platformdirs.user_state_dir("vc-engine")
    return Path(directory) / FILE_NAME


class BundleHistory:
    def __init__(self, path: Path) -> None:
        self.path = path

    def admit(self, root_key_id: str, sequence: int, *, allow_rollback: bool) -> list[str]:
        """Accept bundle `sequence` of `root_key_id`, remembering it when it is the newest
        seen; refuse an older one (ROLLBACK), or with `allow_rollback` return its warning."""
        with self._locked():
            seen = self._read()
            highest = seen.get(root_key_id, 0)
            if sequence < highest:
                message = (
                    f"this bundle is number {sequence} of root {root_key_id}, older than number "
                    f"{highest} already seen here: it may predate revocations, suspensions or key "
                    "compromises recorded since"
                )
                if not allow_rollback:
                    raise BundleRefused(Refusal.ROLLBACK, message)
                return [message]
            if sequence > highest:
                seen[root_key_id] = sequence
                self._write(seen)
        return []

    def highest(self, root_key_id: str) -> int:
        """The newest sequence of this root seen here (0: none)."""
        return self._read().get(root_key_id, 0)

    def _read(self) -> dict[str, int]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise BundleRefused(
                Refusal.MALFORMED,
                f"the record of bundles seen ({self.path}) is unreadable: {error}",
            ) from None
        if not isinstance(raw, dict) or not all(
            isinstance(k, str) and type(v) is int for k, v in raw.items()
        ):
            raise BundleRefused(
                Refusal.MALFORMED, f"the record of bundles seen ({self.path}) is not ours"
            )
        return raw

    def _write(self, seen: dict[str, int]) -> None:
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(json.dumps(seen, sort_keys=True, indent=1), encoding="utf-8")
        os.replace(temporary, self.path)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(f".{self.path.name}.lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
