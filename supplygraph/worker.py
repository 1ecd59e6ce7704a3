"""The alert worker: leases outbox entries, delivers them to webhooks, records every attempt.

Any number of workers may run (one inside each `serve` process by default, or
`supplygraph worker` processes): an entry is leased by one worker at a time
(`graph.alerts.outbox.lease`), so each alert is delivered once in the normal case. If a worker dies
mid-delivery its lease expires and another delivers again with the **same**
`X-Supplygraph-Delivery` id: delivery is at-least-once on the wire, and a receiver that
ignores ids it has already processed gets exactly-once processing (docs/alerts.md).

Per entry: read the webhook and its owner's visibility; re-read the finding as that owner
(not readable, or outside its exposure for `onlyMyExposure` -> DROPPED, no request); re-check
the URL (DNS rebinding); POST the signed JSON body without following redirects; 2xx ->
DELIVERED; anything else -> retry after an exponential backoff with jitter, FAILED after
`webhook_max_attempts`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import socket
import time
import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import httpx

from graph.alerts import outbox
from graph.alerts.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    check_url,
    decrypt_secret,
    sign,
)

if TYPE_CHECKING:
    from graph.core.db import Graph
    from supplygraph.settings import Settings

log = logging.getLogger("supplygraph.worker")


def _now_iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(
        timespec="milliseconds").replace("+00:00", "Z")


def backoff_ms(attempt: int, settings: Settings, rng: random.Random | None = None) -> int:
    """Delay before attempt `attempt + 1`: base * 2^(attempt-1), capped, with "equal
    jitter" (half fixed, half random) so that retries of many entries spread out."""
    base = min(settings.webhook_backoff_max_seconds,
               settings.webhook_backoff_seconds * 2 ** max(0, attempt - 1))
    jitter = (rng or random).uniform(0, base / 2)
    return int((base / 2 + jitter) * 1000)


class Worker:
    """Drains the outbox. `run_once` handles one batch; `run` loops until `stop` is set."""

    def __init__(self, graph: Graph, settings: Settings, *, name: str | None = None,
                 client: httpx.AsyncClient | None = None,
                 clock: Any = None) -> None:
        self.graph = graph
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._client = client
        self._own_client = client is None
        self.clock = clock or (lambda: int(time.time() * 1000))
        self.stop = asyncio.Event()

    @property
    def lease_ms(self) -> int:
        # Longer than any delivery can take, so a live worker never loses its lease.
        return int(max(self.settings.worker_lease_seconds,
                       2 * self.settings.webhook_timeout_seconds + 5) * 1000)

    async def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.settings.webhook_timeout_seconds, follow_redirects=False,
                trust_env=False, headers={"User-Agent": "supplygraph-webhooks/1"})
        return self._client

    async def close(self) -> None:
        if self._client is not None and self._own_client:
            await self._client.aclose()
            self._client = None

    async def run_once(self) -> int:
        """Lease one batch and deliver it; returns how many entries were handled."""
        entries = await outbox.lease(self.graph, owner=self.name, now_ms=self.clock(),
                                     lease_ms=self.lease_ms,
                                     limit=self.settings.worker_batch_size)
        if entries:
            await asyncio.gather(*(self._handle(e) for e in entries))
        return len(entries)

    async def drain(self, max_rounds: int = 100) -> int:
        """Run batches until none is due (tests, `worker --once`)."""
        total = 0
        for _ in range(max_rounds):
            n = await self.run_once()
            total += n
            if n == 0:
                break
        return total

    async def run(self) -> None:
        log.info("alert worker %s started", self.name)
        try:
            while not self.stop.is_set():
                try:
                    handled = await self.run_once()
                except Exception:  # noqa: BLE001 - keep draining after a transient failure
                    log.exception("alert worker %s: batch failed", self.name)
                    handled = 0
                if handled == 0:
                    try:
                        await asyncio.wait_for(self.stop.wait(),
                                               self.settings.worker_poll_seconds)
                    except TimeoutError:
                        pass
        finally:
            await self.close()

    # ----- one entry ----------------------------------------------------------------------
    async def _finish(self, entry: dict[str, Any], status: str, **kw: Any) -> None:
        ok = await outbox.finish(self.graph, entry, status=status,
                                 now=_now_iso(self.clock()), worker=self.name, **kw)
        if not ok:
            log.warning("alert %s: lease lost before completion (delivered again elsewhere)",
                        entry["id"])

    async def _handle(self, entry: dict[str, Any]) -> None:
        try:
            await self._deliver(entry)
        except Exception as exc:  # noqa: BLE001 - one bad entry must not stop the batch
            log.exception("alert %s: delivery failed", entry["id"])
            await self._retry_or_fail(entry, status_code=None, error=type(exc).__name__,
                                      duration_ms=None)

    async def _deliver(self, entry: dict[str, Any]) -> None:
        hook = await outbox.webhook_for_delivery(self.graph, entry["webhookId"])
        if hook is None or not hook.get("active") or not hook.get("secretEnc"):
            await self._finish(entry, outbox.CANCELLED, attempted=False,
                               drop_reason="the webhook was deleted")
            return
        ref = outbox.reference(entry)
        data, why = await outbox.recipient_view(
            self.graph, hook["viewer"], finding_id=ref.get("findingId", entry["subjectId"]),
            only_my_exposure=bool(hook.get("onlyMyExposure")))
        if data is None:
            await self._finish(entry, outbox.DROPPED, attempted=False, drop_reason=why)
            return
        refused = await check_url(hook["url"], self.settings)
        if refused is not None:
            await self._retry_or_fail(entry, status_code=None, error=refused, duration_ms=None)
            return
        body = json.dumps({"id": entry["id"], "event": entry["event"],
                           "createdAt": entry["createdAt"], "webhookId": hook["id"], **data},
                          sort_keys=True, separators=(",", ":")).encode()
        ts = self.clock() // 1000
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: sign(decrypt_secret(hook["secretEnc"], self.settings),
                                          ts, body),
                   DELIVERY_HEADER: entry["id"], EVENT_HEADER: entry["event"]}
        client = await self._http()
        start = time.perf_counter()
        try:
            response = await client.post(hook["url"], content=body, headers=headers)
        except httpx.HTTPError as exc:
            await self._retry_or_fail(entry, status_code=None, error=type(exc).__name__,
                                      duration_ms=int((time.perf_counter() - start) * 1000))
            return
        duration = int((time.perf_counter() - start) * 1000)
        if 200 <= response.status_code < 300:
            await self._finish(entry, outbox.DELIVERED, attempted=True,
                               status_code=response.status_code, duration_ms=duration)
        else:
            await self._retry_or_fail(entry, status_code=response.status_code,
                                      error=f"HTTP {response.status_code}", duration_ms=duration)

    async def _retry_or_fail(self, entry: dict[str, Any], *, status_code: int | None,
                             error: str | None, duration_ms: int | None) -> None:
        attempt = int(entry.get("attempts") or 0) + 1
        if attempt >= self.settings.webhook_max_attempts:
            await self._finish(entry, outbox.FAILED, attempted=True, status_code=status_code,
                               error=error, duration_ms=duration_ms)
            return
        await self._finish(entry, outbox.PENDING, attempted=True, status_code=status_code,
                           error=error, duration_ms=duration_ms,
                           next_attempt_ms=self.clock() + backoff_ms(attempt, self.settings))
