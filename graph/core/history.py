"""Append-only history: every write leaves a `:Version` node, `(record)-[:HAS_VERSION]->(v)`.

A version holds a copy of the record's properties as they were after the write, plus
`versionNumber` (1, 2, ...), `change` (CREATE, UPDATE, SHARING, MERGE, ...; INITIAL for the
state a record had before its first recorded write, e.g. seeded data), `versionAt`,
`versionBy` (organisation), `versionClient`, `versionSource` and an optional `versionNote`.
Versions are never updated or deleted; `versionId` (`<record id>@<n>`) is unique, so two
concurrent writes to one record cannot both claim the same number.

Reading (`history_query`) applies the *current* record's visibility and the current
readers of its protected fields to every version: a caller sees the history of a record it
may see, and an old confidential value only when it may read that field today. Which
OAuth client wrote a version is told only to the writing organisation and the operator.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.model import Label
from graph.core.visibility import Shape, lit, own_or_operator, visible_as

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import QueryRunner
    from graph.core.records import Actor

INITIAL = "INITIAL"


@cache
def _version_query(label: Label, only_if_none: bool) -> LiteralString:
    name = lit(Label(label).value)
    guard = "WHERE seq = 0 " if only_if_none else ""
    return lit(
        f"MATCH (n:{name} {{id: $id}}) "
        "OPTIONAL MATCH (n)-[:HAS_VERSION]->(old:Version) "
        f"WITH n, count(old) AS seq {guard}"
        "CREATE (n)-[:HAS_VERSION]->(v:Version) "
        "SET v += properties(n), v.recordId = n.id, v.recordLabel = $label, "
        "v.versionNumber = seq + 1, v.versionId = n.id + '@' + toString(seq + 1), "
        "v.change = $change, v.versionAt = CASE WHEN $change = 'INITIAL' "
        "THEN coalesce(n.updatedAt, n.createdAt, $now) ELSE $now END, "
        "v.versionBy = CASE WHEN $change = 'INITIAL' THEN n.contributedBy ELSE $org END, "
        "v.versionClient = CASE WHEN $change = 'INITIAL' THEN n.updatedByClient "
        "ELSE $client END, "
        "v.versionSource = CASE WHEN $change = 'INITIAL' THEN n.source ELSE $source END, "
        "v.versionNote = $note "
        "RETURN v.versionNumber AS number"
    )


async def record_version(tx: AsyncManagedTransaction, label: Label, record_id: str,
                         actor: Actor, *, change: str, note: str | None = None,
                         only_if_none: bool = False) -> None:
    """Append a version with the record's current properties (with `only_if_none`, only
    when it has none yet: the baseline before a first update of seeded data)."""
    await tx.run(_version_query(label, only_if_none),
                 {"id": record_id, "label": Label(label).value, "change": change,
                  "note": note, **actor.params()})


@cache
def history_query(shape: Shape) -> LiteralString:
    """Versions of visible records, oldest first, projected with `shape` on a map that
    carries the current record's owner and readers."""
    name = shape.label_text()
    return lit(
        f"UNWIND $ids AS key MATCH (n:{name} {{id: key}}) WHERE {visible_as(shape.label, 'n')} "
        "MATCH (n)-[:HAS_VERSION]->(v:Version) "
        "WITH key, n, v ORDER BY v.versionNumber "
        "WITH key, v, v {.*, contributedBy: n.contributedBy, "
        "sensitiveReaders: n.sensitiveReaders} AS h "
        f"RETURN key, collect({{number: v.versionNumber, change: v.change, "
        "at: v.versionAt, by: v.versionBy, "
        f"client: CASE WHEN {own_or_operator('v.versionBy')} THEN v.versionClient END, "
        f"source: v.versionSource, note: v.versionNote, node: {shape.projection('h')}}}) "
        "AS versions"
    )


async def history(runner: QueryRunner, shape: Shape, ids: list[str],
                  viewer: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    rows = await runner.query(history_query(shape), {"ids": ids, **viewer},
                              name=f"{shape.label.value}History")
    return {r["key"]: r["versions"] for r in rows}
