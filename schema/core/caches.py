"""The process-wide caches of parsed and validated documents, bounded by size as well as by
entries (docs/limits.md).

strawberry's `ParserCache` and `ValidationCache` keep the last `maxsize` documents whatever
their size: 256 hostile documents of a megabyte each, and their syntax trees (many times the
text), stay in memory for good, the growth issue 15 measured under a bad-input storm. Here a
document longer than `MAX_CACHED_DOCUMENT` characters is parsed and validated every time and
never kept, so the caches hold at most `CACHE_ENTRIES` small documents. Clients' documents
are a few hundred characters to a few kilobytes; a generated one longer than that costs one
parse and one validation per request, which the token and cost limits already bound.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import ParserCache

# A site page with its fragments is about 1,500 characters; the syntax tree of 4,000 is some
# 100 KB, so a full cache holds about 13 MB at worst.
MAX_CACHED_DOCUMENT = 4_000
CACHE_ENTRIES = 128


def cacheable(query: str | None) -> bool:
    return query is not None and len(query) <= MAX_CACHED_DOCUMENT


class BoundedParserCache(ParserCache):
    """strawberry's parser cache for documents up to `MAX_CACHED_DOCUMENT` characters;
    longer ones are parsed by strawberry as if there were no cache."""

    def __init__(self) -> None:
        super().__init__(maxsize=CACHE_ENTRIES)

    def on_parse(self) -> Iterator[None]:
        if cacheable(self.execution_context.query):
            yield from super().on_parse()
        else:
            yield
