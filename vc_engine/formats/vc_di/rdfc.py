"""RDF Dataset Canonicalization (RDFC-1.0), bounded, with a selectable hash.

Why our own rather than pyld's URDNA2015: pyld hard-codes SHA-256 (ecdsa-rdfc-2019 with P-384
needs SHA-384 for blank-node labelling too), and it has no limit on work. RDFC-1.0's Hash N-Degree
Quads explores permutations of indistinguishable blank nodes, so a small crafted document ("dataset
poisoning") can keep it busy for years. Here every N-degree call and every permutation is paid for
from a budget; an exhausted budget, or too many quads or blank nodes, raises
`CanonicalizationLimitError` at once. Ordinary credentials need no N-degree work at all.

Quads come in as tuples of N-Quads terms already serialized ('<iri>', '_:label', '"lit"^^<dt>');
the graph term is '' for the default graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import permutations

from vc_engine.errors import BadInput

Quad = tuple[str, str, str, str]
"""(subject, predicate, object, graph) as N-Quads terms; graph '' is the default graph."""


class CanonicalizationLimitError(BadInput):
    """The dataset needs more canonicalization work than the limits allow."""


@dataclass(frozen=True)
class Limits:
    """How much work one canonicalization may do. The defaults are far above any credential
    (which has a few dozen quads and no symmetric blank nodes) and far below a second."""

    max_quads: int = 10_000
    max_blank_nodes: int = 1_000
    max_work: int = 2_000
    """N-degree hash calls plus permutations examined, together."""


DEFAULT_LIMITS = Limits()


def serialize(quad: Quad) -> str:
    s, p, o, g = quad
    return f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"


class _Issuer:
    """RDFC-1.0 identifier issuer: hands out prefix+counter in first-come order."""

    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = {} if issued is None else issued

    def issue(self, existing: str) -> str:
        issued = self.issued.get(existing)
        if issued is None:
            issued = self.issued[existing] = f"{self.prefix}{len(self.issued)}"
        return issued

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.issued))


class _Canonicalizer:
    def __init__(
        self, quads: Sequence[Quad], hash_new: Callable[[], hashlib._Hash], limits: Limits
    ):
        self.quads = quads
        self.hash_new = hash_new
        self.budget = limits.max_work
        self.canonical = _Issuer("_:c14n")
        self.bnode_quads: dict[str, list[Quad]] = {}
        self.first_degree: dict[str, str] = {}
        for quad in dict.fromkeys(quads):
            # A dataset is a set: each quad counts once per blank node it mentions, even when
            # the node appears in two positions (as rdf-canonize does).
            for term in {quad[0], quad[2], quad[3]}:
                if term.startswith("_:"):
                    self.bnode_quads.setdefault(term, []).append(quad)
        if len(self.bnode_quads) > limits.max_blank_nodes:
            raise CanonicalizationLimitError(
                f"{len(self.bnode_quads)} blank nodes (limit {limits.max_blank_nodes})"
            )

    def _hash(self, text: str) -> str:
        digest = self.hash_new()
        digest.update(text.encode("utf-8"))
        return digest.hexdigest()

    def _spend(self) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise CanonicalizationLimitError(
                "blank-node labelling needs more work than allowed (possible dataset poisoning)"
            )

    def hash_first_degree(self, bnode: str) -> str:
        """RDFC-1.0 4.6: the quads mentioning `bnode`, itself as _:a and others as _:z."""
        cached = self.first_degree.get(bnode)
        if cached is not None:
            return cached
        lines = []
        for s, p, o, g in self.bnode_quads[bnode]:
            s = s if not s.startswith("_:") else ("_:a" if s == bnode else "_:z")
            o = o if not o.startswith("_:") else ("_:a" if o == bnode else "_:z")
            g = g if not g.startswith("_:") else ("_:a" if g == bnode else "_:z")
            lines.append(serialize((s, p, o, g)))
        lines.sort()
        result = self.first_degree[bnode] = self._hash("".join(lines))
        return result

    def hash_related(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        """RDFC-1.0 4.7."""
        label = self.canonical.issued.get(related) or issuer.issued.get(related)
        if label is None:
            label = self.hash_first_degree(related)
        predicate = quad[1] if position != "g" else ""
        return self._hash(position + predicate + label)

    def hash_n_degree(self, bnode: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """RDFC-1.0 4.8, charging the budget for the call and for each permutation."""
        self._spend()
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.bnode_quads[bnode]:
            for term, position in ((quad[0], "s"), (quad[2], "o"), (quad[3], "g")):
                if term.startswith("_:") and term != bnode:
                    digest = self.hash_related(term, quad, issuer, position)
                    related_by_hash.setdefault(digest, []).append(term)
        data = []
        for related_hash, blank_nodes in sorted(related_by_hash.items()):
            data.append(related_hash)
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in permutations(sorted(blank_nodes)):
                self._spend()
                issuer_copy = issuer.copy()
                path = ""
                recursion: list[str] = []
                skip = False
                for related in permutation:
                    canonical = self.canonical.issued.get(related)
                    if canonical is not None:
                        path += canonical
                    else:
                        if related not in issuer_copy.issued:
                            recursion.append(related)
                        path += issuer_copy.issue(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion:
                    result_hash, issuer_copy = self.hash_n_degree(related, issuer_copy)
                    path += issuer_copy.issue(related) + "<" + result_hash + ">"
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path, chosen_issuer = path, issuer_copy
            data.append(chosen_path)
            assert chosen_issuer is not None  # the first permutation is never skipped
            issuer = chosen_issuer
        return self._hash("".join(data)), issuer

    def run(self) -> str:
        """RDFC-1.0 4.4: unique first-degree hashes first, then N-degree for the rest."""
        by_hash: dict[str, list[str]] = {}
        for bnode in self.bnode_quads:
            by_hash.setdefault(self.hash_first_degree(bnode), []).append(bnode)
        shared = []
        for _, bnodes in sorted(by_hash.items()):
            if len(bnodes) == 1:
                self.canonical.issue(bnodes[0])
            else:
                shared.append(bnodes)
        for bnodes in shared:
            results = []
            for bnode in bnodes:
                if bnode in self.canonical.issued:
                    continue
                temporary = _Issuer("_:b")
                temporary.issue(bnode)
                results.append(self.hash_n_degree(bnode, temporary))
            for _, issuer in sorted(results, key=lambda result: result[0]):
                for existing in issuer.issued:
                    self.canonical.issue(existing)
        relabel = self.canonical.issued
        lines = {
            serialize(
                (
                    relabel.get(s, s),
                    p,
                    relabel.get(o, o),
                    relabel.get(g, g),
                )
            )
            for s, p, o, g in self.quads
        }
        return "".join(sorted(lines))


def canonicalize(
    quads: Sequence[Quad], *, hash_name: str = "sha256", limits: Limits = DEFAULT_LIMITS
) -> str:
    """The canonical N-Quads of a dataset (RDFC-1.0 with `hash_name` as its hash)."""
    if len(quads) > limits.max_quads:
        raise CanonicalizationLimitError(f"{len(quads)} quads (limit {limits.max_quads})")
    hash_new = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}[hash_name]
    return _Canonicalizer(quads, hash_new, limits).run()
