"""Warming a restarted Neo4j before the circuit lets requests back in (issue 15).

A Neo4j that has just started answers its first queries slowly: every query shape is
parsed, planned and compiled again on a JVM that has not run that code yet. Measured after a
SIGKILL and restart (bench/reliability `neo4j-kill`, load ~20): the first two bearer checks
took 8 s each and the visibility-heavy reads 5-16 s, all of them planning at once while the
clients retried; the first request succeeded 25 s after the circuit closed.

So `Graph` remembers the reads this process runs most (`RecentReads`: the statement and the
parameters of its first run, a bounded number of statements with small parameters only) and,
once its probe has a real answer from Neo4j, runs each of them once (`warm`) before closing
the circuit: their plans are in Neo4j's cache and its JIT has run the code when the requests
come back, and meanwhile the requests are answered 503 at once instead of waiting on cold
plans. Running them (reads, auto-commit, results thrown away) rather than EXPLAIN: the plan
cache is keyed by the parameters' types as well as the text, and the first execution compiles
the runtime's code too. Bounded: at most `budget` seconds in all, each statement at most
`timeout`; what is not warm by then warms under the requests (the warm-up turns of
graph/core/recovery.py). A process that ran no reads before the outage has nothing to warm.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, cast

import neo4j
from neo4j import AsyncDriver

log = logging.getLogger("supplygraph.graph")

# Parameters kept only when small (what a request sends, not an import's batch): the memory
# this holds is bounded by MAX_STATEMENTS x these.
_MAX_LIST = 64
_MAX_STR = 512
_MAX_KEYS = 32


def _small(value: Any, depth: int = 0) -> bool:
    if depth > 3:
        return False
    if isinstance(value, str):
        return len(value) <= _MAX_STR
    if isinstance(value, (list, tuple)):
        return len(value) <= _MAX_LIST and all(_small(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return len(value) <= _MAX_KEYS and all(
            isinstance(k, str) and _small(v, depth + 1) for k, v in value.items())
    return value is None or isinstance(value, (bool, int, float))


class RecentReads:
    """The read statements this process runs, counted, with the parameters of a first run."""

    MAX_STATEMENTS = 48

    def __init__(self) -> None:
        self._seen: dict[str, list[Any]] = {}  # cypher -> [count, params]

    def add(self, cypher: str, params: dict[str, Any] | None) -> None:
        entry = self._seen.get(cypher)
        if entry is not None:
            entry[0] += 1
        elif len(self._seen) < self.MAX_STATEMENTS and _small(params or {}):
            self._seen[cypher] = [1, dict(params or {})]

    def most_run(self, limit: int) -> list[tuple[str, dict[str, Any]]]:
        ranked = sorted(self._seen.items(), key=lambda kv: -kv[1][0])[:limit]
        return [(cypher, entry[1]) for cypher, entry in ranked]

    def __len__(self) -> int:
        return len(self._seen)


async def warm(driver: AsyncDriver, database: str, statements: list[tuple[str, dict[str, Any]]],
               *, budget: float, timeout: float, in_flight: int,
               unreachable: tuple[type[BaseException], ...]) -> list[str] | None:
    """Runs each statement once, at most `in_flight` at a time, within `budget` seconds;
    returns those that answered. None when Neo4j could not be reached meanwhile (the circuit
    stays open); any other error is the statement's own and is skipped."""
    if not statements or budget <= 0:
        return []
    started = time.monotonic()
    deadline = started + budget
    turns = asyncio.Semaphore(max(1, in_flight))
    lost = asyncio.Event()
    done: list[str] = []

    async def one(cypher: str, params: dict[str, Any]) -> None:
        async with turns:
            left = deadline - time.monotonic()
            if left <= 0 or lost.is_set():
                return
            try:
                async with asyncio.timeout(min(left, timeout)):
                    async with driver.session(database=database,
                                              default_access_mode=neo4j.READ_ACCESS,
                                              fetch_size=-1) as session:
                        result = await session.run(cast(Any, cypher), params)
                        await result.consume()
                done.append(cypher)
            except TimeoutError:  # an OSError, but only this statement's bound: skip it
                log.debug("warming a statement: over %.1f s", timeout)
            except unreachable:
                lost.set()
            except Exception as exc:  # noqa: BLE001 - a cold statement failing is no outage
                log.debug("warming a statement: %s: %s", type(exc).__name__, exc)

    await asyncio.gather(*(one(c, p) for c, p in statements))
    log.warning("Neo4j warmed: %d of %d frequent reads run in %.1f s", len(done),
                len(statements), time.monotonic() - started)
    return None if lost.is_set() else done
