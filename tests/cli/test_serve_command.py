"""`supplygraph serve` as operators run it, a real process against the test Neo4j: one or
several worker processes, and a graceful stop on SIGTERM (stop accepting, finish the request
in flight, stop the outbox worker, close the driver, exit 0).

The request in flight is held by a Neo4j write lock this test takes, so "in flight" and
"finished" are conditions the test sets, never durations."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from graph.core.db import Graph
from supplygraph.settings import Settings
from tests.support.alerts import cancel_pending
from tests.support.cli import run_cli
from tests.support.oauth import Actor, make_actor
from tests.support.served import Served, held_site, serve, token, wait_until
from tests.support.writes import CREATE_SITE, fresh_site_name

UPDATE_SITE = """
mutation($id: ID!, $input: UpdateProductionSiteInput!) {
  updateProductionSite(id: $id, input: $input) { site { id workerCount } errors { code } }
}"""

# The request held in flight must outlast nothing but the test's own conditions.
PATIENT = {"SUPPLYGRAPH_QUERY_TIMEOUT_SECONDS": "600",
           "SUPPLYGRAPH_SHUTDOWN_GRACE_SECONDS": "600",
           # The outbox worker runs as in production, so its stop is part of the exit.
           "SUPPLYGRAPH_RUN_WORKER_IN_SERVE": "true"}


async def _writer(graph: Graph) -> Actor:
    return await make_actor(graph, scopes=("sites:read", "sites:write"))


async def _new_site(http: httpx.AsyncClient, auth: dict[str, str]) -> str:
    r = await http.post("/graphql", headers=auth, json={"query": CREATE_SITE, "variables": {
        "input": {"name": fresh_site_name(), "countryCode": "VN"}}})
    payload = r.json()["data"]["createProductionSite"]
    assert payload["outcome"] == "CREATED", payload
    return str(payload["site"]["id"])


async def _update_held_in_flight(graph: Graph, served: Served, actor: Actor, *,
                                 refused_while_draining: bool) -> httpx.Response:
    """Sends an update that waits on a lock this test holds, SIGTERMs `served` while it
    waits, then lets it finish; returns its response."""
    async with httpx.AsyncClient(base_url=served.base_url, timeout=600) as http:
        auth = await token(http, actor)
        site_id = await _new_site(http, auth)
        async with held_site(graph, site_id) as someone_waits:
            in_flight = asyncio.create_task(http.post("/graphql", headers=auth, json={
                "query": UPDATE_SITE, "variables": {"id": site_id,
                                                    "input": {"workerCount": 4321}}}))
            await wait_until(someone_waits, "the update waits for the site's lock")
            served.terminate()
            if refused_while_draining:
                await wait_until(_async(served.refuses_connections),
                                 "serve stops accepting connections")
            assert not in_flight.done()
        return await asyncio.wait_for(in_flight, 300)


def _async(check: Any) -> Any:
    async def condition() -> bool:
        return bool(check())
    return condition


async def test_sigterm_finishes_the_request_in_flight_refuses_new_ones_and_exits_0(
        sample_graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> None:
    # given a serving process (outbox worker on) and a write of a client held in flight
    await cancel_pending(sample_graph)
    actor = await _writer(sample_graph)
    with serve(neo4j_settings, tmp_path, **PATIENT) as served:
        # when it is sent SIGTERM while the write waits
        response = await _update_held_in_flight(sample_graph, served, actor,
                                                refused_while_draining=True)
        # then new connections were refused at once, the write still completed
        assert response.status_code == 200, response.text
        body = response.json()["data"]["updateProductionSite"]
        assert body["errors"] == [] and body["site"]["workerCount"] == 4321
        # and the process stopped its worker and driver and exited 0
        assert await served.exit_code() == 0, served.output()
        assert served.refuses_connections()
        assert "Traceback" not in served.output(), served.output()


async def test_serve_with_two_workers_runs_two_processes_and_stops_gracefully_on_sigterm(
        sample_graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> None:
    # given `serve --workers 2`
    await cancel_pending(sample_graph)
    actor = await _writer(sample_graph)
    with serve(neo4j_settings, tmp_path, "--workers", "2", **PATIENT) as served:
        # uvicorn starts the second worker beside the first; wait for both to be there
        await wait_until(_async(lambda: len(served.workers()) == 2),
                         "two worker processes")
        # when the supervisor is sent SIGTERM while a write waits (the supervisor keeps
        # the listening socket until it exits, so refusal comes only after)
        response = await _update_held_in_flight(sample_graph, served, actor,
                                                refused_while_draining=False)
        # then the write completed and everything exited, the supervisor with 0
        assert response.status_code == 200, response.text
        assert response.json()["data"]["updateProductionSite"]["errors"] == []
        assert await served.exit_code() == 0, served.output()
        assert served.refuses_connections()
        assert "Traceback" not in served.output(), served.output()


def test_workers_below_one_is_refused_with_one_line(neo4j_settings: Settings) -> None:
    out = run_cli(neo4j_settings, "serve", "--workers", "0", timeout=120)
    assert out.returncode == 2
    assert out.stderr.strip() == "supplygraph: --workers must be between 1 and 64, not 0"
