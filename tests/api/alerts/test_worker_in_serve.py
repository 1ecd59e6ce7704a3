"""The worker where operators run it: inside `serve` (the app's lifespan), against the test
Neo4j, delivering to a real local receiver (the `supplygraph worker` command:
tests/cli/test_worker_command.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from graph.core.db import Graph
from seeds import sample as s
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.oauth import free_port, serve_in_thread
from tests.support.alerts import (
    DELETE,
    Hooks,
    alert_settings,
    call_with,
    cancel_pending,
    new_secret,
    receiver,
    report,
)
from tests.support.writes import writer

async def test_serve_runs_a_worker_that_delivers_alerts(
        sample_graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> None:
    await cancel_pending(sample_graph)
    settings = alert_settings(tmp_path)
    nrht = await writer(sample_graph, s.NW_HEALTH)
    monitor = await writer(sample_graph, s.MONITOR_WORKERS, kind="MONITOR")
    hooks = Hooks(sample_graph, settings)
    app_settings = neo4j_settings.model_copy(update={
        "keys_dir": tmp_path / "keys", "webhook_allow_hosts": ["127.0.0.1"],
        "webhook_secret_key": settings.webhook_secret_key, "worker_poll_seconds": 0.2,
        "run_worker_in_serve": True})
    try:
        with receiver() as rec, serve_in_thread(create_app(app_settings), free_port()):
            await hooks.register(nrht, rec.url, new_secret())
            await report(sample_graph, monitor, settings, ("FORCED_LABOUR", "CRITICAL"))
            for _ in range(100):
                if rec.requests:
                    break
                await asyncio.sleep(0.1)
            assert len(rec.requests) == 1
    finally:
        for viewer, hid in hooks.created:
            await call_with(sample_graph, viewer, settings, DELETE, {"id": hid})
