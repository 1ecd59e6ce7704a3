"""The soak (issue 15: "RSS flat over a 10-minute soak"): the mixed load of `mix` (80% reads,
20% report submissions with their Idempotency-Keys) at a moderate, steady rate for N minutes,
the API processes' resident memory sampled every 10 s.

Open loop: a request starts every 1/rate seconds whatever the answers' times (at most
`MAX_OPEN` at once, so that a stalled server is seen as lateness, not as a pile of tasks in
this process). Printed: the RSS curve (minute, MB) and its least-squares slope over the
second half in MB per minute (the first half includes the caches filling: plans, viewers,
parsed documents); acknowledged writes are checked as in `mix`. Nothing asserts.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import httpx

from bench.reliability.env import Stack
from bench.reliability.scenarios import (
    CLIENT_TIMEOUT,
    _acked,
    _read,
    _send,
    _submission,
    _writes_check,
)
from bench.reliability.stats import Recorder

SAMPLE_SECONDS = 10.0
MAX_OPEN = 32


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points; 0 for fewer than two."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / var if var else 0.0


async def soak(stack: Stack, minutes: float = 10.0, rate: float = 10.0,
               writes: float = 0.2) -> Recorder:
    rec = Recorder("soak")
    rec.extra["RSS before MB"] = stack.api_rss_mb()
    rng = random.Random(2026)
    acked: list[str] = []
    sent: dict[str, dict[str, Any]] = {}
    curve: list[tuple[float, float]] = []  # (seconds since start, MB)
    started = time.monotonic()
    until = started + minutes * 60
    open_now = asyncio.Semaphore(MAX_OPEN)
    late = 0

    async def sample() -> None:
        while True:
            curve.append((time.monotonic() - started, stack.api_rss_mb()))
            print(f"soak: {curve[-1][0] / 60:5.1f} min  RSS {curve[-1][1]:7.1f} MB  "
                  f"{len(rec.latencies)} answers", flush=True)
            await asyncio.sleep(SAMPLE_SECONDS)

    async def one(http: httpx.AsyncClient, i: int) -> None:
        try:
            headers = stack.auth(i)
            if rng.random() < writes:
                key, body = _submission(stack, rng)
                sent[key] = {"client": i % len(stack.tokens), "body": body}
                result = await _send(http, rec, body, {**headers, "Idempotency-Key": key})
                if _acked(result):
                    acked.append(key)
            else:
                await _send(http, rec, _read(stack, rng), headers)
        finally:
            open_now.release()

    sampler = asyncio.create_task(sample())
    tasks: set[asyncio.Task[None]] = set()
    limits = httpx.Limits(max_connections=MAX_OPEN, max_keepalive_connections=MAX_OPEN)
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=CLIENT_TIMEOUT,
                                 limits=limits) as http:
        n = 0
        next_at = started
        while time.monotonic() < until:
            if open_now.locked():
                late += 1
            await open_now.acquire()
            task = asyncio.create_task(one(http, n))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            n += 1
            next_at += 1.0 / rate
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        await asyncio.gather(*tasks, return_exceptions=True)
    sampler.cancel()
    curve.append((time.monotonic() - started, stack.api_rss_mb()))
    rec.stop()
    half = [(t / 60, mb) for t, mb in curve if t >= curve[-1][0] / 2]
    print("soak: RSS curve (min, MB): "
          + ", ".join(f"{t / 60:.1f} {mb:.0f}" for t, mb in curve), flush=True)
    rec.extra.update({
        "minutes": minutes, "rate req/s": rate, "late starts": late,
        "RSS min/max MB": f"{min(mb for _, mb in curve):.0f}/{max(mb for _, mb in curve):.0f}",
        "RSS slope 2nd half MB/min": round(slope(half), 2),
        "RSS after MB": stack.api_rss_mb()})
    await _writes_check(stack, rec, acked, list(sent))
    return rec
