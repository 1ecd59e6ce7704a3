"""One async driver per process, pointed at the managed server or at `NEO4J_URI`.

Reads go through `read(...)` (READ routing, so a cluster or Aura serves them from any
member), writes through `write(...)` (WRITE routing): the driver's managed transactions,
which retry transient failures. `query(...)` runs one statement: a write in a managed
transaction, a read as an auto-commit transaction (one round trip instead of three) that
is tried again on a retryable error. Errors leave as `GraphUnavailable` (the
server cannot be reached or refused our credentials) with a message naming the URI, never
the password, and `InvalidBookmark` (the server refused a bookmark a client sent back).

Causal consistency: a `RequestGraph` carries one request's `Bookmarks`, seeded with those the
client sent back (so its reads wait until the server has applied those writes, on whichever
cluster member serves them) and updated by every transaction of the request (so a mutation's
read-back sees its write, and the response can hand the new bookmarks to the client).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, LiteralString, Protocol, TypeVar

import neo4j
from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    NotificationMinimumSeverity,
    RoutingControl,
)
from neo4j.api import AsyncBookmarkManager
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConfigurationError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

if TYPE_CHECKING:
    from supplygraph.settings import Settings

T = TypeVar("T")

_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


class GraphUnavailable(RuntimeError):
    """Neo4j cannot be reached, or refused the configured credentials."""


class InvalidBookmark(ValueError):
    """The server refused a bookmark: not one of its own, or of several databases."""


# A read statement is tried this many times when Neo4j answers with a retryable error.
_READ_ATTEMPTS = 3

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
        return AsyncGraphDatabase.driver(
            uri, auth=auth, connection_timeout=5.0, connection_acquisition_timeout=10.0,
            max_transaction_retry_time=10.0, user_agent="supplygraph",
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

    def __init__(self, driver: AsyncDriver, database: str, query_timeout: float | None = None):
        self.driver = driver
        self.database = database
        self.query_timeout = query_timeout
        # Called after each query with (query_name, seconds); metrics hook in here.
        self.observers: list[Callable[[str, float], None]] = []
        self.round_trips = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Graph:
        return cls(open_driver(settings), settings.neo4j_database,
                   settings.query_timeout_seconds)

    async def close(self) -> None:
        await self.driver.close()

    def _observe(self, name: str, seconds: float) -> None:
        self.round_trips += 1
        for fn in self.observers:
            fn(name, seconds)

    async def query(self, cypher: LiteralString, params: dict[str, Any] | None = None, *,
                    write: bool = False, name: str = "query",
                    bookmarks: Bookmarks | None = None) -> list[dict[str, Any]]:
        """Run one statement in its own managed transaction; records as dicts. Without
        `bookmarks`, the driver's own manager chains the process's `query` calls."""
        import time

        extra: dict[str, Any] = {}
        if bookmarks is not None:
            extra["bookmark_manager_"] = bookmarks.manager
        start = time.perf_counter()
        try:
            if not write:
                return await self._read_one(cypher, params or {}, bookmarks)
            records, _, _ = await self.driver.execute_query(
                neo4j.Query(cypher, timeout=self.query_timeout),
                parameters_=params or {},
                routing_=RoutingControl.WRITE,
                database_=self.database,
                **extra,
            )
        except (ServiceUnavailable, OSError) as exc:
            raise GraphUnavailable("Neo4j is not reachable") from exc
        except ClientError as exc:
            if exc.code in _BOOKMARK_ERRORS:
                raise _invalid(exc, bookmarks) from exc
            raise
        finally:
            self._observe(name, time.perf_counter() - start)
        return [r.data() for r in records]

    async def _read_one(self, cypher: LiteralString, params: dict[str, Any],
                        bookmarks: Bookmarks | None) -> list[dict[str, Any]]:
        """One read statement as an auto-commit transaction: RUN and PULL in one round trip,
        where a managed transaction adds BEGIN and COMMIT (measured: half the wall time and
        half the driver's CPU per statement, and less work for Neo4j). A single statement
        reads one consistent snapshot either way. What the managed transaction gave besides
        is its retry of transient failures (a cluster member leaving, a lock timeout), kept
        here for a statement that has no side effects to repeat."""
        manager = (bookmarks.manager if bookmarks is not None
                   else self.driver.execute_query_bookmark_manager)
        for attempt in range(_READ_ATTEMPTS):
            try:
                async with self.driver.session(
                        database=self.database, default_access_mode=neo4j.READ_ACCESS,
                        bookmark_manager=manager, fetch_size=-1) as session:
                    result = await session.run(
                        neo4j.Query(cypher, timeout=self.query_timeout), params)
                    return [r.data() async for r in result]
            except (TransientError, SessionExpired) as exc:
                if attempt + 1 == _READ_ATTEMPTS or not exc.is_retryable():
                    raise
        raise AssertionError("unreachable")

    async def read(self, fn: Callable[[AsyncManagedTransaction], Awaitable[T]], *,
                   bookmarks: Bookmarks | None = None) -> T:
        return await self._session(fn, write=False, bookmarks=bookmarks)

    async def write(self, fn: Callable[[AsyncManagedTransaction], Awaitable[T]], *,
                    bookmarks: Bookmarks | None = None) -> T:
        return await self._session(fn, write=True, bookmarks=bookmarks)

    async def _session(self, fn: Callable[[AsyncManagedTransaction], Awaitable[T]], *,
                       write: bool, bookmarks: Bookmarks | None) -> T:
        mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        manager = bookmarks.manager if bookmarks is not None else None
        try:
            async with self.driver.session(database=self.database, default_access_mode=mode,
                                           bookmark_manager=manager) as session:
                if write:
                    return await session.execute_write(fn)
                return await session.execute_read(fn)
        except ClientError as exc:
            if exc.code in _BOOKMARK_ERRORS:
                raise _invalid(exc, bookmarks) from exc
            raise


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

    async def read(self, fn: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        return await self.graph.read(fn, bookmarks=self.bookmarks)

    async def write(self, fn: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        self.bookmarks.wrote = True
        return await self.graph.write(fn, bookmarks=self.bookmarks)
