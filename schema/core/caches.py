"""The process's cache of parsed and validated documents, bounded by entries and by bytes
(docs/limits.md).

A parsed document holds far more than its text: graphql-core links every token into a list
the nodes' locations point into, and makes a node (with its location) per name, field and
selection. Measured at 75-110 bytes per character of the query (bench/README.md, issue 15).
strawberry's `ParserCache` and `ValidationCache` each keep their last 128 documents whatever
their size, and the validation cache's key holds its own document once the parse cache has
dropped it: with documents of up to 4,000 characters, up to 2 x 128 x 4,000 x 110 bytes,
some 110 MB a client could pin by sending 256 distinct documents, not the 13 MB this module
once estimated.

`DocumentCache` keeps, per query text, the parsed document and the errors of its validation
in one entry, least recently used out, within `CACHE_ENTRIES` entries and `CACHE_BYTES`
bytes counted at `BYTES_PER_CHAR` a character (the measured figure, rounded up); a document
longer than `MAX_CACHED_DOCUMENT` characters is parsed and validated every time and never
kept. Clients' documents are a few hundred characters to a few kilobytes; a generated one
longer than that costs one parse and one validation per request, which the token and cost
limits already bound. `build_schema` makes one cache per schema and hands it to the two
extensions below, each made afresh per request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from strawberry.extensions import SchemaExtension

if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLError

# A site page with its fragments is about 1,500 characters.
MAX_CACHED_DOCUMENT = 4_000
CACHE_ENTRIES = 128
# Measured 75-110 bytes of syntax tree and tokens per character (bench/README.md), plus the
# text itself and the few errors of an invalid document.
BYTES_PER_CHAR = 120
# About 140,000 characters of documents: every operation of the web app and of a client's
# integration many times over, and at most 36 documents of the longest kept size.
CACHE_BYTES = 16 * 2**20


def cacheable(query: str | None) -> bool:
    return query is not None and len(query) <= MAX_CACHED_DOCUMENT


@dataclass
class Entry:
    document: DocumentNode
    weight: int  # estimated bytes
    rules: tuple[Any, ...] | None = None  # the validation rules `errors` came from
    errors: list[GraphQLError] | None = None


class DocumentCache:
    """Parsed documents and their validation errors by (query text, parse options), least
    recently used out; at most `max_entries` entries and `max_bytes` estimated bytes."""

    def __init__(self, max_entries: int = CACHE_ENTRIES, max_bytes: int = CACHE_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        # The event loop is one thread, but strawberry's sync execution may run elsewhere.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, document: DocumentNode, chars: int) -> Entry | None:
        """Keeps `document` (parsed from `chars` characters) and returns its entry, or None
        when it is too large to keep at all."""
        weight = chars * BYTES_PER_CHAR
        if chars > MAX_CACHED_DOCUMENT or weight > self.max_bytes or self.max_entries < 1:
            return None
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.weight
            entry = self._entries[key] = Entry(document, weight)
            self.bytes += weight
            while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.bytes -= dropped.weight
            return entry


def _key(execution_context: Any) -> Hashable | None:
    query = execution_context.query
    if not cacheable(query):
        return None
    try:
        key = (query, tuple(sorted(execution_context.parse_options.items())))
        hash(key)
    except TypeError:  # an option that is not hashable: not worth a cache entry
        return None
    return key


class CachedParse(SchemaExtension):
    """Takes the parsed document from `cache` when there, else lets strawberry parse and
    keeps the result (a document that does not parse is not kept)."""

    def __init__(self, cache: DocumentCache) -> None:
        super().__init__()
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        key = _key(ctx)
        hit = self.cache.get(key) if key is not None else None
        if hit is not None:
            ctx.graphql_document = hit.document
        yield
        if key is not None and hit is None and ctx.graphql_document is not None:
            self.cache.put(key, ctx.graphql_document, len(ctx.query or ""))


class CachedValidation(SchemaExtension):
    """The errors of validating the document, from `cache` when this very document was
    validated with the same rules, else strawberry's validation, kept in the document's
    entry. Skipped for a document `QueryCost` already refused (it sets the errors before
    the validators, which are what a fanned-out document makes explode): must come after
    `QueryCost` in the extensions."""

    def __init__(self, cache: DocumentCache) -> None:
        super().__init__()
        self.cache = cache

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        key = _key(ctx) if ctx.pre_execution_errors is None else None
        entry = self.cache.get(key) if key is not None else None
        if entry is None or entry.document is not ctx.graphql_document:
            yield  # not kept (too long, or dropped meanwhile): strawberry validates
            return
        rules = tuple(ctx.validation_rules)
        if entry.rules == rules and entry.errors is not None:
            # A list of its own: later hooks may add to the request's errors.
            ctx.pre_execution_errors = list(entry.errors)
            yield
            return
        yield
        if ctx.pre_execution_errors is not None:
            entry.rules, entry.errors = rules, list(ctx.pre_execution_errors)
