"""Import runs started from the web app: one `:ImportRun` per uploaded file, its progress,
its end, and its per-row results (the checkpoints of graph/imports/batches.py).

An import run is its organisation's alone: it names the file a member uploaded and what
became of each row, so every read here admits only the organisation that started it
(`owned`); another organisation's run id reads as an unknown one. The rows are written by
the importer's own batches (`:ImportBatch`, keyed by the run's checkpoint key), so the
summary shown is the one the import committed, batch by batch.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.visibility import lit, owned

if TYPE_CHECKING:
    from graph.core.db import Graph

RUNNING, DONE, FAILED = "RUNNING", "DONE", "FAILED"

CREATE_RUN: LiteralString = (
    "CREATE (r:ImportRun {id: $id, contributedBy: $org, createdBy: $user, file: $file, "
    "run: $run, state: 'RUNNING', total: $total, done: 0, header: $header, createdAt: $now})"
)
# Progress reports may arrive out of order: the count only grows.
ADVANCE: LiteralString = (
    "MATCH (r:ImportRun {id: $id}) WHERE r.state = 'RUNNING' "
    "SET r.done = CASE WHEN $done > r.done THEN $done ELSE r.done END"
)
FINISH: LiteralString = (
    "MATCH (r:ImportRun {id: $id}) "
    "SET r.state = $state, r.summary = $summary, r.error = $error, r.finishedAt = $now, "
    "r.done = CASE WHEN $state = 'DONE' THEN r.total ELSE r.done END"
)
_FIELDS = ("r {.id, .file, .state, .total, .done, .header, .summary, .error, .createdAt, "
           ".finishedAt, .createdBy}")
RUN_BY_ID: LiteralString = lit(
    f"MATCH (r:ImportRun {{id: $id}}) WHERE {owned('r')} RETURN {_FIELDS} AS run")
RECENT_RUNS: LiteralString = lit(
    f"MATCH (r:ImportRun) WHERE {owned('r')} RETURN {_FIELDS} AS run "
    "ORDER BY r.createdAt DESC, r.id LIMIT $limit")
# The batches the import committed for this run's file (the checkpoint key names the
# organisation too; the predicate on `b.org` says so again where it is read).
RUN_ROWS: LiteralString = lit(
    f"MATCH (r:ImportRun {{id: $id}}) WHERE {owned('r')} "
    "MATCH (b:ImportBatch {run: r.run}) WHERE b.org = r.contributedBy "
    "RETURN b.results AS results ORDER BY b.number")


async def create_run(graph: Graph, *, run_id: str, org: str, user: str, file: str, run: str,
                     total: int, header: dict[str, Any], now: str) -> None:
    await graph.query(CREATE_RUN, {"id": run_id, "org": org, "user": user, "file": file,
                                   "run": run, "total": total, "header": json.dumps(header),
                                   "now": now}, write=True, name="import_run_create")


async def advance(graph: Graph, run_id: str, done: int) -> None:
    await graph.query(ADVANCE, {"id": run_id, "done": done}, write=True,
                      name="import_run_advance")


async def finish(graph: Graph, run_id: str, *, state: str, now: str,
                 summary: dict[str, Any] | None = None, error: str | None = None) -> None:
    await graph.query(FINISH, {"id": run_id, "state": state, "now": now, "error": error,
                               "summary": json.dumps(summary) if summary else None},
                      write=True, name="import_run_finish")


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    run = dict(row["run"])
    for key in ("header", "summary"):
        run[key] = json.loads(run[key]) if run.get(key) else None
    return run


async def run_for(graph: Graph, params: dict[str, Any], run_id: str) -> dict[str, Any] | None:
    """The run, if the viewer's organisation started it (`params`: the viewer's)."""
    rows = await graph.query(RUN_BY_ID, {**params, "id": run_id}, name="import_run")
    return _decoded(rows[0]) if rows else None


async def recent_runs(graph: Graph, params: dict[str, Any], limit: int = 10,
                      ) -> list[dict[str, Any]]:
    rows = await graph.query(RECENT_RUNS, {**params, "limit": limit}, name="import_runs")
    return [_decoded(r) for r in rows]


async def run_rows(graph: Graph, params: dict[str, Any], run_id: str) -> list[dict[str, Any]]:
    """The per-row results the run committed, in file order (none for another
    organisation's run)."""
    rows = await graph.query(RUN_ROWS, {**params, "id": run_id}, name="import_run_rows")
    return [d for r in rows for d in json.loads(r["results"])]
