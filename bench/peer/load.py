"""Interleaved timing of several targets: one client, then N clients for a fixed window.

A target is an async callable that sends one request and raises when the answer is an
error. Targets take turns in every round, in an order that rotates, so that drift of a
noisy machine (another process, the page cache warming, a JIT) falls on all of them alike.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

Send = Callable[[], Awaitable[object]]


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    first_error: str | None = None

    def add_error(self, exc: BaseException) -> None:
        self.errors += 1
        if self.first_error is None:
            self.first_error = f"{type(exc).__name__}: {exc}"[:300]

    def summary(self) -> dict[str, float | int | str | None]:
        lat = sorted(self.latencies)
        return {
            "p50_ms": _pct(lat, 50) * 1000, "p95_ms": _pct(lat, 95) * 1000,
            "requests": self.requests, "errors": self.errors,
            # Answered requests only: an error is fast, and must not pass for throughput.
            "req_per_s": (self.requests - self.errors) / self.seconds if self.seconds else 0.0,
            "first_error": self.first_error,
        }


def _pct(values: list[float], p: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def _rotated(names: list[str], i: int) -> list[str]:
    k = i % len(names)
    return names[k:] + names[:k]


async def _timed(send: Send, fig: Figures) -> None:
    start = time.perf_counter()
    try:
        await send()
    except Exception as exc:  # noqa: BLE001 - an error is a figure, not a crash of the bench
        fig.add_error(exc)
        return
    fig.latencies.append(time.perf_counter() - start)


async def one_client(targets: Mapping[str, Send], repeat: int,
                     warmup: int = 3) -> dict[str, Figures]:
    """`repeat` sequential requests per target, the targets taking turns request by request."""
    names = list(targets)
    for _ in range(warmup):
        for name in names:
            await _timed(targets[name], Figures())
    figs = {name: Figures() for name in names}
    for i in range(repeat):
        for name in _rotated(names, i):
            start = time.perf_counter()
            await _timed(targets[name], figs[name])
            figs[name].requests += 1
            figs[name].seconds += time.perf_counter() - start
    return figs


async def _window(send: Send, clients: int, seconds: float, fig: Figures) -> None:
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < deadline:
            await _timed(send, fig)
            fig.requests += 1

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    fig.seconds += time.perf_counter() - start


async def many_clients(targets: Mapping[str, Send], *, clients: int, seconds: float,
                       rounds: int, sample: Callable[[str], None] | None = None
                       ) -> dict[str, Figures]:
    """`rounds` windows of `seconds` per target with `clients` concurrent clients each;
    req/s is all answered requests over all window time. `sample(name)` is called about
    every 0.5 s while a target's window runs (memory sampling)."""
    names = list(targets)
    figs = {name: Figures() for name in names}
    for i in range(rounds):
        for name in _rotated(names, i):
            window = asyncio.ensure_future(_window(targets[name], clients, seconds, figs[name]))
            while not window.done():
                if sample is not None:
                    sample(name)
                await asyncio.wait([window], timeout=0.5)
            await window
    return figs


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
