"""The worker where operators run it: inside `serve` (the app's lifespan) and as the
`supplygraph worker` command, against the test Neo4j, delivering to a real local receiver."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from graph.core.db import Graph
from seeds import sample as s
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.oauth import free_port, serve_in_thread
from tests.test_alerts import DELETE, Hooks, report
from tests.support.alerts import _KEY, alert_settings, call_with, new_secret, receiver
from tests.support.writes import writer

CLI = [str(Path(sys.executable).parent / "supplygraph")]


async def _cancel_pending(graph: Graph) -> None:
    await graph.query("MATCH (e:OutboxEntry {status: 'PENDING'}) SET e.status = 'CANCELLED'",
                      write=True)


async def test_serve_runs_a_worker_that_delivers_alerts(
        sample_graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> None:
    await _cancel_pending(sample_graph)
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


async def test_worker_command_once_delivers_due_alerts(
        sample_graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> None:
    await _cancel_pending(sample_graph)
    settings = alert_settings(tmp_path)
    nrht = await writer(sample_graph, s.NW_HEALTH)
    monitor = await writer(sample_graph, s.MONITOR_WORKERS, kind="MONITOR")
    hooks = Hooks(sample_graph, settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SUPPLYGRAPH_"))}
    env.update(SUPPLYGRAPH_DATA_DIR=str(neo4j_settings.data_dir),
               SUPPLYGRAPH_NEO4J_BOLT_PORT=str(neo4j_settings.neo4j_bolt_port),
               SUPPLYGRAPH_WEBHOOK_ALLOW_HOSTS='["127.0.0.1"]',
               SUPPLYGRAPH_WEBHOOK_SECRET_KEY=_KEY)
    try:
        with receiver() as rec:
            await hooks.register(nrht, rec.url, new_secret())
            await report(sample_graph, monitor, settings, ("CHILD_LABOUR", "HIGH"),
                         ("CHILD_LABOUR", "CRITICAL"))
            out = await asyncio.to_thread(
                subprocess.run, [*CLI, "worker", "--once", "--json"], env=env, cwd="/tmp",
                capture_output=True, text=True, timeout=120)
            assert out.returncode == 0, out.stderr
            assert json.loads(out.stdout) == {"handled": 2}
        assert sorted(json.loads(r.body)["finding"]["severity"] for r in rec.requests) == [
            "CRITICAL", "HIGH"]
    finally:
        for viewer, hid in hooks.created:
            await call_with(sample_graph, viewer, settings, DELETE, {"id": hid})
