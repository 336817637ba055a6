"""What status checking costs: full-pipeline verify of signed XML with and without status entries
(lists verified and decoded once, then cached), and revoking one document then re-signing and
re-publishing its list, on one core.

    .venv/bin/python bench/status_bench.py [--documents N] [--revocations N]

Targets (issue 4): status lookup adds <= 10% to full-pipeline verify; revoke + re-publish <= 50 ms.
Ends with one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from vc_engine import keys
from vc_engine.issuance.block import issue_documents
from vc_engine.issuance.issuer import Issuer, renditions
from vc_engine.issuance.status_lists import StatusLists, publish_lists
from vc_engine.model import Indication
from vc_engine.policy import INDIA, VerificationPolicy
from vc_engine.store import Registry, StatusStore
from vc_engine.verify import verify
from vc_engine.verify.status import status_checks

from common import add_profile_switch, enrol, fixture_documents, rate, use_profile_switch

NOW = datetime.now(UTC).replace(microsecond=0)
ISSUER = "in.gov.up.edistrict"
BASE_URL = "https://status.vc-engine.org"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--revocations", type=int, default=200)
    add_profile_switch(parser)
    arguments = parser.parse_args()
    use_profile_switch(arguments)
    count = arguments.documents
    since = NOW - timedelta(days=1)
    private_key = keys.generate_private_key(keys.KeyAlgorithm.P256)
    certificate = keys.self_signed_certificate(
        private_key, ISSUER, since, NOW + timedelta(days=365)
    )
    with tempfile.TemporaryDirectory() as work, Registry.open(f"sqlite:///{work}/r.db") as registry:
        registry.init()
        enrol(registry, ISSUER, "CASCR", private_key.public_key(), since)
        issuer = Issuer(ISSUER, ISSUER, keys.FileSigner(private_key), certificate, INDIA)
        xml = renditions(("xml",), issuer)
        lists = StatusLists(StatusStore(registry), BASE_URL)
        plain = fixture_documents("CASCR", ISSUER, ISSUER, NOW - timedelta(minutes=5), count)
        with_status = [dataclasses.replace(d, id=d.id + "S") for d in plain]
        signed_plain = _sign(plain, issuer, xml, registry, None)
        signed_status = _sign(with_status, issuer, xml, registry, lists)
        policy = VerificationPolicy(at=NOW)
        trust = registry.snapshot()
        status = lists.store.snapshot()
        for data in (signed_plain[0], signed_status[0]):
            report = verify(data, trust, policy, status)
            assert report.indication is Indication.PASSED, report.to_json()
        plain_cycle, status_cycle = iter(signed_plain * 3), iter(signed_status * 3)
        without = rate(count, lambda: verify(next(plain_cycle), trust, policy, status))
        with_ = rate(count, lambda: verify(next(status_cycle), trust, policy, status))
        opened = [verify(d, trust, policy, status).document for d in signed_status]
        documents = iter([d for d in opened if d is not None] * 3)
        lookups = rate(count, lambda: status_checks(next(documents), trust, status, policy))
        latencies = _revoke_and_publish(lists, issuer, with_status, arguments.revocations)
    overhead = without / with_ - 1
    lookup_share = with_ / lookups
    figures = {
        "documents": count,
        "verify_without_status_per_s": round(without),
        "verify_with_status_per_s": round(with_),
        "status_lookup_per_s": round(lookups),
        "status_lookup_share_of_verify": round(lookup_share, 4),
        "documents_with_entries_overhead": round(overhead, 4),
        "target_status_lookup_share": 0.10,
        "revoke_republish_median_ms": round(statistics.median(latencies), 2),
        "revoke_republish_p99_ms": round(sorted(latencies)[int(0.99 * len(latencies))], 2),
        "target_revoke_republish_ms": 50,
    }
    print(f"verify, no status entries   {without:9,.0f} /s")
    print(f"verify, with status check   {with_:9,.0f} /s   overhead {overhead:6.1%}")
    print(f"status lookup alone         {lookups:9,.0f} /s   {lookup_share:6.1%} of a verify")
    print(
        f"revoke + re-publish         median {figures['revoke_republish_median_ms']} ms, "
        f"p99 {figures['revoke_republish_p99_ms']} ms"
    )
    print(json.dumps(figures))


def _sign(documents, issuer, formats, registry, lists):  # type: ignore[no-untyped-def]
    issued = issue_documents(
        list(enumerate(documents)), issuer, formats, registry, lambda: NOW, status_lists=lists
    )
    assert not issued.rejected
    return [outputs[0][1] for _, _, outputs in issued.issued]


def _revoke_and_publish(lists: StatusLists, issuer: Issuer, documents, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    timings = []
    for document in documents[:count]:
        start = time.perf_counter()
        lists.store.revoke(document.id, reason="bench", actor="bench", at=NOW)
        entries = lists.store.entries_of(document.id)
        assert entries is not None
        publish_lists(lists, issuer, [entries.revocation.list_id], NOW)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


if __name__ == "__main__":
    main()
