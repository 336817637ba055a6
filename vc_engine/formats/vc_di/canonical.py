"""Canonical bytes of a JSON document for Data Integrity: JCS (RFC 8785) and RDFC-1.0 N-Quads.

The JSON-LD path is strict, because what is signed is the RDF a document means, not its text:
* only pinned contexts, named by URL (`jsonld_contexts`); never the network;
* "safe mode": a property or type that no context defines fails instead of being dropped, so a
  signer cannot slip in unsigned-looking text and a verifier never shows claims that were not
  signed; a context that redefines a protected term fails too (pyld raises; we name it);
* bounded: JSON nesting depth, quads, blank nodes and labelling work are capped (`rdfc.Limits`).
Every refusal is a `CanonicalizationError` subclass; callers turn them into FORMAT_FAILURE.
JCS, and the refusals both paths share, live in `jcs`, which loads no JSON-LD processor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer
from pyld.nquads import XSD_STRING, escape

from vc_engine.formats.vc_di import rdfc, to_rdf
from vc_engine.formats.vc_di.contexts import ContextError, ContextLoader, InlineContextError
from vc_engine.formats.vc_di.jcs import (
    CanonicalizationError as CanonicalizationError,  # the JSON-LD path's callers catch it here
)
from vc_engine.formats.vc_di.jcs import (
    ContextRefusedError,
    LimitExceededError,
    MalformedJsonLdError,
    check_depth,
)
from vc_engine.policy import DEFAULT_LIMITS, Limits

RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class ProtectedTermError(CanonicalizationError):
    """A context tries to redefine a term a pinned context protects."""


class _UndefinedTerm(Exception):
    """Raised from inside pyld when it would silently drop a property."""


def _check_no_nested_context(value: Any, path: str, loader: ContextLoader) -> None:
    """Refuse an inline context anywhere below the top. A nested `@context` naming only pinned
    URLs (a credential inside a presentation) is as safe as the top-level one."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "@context":
                try:
                    loader.context_urls({"@context": child})
                except ContextError as exc:
                    raise ContextRefusedError(
                        InlineContextError(f"{path}/@context")
                        if isinstance(exc, InlineContextError)
                        else exc
                    ) from None
                continue
            _check_no_nested_context(child, f"{path}/{key}", loader)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _check_no_nested_context(child, f"{path}/{index}", loader)


class JsonLdCanonicalizer:
    """JSON-LD -> RDF -> RDFC-1.0 with one loader and one cache of processed contexts.

    The cache is ours, not pyld's process-wide one, so nothing loaded by another loader can be
    served to this one. Keep one instance per loader (processing the VC context is most of the
    cost of a small credential, and it is done once per instance).
    """

    def __init__(self, loader: ContextLoader, limits: Limits = DEFAULT_LIMITS) -> None:
        self.loader = loader
        self.max_depth = limits.max_json_depth
        self.limits = rdfc.Limits(
            max_quads=limits.max_rdf_quads,
            max_blank_nodes=limits.max_rdf_blank_nodes,
            max_work=limits.max_rdfc_work,
        )
        self._cache: LRUCache[str, Any] = LRUCache(maxsize=256)
        self._processed: LRUCache[tuple[Any, ...], tuple[Any, Any]] = LRUCache(maxsize=4096)
        self._iris: dict[int, tuple[Any, dict[tuple[str, Any, bool], Any]]] = {}

    def _options(self) -> dict[str, Any]:
        return {
            "documentLoader": self.loader,
            "contextResolver": ContextResolver(self._cache, self.loader),
            "base": "",
            "processingMode": "json-ld-1.1",
            "extractAllScripts": False,
        }

    def quads(self, document: Mapping[str, Any]) -> list[rdfc.Quad]:
        """The RDF dataset of a document, in safe mode."""
        if not isinstance(document, Mapping):
            raise MalformedJsonLdError("a JSON-LD document must be a JSON object")
        check_depth(document, self.max_depth)
        try:
            self.loader.context_urls(document)
        except ContextError as exc:
            raise ContextRefusedError(exc) from None
        if not self.loader.allow_inline:
            for key, value in document.items():
                if key != "@context":
                    _check_no_nested_context(value, f"/{key}", self.loader)
        processor = _Processor(self._processed, self._iris)
        options = self._options()
        try:
            expanded = processor.expand(dict(document), options)
            _check_absolute(expanded)
            written = to_rdf.quads(expanded)
            if written is not None:
                return written
            dataset = processor.expanded_to_rdf(expanded, options)
        except _UndefinedTerm as exc:
            raise MalformedJsonLdError(str(exc)) from None
        except jsonld.JsonLdError as exc:
            raise _from_jsonld_error(exc) from None
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            # pyld assumes well-formed contexts in places ({"@vocab": null} and the like):
            # its crash on malformed input is malformed input, not a fault of ours.
            raise MalformedJsonLdError(f"invalid JSON-LD ({type(exc).__name__})") from None
        return [_quad(triple, name) for name, triples in dataset.items() for triple in triples]

    def nquads(self, document: Mapping[str, Any], *, hash_name: str = "sha256") -> str:
        """RDFC-1.0 canonical N-Quads, `hash_name` ("sha256"/"sha384") labelling blank nodes."""
        try:
            return rdfc.canonicalize(self.quads(document), hash_name=hash_name, limits=self.limits)
        except rdfc.CanonicalizationLimitError as exc:
            raise LimitExceededError(str(exc)) from None


_MAX_CONTEXTS = 4096
_MAX_IRIS_PER_CONTEXT = 2048
"""Bounds on the remembered IRI expansions (a document's own ids are asked once each)."""
_UNKNOWN = object()


class _Processor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld in safe mode, remembering every processed context.

    pyld caches a processed context per (context, active context), but a type-scoped context
    (VerifiableCredential's, DataIntegrityProof's) is applied to a fresh clone each time, so it
    is reprocessed for every document: most of the cost of a small credential. Processing is a
    pure function of the active context and the local context, so we remember its result. Keys:
    the active context's id (a uuid pyld gives it) and the local context, by value for URL
    strings, by identity for objects (these come only from pinned files, which stay loaded;
    the memo keeps a reference, so an identity is never reused while its entry lives).
    """

    def __init__(
        self,
        memo: LRUCache[tuple[Any, ...], tuple[Any, Any]],
        iris: dict[int, tuple[Any, dict[tuple[str, Any, bool], Any]]],
    ) -> None:
        super().__init__(on_property_dropped=_refuse_dropped)
        self._memo = memo
        self._iris = iris

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        active_id = active_ctx.get("_uuid")
        if isinstance(local_ctx, str):
            local_key: Any = local_ctx
        elif isinstance(local_ctx, list) and all(isinstance(c, str) for c in local_ctx):
            local_key = tuple(local_ctx)
        else:
            local_key = id(local_ctx)
        key = (active_id, local_key, override_protected, propagate, validate_scoped)
        hit = self._memo.get(key) if active_id is not None else None
        if hit is not None and (isinstance(local_key, str | tuple) or hit[0] is local_ctx):
            self._finished(hit[1])
            return hit[1]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        if active_id is not None:
            self._memo[key] = (local_ctx, result)
        self._finished(result)
        return result

    def _finished(self, context: Any) -> None:
        """Remember a processed context, which nothing changes any more, for `_expand_iri`."""
        entry = self._iris.get(id(context))
        if entry is None or entry[0] is not context:
            if len(self._iris) >= _MAX_CONTEXTS:
                self._iris.clear()
            self._iris[id(context)] = (context, {})

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        """pyld's IRI expansion, remembered per processed context: outside context processing
        (no `local_ctx`) it is a pure function of the context, the value, the base and `vocab`,
        and a credential asks the same few dozen of them every time. Contexts still being
        built are never remembered (only what `_process_context` returned is)."""
        entry = self._iris.get(id(active_ctx)) if local_ctx is None else None
        if entry is None or entry[0] is not active_ctx or not isinstance(value, str):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        known = entry[1]
        key = (value, base, vocab)
        found = known.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
            if len(known) < _MAX_IRIS_PER_CONTEXT:
                known[key] = found
        return found

    def expanded_to_rdf(self, expanded: Any, options: dict[str, Any]) -> dict[str, Any]:
        """pyld's `to_rdf` without its first step, which expands the input again: on expanded
        input that is the identity (JSON-LD 1.1 expansion is idempotent), at the cost of a
        deep copy and a second full expansion. `_check_absolute` refuses what a second
        expansion would have dropped (a key that is neither a keyword nor an absolute IRI)."""
        issuer = IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        self._create_node_map(expanded, node_map, "@default", issuer)
        options = {**options, "produceGeneralizedRdf": False}
        return {
            name: self._graph_to_rdf(graph, issuer, options)
            for name, graph in sorted(node_map.items())
            if name == "@default" or jsonld._is_absolute_iri(name)
        }


def _refuse_dropped(expanded_property: str | None) -> None:
    raise _UndefinedTerm(f"term {expanded_property!r} is not defined by any context")


def _check_absolute(expanded: Any) -> None:
    """Safe mode for what pyld keeps but turns into nothing: relative @type and @id values
    (an undefined type name, a bare id) and property IRIs would vanish from the RDF and so
    from the signature."""
    stack = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key == "@type" and not (isinstance(value, dict) or "@value" in item):
                    for name in value if isinstance(value, list) else [value]:
                        if not _is_absolute(name):
                            raise _UndefinedTerm(f"type {name!r} is not defined by any context")
                elif key == "@id" and isinstance(value, str) and not _is_absolute(value):
                    raise _UndefinedTerm(f"@id {value!r} is not an absolute IRI")
                elif key == "@value" and "@type" in item and not _is_absolute(item["@type"]):
                    raise _UndefinedTerm(f"datatype {item['@type']!r} is not an absolute IRI")
                elif not key.startswith("@") and not _is_absolute(key):
                    raise _UndefinedTerm(f"term {key!r} is not defined by any context")
                elif isinstance(value, dict | list):
                    stack.append(value)


def _is_absolute(value: object) -> bool:
    """An absolute IRI or blank node. pyld resolves a relative one against its placeholder base
    (`http://example.org/base/`) when no base is given; that is still relative, not a term any
    context defined."""
    if value == "@json":
        return True
    if not isinstance(value, str) or value.startswith(jsonld.DEFAULT_BASE_IRI):
        return False
    return value.startswith("_:") or ":" in value


def _from_jsonld_error(error: jsonld.JsonLdError) -> CanonicalizationError:
    """Name the cause of a pyld failure: a refused context, a protected term, or malformed."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ContextError):
            return ContextRefusedError(cause)
        if isinstance(cause, RecursionError):
            return LimitExceededError("JSON-LD processing nested too deeply")
        if getattr(cause, "code", None) == "protected term redefinition":
            return ProtectedTermError("a context tries to redefine a protected term")
        cause = cause.__cause__
    return MalformedJsonLdError(f"invalid JSON-LD: {error}")


def _term(term: Mapping[str, str]) -> str:
    kind, value = term["type"], term["value"]
    if kind == "IRI":
        return "<" + value + ">"
    if kind == "blank node":
        return value
    literal = '"' + str(escape(value)) + '"'
    datatype = term.get("datatype")
    if datatype == RDF_LANGSTRING:
        language = term.get("language")
        return literal + "@" + language if language else literal
    if datatype and datatype != XSD_STRING:
        return literal + "^^<" + datatype + ">"
    return literal


def _quad(triple: Mapping[str, Mapping[str, str] | None], graph_name: str) -> rdfc.Quad:
    """One of pyld's triples as N-Quads terms. pyld leaves a list member that is not an
    absolute IRI as a null object (it skips such objects everywhere else); that member would
    vanish from what is signed, so it is refused, as safe mode refuses any term that would."""
    subject, predicate, obj = triple["subject"], triple["predicate"], triple["object"]
    if subject is None or predicate is None or obj is None:
        raise MalformedJsonLdError("a list holds an IRI that is not absolute")
    if graph_name == "@default":
        graph = ""
    elif graph_name.startswith("_:"):
        graph = graph_name
    else:
        graph = "<" + graph_name + ">"
    return (_term(subject), _term(predicate), _term(obj), graph)
