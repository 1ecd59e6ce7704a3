"""The `supplygraph worker` command, as operators run it, against the test Neo4j, delivering
to a real local receiver."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from graph.core.db import Graph
from seeds import sample as s
from supplygraph.settings import Settings
from tests.support.alerts import (
    _KEY,
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

CLI = [str(Path(sys.executable).parent / "supplygraph")]


async def test_worker_command_once_delivers_due_alerts(
        sample_graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> None:
    await cancel_pending(sample_graph)
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
