"""vc+jwt throughput on one core, against the raw signature cost measured in the same run.

    .venv/bin/python bench/jwt_bench.py [--tokens N]

For EdDSA and ES256: sign and open (parse, check, verify, read the credential) per second, each
next to the raw `cryptography` sign or verify of the same signing input, and jwcrypto's verify
of the same tokens for reference. Prints each figure, then one JSON line of all figures.
Target: open an EdDSA vc+jwt >= 5,000/s/core.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import cycle
from typing import Any

from jwcrypto import jwk, jws

from vc_engine import keys
from vc_engine.formats.vc_jwt import open_credential, sign_credential

from common import add_profile_switch, print_profile, profiling, use_profile_switch

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
KID = "did:web:kmc.wb.gov.in#key-1"
MAX_BYTES = 1024 * 1024


def rates(
    count: int, actions: dict[str, Callable[[], object]], rounds: int = 5
) -> dict[str, float]:
    """Calls per second of each action, best of `rounds` rounds of `count` calls.

    Rounds are interleaved across the actions so that a busy machine slows each of them alike
    and the ratios to the raw operation stay meaningful.
    """
    best = dict.fromkeys(actions, float("inf"))
    for _ in range(rounds):
        for name, action in actions.items():
            start = time.perf_counter()
            for _ in range(count):
                action()
            best[name] = min(best[name], time.perf_counter() - start)
    if profiling():
        for name, action in actions.items():
            print_profile(name, count, action)
    return {name: count / seconds for name, seconds in best.items()}


def credential(serial: int) -> dict[str, Any]:
    """A birth certificate of about the size the issuers send (~1 KB as a token)."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"urn:in.gov.wb.kmc-BTHCER-B{serial:08d}",
        "type": ["VerifiableCredential", "BirthCertificate"],
        "issuer": {"id": "did:web:kmc.wb.gov.in", "name": "Kolkata Municipal Corporation"},
        "validFrom": "2026-11-23T06:00:00Z",
        "credentialSubject": {
            "name": "Asha Roy",
            "gender": "F",
            "dateOfBirth": "2026-11-01",
            "placeOfBirth": "SSKM Hospital, Kolkata",
            "motherName": "Rina Roy",
            "fatherName": "Arup Roy",
            "registrationNumber": f"KMC/2026/{serial:08d}",
            "address": "12 Lake Road, Kolkata 700029, West Bengal",
        },
    }


def measure(algorithm: keys.KeyAlgorithm, count: int) -> dict[str, float]:
    signer = keys.FileSigner(keys.generate_private_key(algorithm))
    public_key = signer.public_key
    scheme = keys.default_scheme(algorithm)
    resolve = {KID: public_key}.get
    corpus = [credential(i) for i in range(count)]
    tokens = [sign_credential(c, signer, kid=KID, issued_at=NOW, expires_at=None) for c in corpus]
    assert all(open_credential(t, max_bytes=MAX_BYTES, resolve=resolve).credential for t in tokens)

    # Raw cost: the same primitive over one token's signing input.
    signing_input = tokens[0].rsplit(b".", 1)[0]
    signature = signer.sign(signing_input, scheme)
    verifying_key = jwk.JWK.from_pyca(public_key)

    def jwcrypto_verify(token: bytes) -> None:
        obj = jws.JWS()
        obj.deserialize(token.decode("ascii"))
        obj.verify(verifying_key)
        json.loads(obj.payload)

    credentials, opened, checked = cycle(corpus), cycle(tokens), cycle(tokens)
    got = rates(
        count,
        {
            "raw_sign": lambda: signer.sign(signing_input, scheme),
            "sign": lambda: sign_credential(
                next(credentials), signer, kid=KID, issued_at=NOW, expires_at=None
            ),
            "raw_verify": lambda: keys.verify_signature(
                public_key, signature, signing_input, scheme
            ),
            "open": lambda: open_credential(next(opened), max_bytes=MAX_BYTES, resolve=resolve),
            "jwcrypto_verify": lambda: jwcrypto_verify(next(checked)),
        },
    )
    return {**got, "token_bytes": sum(len(t) for t in tokens) / len(tokens)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=3000)
    add_profile_switch(parser)
    args = parser.parse_args()
    use_profile_switch(args)
    count = args.tokens

    figures: dict[str, Any] = {"tokens": count}
    for name, algorithm in (
        ("eddsa", keys.KeyAlgorithm.ED25519),
        ("es256", keys.KeyAlgorithm.P256),
    ):
        got = measure(algorithm, count)
        label = name.upper() if name == "es256" else "EdDSA"
        lines = (
            (f"raw {label} sign", got["raw_sign"], None),
            (f"raw {label} verify", got["raw_verify"], None),
            (f"vc+jwt {label} sign", got["sign"], got["sign"] / got["raw_sign"]),
            (f"vc+jwt {label} open", got["open"], got["open"] / got["raw_verify"]),
            (
                f"jwcrypto {label} verify",
                got["jwcrypto_verify"],
                got["jwcrypto_verify"] / got["raw_verify"],
            ),
        )
        for line, value, ratio in lines:
            share = "" if ratio is None else f"  {ratio:6.1%} of the raw operation"
            print(f"{line:28} {value:10,.0f} /s{share}")
        figures.update(
            {
                f"raw_{name}_sign_per_s": round(got["raw_sign"]),
                f"raw_{name}_verify_per_s": round(got["raw_verify"]),
                f"jwt_{name}_sign_per_s": round(got["sign"]),
                f"jwt_{name}_sign_ratio_to_raw": round(got["sign"] / got["raw_sign"], 3),
                f"jwt_{name}_open_per_s": round(got["open"]),
                f"jwt_{name}_open_ratio_to_raw": round(got["open"] / got["raw_verify"], 3),
                f"jwcrypto_{name}_verify_per_s": round(got["jwcrypto_verify"]),
                f"{name}_token_bytes": round(got["token_bytes"]),
            }
        )
    figures["target_eddsa_open_per_s"] = 5000
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
