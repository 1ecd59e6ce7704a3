"""GraphQL over HTTP: non-JSON bodies, batches, metrics, Neo4j unavailable, masked internal
errors, and a real member token through the whole stack."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import AsyncGraphDatabase
from starlette.applications import Starlette

from auth.client_secrets import hash_secret, new_client_secret
from auth.viewer import Viewer
from graph.orgs.clients import create_client
from graph.core.db import Graph
from seeds import sample as s
from supplygraph.app import create_app
from supplygraph.http.graphql import graphql_routes
from supplygraph.settings import Settings
from tests.support.viewers import AsViewer

# The sample's own organisations as actors (tests/api/conftest.py).
pytestmark = pytest.mark.sample_actors


# ----- HTTP ---------------------------------------------------------------------------------
def _app(settings: Settings, graph: Graph, viewer: Viewer) -> Starlette:
    app = Starlette(routes=graphql_routes(settings))
    app.state.graph = graph
    app.add_middleware(AsViewer, viewer=viewer)
    return app


@pytest.fixture
async def http(neo4j_settings: Settings, sample_graph: Graph,
               nrht: Viewer) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=_app(neo4j_settings, sample_graph, nrht))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_non_json_body_is_400_json(http: httpx.AsyncClient) -> None:
    r = await http.post("/graphql", content=b"{not json",
                        headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    r = await http.post("/graphql", content=b"query=1", headers={"content-type": "text/plain"})
    assert r.status_code in (400, 415) and "errors" in r.json()


async def test_batches_over_the_bound_are_refused_and_within_it_answered(
        http: httpx.AsyncClient) -> None:
    op = {"query": "{ me { clientId } }"}
    ok = await http.post("/graphql", json=[op] * 3)
    assert ok.status_code == 200 and len(ok.json()) == 3
    r = await http.post("/graphql", json=[op] * 11)
    assert r.status_code == 400
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_metrics_count_operations_errors_and_neo4j_time(http: httpx.AsyncClient) -> None:
    await http.post("/graphql", json={"query": "query SitesForMetrics { productionSites "
                                               "{ totalCount } }",
                                      "operationName": "SitesForMetrics"})
    await http.post("/graphql", json={"query": "{ productionSites(first: -1) { totalCount } }"})
    text = (await http.get("/metrics")).text
    assert 'supplygraph_graphql_requests_total{type="query"}' in text
    assert 'supplygraph_graphql_latency_seconds_bucket{le="0.005",type="query"}' in text
    assert 'supplygraph_graphql_errors_total{code="BAD_USER_INPUT"}' in text
    assert "supplygraph_neo4j_query_seconds_count " in text
    # /metrics is open: it names no client-chosen operation and no query of ours, so that
    # one tenant cannot watch what another does
    assert "SitesForMetrics" not in text and "list_sites" not in text
    labels = {m for line in text.splitlines() if not line.startswith("#")
              for m in re.findall(r'(\w+)="', line)}
    assert labels <= {"type", "code", "le"}


async def test_neo4j_unreachable_is_service_unavailable_not_a_hang(
        neo4j_settings: Settings, nrht: Viewer) -> None:
    driver = AsyncGraphDatabase.driver("bolt://127.0.0.1:9", auth=("neo4j", "x"),
                                       connection_timeout=1.0, max_transaction_retry_time=1.0)
    dead = Graph(driver, "neo4j", 2.0)
    try:
        transport = httpx.ASGITransport(app=_app(neo4j_settings, dead, nrht))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            r = await c.post("/graphql", json={"query": "{ productionSites { totalCount } }"})
    finally:
        await driver.close()
    # a 503 with Retry-After (issue 15), so that proxies and clients see what it is
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    error = r.json()["errors"][0]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["extensions"]["requestId"] == r.headers["x-request-id"]
    assert "bolt" not in error["message"]


async def test_internal_errors_are_masked_with_a_request_id(
        http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.lists as lists

    async def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail: /var/lib/neo4j")

    monkeypatch.setattr(lists, "run_list", boom)
    r = await http.post("/graphql", json={"query": "{ productionSites { totalCount } }"})
    error = r.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] == r.headers["x-request-id"]
    assert "secret" not in r.text


async def test_member_token_answers_through_the_whole_stack(neo4j_settings: Settings,
                                                            sample_graph: Graph,
                                                            tmp_path: Path) -> None:
    settings = neo4j_settings.model_copy(update={"keys_dir": tmp_path / "keys"})
    secret = new_client_secret()
    await create_client(sample_graph, client_id="sgc_read_test_nrht", org_id=s.NW_HEALTH,
                        secret_hash=hash_secret(secret),
                        scopes=["sites:read", "reports:read", "contracts:read"])
    app = create_app(settings, sample_graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as c:
        anonymous = await c.post("/graphql", json={"query": "{ me { clientId } }"})
        assert anonymous.status_code == 401
        tok = await c.post("/oauth/token", data={"grant_type": "client_credentials"},
                           auth=("sgc_read_test_nrht", secret))
        token = tok.json()["access_token"]
        r = await c.post("/graphql", headers={"authorization": f"Bearer {token}"}, json={
            "query": 'query { contract(id: "%s") { value { amount } } me { clientId } }'
                     % s.CONTRACT_NW_HEALTH_LAPTOPS})
    assert r.json()["data"] == {"contract": {"value": {"amount": 4_200_000.0}},
                                "me": {"clientId": "sgc_read_test_nrht"}}
    # contract and me objects; value an object within the contract: the cost is 3
    assert r.json()["extensions"] == {"cost": {"requested": 3, "charged": 3,
                                               "maximum": settings.max_query_cost}}
