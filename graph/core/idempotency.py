"""Idempotency keys, stored in Neo4j so that every API process sees them.

A key is scoped to the OAuth client and the mutation field (`scope`); it remembers the hash
of the request body and the result. The same key and body return the stored result
without writing again; the same key with another body is refused
(IDEMPOTENCY_KEY_REUSED). The key is saved in the same transaction as the write it
protects, so a write and its key are committed together or not at all, and the unique
constraint settles two concurrent requests with one key.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, LiteralString

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph

_GET: LiteralString = (
    "MATCH (k:IdempotencyKey {key: $key}) RETURN k.bodyHash AS bodyHash, k.result AS result"
)
_PUT: LiteralString = (
    "CREATE (k:IdempotencyKey {key: $key, bodyHash: $bodyHash, result: $result, "
    "createdAt: $now, client: $client})"
)


def scoped_key(client: str, key: str, scope: str) -> str:
    return f"{client}\x1f{scope}\x1f{key}"


async def lookup(graph: Graph, key: str) -> tuple[str, dict[str, Any]] | None:
    """(body hash, stored result) for a key, or None when unused."""
    rows = await graph.query(_GET, {"key": key}, write=True, name="idempotency_get")
    if not rows:
        return None
    return rows[0]["bodyHash"], json.loads(rows[0]["result"])


async def remember(tx: AsyncManagedTransaction, key: str, body_hash: str,
                   result: dict[str, Any], *, client: str, now: str) -> None:
    await tx.run(_PUT, {"key": key, "bodyHash": body_hash, "result": json.dumps(result),
                        "client": client, "now": now})
