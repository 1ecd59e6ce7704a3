"""Issue 15's circuit around every transaction: fail fast while Neo4j is gone, probe it, warm
it, and let requests back in a few at a time.

When a transaction cannot reach Neo4j (`GraphUnavailable` from graph/core/transactions.py),
the circuit (graph/core/circuit.py) opens and every transaction fails at once while a
background task asks Neo4j for a read of the configured database every
`circuit_retry_seconds`, closing the circuit at its first answer with data (an error,
transient or not, is no answer: a starting Neo4j gives those).

With `warm_statements` (off by default, unproven), before closing, the probe runs the reads
this process runs most, once each, bounded (graph/core/warm.py): their plans are made again
on the restarted server while requests are still answered 503 at once.
Just after that, Neo4j is still cool (a fresh JVM, the rarer plans to make): for its first
`warm_transactions` transactions at most `warm_in_flight` new requests' transactions run at
once, the others waiting for a turn (at most 1 s, then `GraphBusy`); a request that had a
turn goes on without queueing again. Without that every waiting client arrived at
once, and each cold plan was made by all of them together on Neo4j's two cores: the first
success came 16-20 s after Neo4j answered (bench/README.md).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import LiteralString, TypeVar

import neo4j
from neo4j import AsyncDriver
from neo4j.exceptions import ClientError, TransientError

from graph.core.circuit import Circuit
from graph.core.transactions import (
    UNREACHABLE,
    GraphBusy,
    GraphTimeout,
    GraphUnavailable,
    InvalidBookmark,
)
from graph.core.warm import RecentReads, warm

T = TypeVar("T")
log = logging.getLogger("supplygraph.graph")

# The circuit's probe: a real read of the configured database (answered from the count store).
_PROBE: LiteralString = "MATCH (n) RETURN count(n) AS n"


class Recovery:
    """The circuit, its probe and the warm-up turns of one `Graph` (one driver)."""

    def __init__(self, driver: AsyncDriver, database: str, circuit: Circuit, *,
                 warm_in_flight: int, warm_transactions: int, acquisition_timeout: float,
                 probe_timeout: float, warm_statements: int, warm_seconds: float) -> None:
        self.driver = driver
        self.database = database
        self.circuit = circuit
        self._prober: asyncio.Task[None] | None = None
        # After an outage: a bound on transactions in flight until Neo4j is warm again.
        self.warm_in_flight = warm_in_flight
        self.warm_transactions = warm_transactions
        self.acquisition_timeout = acquisition_timeout
        # The probe's bound on one ask (connect, read): a server that accepts and never
        # answers must not stall the probe.
        self.probe_timeout = probe_timeout
        self.warming: asyncio.Semaphore | None = None
        # Before closing, the probe runs the reads this process runs most (graph/core/warm.py).
        self.recent_reads = RecentReads()
        self.warm_statements = warm_statements
        self.warm_seconds = warm_seconds
        self.warmed: list[str] = []  # what the last warming ran (for tests and debugging)
        self._warm_left = 0
        # Requests (by their causal chain, a `Bookmarks`) that had a turn: their later
        # transactions do not queue again behind every newcomer's first, or no request
        # would finish first.
        self._warm_admitted: weakref.WeakSet[object] = weakref.WeakSet()

    def close(self) -> None:
        if self._prober is not None:
            self._prober.cancel()

    async def guard(self, attempts: Callable[[], Awaitable[T]], chain: object | None) -> T:
        """`attempts` behind the circuit, taking a warm-up turn where one is due; `chain`
        is the request's causal chain (its `Bookmarks`), if it has one."""
        if not self.circuit.admit():
            raise GraphUnavailable("Neo4j is not reachable (failing fast until a probe "
                                   "reaches it)")
        warming = self.warming
        if warming is None or (chain is not None and chain in self._warm_admitted):
            return await self._behind_circuit(attempts)
        try:
            # At most 1 s: a turn that does not come soon is a 503 to retry, not a hang.
            async with asyncio.timeout(min(self.acquisition_timeout, 1.0)):
                await warming.acquire()
        except TimeoutError as exc:
            raise GraphBusy("Neo4j is warming up after an outage; try again shortly") from exc
        if chain is not None:
            self._warm_admitted.add(chain)
        try:
            result = await self._behind_circuit(attempts)
        finally:
            warming.release()
        self._warm_left -= 1
        if self._warm_left <= 0 and self.warming is warming:
            self.warming = None  # warm: no bound but the pool's (waiters still get turns)
            self._warm_admitted = weakref.WeakSet()
            log.info("Neo4j warm again: transactions no longer bounded")
        return result

    async def _behind_circuit(self, attempts: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await attempts()
        except GraphUnavailable:
            self._unreachable()
            raise
        except (ClientError, TransientError, GraphTimeout, InvalidBookmark):
            self.circuit.reached()  # the server answered, with an error of its own
            raise
        self.circuit.reached()
        return result

    def _unreachable(self) -> None:
        if self.circuit.unreachable():
            log.warning("Neo4j unreachable: circuit open, failing fast while a probe asks it")
        if self._prober is None or self._prober.done():
            self._prober = asyncio.get_running_loop().create_task(
                self.probe(), name="neo4j-circuit-probe")

    async def probe(self) -> None:
        """Asks Neo4j every `retry_seconds` until a read on the configured database
        succeeds, then closes the circuit."""
        while not self.circuit.admit():
            await asyncio.sleep(self.circuit.retry_seconds)
            if not await self.ping() or not await self._warm_plans():
                self.circuit.unreachable()
                continue
            since = self.circuit.since or 0.0
            if self.warm_transactions > 0:
                self.warming = asyncio.Semaphore(self.warm_in_flight)
                self._warm_left = self.warm_transactions
            self.circuit.reached()
            log.warning("Neo4j answers again: circuit closed after %.1f s open",
                        self.circuit.clock() - since)

    async def _warm_plans(self) -> bool:
        """The reads this process runs most, once each, before requests come back (plans
        made and compiled on the restarted server; graph/core/warm.py). False: Neo4j went
        away again meanwhile."""
        warmed = await warm(self.driver, self.database,
                            self.recent_reads.most_run(self.warm_statements),
                            budget=self.warm_seconds, timeout=self.probe_timeout,
                            in_flight=self.warm_in_flight, unreachable=UNREACHABLE)
        if warmed is None:
            return False
        self.warmed = warmed
        return True

    async def ping(self) -> bool:
        """One read of the configured database, one attempt, bounded: True only when it
        answered with data. Any error keeps the circuit open: a Neo4j that is starting
        answers Bolt before its database, with errors the request path takes for "the
        server is there" (transient ones it retries for `retry_seconds`); closing on those
        let requests in seconds early, to hang in those retries (bench/README.md)."""
        try:
            async with asyncio.timeout(self.probe_timeout):
                async with self.driver.session(database=self.database,
                                               default_access_mode=neo4j.READ_ACCESS,
                                               fetch_size=-1) as session:
                    # The count store: a read of the database's data that costs nothing.
                    result = await session.run(_PROBE)
                    await result.consume()
        except Exception as exc:  # noqa: BLE001 - anything but an answer: not usable yet
            log.debug("circuit probe: %s: %s", type(exc).__name__, exc)
            return False
        return True
