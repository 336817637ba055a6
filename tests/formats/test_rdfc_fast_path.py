"""Differential tests of the RDFC fast path (`to_rdf`, and to RDF without pyld's second
expansion) against pyld, the reference: on the W3C vectors and on credentials hypothesis writes
with nested nodes, ids, blank nodes, types, language-tagged and typed values, numbers, lists
and doubles (the last two are left to pyld's general path). The canonical N-Quads must be
pyld's byte for byte, both through the canonicalizer and, where the fast writer takes a
document, through the writer alone.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from vc_engine.formats.vc_di import rdfc, to_rdf
from vc_engine.formats.vc_di.canonical import (
    CanonicalizationError,
    JsonLdCanonicalizer,
    MalformedJsonLdError,
    _quad,
)
from vc_engine.formats.vc_di.contexts import default_loader

from paths import VECTORS

W3C = VECTORS / "w3c"
CONTEXTS = default_loader().including(W3C / "contexts")
CANONICALIZER = JsonLdCanonicalizer(CONTEXTS)
VC_V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
VECTOR_FILES = sorted(
    p
    for p in W3C.rglob("*.json")
    if p.parent.name != "contexts"
    and isinstance(json.loads(p.read_text()), dict)
    and "@context" in json.loads(p.read_text())
)


def _pyld_nquads(document: dict[str, Any]) -> str:
    return str(
        jsonld.normalize(
            copy.deepcopy(document),
            {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": CONTEXTS},
        )
    )


def _fast(document: dict[str, Any]) -> str | None:
    expanded = jsonld.expand(copy.deepcopy(document), {"documentLoader": CONTEXTS})
    written = to_rdf.quads(expanded)
    return None if written is None else rdfc.canonicalize(written)


@pytest.mark.parametrize("path", VECTOR_FILES, ids=[str(p.relative_to(W3C)) for p in VECTOR_FILES])
def test_w3c_vectors_canonicalize_as_pyld_does(path: Path) -> None:
    document = json.loads(path.read_text())
    expected = _pyld_nquads(document)
    if "proof" not in document:  # a proof is a named graph: pyld's general path
        assert _fast(document) == expected
    try:
        ours = CANONICALIZER.nquads(document)
    except CanonicalizationError:
        return  # an inline context, refused here and tested elsewhere
    assert ours == expected


_terms = st.sampled_from(["name", "degree", "alumniOf", "score", "note", "member", "since"])
_iris = st.sampled_from(
    ["did:example:a", "urn:uuid:1", "https://example.edu/x", "_:b0", "_:x", "_:b1", "urn:a b"]
)
_scalars = (
    st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
)
_values = st.recursive(
    _scalars
    | st.builds(
        lambda v, lang: {"@value": v, "@language": lang},
        st.text(max_size=8),
        st.sampled_from(["en", "bn", "hi-IN"]),
    )
    | st.builds(
        lambda v: {"@value": v, "@type": "https://www.w3.org/2001/XMLSchema#dateTime"},
        st.sampled_from(["2024-01-01T00:00:00Z", "x"]),
    )
    | st.builds(lambda i: {"id": i}, _iris),
    lambda inner: (
        st.dictionaries(_terms, inner, min_size=1, max_size=3)
        | st.builds(lambda d, i: {**d, "id": i}, st.dictionaries(_terms, inner, max_size=3), _iris)
        | st.builds(
            lambda d, t: {**d, "type": t}, st.dictionaries(_terms, inner, max_size=2), _terms
        )
        | st.lists(inner, min_size=1, max_size=3)
        | st.builds(lambda items: {"@list": items}, st.lists(inner, max_size=2))
    ),
    max_leaves=10,
)


def _credential(subject: dict[str, Any], subject_id: str | None) -> dict[str, Any]:
    credential = {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": subject,
    }
    if subject_id is not None:
        subject["id"] = subject_id
    return credential


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=st.dictionaries(_terms, _values, min_size=1, max_size=5), subject_id=st.none() | _iris
)
def test_generated_credentials_canonicalize_as_pyld_does(
    subject: dict[str, Any], subject_id: str | None
) -> None:
    document = _credential(subject, subject_id)
    try:
        ours = CANONICALIZER.nquads(document)
    except MalformedJsonLdError:
        return  # safe mode refuses what pyld keeps or drops quietly; tested elsewhere
    dataset = _pyld_dataset(document)
    fast = _fast(document)
    if fast is not None:
        assert fast == rdfc.canonicalize(dataset)
    if not any(s.startswith("_:") and s in (o, g) for s, _, o, g in dataset):
        assert ours == _pyld_nquads(document)


def test_a_blank_node_in_two_places_of_one_quad_is_where_pyld_differs() -> None:
    """The one known disagreement, older than the fast path and pinned here: for a quad that
    names one blank node twice, RDFC-1.0 (and rdf-canonize) count the quad once among that
    node's quads, pyld's URDNA2015 twice. Our quads are pyld's; only the labelling differs."""
    document = _credential({"degree": {"id": "_:me"}}, "_:me")
    assert _fast(document) == rdfc.canonicalize(_pyld_dataset(document))
    assert CANONICALIZER.nquads(document) != _pyld_nquads(document)


def test_a_list_member_that_is_no_absolute_iri_is_refused_not_a_crash() -> None:
    """pyld writes it as a null object; it used to escape as a TypeError."""
    document = _credential({"degree": {"@list": [{"id": "urn:a b"}]}}, None)
    with pytest.raises(MalformedJsonLdError):
        CANONICALIZER.nquads(document)


def _pyld_dataset(document: dict[str, Any]) -> list[rdfc.Quad]:
    """pyld's own `to_rdf` dataset, as N-Quads terms (written as the canonicalizer writes
    pyld's triples)."""
    dataset = jsonld.to_rdf(copy.deepcopy(document), {"documentLoader": CONTEXTS})
    return [_quad(triple, name) for name, triples in dataset.items() for triple in triples]


def test_the_fast_writer_takes_an_ordinary_credential_and_leaves_lists_to_pyld() -> None:
    plain = _credential({"name": "A", "alumniOf": {"id": "did:example:c", "name": "C"}}, None)
    listed = _credential({"name": {"@list": ["A", "B"]}}, None)
    assert _fast(plain) == _pyld_nquads(plain)
    assert _fast(listed) is None
    assert CANONICALIZER.nquads(listed) == _pyld_nquads(listed)


@pytest.mark.parametrize("number", [10**21 - 1, 10**21, -(10**21), 2**70, 1.5, 2.0])
def test_numbers_are_written_as_pyld_writes_them(number: float) -> None:
    """Integers from 10^21 up are xsd:double in JSON-LD 1.1 (pyld's path); below, integers."""
    document = _credential({"score": number}, "did:example:s")
    expected = _pyld_nquads(document)
    assert CANONICALIZER.nquads(document) == expected
    if abs(number) >= 10**21 or isinstance(number, float):
        assert _fast(document) is None
    else:
        assert _fast(document) == expected
