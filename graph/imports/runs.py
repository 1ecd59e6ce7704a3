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

from graph.core.visibility import lit, owned, visible

if TYPE_CHECKING:
    from graph.core.db import Graph, QueryRunner

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
# A page of the organisation's runs, newest first (`importRuns`), and how many there are.
RUNS_PAGE: LiteralString = lit(
    f"MATCH (r:ImportRun) WHERE {owned('r')} RETURN {_FIELDS} AS run "
    "ORDER BY r.createdAt DESC, r.id SKIP $skip LIMIT $limit")
RUNS_COUNT: LiteralString = lit(
    f"MATCH (r:ImportRun) WHERE {owned('r')} RETURN count(r) AS total")
# A page of rows of each run in $ids (`ImportRun.rows`), cut in Cypher: a batch keeps its
# rows' outcomes as a list beside their JSON, so the filter, the count and SKIP/LIMIT run
# over (batch, index) pairs and only the batches the page touches come back, each once,
# with the indexes picked from it. An order inside the subquery is not promised to survive
# its aggregation: `batch_rows` puts the batches and picks back in file order.
ROWS_PAGE: LiteralString = lit(
    "UNWIND $ids AS key "
    f"MATCH (r:ImportRun {{id: key}}) WHERE {owned('r')} "
    "CALL (r) { "
    "  MATCH (b:ImportBatch {run: r.run}) WHERE b.org = r.contributedBy "
    "  UNWIND range(0, size(coalesce(b.outcomes, [])) - 1) AS i "
    "  WITH b, i WHERE $outcome IS NULL OR b.outcomes[i] = $outcome "
    "  RETURN count(*) AS total } "
    "CALL (r) { "
    "  MATCH (b:ImportBatch {run: r.run}) WHERE b.org = r.contributedBy "
    "  UNWIND range(0, size(coalesce(b.outcomes, [])) - 1) AS i "
    "  WITH b, i WHERE $outcome IS NULL OR b.outcomes[i] = $outcome "
    "  ORDER BY b.number, i SKIP $skip LIMIT $limit "
    "  WITH b, collect(i) AS picks "
    "  RETURN collect({number: b.number, results: b.results, picks: picks}) AS batches } "
    "RETURN key, total, batches")
# Rows name sites as the run saw them; a site the reader may no longer see is not named.
_VISIBLE_SITES: LiteralString = lit(
    "UNWIND $ids AS key MATCH (n:ProductionSite {id: key}) "
    f"WHERE {visible('n')} RETURN collect(n.id) AS ids")

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


async def run_for(graph: QueryRunner, params: dict[str, Any], run_id: str) -> dict[str, Any] | None:
    """The run, if the viewer's organisation started it (`params`: the viewer's)."""
    rows = await graph.query(RUN_BY_ID, {**params, "id": run_id}, name="import_run")
    return _decoded(rows[0]) if rows else None


async def runs_page(graph: QueryRunner, params: dict[str, Any], *, skip: int, limit: int,
                    count: bool) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the viewer's organisation's runs, newest first, and their number when
    `count` (`params`: the viewer's)."""
    rows = await graph.query(RUNS_PAGE, {**params, "skip": skip, "limit": limit},
                             name="import_runs")
    total = None
    if count:
        found = await graph.query(RUNS_COUNT, params, name="import_runs_count")
        total = int(found[0]["total"]) if found else 0
    return [_decoded(r) for r in rows], total


async def rows_pages(graph: QueryRunner, params: dict[str, Any], run_ids: list[str], *,
                     outcome: str | None, skip: int, limit: int,
                     ) -> dict[str, tuple[int, list[dict[str, Any]]]]:
    """Run id -> (rows matching `outcome`, the page of them) for each run of the viewer's
    organisation among `run_ids`; another organisation's run is absent, as an unknown one.
    A site a row names (its own or a candidate) is kept only while the viewer may see it."""
    found = await graph.query(ROWS_PAGE, {**params, "ids": run_ids, "outcome": outcome,
                                          "skip": skip, "limit": limit},
                              name="import_run_rows_page")
    pages = {r["key"]: (int(r["total"]), batch_rows(r["batches"])) for r in found}
    names = sorted({i for _, rows in pages.values() for row in rows for i in _site_ids(row)})
    seen: set[str] = set()
    if names:
        vis = await graph.query(_VISIBLE_SITES, {**params, "ids": names},
                                name="import_run_sites")
        seen = set(vis[0]["ids"]) if vis else set()
    for _, rows in pages.values():
        for row in rows:
            if row.get("id") not in seen:
                row["id"] = None
            row["candidates"] = [c for c in row.get("candidates") or [] if c["id"] in seen]
    return pages


def batch_rows(batches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows a page picked, in file order: batch by batch, index by index."""
    out: list[dict[str, Any]] = []
    for b in sorted(batches, key=lambda b: b["number"]):
        results = json.loads(b["results"])
        out += [results[i] for i in sorted(b["picks"])]
    return out


def _site_ids(row: dict[str, Any]) -> list[str]:
    return [x for x in (row.get("id"), *(c["id"] for c in row.get("candidates") or [])) if x]
