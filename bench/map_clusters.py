"""Times the map's `siteClusters` per viewport (issue 14: at most 300 ms at `--scale 100000`).

Three views of a loaded database, as the buyer holding most contracts (or `--org`): the
world, a country (the country with most sites) and a city (the densest city of that
country), each at the zoom a 1280 x 800 map would ask for. Each runs through the whole
schema in process (the web app's path, supplygraph/web/queries.py, without HTTP) and as its
bare Cypher statement through the driver (graph/sites/clusters.py), after two warm-ups;
the median of `--repeat`. Nothing here asserts a time.

    SUPPLYGRAPH_DATA_DIR=/tmp/sgbench SUPPLYGRAPH_NEO4J_BOLT_PORT=17787 \\
      .venv/bin/python -m bench.map_clusters --repeat 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from auth.backend import resolve_viewer
from auth.scopes import Scope
from auth.tokens import TokenClaims
from graph.core.db import Graph
from graph.core.migrate import migrate
from graph.sites.clusters import Box, site_clusters
from resolvers.core.context import Context
from resolvers.core.loaders import Loaders, RequestGraph
from schema import build_schema
from supplygraph.settings import Settings

QUERY = """query($b: BoundingBox!, $z: Int!, $f: ProductionSiteFilter) {
  siteClusters(bbox: $b, zoom: $z, filter: $f) { count latitude longitude siteId name } }"""

# (name, box, zoom): what a 1280 x 800 map shows (zoom 2: the world is 1,024 px wide).
_WORLD = ("world", Box(-180, -85, 180, 85), 2)


async def _views(graph: Graph) -> list[tuple[str, Box, int]]:
    country = (await graph.query(
        "MATCH (s:ProductionSite) WHERE s.location IS NOT NULL "
        "RETURN s.countryCode AS c, count(*) AS n ORDER BY n DESC LIMIT 1"))[0]["c"]
    box = (await graph.query(
        "MATCH (s:ProductionSite {countryCode: $c}) WHERE s.location IS NOT NULL "
        "RETURN min(s.location.longitude) AS w, min(s.location.latitude) AS s, "
        "max(s.location.longitude) AS e, max(s.location.latitude) AS n", {"c": country}))[0]
    city = (await graph.query(
        "MATCH (s:ProductionSite {countryCode: $c}) WHERE s.location IS NOT NULL "
        "RETURN s.city AS city, avg(s.location.latitude) AS lat, "
        "avg(s.location.longitude) AS lon, count(*) AS n ORDER BY n DESC LIMIT 1",
        {"c": country}))[0]
    pad = 1.0
    return [
        _WORLD,
        (f"country {country}", Box(box["w"] - pad, box["s"] - pad, box["e"] + pad,
                                   box["n"] + pad), 5),
        (f"city {city['city']}", Box(city["lon"] - 0.35, city["lat"] - 0.22,
                                     city["lon"] + 0.35, city["lat"] + 0.22), 10),
    ]


async def _median(fn: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, Any]:
    for _ in range(2):
        out = await fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = await fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000, out


async def bench(settings: Settings, org: str | None, repeat: int) -> list[dict[str, Any]]:
    graph = Graph.from_settings(settings)
    try:
        await migrate(graph)  # the point index (migration 7) on an older database
        if org is None:
            org = (await graph.query(
                "MATCH (o:Organisation {kind: 'PUBLIC_BUYER'})-[:HOLDS]->(:Contract) "
                "WITH o, count(*) AS n ORDER BY n DESC, o.id LIMIT 1 RETURN o.id AS id"))[0]["id"]
        viewer = await resolve_viewer(graph, TokenClaims(
            issuer="bench", subject="bench", client_id="bench", org_id=org,
            scopes=frozenset(Scope), jti="bench-map", expires_at=2**31, issued_at=None,
            external=True))
        schema = build_schema(settings)
        out = []
        for name, box, zoom in await _views(graph):
            variables = {"b": box.__dict__, "z": zoom}

            async def through_schema() -> Any:
                runner = RequestGraph(graph)
                ctx = Context(viewer=viewer, graph=runner,
                              loaders=Loaders(runner, viewer.cypher_params()),
                              settings=settings, request_id="bench")
                result = await schema.execute(QUERY, variables, ctx)
                assert not result.errors, result.errors
                return result.data["siteClusters"]

            async def bare() -> Any:
                return await site_clusters(graph, viewer=viewer.cypher_params(), box=box,
                                           zoom=zoom, filters={})

            api_ms, cells = await _median(through_schema, repeat)
            floor_ms, _ = await _median(bare, repeat)
            out.append({"view": name, "zoom": zoom, "cells": len(cells),
                        "sites": sum(c["count"] for c in cells), "api_ms": api_ms,
                        "cypher_ms": floor_ms})
        return out
    finally:
        await graph.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.map_clusters", description=__doc__)
    p.add_argument("--org", default=None)
    p.add_argument("--repeat", type=int, default=20)
    args = p.parse_args(argv)
    rows = asyncio.run(bench(Settings(), args.org, args.repeat))
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("| view | zoom | cells | sites | GraphQL p50 ms | Cypher p50 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['view']} | {r['zoom']} | {r['cells']} | {r['sites']} | "
              f"{r['api_ms']:.0f} | {r['cypher_ms']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
