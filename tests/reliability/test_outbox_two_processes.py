"""The alert outbox drained by two `supplygraph worker` processes at once (issue 15: the
outbox worker safe with N processes): each alert reaches the receiver exactly once and ends
DELIVERED. Small batches, so that both processes lease from the same pending entries.

Which process delivers which entry is up to scheduling and is not asserted; the end state
is waited for by bounded polling, and nothing here depends on a time."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from graph.alerts import outbox
from graph.core.db import Graph
from seeds import sample as s
from supplygraph.settings import Settings
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
from tests.support.cli import cli_env
from tests.support.paths import REPO
from tests.support.served import wait_until
from tests.support.writes import writer

ENTRIES = "MATCH (e:OutboxEntry {webhookId: $hook}) RETURN e.id AS id, e.status AS status"


async def test_two_worker_processes_deliver_each_alert_exactly_once(
        sample_graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> None:
    settings = alert_settings(tmp_path)
    buyer = await writer(sample_graph, s.NW_HEALTH)
    monitor = await writer(sample_graph, s.MONITOR_WORKERS, kind="MONITOR")
    # Entries other tests left pending must not be delivered by these workers.
    await cancel_pending(sample_graph)
    hooks = Hooks(sample_graph, settings)
    with receiver() as rec:
        hook = (await hooks.register(buyer, rec.url, new_secret()))["webhook"]["id"]
        try:
            # given 20 alerts waiting for the webhook (10 reports x 2 alerting findings)
            for _ in range(10):
                await report(sample_graph, monitor, settings, ("FORCED_LABOUR", "HIGH"),
                             ("CHILD_LABOUR", "CRITICAL"))
            # when two worker processes drain the outbox at once
            key = settings.webhook_secret_key
            assert key is not None
            env = cli_env(neo4j_settings,
                          SUPPLYGRAPH_WEBHOOK_SECRET_KEY=key.get_secret_value(),
                          SUPPLYGRAPH_WEBHOOK_ALLOW_HOSTS='["127.0.0.1"]',
                          SUPPLYGRAPH_WORKER_BATCH_SIZE="3",
                          SUPPLYGRAPH_WORKER_POLL_SECONDS="0.2")
            workers = [subprocess.Popen([sys.executable, "-m", "supplygraph.cli", "worker"],
                                        env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE) for _ in range(2)]
            try:
                async def all_done() -> bool:
                    rows = await sample_graph.query(ENTRIES, {"hook": hook})
                    return len(rows) == 20 and all(
                        r["status"] != outbox.PENDING for r in rows)

                await wait_until(all_done, "the two workers handle all 20 entries")
            finally:
                for w in workers:
                    w.send_signal(signal.SIGTERM)
                errors = [w.communicate(timeout=60)[1].decode() for w in workers]
            # both stopped cleanly on SIGTERM
            assert [w.returncode for w in workers] == [0, 0], errors
        finally:
            await call_with(sample_graph, buyer, settings, DELETE, {"id": hook})
    # then each entry reached the receiver exactly once (none twice, none lost)
    entries = await sample_graph.query(ENTRIES, {"hook": hook})
    received = Counter(r.headers["x-supplygraph-delivery"] for r in rec.requests)
    assert sorted(received) == sorted(e["id"] for e in entries)
    assert set(received.values()) == {1}
    assert {e["status"] for e in entries} == {outbox.DELIVERED}
