"""Prometheus metrics: GraphQL requests and latency per operation, Neo4j query time, errors
by code. One process-wide registry; `/metrics` renders it in the text format."""

from __future__ import annotations

import re
import threading

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response

from graph.core.db import Graph

REGISTRY = CollectorRegistry(auto_describe=True)

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

GRAPHQL_REQUESTS = Counter("supplygraph_graphql_requests", "GraphQL operations executed.",
                           ["operation"], registry=REGISTRY)
GRAPHQL_LATENCY = Histogram("supplygraph_graphql_latency_seconds",
                            "GraphQL operation latency.", ["operation"], buckets=_BUCKETS,
                            registry=REGISTRY)
GRAPHQL_ERRORS = Counter("supplygraph_graphql_errors", "GraphQL errors by extensions.code.",
                         ["code"], registry=REGISTRY)
NEO4J_QUERY_SECONDS = Histogram("supplygraph_neo4j_query_seconds",
                                "Neo4j round-trip time per named query.", ["query"],
                                buckets=_BUCKETS, registry=REGISTRY)

# Operation names come from clients: bound their number so the label set stays small.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAX_OPERATIONS = 200
_seen: set[str] = set()
_lock = threading.Lock()


def operation_label(name: object) -> str:
    if name is None or name == "":
        return "anonymous"
    if not isinstance(name, str) or not _NAME.match(name):
        return "invalid"
    with _lock:
        if name in _seen:
            return name
        if len(_seen) >= _MAX_OPERATIONS:
            return "other"
        _seen.add(name)
        return name


class GraphQLMetrics:
    """The `schema.core.errors.OperationMetrics` of the service: requests, latency, error codes."""

    def operation(self, name: str | None, seconds: float) -> None:
        label = operation_label(name)
        GRAPHQL_REQUESTS.labels(label).inc()
        GRAPHQL_LATENCY.labels(label).observe(seconds)

    def error(self, code: str) -> None:
        GRAPHQL_ERRORS.labels(code).inc()


GRAPHQL_METRICS = GraphQLMetrics()


def _observe_query(name: str, seconds: float) -> None:
    NEO4J_QUERY_SECONDS.labels(name[:64]).observe(seconds)


def observe_graph(graph: Graph) -> None:
    """Hooks Neo4j query timing into `graph` (once per Graph)."""
    if _observe_query not in graph.observers:
        graph.observers.append(_observe_query)


async def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
