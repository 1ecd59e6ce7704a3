"""Import runs started from the web app (graph/imports/runs.py): `importRun`, `importRuns`
and a run's `rows`. A run is its organisation's alone; another organisation's run id reads
as an unknown one (null), in the same words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.imports import runs
from resolvers.core.args import Page, page_window
from resolvers.core.loaders import RowsWindow
from resolvers.core.selection import selected

if TYPE_CHECKING:
    from strawberry.types import Info

    from resolvers.core.context import Context


async def import_run(info: Info[Context, Any], run_id: str) -> dict[str, Any] | None:
    ctx = info.context
    return await runs.run_for(ctx.graph, ctx.params, run_id)


async def import_runs(info: Info[Context, Any], first: int | None, after: str | None) -> Page:
    skip, limit = page_window(info, first, after)
    ctx = info.context
    # one row more than the page tells whether another page follows, without a count
    rows, total = await runs.runs_page(ctx.graph, ctx.params, skip=skip, limit=limit + 1,
                                       count="totalCount" in selected(info))
    return Page(rows[:limit], total, skip, has_next=len(rows) > limit)


async def run_rows(info: Info[Context, Any], run_id: str, *, outcome: str | None,
                   first: int | None, after: str | None) -> Page:
    skip, limit = page_window(info, first, after)
    total, rows = await info.context.loaders.import_rows(
        RowsWindow(outcome, skip, limit)).load(run_id)
    return Page(rows, total, skip)
