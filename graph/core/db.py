"""One async driver per process, pointed at the managed server or at `NEO4J_URI`.

Reads go through `read(...)` (READ routing, so a cluster or Aura serves them from any
member), writes through `write(...)` (WRITE routing). Both use the driver's managed
transactions, which retry transient failures. Errors leave as `GraphUnavailable` (the
server cannot be reached or refused our credentials) with a message naming the URI, never
the password.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, LiteralString, Protocol, TypeVar

import neo4j
from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    NotificationMinimumSeverity,
    RoutingControl,
)
from neo4j.exceptions import AuthError, ConfigurationError, ServiceUnavailable

if TYPE_CHECKING:
    from supplygraph.settings import Settings

T = TypeVar("T")

_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


class GraphUnavailable(RuntimeError):
    """Neo4j cannot be reached, or refused the configured credentials."""


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
                    write: bool = False, name: str = "query") -> list[dict[str, Any]]:
        """Run one statement in its own managed transaction; records as dicts."""
        import time

        start = time.perf_counter()
        try:
            records, _, _ = await self.driver.execute_query(
                neo4j.Query(cypher, timeout=self.query_timeout),
                parameters_=params or {},
                routing_=RoutingControl.WRITE if write else RoutingControl.READ,
                database_=self.database,
            )
        except (ServiceUnavailable, OSError) as exc:
            raise GraphUnavailable("Neo4j is not reachable") from exc
        finally:
            self._observe(name, time.perf_counter() - start)
        return [r.data() for r in records]

    async def read(self, fn: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        async with self.driver.session(database=self.database,
                                       default_access_mode=neo4j.READ_ACCESS) as session:
            return await session.execute_read(fn)

    async def write(self, fn: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        async with self.driver.session(database=self.database,
                                       default_access_mode=neo4j.WRITE_ACCESS) as session:
            return await session.execute_write(fn)


class QueryRunner(Protocol):
    """What runs one named query: a `Graph`, or a `RequestGraph` counting a request's."""

    async def query(self, cypher: LiteralString, params: dict[str, Any] | None = None, *,
                    write: bool = False, name: str = "query") -> list[dict[str, Any]]: ...


class RequestGraph:
    """The app's Graph seen by one request: same driver, its own round-trip count."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.round_trips = 0

    async def query(self, cypher: LiteralString, params: dict[str, Any] | None = None, *,
                    write: bool = False, name: str = "query") -> list[dict[str, Any]]:
        self.round_trips += 1
        return await self.graph.query(cypher, params, write=write, name=name)
