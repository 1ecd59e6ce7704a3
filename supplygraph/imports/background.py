"""A site import started from the web app, run in the background of the server process.

The upload is read and its header checked in the request (errors at the form's field,
nothing written); the import itself is the CLI's (`import_site_table`, batches with their
checkpoints, the same planning as the `importSites` mutation), run as the signed-in person
in a task of this process. Its progress and end are kept on an `:ImportRun`
(graph/imports/runs.py), which the status page reads through the schema (`importRun`), so
any process behind the port can answer for it.

A task is kept in `_TASKS` until it ends (the event loop holds only weak references). If
the process stops mid-import, the run stays RUNNING; the same file uploaded again resumes
after its last committed batch (the checkpoints), as `supplygraph import sites` does.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import TYPE_CHECKING, Any

from graph.core.records import now_iso
from graph.imports import runs
from graph.imports.batches import run_key

# A run's states, named here for the web app (which reads runs through the schema).
from graph.imports.runs import DONE, RUNNING

__all__ = ["DONE", "RUNNING", "busy", "start_site_import", "wait_for_imports"]

if TYPE_CHECKING:
    from graph.core.db import Graph
    from graph.core.records import Actor
    from supplygraph.imports.sites import SiteTable
    from supplygraph.settings import Settings

log = logging.getLogger(__name__)
_TASKS: set[asyncio.Task[None]] = set()
# One import at a time per organisation in a process: an upload is matched against the
# organisation's own earlier rows, and a second file at once would only compete for them.
_BY_ORG: dict[str, asyncio.Task[None]] = {}


def busy(org: str) -> bool:
    """An import of `org` is running in this process."""
    task = _BY_ORG.get(org)
    return task is not None and not task.done()


def header_dict(table: SiteTable) -> dict[str, Any]:
    return {"mapped": table.header.mapped, "unknown": table.header.unknown}


async def start_site_import(graph: Graph, settings: Settings, table: SiteTable, *,
                            actor: Actor, user: str, sharing: str) -> str:
    """The new run's id, once it is recorded; the import goes on in the background."""
    run_id = "imp_" + secrets.token_urlsafe(12)
    await runs.create_run(graph, run_id=run_id, org=actor.org, user=user, file=table.name,
                          run=run_key("sites", table.sha256, actor.org,
                                      settings.import_batch_size),
                          total=len(table.records), header=header_dict(table), now=now_iso())
    task = asyncio.get_running_loop().create_task(
        _run(graph, settings, table, actor=actor, run_id=run_id, sharing=sharing))
    _TASKS.add(task)
    _BY_ORG[actor.org] = task
    task.add_done_callback(_TASKS.discard)
    return run_id


async def _run(graph: Graph, settings: Settings, table: SiteTable, *, actor: Actor,
               run_id: str, sharing: str) -> None:
    from supplygraph.imports.sites import import_site_table

    done = 0
    pending: set[asyncio.Task[None]] = set()

    def progress(rows: int) -> None:
        # Called once per batch; the count is stored by a task of its own so that the
        # import does not wait for it (the stored count only grows, whatever the order).
        nonlocal done
        done += rows
        task = asyncio.get_running_loop().create_task(runs.advance(graph, run_id, done))
        pending.add(task)
        task.add_done_callback(pending.discard)

    try:
        summary = await import_site_table(graph, table, actor=actor, settings=settings,
                                          sharing=sharing, progress=progress)
        await asyncio.gather(*pending, return_exceptions=True)
        await runs.finish(graph, run_id, state=runs.DONE, now=now_iso(),
                          summary=summary.as_dict())
    except Exception as exc:  # noqa: BLE001 - the run must end FAILED, whatever broke
        log.warning("import run %s failed: %s", run_id, type(exc).__name__)
        await asyncio.gather(*pending, return_exceptions=True)
        try:
            await runs.finish(graph, run_id, state=runs.FAILED, now=now_iso(),
                              error=type(exc).__name__)
        except Exception:  # noqa: BLE001 - Neo4j gone: the run stays RUNNING
            log.warning("import run %s: its failure could not be recorded", run_id)


async def wait_for_imports() -> None:
    """Every import of this process to its end (for a clean shutdown, and for tests)."""
    while _TASKS:
        await asyncio.gather(*list(_TASKS), return_exceptions=True)
