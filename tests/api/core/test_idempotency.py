"""Idempotency-Key replays: the first result again without writing, a reused key with another body
refused, keys per client, concurrent requests writing once, and the key over HTTP."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from tests.support.writes import (
    CREATE_BRAND,
    OWNER,
    call,
    codes,
    ensure_test_orgs,
    fresh,
    writer,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


async def _brands_named(graph: Graph, name: str) -> int:
    rows = await graph.query("MATCH (b:Brand {name: $n}) RETURN count(b) AS n", {"n": name})
    return int(rows[0]["n"])


# ----- idempotency ----------------------------------------------------------------------------
async def test_same_key_and_body_returns_first_result_without_writing(
        sample_graph: Graph, nrht: Viewer) -> None:
    name, key = fresh("Brand "), secrets.token_hex(8)
    first = await call(sample_graph, nrht, CREATE_BRAND, {"input": {"name": name}}, key=key)
    again = await call(sample_graph, nrht, CREATE_BRAND, {"input": {"name": name}}, key=key)
    assert first.data == again.data
    assert await _brands_named(sample_graph, name) == 1


async def test_same_key_other_body_is_refused(sample_graph: Graph, nrht: Viewer) -> None:
    key = secrets.token_hex(8)
    await call(sample_graph, nrht, CREATE_BRAND, {"input": {"name": fresh("Brand ")}}, key=key)
    other = fresh("Brand ")
    answer = await call(sample_graph, nrht, CREATE_BRAND, {"input": {"name": other}}, key=key)
    assert codes(answer.data["createBrand"]) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await _brands_named(sample_graph, other) == 0


async def test_keys_are_per_client(sample_graph: Graph, nrht: Viewer) -> None:
    other_client = await writer(sample_graph, OWNER, client="second-system")
    name, key = fresh("Brand "), secrets.token_hex(8)
    await call(sample_graph, nrht, CREATE_BRAND, {"input": {"name": name}}, key=key)
    await call(sample_graph, other_client, CREATE_BRAND, {"input": {"name": name}}, key=key)
    assert await _brands_named(sample_graph, name) == 2


async def test_concurrent_requests_with_one_key_write_once(sample_graph: Graph,
                                                           nrht: Viewer) -> None:
    name, key = fresh("Brand "), secrets.token_hex(8)
    answers = await asyncio.gather(*(
        call(sample_graph, nrht, CREATE_BRAND, {"input": {"name": name}}, key=key)
        for _ in range(4)))
    ids = {a.data["createBrand"]["brand"]["id"] for a in answers}
    assert len(ids) == 1
    assert await _brands_named(sample_graph, name) == 1


async def test_failed_write_does_not_consume_the_key(sample_graph: Graph, nrht: Viewer) -> None:
    key = secrets.token_hex(8)
    bad = await call(sample_graph, nrht, CREATE_BRAND, {"input": {"name": "x",
                                                                  "countryCode": "QQ"}}, key=key)
    assert codes(bad.data["createBrand"]) == ["BAD_USER_INPUT"]
    rows = await sample_graph.query("MATCH (k:IdempotencyKey) WHERE k.key ENDS WITH $k "
                                    "RETURN count(k) AS n", {"k": key})
    assert rows[0]["n"] == 0


async def test_idempotency_key_over_http(sample_graph: Graph, nrht: Viewer) -> None:
    """The header itself, through the real app (token issued by the test server's keys)."""
    from starlette.applications import Starlette

    from resolvers.core.context import Context
    from supplygraph.http.graphql import GraphQLView
    from supplygraph.settings import Settings

    name, key = fresh("Brand "), secrets.token_hex(8)

    class View(GraphQLView):
        async def get_context(self, request, response=None):  # type: ignore[no-untyped-def]
            from resolvers.core.loaders import Loaders, RequestGraph

            runner = RequestGraph(sample_graph)
            return Context(viewer=nrht, graph=runner,
                           loaders=Loaders(runner, nrht.cypher_params()),
                           settings=self.settings, request_id="t", request=request,
                           response=response)

    app = Starlette()
    app.add_route("/graphql", View(Settings(_env_file=None)),  # type: ignore[call-arg]
                  methods=["POST"])
    body = {"query": CREATE_BRAND, "variables": {"input": {"name": name}}}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        r1 = await client.post("/graphql", json=body, headers={"Idempotency-Key": key})
        r2 = await client.post("/graphql", json=body, headers={"Idempotency-Key": key})
        r3 = await client.post("/graphql", json={**body, "variables": {"input": {
            "name": name + "x"}}}, headers={"Idempotency-Key": key})
    assert r1.json() == r2.json()
    assert r3.json()["data"]["createBrand"]["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await _brands_named(sample_graph, name) == 1
