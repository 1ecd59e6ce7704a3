"""Checkpoints of bulk imports: one `:ImportBatch {key, results}` per committed batch.

A batch's writes and its checkpoint commit in the same transaction, so a resumed import
neither repeats nor loses a batch. The writes themselves are the domain commands
(graph/<domain>/commands.py), the same ones the API calls.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, LiteralString

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph
    from graph.core.records import Actor

# `outcomes` repeats each row's outcome beside the JSON of the rows: what a page of a run's
# rows is filtered, counted and cut by in Cypher (graph/imports/runs.py ROWS_PAGE).
SAVE_BATCH: LiteralString = (
    "CREATE (b:ImportBatch {key: $key, run: $run, number: $number, results: $results, "
    "outcomes: $outcomes, createdAt: $now, org: $org})"
)
DONE_BATCHES: LiteralString = (
    "MATCH (b:ImportBatch {run: $run}) RETURN b.number AS number, b.results AS results "
    "ORDER BY b.number"
)


def run_key(kind: str, digest: str, org: str, batch_size: int) -> str:
    """The checkpoints of one file imported by one organisation in batches of one size."""
    return f"{kind}:{org}:{batch_size}:{digest}"


async def save_batch(tx: AsyncManagedTransaction, actor: Actor, *, run: str, number: int,
                     results: list[dict[str, Any]]) -> None:
    await tx.run(SAVE_BATCH, {"key": f"{run}:{number}", "run": run, "number": number,
                              "results": json.dumps(results),
                              "outcomes": [r["outcome"] for r in results], **actor.params()})


async def done_batches(graph: Graph, run: str) -> dict[int, list[dict[str, Any]]]:
    """Results of the batches of an import run already committed, by batch number."""
    rows = await graph.query(DONE_BATCHES, {"run": run}, write=True, name="import_done")
    return {int(r["number"]): json.loads(r["results"]) for r in rows}
