"""Prometheus metrics: GraphQL requests and latency by operation type, Neo4j query time, errors
by code, requests in flight, shed and the limit on them (supplygraph/http/admission.py), the
Neo4j circuit's state and outages (graph/core/circuit.py). One process-wide registry;
`/metrics` renders it in the text format.

`/metrics` is open (no token), so its labels come from small fixed vocabularies of ours
(query / mutation / subscription, error codes) and never from a request: no client-chosen
operation name, and no per-query label, which would let one tenant watch what another does.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response

from graph.core.db import Graph

REGISTRY = CollectorRegistry(auto_describe=True)

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

GRAPHQL_REQUESTS = Counter("supplygraph_graphql_requests",
                           "GraphQL operations executed, by operation type.",
                           ["type"], registry=REGISTRY)
GRAPHQL_LATENCY = Histogram("supplygraph_graphql_latency_seconds",
                            "GraphQL operation latency, by operation type.", ["type"],
                            buckets=_BUCKETS, registry=REGISTRY)
GRAPHQL_ERRORS = Counter("supplygraph_graphql_errors", "GraphQL errors by extensions.code.",
                         ["code"], registry=REGISTRY)
NEO4J_QUERY_SECONDS = Histogram("supplygraph_neo4j_query_seconds",
                                "Neo4j round-trip time of the service's queries.",
                                buckets=_BUCKETS, registry=REGISTRY)

IN_FLIGHT = Gauge("supplygraph_requests_in_flight",
                  "GraphQL and OAuth requests this process is working on.", registry=REGISTRY)
SHED = Counter("supplygraph_requests_shed",
               "Requests answered 503 OVERLOADED at once: the process was at its limit.",
               registry=REGISTRY)
ADMISSION_LIMIT = Gauge("supplygraph_admission_limit",
                        "Requests this process admits at once now (its share of "
                        "max_in_flight, lowered while requests finish slower than the target).",
                        registry=REGISTRY)
ADMISSION_DECREASES = Counter("supplygraph_admission_limit_decreases",
                              "Times a request slower than the target halved the limit.",
                              registry=REGISTRY)
CIRCUIT_OPEN = Gauge("supplygraph_neo4j_circuit_open",
                     "1 while Neo4j is unreachable and every request fails fast.",
                     registry=REGISTRY)
CIRCUIT_OUTAGES = Gauge("supplygraph_neo4j_circuit_outages",
                        "Times the circuit in front of Neo4j opened since the process started.",
                        registry=REGISTRY)

_KINDS = frozenset({"query", "mutation", "subscription"})


class GraphQLMetrics:
    """The `schema.core.errors.OperationMetrics` of the service: requests, latency, error codes."""

    def operation(self, kind: str, seconds: float) -> None:
        label = kind if kind in _KINDS else "unknown"
        GRAPHQL_REQUESTS.labels(label).inc()
        GRAPHQL_LATENCY.labels(label).observe(seconds)

    def error(self, code: str) -> None:
        GRAPHQL_ERRORS.labels(code).inc()


GRAPHQL_METRICS = GraphQLMetrics()


def _observe_query(name: str, seconds: float) -> None:
    NEO4J_QUERY_SECONDS.observe(seconds)


def observe_graph(graph: Graph) -> None:
    """Hooks Neo4j query timing into `graph` (once per Graph)."""
    if _observe_query not in graph.observers:
        graph.observers.append(_observe_query)


async def metrics_endpoint(request: Request) -> Response:
    graph = getattr(request.app.state, "graph", None)
    circuit = getattr(graph, "circuit", None)
    if circuit is not None:
        CIRCUIT_OPEN.set(0 if circuit.admit() else 1)
        CIRCUIT_OUTAGES.set(circuit.opened)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
