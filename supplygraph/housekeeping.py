"""The server's sweeper: removes what has expired and would otherwise pile up.

Every `web_purge_minutes` (0: never) it deletes expired web sessions and forgets expired
setup links (graph/orgs/users.purge_sessions), as `supplygraph users purge-sessions` does
once. Neither is ever accepted once expired, sweep or not (each read checks the time); the
sweep only keeps Neo4j from holding them. It runs in each `serve` process beside the alert
worker (supplygraph/worker.py), with the same shape: `run_once`, and `run` until `stop`.
Several processes sweeping at once is harmless: a delete of what is already gone does
nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from graph.orgs.users import Purged, purge_sessions

if TYPE_CHECKING:
    from graph.core.db import Graph
    from supplygraph.settings import Settings

log = logging.getLogger("supplygraph.housekeeping")


class Sweeper:
    def __init__(self, graph: Graph, settings: Settings) -> None:
        self.graph = graph
        self.interval = settings.web_purge_minutes * 60
        self.stop = asyncio.Event()

    async def run_once(self) -> Purged:
        purged = await purge_sessions(self.graph)
        if purged.sessions or purged.setup_links:
            log.info("removed %d expired web sessions and %d expired setup links",
                     purged.sessions, purged.setup_links)
        return purged

    async def run(self) -> None:
        while not self.stop.is_set():
            try:
                await self.run_once()
            except Exception:  # noqa: BLE001 - Neo4j away for a while: try at the next turn
                log.exception("session sweep failed")
            try:
                await asyncio.wait_for(self.stop.wait(), self.interval)
            except TimeoutError:
                pass
