"""Batched writes for bulk imports: one transaction per batch, a few `UNWIND` statements each.

`write_site_batch` creates the batch's new sites (each with its first `:Version`), links
rows to brands, suppliers and product categories, and saves the batch's checkpoint
(`:ImportBatch {key, results}`) in the same transaction: a batch and its checkpoint commit
together, so a resumed import neither repeats nor loses a batch. Ownership and visibility of
linked records were checked when the rows were planned (`supplygraph.importer`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.visibility import lit, visible
from graph.core.records import Actor

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph

CREATE_SITES: LiteralString = (
    "UNWIND $rows AS row "
    "CREATE (n:ProductionSite) SET n = row.props, n.contributedBy = $org, n.createdAt = $now, "
    "n.updatedAt = $now, n.source = $source, n.createdByClient = $client, "
    "n.updatedByClient = $client, n.updatedBy = $org, "
    "n.location = CASE WHEN row.lat IS NULL THEN null "
    "ELSE point({latitude: row.lat, longitude: row.lon}) END "
    "CREATE (n)-[:HAS_VERSION]->(v:Version) "
    "SET v += properties(n), v.recordId = n.id, v.recordLabel = 'ProductionSite', "
    "v.versionNumber = 1, v.versionId = n.id + '@1', v.change = 'CREATE', v.versionAt = $now, "
    "v.versionBy = $org, v.versionClient = $client, v.versionSource = $source "
    "RETURN count(n) AS n"
)

_LINK_PROPS = (
    "ON CREATE SET r.contributedBy = $org, r.createdAt = $now, r.source = $source, "
    "r.client = $client "
)
LINK_MAKES: LiteralString = (
    "UNWIND $links AS l MATCH (s:ProductionSite {id: l.site}) "
    "MATCH (c:ProductCategory {id: l.other}) MERGE (s)-[r:MAKES]->(c) " + _LINK_PROPS
    + "RETURN count(r) AS n"
)
LINK_PRODUCED_AT: LiteralString = (
    "UNWIND $links AS l MATCH (s:ProductionSite {id: l.site}) "
    "MATCH (b:Brand {id: l.other}) MERGE (b)-[r:PRODUCED_AT]->(s) " + _LINK_PROPS
    + "RETURN count(r) AS n"
)
LINK_OPERATES: LiteralString = (
    "UNWIND $links AS l MATCH (s:ProductionSite {id: l.site}) "
    "MATCH (p:Supplier {id: l.other}) MERGE (p)-[r:OPERATES]->(s) " + _LINK_PROPS
    + "RETURN count(r) AS n"
)
SAVE_BATCH: LiteralString = (
    "CREATE (b:ImportBatch {key: $key, run: $run, number: $number, results: $results, "
    "createdAt: $now, org: $org})"
)
DONE_BATCHES: LiteralString = (
    "MATCH (b:ImportBatch {run: $run}) RETURN b.number AS number, b.results AS results "
    "ORDER BY b.number"
)


async def write_site_batch(tx: AsyncManagedTransaction, actor: Actor, *,
                           new_sites: list[dict[str, Any]], links: dict[str, list[dict[str, str]]],
                           run: str | None, number: int, results: list[dict[str, Any]],
                           ) -> None:
    """`new_sites`: {props, lat, lon}; `links`: MAKES / PRODUCED_AT / OPERATES ->
    [{site, other}]; `run` None: no checkpoint (the importSites mutation)."""
    params = actor.params()
    if new_sites:
        await tx.run(CREATE_SITES, {"rows": new_sites, **params})
    for kind, query in (("MAKES", LINK_MAKES), ("PRODUCED_AT", LINK_PRODUCED_AT),
                        ("OPERATES", LINK_OPERATES)):
        if links.get(kind):
            await tx.run(query, {"links": links[kind], **params})
    if run is not None:
        await save_batch(tx, actor, run=run, number=number, results=results)


async def save_batch(tx: AsyncManagedTransaction, actor: Actor, *, run: str, number: int,
                     results: list[dict[str, Any]]) -> None:
    await tx.run(SAVE_BATCH, {"key": f"{run}:{number}", "run": run, "number": number,
                              "results": json.dumps(results), **actor.params()})


async def done_batches(graph: Graph, run: str) -> dict[int, list[dict[str, Any]]]:
    """Results of the batches of an import run already committed, by batch number."""
    rows = await graph.query(DONE_BATCHES, {"run": run}, write=True, name="import_done")
    return {int(r["number"]): json.loads(r["results"]) for r in rows}


FIND_BY_NAME: LiteralString = lit(
    "UNWIND $names AS name "
    "CALL (name) { "
    f"  MATCH (n:Brand) WHERE toLower(n.name) = toLower(name) AND {visible('n')} "
    "  RETURN n, 'Brand' AS label "
    "  UNION "
    f"  MATCH (n:Supplier) WHERE toLower(n.name) = toLower(name) AND {visible('n')} "
    "  RETURN n, 'Supplier' AS label } "
    "WITH name, n, label ORDER BY n.id "
    "RETURN name, collect({id: n.id, label: label}) AS found"
)
