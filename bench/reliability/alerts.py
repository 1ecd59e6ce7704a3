"""Alerts under the API kill: a webhook receiver of the scenario's own (stdlib HTTP server on
127.0.0.1 in a thread, recording each delivery's `X-Supplygraph-Delivery` id), a webhook
registered through the API for the submitting organisation, and the count afterwards.

Each submission of `scenarios.api_kill` has one HIGH finding, so each acknowledged report
should leave one outbox entry for the webhook and one delivery at the receiver. Counted:
`alerts expected` (acknowledged reports), `alerts delivered` (distinct delivery ids
received), `alerts missing` (an acknowledged report's finding whose entry never reached the
receiver, or has no entry), `alerts duplicated` (a delivery id received more than once: at
least once on the wire when a worker dies mid-delivery, docs/alerts.md; or a finding with
two entries). The API runs its outbox worker for this scenario, with short leases so that a
delivery the kill interrupted is taken again within seconds (`WORKER_ENV`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from cryptography.fernet import Fernet

from bench.reliability.env import Stack

REGISTER = """mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) {
  webhook { id } errors { code message path } } }"""
DELETE = "mutation($id: ID!) { deleteWebhook(id: $id) { deleted errors { code } } }"

# The worker inside each `serve` process, allowed to post to 127.0.0.1, quick to retry.
WORKER_ENV = {
    "SUPPLYGRAPH_RUN_WORKER_IN_SERVE": "true",
    "SUPPLYGRAPH_WEBHOOK_ALLOW_HOSTS": '["127.0.0.1"]',
    "SUPPLYGRAPH_WEBHOOK_TIMEOUT_SECONDS": "5",
    "SUPPLYGRAPH_WORKER_LEASE_SECONDS": "15",
    "SUPPLYGRAPH_WORKER_POLL_SECONDS": "0.5",
    "SUPPLYGRAPH_WEBHOOK_BACKOFF_SECONDS": "0.5",
    "SUPPLYGRAPH_WEBHOOK_BACKOFF_MAX_SECONDS": "2",
}

ENTRIES = ("MATCH (e:OutboxEntry {webhookId: $hook}) "
           "RETURN e.id AS id, e.subjectId AS finding, e.status AS status")
FINDINGS = ("UNWIND $titles AS t MATCH (:AuditReport {title: t})-[:HAS_FINDING]->(f:Finding) "
            "RETURN f.id AS finding")


class Received:
    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()


@contextlib.contextmanager
def receiver() -> Iterator[tuple[str, Received]]:
    got = Received()

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            self.rfile.read(int(self.headers.get("content-length") or 0))
            with got.lock:
                got.ids[self.headers.get("x-supplygraph-delivery") or "?"] += 1
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    finally:
        server.shutdown()
        server.server_close()


def worker_env() -> dict[str, str]:
    return {**WORKER_ENV, "SUPPLYGRAPH_WEBHOOK_SECRET_KEY": Fernet.generate_key().decode()}


async def register(stack: Stack, url: str) -> str:
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=60) as http:
        r = await http.post("/graphql", headers=stack.auth(0), json={
            "query": REGISTER, "variables": {"input": {
                "url": url, "secret": secrets.token_urlsafe(24)}}})
    payload = r.json()["data"]["registerWebhook"]
    if not payload["webhook"]:
        raise RuntimeError(f"the webhook was refused: {payload['errors']}")
    return str(payload["webhook"]["id"])


async def unregister(stack: Stack, hook: str) -> None:
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=60) as http:
        await http.post("/graphql", headers=stack.auth(0),
                        json={"query": DELETE, "variables": {"id": hook}})


async def count(stack: Stack, hook: str, got: Received, acked_titles: list[str],
                patience: float = 120.0) -> dict[str, Any]:
    """Waits (bounded) until no entry of the webhook is pending, then counts."""
    deadline = time.monotonic() + patience
    entries: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        entries = await stack.cypher(ENTRIES, hook=hook)
        if entries and all(e["status"] != "PENDING" for e in entries):
            break
        await asyncio.sleep(0.5)
    findings = {r["finding"] for r in await stack.cypher(FINDINGS, titles=acked_titles)}
    with got.lock:
        ids = Counter(got.ids)
    received_findings = {e["finding"] for e in entries if e["id"] in ids}
    per_finding = Counter(e["finding"] for e in entries)
    statuses = Counter(e["status"] for e in entries)
    return {
        "alerts expected": len(findings),
        "alerts delivered": len(ids),
        "alerts missing": len(findings - received_findings),
        "alerts duplicated": sum(n - 1 for n in ids.values() if n > 1)
        + sum(n - 1 for n in per_finding.values() if n > 1),
        "outbox": json.dumps(dict(statuses)),
    }
