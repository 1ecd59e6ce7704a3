"""Server time per web page at scale (issue 14's "done when": p50 per page at `--scale 100000`).

Against a loaded database (`supplygraph seed --scale N`), in process: the app that `serve`
runs, driven by httpx over ASGI (no network, no browser), signed in through the sign-in form
as three people it adds for the run: a buyer (reader) of the organisation holding most
contracts, a monitor (contributor) and the operator's admin. Each page is asked `--repeat`
times after two warm-ups; the table gives p50 and p90 of the wall time of the whole answer
(session lookup, the page's GraphQL document as the person, rendering). The site page is a
site in the buyer's exposure with the most reports; the contract page the buyer's contract
reaching most sites. Nothing here asserts a time.

    SUPPLYGRAPH_DATA_DIR=/tmp/sgbench SUPPLYGRAPH_NEO4J_BOLT_PORT=17787 \\
      .venv/bin/python -m bench.web_pages --repeat 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import statistics
import time
from typing import Any

import httpx

from auth.people import add_person
from graph.core.db import Graph
from graph.core.migrate import migrate
from supplygraph.app import create_app
from supplygraph.settings import Settings

PASSWORD = "bench pages correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def _one(graph: Graph, query: str, params: dict[str, Any] | None = None) -> Any:
    rows = await graph.query(query, params or {})
    return rows[0] if rows else None


async def _subjects(graph: Graph) -> dict[str, str]:
    buyer = await _one(graph, "MATCH (o:Organisation)-[:HOLDS]->(c:Contract) "
                       "RETURN o.id AS id, count(c) AS n ORDER BY n DESC, id LIMIT 1")
    monitor = await _one(graph, "MATCH (o:Organisation {kind: 'MONITOR'}) "
                         "RETURN o.id AS id ORDER BY id LIMIT 1")
    operator = await _one(graph, "MATCH (o:Organisation {kind: 'OPERATOR'}) "
                          "RETURN o.id AS id LIMIT 1")
    contract = await _one(graph, (
        "MATCH (:Organisation {id: $org})-[:HOLDS]->(c:Contract)-[:SOURCED_FROM]->(s) "
        "RETURN c.id AS id, count(s) AS n ORDER BY n DESC, id LIMIT 1"), {"org": buyer["id"]})
    site = await _one(graph, (
        "MATCH (:Organisation {id: $org})-[:HOLDS]->(:Contract)-[:SOURCED_FROM]->(s) "
        "WHERE s.sharing = 'PUBLIC' "
        "OPTIONAL MATCH (s)<-[:ASSESSES]-(r:AuditReport) "
        "RETURN s.id AS id, s.name AS name, count(r) AS n ORDER BY n DESC, id LIMIT 1"),
        {"org": buyer["id"]})
    return {"buyer": buyer["id"], "monitor": monitor["id"], "operator": operator["id"],
            "contract": contract["id"] if contract else "", "site": site["id"],
            "word": str(site["name"]).split()[0]}


async def _signed_in(app: Any, graph: Graph, org: str, role: str) -> httpx.AsyncClient:
    email = f"bench-{role}-{secrets.token_hex(4)}@example.org"
    await add_person(graph, org_id=org, email=email, role=role, password=PASSWORD,
                     setup_hours=1)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                               base_url="http://127.0.0.1:8000")
    page = await client.get("/signin")
    found = _CSRF.search(page.text)
    assert found, "no CSRF field on the sign-in page"
    answer = await client.post("/signin", data={"csrf": found.group(1), "email": email,
                                                 "password": PASSWORD, "next": ""})
    assert answer.status_code == 303, (answer.status_code, answer.text[:300])
    return client


async def _time(client: httpx.AsyncClient, path: str, repeat: int) -> tuple[float, float, int]:
    status = 0
    for _ in range(2):
        status = (await client.get(path)).status_code
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        status = (await client.get(path)).status_code
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.9) - 1)], status


async def main(repeat: int) -> None:
    settings = Settings().model_copy(update={"run_worker_in_serve": False})
    graph = Graph.from_settings(settings)
    try:
        await migrate(graph)
        subj = await _subjects(graph)
        sites = (await _one(graph, "MATCH (s:ProductionSite) RETURN count(s) AS n"))["n"]
        app = create_app(settings, graph=graph)
        buyer = await _signed_in(app, graph, subj["buyer"], "reader")
        monitor = await _signed_in(app, graph, subj["monitor"], "contributor")
        admin = await _signed_in(app, graph, subj["operator"], "admin")
        anon = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1:8000")
        world = "west=-180&south=-85&east=180&north=85&zoom=2"
        pages = [
            ("sign-in", anon, "/signin"),
            ("My exposure (first page)", buyer, "/exposure"),
            ("site page", buyer, f"/sites/{subj['site']}"),
            ("contract page", buyer, f"/contracts/{subj['contract']}"),
            ("map: search list", buyer, "/map"),
            (f"map: search '{subj['word']}'", buyer, f"/map?q={subj['word']}"),
            ("map: world clusters (JSON)", buyer, f"/map/clusters?{world}"),
            ("disclosure requests", buyer, "/disclosures"),
            ("report form", monitor, "/reports/new"),
            (f"report form: site search '{subj['word']}'", monitor,
             f"/reports/site-search?q={subj['word']}"),
            ("imports", monitor, "/imports"),
            ("admin: organisations", admin, "/admin/organisations"),
            ("admin: people", admin, "/admin/users"),
            ("admin: OAuth clients", admin, "/admin/clients"),
            ("admin: webhooks", admin, "/admin/webhooks"),
            ("not found (unknown site)", buyer, "/sites/CN2000001AAAAAA"),
        ]
        print(f"{sites} sites; buyer {subj['buyer']}, monitor {subj['monitor']}, "
              f"operator {subj['operator']}; load average {os.getloadavg()[0]:.2f} "
              f"on {os.cpu_count()} cores")
        print("| page | status | p50 ms | p90 ms |\n|---|---:|---:|---:|")
        for name, client, path in pages:
            p50, p90, status = await _time(client, path, repeat)
            print(f"| {name} | {status} | {p50:.0f} | {p90:.0f} |", flush=True)
        print(f"load average {os.getloadavg()[0]:.2f} at the end")
        for c in (buyer, monitor, admin, anon):
            await c.aclose()
    finally:
        await graph.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    asyncio.run(main(parser.parse_args().repeat))
