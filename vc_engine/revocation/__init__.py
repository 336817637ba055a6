"""Bitstring Status Lists (W3C v1.0): index allocation, revoke/suspend/reinstate, the list to
publish, and checking a credential's status entry against a list.

`StatusStore` keeps the lists in the trust registry's database; `credential` builds the
unsigned list credential (signed through `issue`, never here) and checks entries against a list
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
from vc_engine.revocation.errors import (
    AllocationContention,
    AlreadyAllocated,
    StatusConflict,
    UnknownDocument,
)
from vc_engine.revocation.records import (
    Action,
    DocumentEntries,
    DocumentState,
    DocumentStatus,
    PublishedList,
    Purpose,
    StatusEntry,
    StatusEvent,
)
from vc_engine.revocation.store import StatusStore

__all__ = [
    "MIN_ENTRIES",
    "Action",
    "AllocationContention",
    "AlreadyAllocated",
    "Bitstring",
    "BitstringError",
    "DocumentEntries",
    "DocumentState",
    "DocumentStatus",
    "PublishedList",
    "Purpose",
    "StatusConflict",
    "StatusEntry",
    "StatusErrorCode",
    "StatusEvent",
    "StatusListCache",
    "StatusOutcome",
    "StatusResult",
    "StatusStore",
    "UnknownDocument",
    "check_entry",
    "credential_status",
    "decode",
    "encode",
    "status_list_credential",
    "status_list_url",
]
