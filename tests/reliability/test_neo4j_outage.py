"""Neo4j really stopped and started again under a running app (its own server, so that no
other test loses its database): every read, write and /readyz answers 503
SERVICE_UNAVAILABLE with the request id while it is gone, and requests succeed again once it
is back, without restarting the app (graph/core/circuit.py, docs/operations.md).

Behaviour, not speed, is asserted: the return is waited for by polling under a generous
bound, since this machine may be slow; the suite (bench/reliability) measures the times."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from graph.core.circuit import State
from graph.core.db import Graph
from graph.core.migrate import migrate
from graph.server.managed import ManagedNeo4j
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.neo4j import managed_server
from tests.support.oauth import make_actor
from tests.support.served import token, wait_until
from tests.support.writes import CREATE_SITE, fresh_site_name

READ = {"query": "{ productionSites(first: 5) { totalCount } }"}


def _create() -> dict:
    return {"query": CREATE_SITE,
            "variables": {"input": {"name": fresh_site_name(), "countryCode": "VN"}}}


@pytest.fixture(scope="module")
def outage_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    # A server of its own (this test stops it), small: it holds only what the test writes.
    with managed_server(tmp_path_factory, "neo4j-outage", neo4j_heap="512m",
                        neo4j_pagecache="128m",
                        # a site's read must not be served from the viewer cache alone
                        viewer_cache_seconds=0) as settings:
        yield settings


@pytest.fixture
async def outage_graph(outage_settings: Settings) -> AsyncIterator[Graph]:
    graph = Graph.from_settings(outage_settings)
    await migrate(graph)
    try:
        yield graph
    finally:
        await graph.close()


def _unavailable(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    body = r.json()
    code = body["errors"][0]["extensions"] if "errors" in body else body
    assert code["code"] == "SERVICE_UNAVAILABLE", body
    assert code["requestId"] == r.headers["x-request-id"]


async def test_with_neo4j_gone_every_request_is_503_and_it_recovers_without_a_restart(
        outage_settings: Settings, outage_graph: Graph, tmp_path: Path) -> None:
    # /readyz's 1 s wait is generous here: a restarted Neo4j's first plans are slow.
    settings = outage_settings.model_copy(update={"keys_dir": tmp_path / "keys",
                                                  "ready_wait_seconds": 60})
    server = ManagedNeo4j(outage_settings)
    actor = await make_actor(outage_graph, scopes=("sites:read", "sites:write"))
    app = create_app(settings, outage_graph)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=300) as http:
        # given a working service
        auth = await token(http, actor)
        assert (await http.post("/graphql", headers=auth, json=READ)).status_code == 200
        assert (await http.post("/graphql", headers=auth, json=_create())).status_code == 200
        # when Neo4j stops
        await asyncio.to_thread(server.stop)
        try:
            # then reads, writes and /readyz answer 503 SERVICE_UNAVAILABLE, again and again
            for _ in range(3):
                _unavailable(await http.post("/graphql", headers=auth, json=READ))
                _unavailable(await http.post("/graphql", headers=auth, json=_create()))
                _unavailable(await http.get("/readyz"))
            assert outage_graph.circuit.state is State.OPEN
            assert outage_graph.circuit.opened >= 1
            # and the process itself still answers, and says the circuit is open
            assert (await http.get("/healthz")).status_code == 200
            assert "supplygraph_neo4j_circuit_open 1.0" in (await http.get("/metrics")).text
        finally:
            # when Neo4j comes back
            await asyncio.to_thread(server.start)

        async def read_succeeds() -> bool:
            r = await http.post("/graphql", headers=auth, json=READ)
            return r.status_code == 200 and "errors" not in r.json()

        # then requests succeed again, from the same app, and the circuit is closed
        await wait_until(read_succeeds, "a read succeeds after Neo4j is back")
        assert outage_graph.circuit.state is State.CLOSED
        assert "supplygraph_neo4j_circuit_open 0.0" in (await http.get("/metrics")).text
        r = await http.post("/graphql", headers=auth, json=_create())
        assert r.json()["data"]["createProductionSite"]["outcome"] == "CREATED", r.text
        assert (await http.get("/readyz")).status_code == 200
