"""The cache of parsed and validated documents (schema/core/caches.py) under a client that
sends distinct large documents, the way issue 15's bad-input storm does: it stays within its
entries and its bytes, what it counts per document is at least what a parsed document really
holds, and a document it keeps is answered from it. No database: the documents ask only for
`__typename`, or do not validate."""

from __future__ import annotations

import gc
import tracemalloc

from graphql import parse

from schema import build_schema
from schema.core.caches import BYTES_PER_CHAR, MAX_CACHED_DOCUMENT, DocumentCache
from supplygraph.settings import Settings

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def chain(n: int, fragments: int) -> str:
    """A valid document of about 45 characters a fragment, distinct for each `n`: each
    fragment selects `__typename` and spreads the next (a chain, not a fan-out)."""
    parts = [f"query Chain{n} {{ ...F{n}_0 }}"]
    parts += [f"fragment F{n}_{k} on Query {{ __typename ...F{n}_{k + 1} }}"
              for k in range(fragments - 1)]
    parts.append(f"fragment F{n}_{fragments - 1} on Query {{ __typename }}")
    return " ".join(parts)


def unknown_fields(n: int, fields: int) -> str:
    """A document that parses but does not validate (every field unknown)."""
    return "{ " + " ".join(f"nope{n}_{k} {{ id name }}" for k in range(fields)) + " }"


async def test_a_client_sending_100_distinct_large_documents_stays_within_the_bytes() -> None:
    cache = DocumentCache(max_entries=128, max_bytes=2 * 2**20)
    schema = build_schema(SETTINGS, documents=cache)
    for n in range(100):
        query = chain(n, 70) if n % 2 else unknown_fields(n, 150)
        assert 3_000 < len(query) <= MAX_CACHED_DOCUMENT
        result = await schema.execute(query)
        if n % 2:
            assert result.errors is None and result.data == {"__typename": "Query"}
        else:
            assert result.errors and result.data is None
        assert cache.bytes <= cache.max_bytes and len(cache) <= cache.max_entries
    # Bound by bytes, not by the 128 entries: a handful of the newest documents.
    assert 1 <= len(cache) <= 2 * 2**20 // (3_000 * BYTES_PER_CHAR)


async def test_what_the_cache_counts_for_a_document_covers_what_its_parse_holds() -> None:
    for query in (chain(1, 70), unknown_fields(2, 150), chain(3, 5),
                  "{ " + " ".join(f"a{k}: __typename" for k in range(30)) + " }"):
        gc.collect()
        tracemalloc.start()
        try:
            document = parse(query)
            held, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert document is not None
        assert held <= len(query) * BYTES_PER_CHAR, (len(query), held)


async def test_the_memory_a_full_cache_holds_is_within_its_bound() -> None:
    bound = 2**20
    cache = DocumentCache(max_entries=128, max_bytes=bound)
    schema = build_schema(SETTINGS, documents=cache)
    await schema.execute(chain(-1, 3))  # the schema's own first-use allocations, not counted
    gc.collect()
    tracemalloc.start()
    try:
        for n in range(40):
            await schema.execute(chain(n, 70))
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # strawberry's caches kept all 40 here: some 12 MB.
    assert held <= bound * 1.25, held


async def test_a_kept_document_is_answered_from_the_cache_and_a_long_one_is_not_kept() -> None:
    cache = DocumentCache()
    schema = build_schema(SETTINGS, documents=cache)
    query = chain(7, 10)
    first = await schema.execute(query)
    (entry,) = [cache.get(k) for k in list(cache._entries)]  # noqa: SLF001
    assert entry is not None and entry.errors == []
    second = await schema.execute(query)
    assert first.data == second.data == {"__typename": "Query"}
    assert len(cache) == 1 and cache.get(next(iter(cache._entries))) is entry  # noqa: SLF001

    invalid = unknown_fields(8, 3)
    for _ in range(2):
        result = await schema.execute(invalid)
        assert result.errors and "nope8_0" in result.errors[0].message
    assert len(cache) == 2

    long = chain(9, MAX_CACHED_DOCUMENT // 40)
    assert len(long) > MAX_CACHED_DOCUMENT
    result = await schema.execute(long)
    assert result.errors is None and result.data == {"__typename": "Query"}
    assert len(cache) == 2
