"""Status-list costs: revoke + re-publish latency, status look-up, and batch allocation, with the
raw Ed25519 verification of one list credential measured in the same run for scale.

    .venv/bin/python bench/revocation_bench.py [--url sqlite:///x.db | postgresql+psycopg://...]
                                               [--revocations 200] [--allocate 10000]

Without --url a fresh SQLite file in a temporary directory is used. Prints each figure, then one
JSON line of all of them. Target (issue "Revocation and suspension lists"): revoking one document
and re-publishing its list (bits + encodedList) <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vc_engine.revocation import (
    StatusListCache,
    check_entry,
    credential_status,
    decode,
    encode,
    status_list_credential,
)
from vc_engine.store import Registry, StatusStore

from common import add_profile_switch, rate, use_profile_switch

ISSUER = "in.gov.wb.kmc"
DID = "did:web:kmc.wb.gov.in"
BASE = "https://status.kmc.wb.gov.in"
NOW = datetime(2024, 4, 1, 9, 30, tzinfo=UTC)


def per_call_us(count: int, action: Callable[[], object]) -> float:
    """Microseconds per call of `action`, best of three rounds of `count` calls."""
    return 1e6 / rate(count, action)


def run(url: str, revocations: int, allocate: int) -> dict[str, float]:
    with Registry.open(url) as registry:
        registry.init()
        registry.add_issuer(ISSUER, "Kolkata Municipal Corporation", at=NOW)
        store = StatusStore(registry)

        # 1. Batch allocation: one call, `allocate` documents, two entries each.
        start = time.perf_counter()
        entries = store.allocate(ISSUER, [f"doc-{n}" for n in range(allocate)], at=NOW)
        allocate_s = time.perf_counter() - start

        # 2. Revoke one document, then rebuild and encode its list, as a publisher would.
        latencies_ms = []
        for n in range(revocations):
            document_id = f"doc-{n}"
            list_id = entries[document_id].revocation.list_id
            start = time.perf_counter()
            store.revoke(document_id, reason="bench", actor="bench", at=NOW)
            published = store.list_bits(list_id)
            assert published is not None
            encode(published.bits)
            latencies_ms.append((time.perf_counter() - start) * 1e3)

        # 3. A verifier's look-up: decode once (cold), then cached checks.
        published = store.list_bits(entries["doc-0"].revocation.list_id)
        assert published is not None
    credential = status_list_credential(
        published, base_url=BASE, issuer=DID, valid_from=NOW, ttl=timedelta(hours=6)
    )
    entry = credential_status([entries["doc-0"].revocation], base_url=BASE)[0]
    encoded = credential["credentialSubject"]["encodedList"]
    cache = StatusListCache()
    decode_us = per_call_us(50, lambda: decode(encoded))
    lookup_us = per_call_us(
        5000, lambda: check_entry(entry, credential, issuer=DID, at=NOW, cache=cache)
    )

    # 4. For scale: one raw Ed25519 verification of the list credential's bytes.
    key = Ed25519PrivateKey.generate()
    payload = json.dumps(credential, sort_keys=True).encode()
    signature = key.sign(payload)
    public = key.public_key()
    ed25519_us = per_call_us(2000, lambda: public.verify(signature, payload))

    ordered = sorted(latencies_ms)
    return {
        "revocations": float(revocations),
        "revoke_republish_median_ms": statistics.median(ordered),
        "revoke_republish_p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "encoded_list_chars": float(len(encoded)),
        "decode_cold_us": decode_us,
        "lookup_cached_us": lookup_us,
        "ed25519_verify_us": ed25519_us,
        "lookup_cached_vs_ed25519": lookup_us / ed25519_us,
        "allocate_documents": float(allocate),
        "allocate_documents_per_s": allocate / allocate_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="registry URL (default: a fresh SQLite file)")
    parser.add_argument("--revocations", type=int, default=200)
    parser.add_argument("--allocate", type=int, default=10_000)
    add_profile_switch(parser)
    args = parser.parse_args()
    use_profile_switch(args)
    if args.revocations > args.allocate:
        parser.error("--revocations cannot exceed --allocate")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'registry.db'}"
        figures = run(url, args.revocations, args.allocate)
    backend = args.url.split(":", 1)[0] if args.url else "sqlite"
    print(f"backend: {backend}")
    print(
        f"revoke + re-publish: median {figures['revoke_republish_median_ms']:.2f} ms, "
        f"p99 {figures['revoke_republish_p99_ms']:.2f} ms over {args.revocations} "
        "(target <= 50 ms)"
    )
    print(
        f"status look-up: {figures['lookup_cached_us']:.1f} us cached "
        f"({figures['lookup_cached_vs_ed25519']:.2f}x one Ed25519 verify of "
        f"{figures['ed25519_verify_us']:.1f} us); cold decode {figures['decode_cold_us']:.0f} us"
    )
    print(
        f"allocation: {figures['allocate_documents_per_s']:.0f} documents/s "
        f"({args.allocate} in one call, 2 entries each)"
    )
    print(json.dumps({"backend": backend} | {k: round(v, 3) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
