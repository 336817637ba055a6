"""Bitstring Status Lists (W3C v1.0): index allocation, revoke/suspend/reinstate, the list to
publish, and checking a credential's status entry against a list.

The lists themselves are kept by `vc_engine.store` (`StatusStore`); `credential` builds the
unsigned list credential (signed by issuance, never here) and checks entries against a list
credential whose signature the caller has verified.
"""

from vc_engine.revocation.bitstring import (
    MIN_ENTRIES,
    Bitstring,
    BitstringError,
    StatusErrorCode,
    decode,
    encode,
)
from vc_engine.revocation.cache import StatusListCache
from vc_engine.revocation.credential import (
    StatusOutcome,
    StatusResult,
    check_entry,
    credential_status,
    status_list_credential,
    status_list_url,
)
from vc_engine.revocation.status import (
    Action,
    DocumentEntries,
    DocumentState,
    DocumentStatus,
    PublishedList,
    Purpose,
    StatusEntry,
    StatusEvent,
)

__all__ = [
    "MIN_ENTRIES",
    "Action",
    "Bitstring",
    "BitstringError",
    "DocumentEntries",
    "DocumentState",
    "DocumentStatus",
    "PublishedList",
    "Purpose",
    "StatusEntry",
    "StatusErrorCode",
    "StatusEvent",
    "StatusListCache",
    "StatusOutcome",
    "StatusResult",
    "check_entry",
    "credential_status",
    "decode",
    "encode",
    "status_list_credential",
    "status_list_url",
]
