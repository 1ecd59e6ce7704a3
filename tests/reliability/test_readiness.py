"""/readyz with the circuit open answers 503 SERVICE_UNAVAILABLE from the circuit's state
alone: it never waits on the driver (a connect to a Neo4j that is starting, a pool), which is
what made it take 9-10 s during an outage (bench/README.md, "Reliability"). The driver is
swapped for one that fails the test if anything touches it; nothing here measures time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graph.core.circuit import State
from graph.core.db import Graph
from supplygraph.app import create_app
from supplygraph.settings import Settings


class _Untouchable:
    """Stands in for the driver while the circuit is open: any use of it is a failure."""

    used: list[str]

    def __init__(self) -> None:
        object.__setattr__(self, "used", [])

    def __getattr__(self, name: str) -> Any:
        self.used.append(name)
        raise AssertionError(f"/readyz used the driver ({name}) with the circuit open")


@pytest.fixture
async def own_graph(neo4j_settings: Settings) -> AsyncIterator[Graph]:
    # A Graph of its own: opening its circuit must not fail other tests' requests.
    graph = Graph.from_settings(neo4j_settings)
    try:
        yield graph
    finally:
        await graph.close()


async def test_readyz_with_the_circuit_open_answers_503_without_touching_the_driver(
        neo4j_settings: Settings, sample_graph: Graph, own_graph: Graph) -> None:
    # A generous wait for the answers that should be 200: this machine may be slow.
    app = create_app(neo4j_settings.model_copy(update={"ready_wait_seconds": 60}), own_graph)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        assert (await http.get("/readyz")).status_code == 200, "not ready before the test"
        # given an open circuit (as after a failed connect) and a driver nobody may use
        own_graph.circuit.unreachable()
        driver, untouchable = own_graph.driver, _Untouchable()
        own_graph.driver = untouchable  # type: ignore[assignment]
        try:
            r = await http.get("/readyz")
        finally:
            own_graph.driver = driver
        # then /readyz is 503 SERVICE_UNAVAILABLE with the request id, from the circuit alone
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["code"] == "SERVICE_UNAVAILABLE"
        assert body["circuit"] == State.OPEN.value
        assert body["requestId"] == r.headers["x-request-id"]
        assert r.headers["retry-after"] == "1"
        assert untouchable.used == []
        # and once the circuit closes, /readyz asks Neo4j again
        own_graph.circuit.reached()
        assert (await http.get("/readyz")).status_code == 200
