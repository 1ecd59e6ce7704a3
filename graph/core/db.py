"""One async driver per process, pointed at the managed server or at `NEO4J_URI`.

Reads go through `read(...)` (READ routing, so a cluster or Aura serves them from any
member), writes through `write(...)` (WRITE routing), single statements through `query(...)`.
Each runs as a transaction of ours behind a circuit breaker (graph/core/circuit.py), retried
here rather than by the driver's managed transactions: those retry a dead server for
`max_transaction_retry_time` (the 14 s wait of issue 15) and hide each attempt from the
circuit. Here a dropped connection is tried once more on a fresh one, then the circuit opens
and every transaction fails at once while a background task asks Neo4j for a read of the
configured database every `circuit_retry_seconds`, closing the circuit at its first answer
with data (an error, transient or not, is no answer: a starting Neo4j gives those).

With `warm_statements` (off by default, unproven), before closing, the probe runs the reads
this process runs most, once each, bounded (graph/core/warm.py): their plans are made again
on the restarted server while requests are still answered 503 at once.
Just after that, Neo4j is still cool (a fresh JVM, the rarer plans to make): for its first
`warm_transactions` transactions at most `warm_in_flight` new requests' transactions run at
once, the others waiting for a turn (at most 1 s, then `GraphBusy`); a request that had a
turn goes on without queueing again. Without that every waiting client arrived at
once, and each cold plan was made by all of them together on Neo4j's two cores: the first
success came 16-20 s after Neo4j answered (bench/README.md).

Transient errors (deadlocks, a leader switch) are retried with backoff for
`neo4j_retry_seconds`. A write whose connection drops while committing is not retried (it
may have been applied): the client retries with its Idempotency-Key, which makes that safe.

Errors leave as `GraphUnavailable` (the server cannot be reached, or refused our credentials;
the message names the URI, never the password), `GraphBusy` (no pooled connection came free
within the acquisition timeout), `GraphTimeout` (Neo4j stopped the transaction at its time
limit) and `InvalidBookmark` (the server refused a bookmark a client sent back).

Causal consistency: a `RequestGraph` carries one request's `Bookmarks`, seeded with those the
client sent back (so its reads wait until the server has applied those writes, on whichever
cluster member serves them) and updated by every transaction of the request (so a mutation's
read-back sees its write, and the response can hand the new bookmarks to the client).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, LiteralString, Protocol, TypeVar

import neo4j
from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    NotificationMinimumSeverity,
)
from neo4j.api import AsyncBookmarkManager
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    ConnectionAcquisitionTimeoutError,
    DatabaseUnavailable,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph.core.circuit import Circuit
from graph.core.warm import RecentReads, warm

if TYPE_CHECKING:
    from supplygraph.settings import Settings

T = TypeVar("T")
log = logging.getLogger("supplygraph.graph")

_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


class GraphUnavailable(RuntimeError):
    """Neo4j cannot be reached, or refused the configured credentials."""


class GraphBusy(RuntimeError):
    """Every pooled connection stayed busy for the acquisition timeout: this process is
    asking more of Neo4j than its pool holds."""


class GraphTimeout(RuntimeError):
    """Neo4j stopped the transaction at its time limit (ours or the server's)."""


# Neo4j could not be reached: these open the circuit.
_UNREACHABLE = (ServiceUnavailable, SessionExpired, DatabaseUnavailable, OSError)
# The circuit's probe: a real read of the configured database (answered from the count store).
_PROBE: LiteralString = "MATCH (n) RETURN count(n) AS n"
# The server's codes for a transaction it stopped at a time limit (the driver reports the
# last two as client errors; a stop by an operator reads the same and is answered the same).
_TIMEOUT_CODES = frozenset({"Neo.ClientError.Transaction.TransactionTimedOut",
                            "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
                            "Neo.ClientError.Transaction.Terminated",
                            "Neo.ClientError.Transaction.LockClientStopped"})


class InvalidBookmark(ValueError):
    """The server refused a bookmark: not one of its own, or of several databases."""


_BOOKMARK_ERRORS = frozenset({"Neo.ClientError.Transaction.InvalidBookmark",
                              "Neo.ClientError.Transaction.InvalidBookmarkMixture"})


def _invalid(exc: ClientError, bookmarks: Bookmarks | None) -> InvalidBookmark:
    if bookmarks is not None:
        bookmarks.refused = True
    return InvalidBookmark(exc.message or exc.code or "invalid bookmark")


class Bookmarks:
    """One request's causal chain: what its transactions must see, and what they left."""

    def __init__(self, initial: Iterable[str] = ()) -> None:
        self.manager: AsyncBookmarkManager = AsyncGraphDatabase.bookmark_manager(
            initial_bookmarks=neo4j.Bookmarks.from_raw_values(list(initial)))
        self.wrote = False
        self.refused = False  # the server refused the initial bookmarks

    async def current(self) -> list[str]:
        """The bookmarks a later request must send to see everything this one did."""
        return sorted(await self.manager.get_bookmarks())


def connection_params(settings: Settings) -> tuple[str, tuple[str, str]]:
    """(uri, auth) for the configured server: `NEO4J_URI`, or the managed local one."""
    if settings.neo4j_uri:
        uri = settings.neo4j_uri
        if not uri.startswith(_SCHEMES):
            raise GraphUnavailable(
                f"NEO4J_URI={uri!r} is not a Neo4j URI: use bolt://, neo4j:// or neo4j+s://"
            )
        if settings.neo4j_password is None:
            raise GraphUnavailable(f"NEO4J_PASSWORD is not set for NEO4J_URI={uri}")
        return uri, (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    from graph.server.managed import ManagedNeo4j

    server = ManagedNeo4j(settings)
    if not server.password_file.exists():
        raise GraphUnavailable(
            f"the managed Neo4j in {server.home} has not been started: "
            "run `supplygraph neo4j start` or set NEO4J_URI"
        )
    return server.uri, (settings.neo4j_user, server.password())


def open_driver(settings: Settings) -> AsyncDriver:
    uri, auth = connection_params(settings)
    try:
        # Sized in docs/operations.md ("Limits and timeouts"): the pool holds one connection
        # per request in flight and then some; waiting for one, or for a server that does
        # not answer a connect, is bounded well below a client's patience.
        return AsyncGraphDatabase.driver(
            uri, auth=auth, connection_timeout=settings.neo4j_connection_timeout_seconds,
            connection_acquisition_timeout=settings.neo4j_acquisition_timeout_seconds,
            max_connection_pool_size=settings.neo4j_max_pool_size,
            user_agent="supplygraph",
            # No server notifications: on a fresh database every query naming a property or
            # relationship type not written yet gets one ("property key does not exist"),
            # which the driver logs as a warning on stderr. Errors are not notifications.
            notifications_min_severity=NotificationMinimumSeverity.OFF,
        )
    except (ConfigurationError, ValueError) as exc:
        raise GraphUnavailable(f"cannot use NEO4J_URI={uri}: {type(exc).__name__}") from exc


async def check_connectivity(driver: AsyncDriver, settings: Settings) -> None:
    uri, _ = connection_params(settings)
    try:
        await driver.verify_connectivity()
    except AuthError as exc:
        raise GraphUnavailable(f"Neo4j at {uri} refused the credentials for user "
                               f"{settings.neo4j_user!r}") from exc
    except (ServiceUnavailable, OSError) as exc:
        raise GraphUnavailable(f"Neo4j at {uri} is not reachable") from exc


class Graph:
    """The driver plus the database name: what every `graph/` function takes."""

    def __init__(self, driver: AsyncDriver, database: str, query_timeout: float | None = None,
                 *, circuit: Circuit | None = None, retry_seconds: float = 5.0,
                 warm_in_flight: int = 2, warm_transactions: int = 50,
                 acquisition_timeout: float = 2.0, probe_timeout: float = 5.0,
                 warm_statements: int = 0, warm_seconds: float = 10.0) -> None:
        self.driver = driver
        self.database = database
        self.query_timeout = query_timeout
        self.circuit = circuit or Circuit(retry_seconds=0.5)
        self.retry_seconds = retry_seconds
        self._prober: asyncio.Task[None] | None = None
        # After an outage: a bound on transactions in flight until Neo4j is warm again.
        self.warm_in_flight = warm_in_flight
        self.warm_transactions = warm_transactions
        self.acquisition_timeout = acquisition_timeout
        # The probe's bound on one ask (connect, read): a server that accepts and never
        # answers must not stall the probe.
        self.probe_timeout = probe_timeout
        self._warming: asyncio.Semaphore | None = None
        # Before closing, the probe runs the reads this process runs most (graph/core/warm.py).
        self.recent_reads = RecentReads()
        self.warm_statements = warm_statements
        self.warm_seconds = warm_seconds
        self.warmed: list[str] = []  # what the last warming ran (for tests and debugging)
        self._warm_left = 0
        # Requests (by their causal chain) that had a turn: their later transactions do not
        # queue again behind every newcomer's first, or no request would finish first.
        self._warm_admitted: weakref.WeakSet[Bookmarks] = weakref.WeakSet()
        # Called after each query with (query_name, seconds); metrics hook in here.
        self.observers: list[Callable[[str, float], None]] = []
        self.round_trips = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Graph:
        return cls(open_driver(settings), settings.neo4j_database,
                   settings.query_timeout_seconds,
                   circuit=Circuit(retry_seconds=settings.circuit_retry_seconds),
                   retry_seconds=settings.neo4j_retry_seconds,
                   warm_in_flight=settings.circuit_warm_in_flight,
                   warm_transactions=settings.circuit_warm_transactions,
                   acquisition_timeout=settings.neo4j_acquisition_timeout_seconds,
                   probe_timeout=settings.neo4j_connection_timeout_seconds,
                   warm_statements=settings.circuit_warm_statements,
                   warm_seconds=settings.circuit_warm_seconds)

    async def close(self) -> None:
        if self._prober is not None:
            self._prober.cancel()
        await self.driver.close()

    def _observe(self, name: str, seconds: float) -> None:
        self.round_trips += 1
        for fn in self.observers:
            fn(name, seconds)

    async def query(self, cypher: LiteralString, params: dict[str, Any] | None = None, *,
                    write: bool = False, name: str = "query",
                    bookmarks: Bookmarks | None = None) -> list[dict[str, Any]]:
        """Run one statement in its own transaction, within `query_timeout`; records as
        dicts. Without `bookmarks`, the driver's own manager chains the process's calls."""
        async def work(tx: Any) -> list[dict[str, Any]]:
            result = await tx.run(cypher, params or {})
            return list(await result.data())

        async def read_one(session: Any) -> list[dict[str, Any]]:
            result = await session.run(neo4j.Query(cypher, timeout=self.query_timeout),
                                       params or {})
            return [r.data() async for r in result]

        manager = bookmarks.manager if bookmarks is not None \
            else self.driver.execute_query_bookmark_manager
        start = time.perf_counter()
        try:
            if not write:
                self.recent_reads.add(cypher, params)
                # An auto-commit transaction: RUN and PULL in one round trip, where an
                # explicit one adds BEGIN and COMMIT (measured: half the wall time and half
                # the driver's CPU per statement). One statement reads one consistent
                # snapshot either way, and has no side effect to repeat on a retry.
                return await self._transaction(read_one, write=False, manager=manager,
                                               bookmarks=bookmarks, autocommit=True)
            return await self._transaction(work, write=write, manager=manager,
                                           bookmarks=bookmarks, timeout=self.query_timeout)
        finally:
            self._observe(name, time.perf_counter() - start)

    async def read(self, fn: Callable[[AsyncManagedTransaction], Awaitable[T]], *,
                   bookmarks: Bookmarks | None = None, timeout: float | None = None) -> T:
        """`fn` in a read transaction; without `timeout`, the server's ceiling applies."""
        return await self._transaction(fn, write=False, bookmarks=bookmarks, timeout=timeout,
                                       manager=bookmarks.manager if bookmarks else None)

    async def write(self, fn: Callable[[AsyncManagedTransaction], Awaitable[T]], *,
                    bookmarks: Bookmarks | None = None, timeout: float | None = None) -> T:
        """`fn` in a write transaction; without `timeout` (the CLI's bulk imports), the
        server's ceiling applies."""
        return await self._transaction(fn, write=True, bookmarks=bookmarks, timeout=timeout,
                                       manager=bookmarks.manager if bookmarks else None)

    async def _transaction(self, fn: Callable[[Any], Awaitable[T]], *, write: bool,
                           manager: Any, bookmarks: Bookmarks | None,
                           timeout: float | None = None, autocommit: bool = False) -> T:
        """`fn` in a transaction, behind the circuit (see the module's docstring); with
        `autocommit`, `fn` gets the session and runs one auto-commit statement."""
        if not self.circuit.admit():
            raise GraphUnavailable("Neo4j is not reachable (failing fast until a probe "
                                   "reaches it)")
        warming = self._warming
        if warming is None or (bookmarks is not None and bookmarks in self._warm_admitted):
            return await self._behind_circuit(fn, write, manager, bookmarks, timeout,
                                              autocommit)
        try:
            # At most 1 s: a turn that does not come soon is a 503 to retry, not a hang.
            async with asyncio.timeout(min(self.acquisition_timeout, 1.0)):
                await warming.acquire()
        except TimeoutError as exc:
            raise GraphBusy("Neo4j is warming up after an outage; try again shortly") from exc
        if bookmarks is not None:
            self._warm_admitted.add(bookmarks)
        try:
            result = await self._behind_circuit(fn, write, manager, bookmarks, timeout,
                                                autocommit)
        finally:
            warming.release()
        self._warm_left -= 1
        if self._warm_left <= 0 and self._warming is warming:
            self._warming = None  # warm: no bound but the pool's (waiters still get turns)
            self._warm_admitted = weakref.WeakSet()
            log.info("Neo4j warm again: transactions no longer bounded")
        return result

    async def _behind_circuit(self, fn: Callable[[Any], Awaitable[T]], write: bool,
                              manager: Any, bookmarks: Bookmarks | None,
                              timeout: float | None, autocommit: bool) -> T:
        try:
            result = await self._attempts(fn, write, manager, bookmarks, timeout, autocommit)
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
                self._probe(), name="neo4j-circuit-probe")

    async def _probe(self) -> None:
        """Asks Neo4j every `retry_seconds` until a read on the configured database
        succeeds, then closes the circuit."""
        while not self.circuit.admit():
            await asyncio.sleep(self.circuit.retry_seconds)
            if not await self._ping() or not await self._warm_plans():
                self.circuit.unreachable()
                continue
            since = self.circuit.since or 0.0
            if self.warm_transactions > 0:
                self._warming = asyncio.Semaphore(self.warm_in_flight)
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
                            in_flight=self.warm_in_flight, unreachable=_UNREACHABLE)
        if warmed is None:
            return False
        self.warmed = warmed
        return True

    async def _ping(self) -> bool:
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

    async def _attempts(self, fn: Callable[[Any], Awaitable[T]], write: bool, manager: Any,
                        bookmarks: Bookmarks | None, timeout: float | None,
                        autocommit: bool = False) -> T:
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        fresh_connection_tries = 1
        delay, deadline = 0.05, None
        while True:
            committing = False
            try:
                async with self.driver.session(database=self.database,
                                               default_access_mode=mode,
                                               bookmark_manager=manager,
                                               fetch_size=-1) as session:
                    if autocommit:
                        return await fn(session)
                    tx = await session.begin_transaction(timeout=timeout)
                    try:
                        result = await fn(tx)
                    except BaseException:
                        await asyncio.shield(_close_quietly(tx))
                        raise
                    committing = True
                    await tx.commit()
                    return result
            except ConnectionAcquisitionTimeoutError as exc:
                raise GraphBusy("no connection to Neo4j came free in time") from exc
            except _UNREACHABLE as exc:
                if committing and write:
                    raise GraphUnavailable("Neo4j went away while the write committed; "
                                           "retry it with its Idempotency-Key") from exc
                if fresh_connection_tries > 0:  # a pooled connection the server dropped
                    fresh_connection_tries -= 1
                    continue
                raise GraphUnavailable("Neo4j is not reachable") from exc
            except ClientError as exc:
                if exc.code in _BOOKMARK_ERRORS:
                    raise _invalid(exc, bookmarks) from exc
                if exc.code in _TIMEOUT_CODES:
                    raise GraphTimeout("the database stopped the transaction at its time "
                                       "limit") from exc
                raise
            except TransientError as exc:
                if not exc.is_retryable():
                    raise
                now = time.monotonic()
                deadline = deadline or now + self.retry_seconds
                if now >= deadline:
                    raise
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter
                delay = min(delay * 2, 1.0)


async def _close_quietly(tx: Any) -> None:
    """Rolls back a transaction whose work failed; its own failure adds nothing."""
    try:
        await tx.close()
    except Exception:  # noqa: BLE001 - the work's error is the one to report
        pass


class QueryRunner(Protocol):
    """What runs one named query: a `Graph`, or a `RequestGraph` counting a request's."""

    async def query(self, cypher: LiteralString, params: dict[str, Any] | None = None, *,
                    write: bool = False, name: str = "query") -> list[dict[str, Any]]: ...


class RequestGraph:
    """The app's Graph seen by one request: same driver, its own round-trip count and its
    own causal chain (`bookmarks`)."""

    def __init__(self, graph: Graph, bookmarks: Bookmarks | None = None) -> None:
        self.graph = graph
        self.bookmarks = bookmarks or Bookmarks()
        self.round_trips = 0

    async def query(self, cypher: LiteralString, params: dict[str, Any] | None = None, *,
                    write: bool = False, name: str = "query") -> list[dict[str, Any]]:
        self.round_trips += 1
        if write:
            self.bookmarks.wrote = True
        return await self.graph.query(cypher, params, write=write, name=name,
                                      bookmarks=self.bookmarks)

    # A request's transactions, reads and writes alike, stop at the query time limit
    # (answered TIMEOUT), so that no request holds a connection longer than that.
    async def read(self, fn: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        return await self.graph.read(fn, bookmarks=self.bookmarks,
                                     timeout=self.graph.query_timeout)

    async def write(self, fn: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        self.bookmarks.wrote = True
        return await self.graph.write(fn, bookmarks=self.bookmarks,
                                      timeout=self.graph.query_timeout)
