"""Shedding load and time limits through the whole app: a process at its bound of requests in
flight answers 503 OVERLOADED at once (health checks still answered), whether the bound is its
share of the host's or was lowered by slow requests, and a transaction Neo4j stops at the
query time limit answers TIMEOUT with the request id, never an internal error.

A request is held in flight by a Neo4j lock the test holds (tests/support/served.py), not by
sleeping; nothing here measures time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from graph.core.db import Graph
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.oauth import Actor, make_actor
from tests.support.served import held_site, token, wait_until
from tests.support.writes import CREATE_SITE, fresh_site_name

UPDATE_SITE = """
mutation($id: ID!, $input: UpdateProductionSiteInput!) {
  updateProductionSite(id: $id, input: $input) { site { id workerCount } errors { code } }
}"""
ME = {"query": "{ me { clientId } }"}


async def _metric(http: httpx.AsyncClient, name: str) -> float:
    text = (await http.get("/metrics")).text
    return sum(float(line.split()[-1]) for line in text.splitlines()
               if line.startswith(name + " ") or line.startswith(name + "_total "))


@pytest.fixture
async def writer(sample_graph: Graph) -> Actor:
    return await make_actor(sample_graph, scopes=("sites:read", "sites:write"))


@pytest.fixture
def keyed(neo4j_settings: Settings, tmp_path: Path) -> Settings:
    # /readyz's 1 s wait is generous here: this machine may be slow (no timing asserted).
    return neo4j_settings.model_copy(update={"keys_dir": tmp_path / "keys",
                                             "ready_wait_seconds": 60})


async def _client(settings: Settings, graph: Graph) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings, graph))
    async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=300) as c:
        yield c


async def _new_site(http: httpx.AsyncClient, auth: dict[str, str]) -> str:
    r = await http.post("/graphql", headers=auth, json={"query": CREATE_SITE, "variables": {
        "input": {"name": fresh_site_name(), "countryCode": "VN"}}})
    return str(r.json()["data"]["createProductionSite"]["site"]["id"])


def _update(site_id: str) -> dict:
    return {"query": UPDATE_SITE, "variables": {"id": site_id, "input": {"workerCount": 77}}}


async def test_a_process_at_its_bound_answers_503_overloaded_at_once_and_health_checks_pass(
        keyed: Settings, sample_graph: Graph, writer: Actor) -> None:
    # given a process that takes one request at a time, with one held in flight
    settings = keyed.model_copy(update={"max_in_flight": 1})
    patient = Graph(sample_graph.driver, sample_graph.database, 600.0)
    async for http in _client(settings, patient):
        auth = await token(http, writer)
        site_id = await _new_site(http, auth)
        async with held_site(sample_graph, site_id) as someone_waits:
            in_flight = asyncio.create_task(http.post("/graphql", headers=auth,
                                                      json=_update(site_id)))
            await wait_until(someone_waits, "the update waits for the site's lock")
            shed_before = await _metric(http, "supplygraph_requests_shed")
            # when another request arrives
            refused = await http.post("/graphql", headers=auth, json=ME)
            # then it is refused with a code, the request id and when to come back
            assert refused.status_code == 503, refused.text
            [error] = refused.json()["errors"]
            assert error["extensions"]["code"] == "OVERLOADED"
            assert error["extensions"]["requestId"] == refused.headers["x-request-id"]
            assert refused.headers["retry-after"] == "1"
            # and the health checks are not counted against the bound
            assert (await http.get("/healthz")).status_code == 200
            assert (await http.get("/readyz")).status_code == 200
            # and /metrics counts it
            assert await _metric(http, "supplygraph_requests_shed") == shed_before + 1
            assert await _metric(http, "supplygraph_requests_in_flight") == 1
            assert not in_flight.done()
        # and the held request completes, after which requests are taken again
        done = await in_flight
        assert done.status_code == 200
        assert done.json()["data"]["updateProductionSite"]["site"]["workerCount"] == 77
        assert (await http.post("/graphql", headers=auth, json=ME)).status_code == 200


async def _refused_while_one_is_held(http: httpx.AsyncClient, graph: Graph,
                                     auth: dict[str, str], site_id: str) -> httpx.Response:
    """Another request while an update waits on the site's lock (the test holds it)."""
    async with held_site(graph, site_id) as someone_waits:
        in_flight = asyncio.create_task(http.post("/graphql", headers=auth,
                                                  json=_update(site_id)))
        await wait_until(someone_waits, "the update waits for the site's lock")
        refused = await http.post("/graphql", headers=auth, json=ME)
        assert not in_flight.done()
    assert (await in_flight).status_code == 200
    return refused


def _overloaded(refused: httpx.Response) -> None:
    assert refused.status_code == 503, refused.text
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "OVERLOADED"
    assert refused.headers["retry-after"] == "1"


async def test_each_of_two_worker_processes_admits_half_the_hosts_bound(
        keyed: Settings, sample_graph: Graph, writer: Actor) -> None:
    # given a host bound of 2 requests in flight, served by 2 processes (this is one)
    settings = keyed.model_copy(update={"max_in_flight": 2, "workers": 2})
    patient = Graph(sample_graph.driver, sample_graph.database, 600.0)
    async for http in _client(settings, patient):
        auth = await token(http, writer)
        site_id = await _new_site(http, auth)
        # then /metrics shows its share
        assert await _metric(http, "supplygraph_admission_limit") == 1
        # and with one request in flight, another is refused with when to come back
        _overloaded(await _refused_while_one_is_held(http, sample_graph, auth, site_id))


async def test_requests_slower_than_the_target_lower_the_bound_until_one_more_is_refused(
        keyed: Settings, sample_graph: Graph, writer: Actor) -> None:
    # given a process admitting 4 at once whose every request is over the target (1 ns)
    settings = keyed.model_copy(update={"max_in_flight": 4, "admission_min_in_flight": 1,
                                        "admission_target_seconds": 1e-9})
    patient = Graph(sample_graph.driver, sample_graph.database, 600.0)
    async for http in _client(settings, patient):
        assert await _metric(http, "supplygraph_admission_limit") == 4
        decreases_before = await _metric(http, "supplygraph_admission_limit_decreases")
        # when two requests finish one after the other (each admitted after the last halving)
        auth = await token(http, writer)
        site_id = await _new_site(http, auth)
        # then each halved the bound, down to 1, and /metrics says so
        assert await _metric(http, "supplygraph_admission_limit") == 1
        assert await _metric(http, "supplygraph_admission_limit_decreases") == (
            decreases_before + 2)
        # and with one request in flight, another is refused at once with when to come back
        _overloaded(await _refused_while_one_is_held(http, sample_graph, auth, site_id))
        # while the health checks are still answered
        assert (await http.get("/healthz")).status_code == 200


async def test_a_write_stopped_at_the_time_limit_answers_timeout_with_the_request_id(
        keyed: Settings, sample_graph: Graph, writer: Actor) -> None:
    # given requests limited to one second of transaction, and a write that waits on a lock
    hasty = Graph(sample_graph.driver, sample_graph.database, 1.0)
    async for http in _client(keyed, hasty):
        auth = await token(http, writer)
        site_id = await _new_site(http, auth)
        async with held_site(sample_graph, site_id):
            # when the write outlasts the limit
            r = await http.post("/graphql", headers=auth, json=_update(site_id))
        # then Neo4j stopped it and the client is told so, not an internal error
        [error] = r.json()["errors"]
        assert error["extensions"]["code"] == "TIMEOUT", error
        assert error["extensions"]["requestId"] == r.headers["x-request-id"]
        # and nothing was written
        r = await http.post("/graphql", headers=auth, json={
            "query": "query($id: ID!) { productionSite(id: $id) { workerCount } }",
            "variables": {"id": site_id}})
        assert r.json()["data"]["productionSite"]["workerCount"] != 77
