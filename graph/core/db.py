"""One async driver per process, pointed at the managed server or at `NEO4J_URI`.

Reads go through `read(...)` (READ routing, so a cluster or Aura serves them from any
member), writes through `write(...)` (WRITE routing), single statements through `query(...)`.
Each runs as a transaction of ours (graph/core/transactions.py: the retry loop and the
errors it raises) behind issue 15's circuit (graph/core/recovery.py: fail fast, probe, warm).

Causal consistency: a `RequestGraph` carries one request's `Bookmarks`, seeded with those the
client sent back (so its reads wait until the server has applied those writes, on whichever
cluster member serves them) and updated by every transaction of the request (so a mutation's
read-back sees its write, and the response can hand the new bookmarks to the client).
"""

from __future__ import annotations

import time
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
from neo4j.exceptions import AuthError, ConfigurationError, ServiceUnavailable

from graph.core.circuit import Circuit
from graph.core.recovery import Recovery
from graph.core.transactions import GraphUnavailable, InvalidBookmark, run_transaction

if TYPE_CHECKING:
    from supplygraph.settings import Settings

T = TypeVar("T")

# What a record's value is made of when a statement returns maps, lists and properties (all
# of ours): the driver's unpacker builds fresh dicts and lists of these, which need no copy.
_LEAVES = frozenset({str, int, float, bool, type(None)})
_EXPORTER = neo4j._data.RecordExporter()  # what Record.data() applies: nodes become dicts


def _exported(value: Any) -> Any:
    """`value` as `Record.data()` gives it, without rebuilding what is already plain: the
    driver's exporter walks and copies every nested map and list (a supply chain's thousand
    entries: a sixth of the request's CPU); here lists and dicts are walked in place and
    only a node, relationship or path (or anything else not plain) goes to the exporter."""
    kind = type(value)
    if kind is list:
        for i, item in enumerate(value):
            if type(item) not in _LEAVES:
                value[i] = _exported(item)
        return value
    if kind is dict:
        for key, item in value.items():
            if type(item) not in _LEAVES:
                value[key] = _exported(item)
        return value
    return _EXPORTER.transform(value)


_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


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
        self.retry_seconds = retry_seconds
        self.recovery = Recovery(driver, database, circuit or Circuit(retry_seconds=0.5),
                                 warm_in_flight=warm_in_flight,
                                 warm_transactions=warm_transactions,
                                 acquisition_timeout=acquisition_timeout,
                                 probe_timeout=probe_timeout, warm_statements=warm_statements,
                                 warm_seconds=warm_seconds)
        # Called after each query with (query_name, seconds); metrics hook in here.
        self.observers: list[Callable[[str, float], None]] = []
        self.round_trips = 0

    @property
    def circuit(self) -> Circuit:
        return self.recovery.circuit

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
        self.recovery.close()
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
            keys = result.keys()
            return [{k: v if type(v) in _LEAVES else _exported(v) for k, v in zip(keys, r)}
                    async for r in result]

        manager = bookmarks.manager if bookmarks is not None \
            else self.driver.execute_query_bookmark_manager
        start = time.perf_counter()
        try:
            if not write:
                self.recovery.recent_reads.add(cypher, params)
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
        """`fn` in a transaction (graph/core/transactions.py) behind the circuit
        (graph/core/recovery.py); with `autocommit`, `fn` gets the session and runs one
        auto-commit statement."""
        async def attempts() -> T:
            try:
                return await run_transaction(self.driver, self.database, fn, write=write,
                                             manager=manager, timeout=timeout,
                                             retry_seconds=self.retry_seconds,
                                             autocommit=autocommit)
            except InvalidBookmark:
                if bookmarks is not None:
                    bookmarks.refused = True
                raise

        return await self.recovery.guard(attempts, bookmarks)


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
