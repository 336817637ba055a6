"""Data Integrity throughput on one core, per cryptosuite, against the raw signature cost measured
in the same run.

    .venv/bin/python bench/di_bench.py [--documents N]

The credential is the W3C alumni example (VC v2 + examples v2 contexts, pinned from the test
vectors), each copy with its own id. "verify" is a full `verify_proof`: context checks, JSON-LD
expansion, RDFC-1.0 (or JCS) of document and proof configuration, did:key decoding, signature.
Prints each figure and its ratio to the raw operation, then one JSON line of all figures.
Target: eddsa-rdfc-2022 verify >= 1,000 credentials/s/core.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vc_engine import keys
from vc_engine.formats.vc_di.contexts import default_loader
from vc_engine.formats.vc_di.proofs import add_proof, verify_proof

from common import add_profile_switch, rate, use_profile_switch

W3C = Path(__file__).resolve().parent.parent / "tests" / "vectors" / "w3c"
CONTEXTS = default_loader().including(W3C / "contexts")
CREATED = datetime(2024, 1, 1, tzinfo=UTC)
SUITES = (
    ("eddsa-rdfc-2022", keys.KeyAlgorithm.ED25519),
    ("eddsa-jcs-2022", keys.KeyAlgorithm.ED25519),
    ("ecdsa-rdfc-2019", keys.KeyAlgorithm.P256),
    ("ecdsa-rdfc-2019", keys.KeyAlgorithm.P384),
    ("ecdsa-jcs-2019", keys.KeyAlgorithm.P256),
    ("ecdsa-jcs-2019", keys.KeyAlgorithm.P384),
)


def credentials(count: int) -> list[dict[str, Any]]:
    base = json.loads((W3C / "eddsa-rdfc-2022" / "unsigned.json").read_text())
    return [{**base, "id": f"urn:uuid:00000000-0000-4000-8000-{i:012d}"} for i in range(count)]


def no_key(_: str) -> keys.PublicKey | None:
    return None


Line = tuple[str, float, float | None]


def raw_rates(signer: keys.FileSigner, count: int) -> tuple[float, float]:
    """Raw sign and verify of a hashData-sized message under the key's scheme."""
    scheme = keys.default_scheme(signer.algorithm)
    message = b"h" * (96 if signer.algorithm is keys.KeyAlgorithm.P384 else 64)
    signature = signer.sign(message, scheme)
    public_key = signer.public_key
    sign = rate(count, lambda: signer.sign(message, scheme))
    verify = rate(count, lambda: keys.verify_signature(public_key, signature, message, scheme))
    return sign, verify


def suite_rates(
    suite: str, signer: keys.FileSigner, corpus: list[dict[str, Any]]
) -> tuple[float, float]:
    """add_proof and full verify_proof rates over the corpus."""
    method = keys.did_key(signer.public_key)

    def sign(document: dict[str, Any]) -> dict[str, Any]:
        return add_proof(
            document,
            cryptosuite=suite,
            signer=signer,
            verification_method=method,
            created=CREATED,
            contexts=CONTEXTS,
        )

    documents = iter(corpus * 3)
    sign_rate = rate(len(corpus), lambda: sign(next(documents)))
    signed = [sign(d) for d in corpus]
    assert all(verify_proof(d, resolve=no_key, contexts=CONTEXTS).facts for d in signed)
    cycle = iter(signed * 3)
    verify_rate = rate(
        len(corpus), lambda: verify_proof(next(cycle), resolve=no_key, contexts=CONTEXTS)
    )
    return sign_rate, verify_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1000)
    add_profile_switch(parser)
    args = parser.parse_args()
    use_profile_switch(args)
    count = args.documents
    corpus = credentials(count)
    figures: dict[str, Any] = {"documents": count}
    lines: list[Line] = []
    for algorithm in (keys.KeyAlgorithm.ED25519, keys.KeyAlgorithm.P256, keys.KeyAlgorithm.P384):
        signer = keys.FileSigner(keys.generate_private_key(algorithm))
        raw_sign, raw_verify = raw_rates(signer, count)
        figures[f"raw_{algorithm}_sign_per_s"] = round(raw_sign)
        figures[f"raw_{algorithm}_verify_per_s"] = round(raw_verify)
        lines += [(f"raw {algorithm} sign", raw_sign, None)]
        lines += [(f"raw {algorithm} verify", raw_verify, None)]
        for suite in (s for s, a in SUITES if a is algorithm):
            sign_rate, verify_rate = suite_rates(suite, signer, corpus)
            name = f"{suite}_{algorithm}"
            figures[f"{name}_sign_per_s"] = round(sign_rate)
            figures[f"{name}_verify_per_s"] = round(verify_rate)
            figures[f"{name}_verify_ratio_to_raw"] = round(verify_rate / raw_verify, 3)
            lines += [(f"{suite} {algorithm} sign", sign_rate, sign_rate / raw_sign)]
            lines += [(f"{suite} {algorithm} verify", verify_rate, verify_rate / raw_verify)]

    figures["target_eddsa_rdfc_verify_per_s"] = 1000
    for name, value, ratio in lines:
        share = "" if ratio is None else f"  {ratio:6.1%} of the raw operation"
        print(f"{name:36} {value:10,.0f} /s{share}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
