"""myExposure benchmark: the GraphQL stack against a hand-written Cypher floor.

    .venv/bin/python -m bench.exposure --scale 100000 --repeat 5

Same setup as bench/read_api.py (its data loading and timing helpers): a real token for
the generated buyer holding most contracts, in-process ASGI. The floor is what a developer
would write by hand for the same first page (50 sites, tier <= 3, most severe first) with
the same visibility predicates, through the driver. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
from typing import Any, LiteralString

import httpx

from auth.client_secrets import hash_secret, new_client_secret
from bench.read_api import _ensure_data, _time
from graph.orgs.clients import create_client
from graph.core.db import Graph
from graph.orgs.viewer import viewer_context
from graph.core.visibility import visible
from supplygraph.app import create_app
from supplygraph.settings import Settings, get_settings

GQL = """query Exposure { myExposure(first: 50, filter: {maxTier: 3}) { totalCount
  edges { node { tier path { kind id name } site { id name countryCode }
  findings { id category severity status } } } } }"""

# By hand: every (contract, party) walk, min tier per site, then findings and the order.
FLOOR: LiteralString = (
    "MATCH (:Organisation {id: $viewerOrg})-[:HOLDS]->(c:Contract) "
    "CALL (c) { "
    "  MATCH (c)-[:SOURCED_FROM]->(s:ProductionSite) WHERE " + visible("s") + " "
    "  RETURN s, 1 AS tier "
    "  UNION "
    "  MATCH (c)-[:COVERS]->(b:Brand)-[:PRODUCED_AT]->(s:ProductionSite) "
    "  WHERE " + visible("b") + " AND " + visible("s") + " RETURN s, 1 AS tier "
    "  UNION "
    "  MATCH (c)-[:COVERS|AWARDED_TO]->(p) WHERE (p:Brand OR p:Supplier) AND "
    + visible("p") + " "
    "  MATCH q = SHORTEST 1 (p) (()-[:SOURCES_FROM]->(x:Supplier WHERE " + visible("x")
    + ")){0,3} (o:Supplier)-[:OPERATES]->(s:ProductionSite) WHERE " + visible("s") + " "
    "  RETURN s, CASE WHEN length(q) <= 2 THEN 1 ELSE length(q) - 1 END AS tier "
    "} "
    "WITH s, min(tier) AS tier "
    "OPTIONAL MATCH (s)<-[:ASSESSES]-(r:AuditReport)-[:HAS_FINDING]->(f:Finding) "
    "WHERE " + visible("r") + " AND " + visible("f") + " "
    "WITH s, tier, f ORDER BY f.severityRank DESC, f.updatedAt DESC "
    "WITH s, tier, collect(f {.id, .category, .severity, .status}) AS fs, "
    "max(f.severityRank) AS top, max(f.updatedAt) AS latest "
    "ORDER BY top IS NULL, top DESC, latest IS NULL, latest DESC, tier, s.id "
    "WITH collect({id: s.id, name: s.name, tier: tier, findings: fs}) AS rows "
    "RETURN size(rows) AS total, rows[..50] AS page"
)


async def bench(settings: Settings, *, scale: int | None, seed: int, org: str | None,
                repeat: int) -> dict[str, Any]:
    graph = Graph.from_settings(settings)
    try:
        await _ensure_data(graph, scale, seed)
        if org is None:
            rows = await graph.query(
                "MATCH (o:Organisation {kind: 'PUBLIC_BUYER'})-[:HOLDS]->(:Contract) "
                "WITH o, count(*) AS n ORDER BY n DESC, o.id LIMIT 1 RETURN o.id AS id")
            org = rows[0]["id"]
        ctx = await viewer_context(graph, org_id=org, client_id="bench", jti="bench")
        vis = {"viewerOrg": org, "viewerPeers": sorted(set(ctx["peers"]) | {org})}
        client_id, secret = "sgc_bench_" + secrets.token_hex(4), new_client_secret()
        await create_client(graph, client_id=client_id, org_id=org,
                            secret_hash=hash_secret(secret),
                            scopes=["sites:read", "reports:read", "contracts:read"])
        app = create_app(settings, graph)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://bench", timeout=120) as http:
            tok = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                                  auth=(client_id, secret))
            headers = {"authorization": f"Bearer {tok.json()['access_token']}"}

            async def gql() -> dict[str, Any]:
                r = await http.post("/graphql", headers=headers, json={"query": GQL})
                body = r.json()
                if body.get("errors"):
                    raise RuntimeError(str(body["errors"]))
                return body["data"]["myExposure"]

            async def floor() -> list[dict[str, Any]]:
                return await graph.query(FLOOR, vis, name="floor")

            before = graph.round_trips
            await gql()
            trips = graph.round_trips - before
            gql_s, data = await _time(gql, repeat)
            floor_s, rows = await _time(floor, repeat)
        return {"org": org, "graphql_ms": gql_s * 1000, "floor_ms": floor_s * 1000,
                "ratio": gql_s / floor_s, "round_trips": trips,
                "total": data["totalCount"], "floor_total": rows[0]["total"],
                "same_page": [e["node"]["site"]["id"] for e in data["edges"]]
                == [r["id"] for r in rows[0]["page"]]}
    finally:
        await graph.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, default=None, help="load about N sites first")
    p.add_argument("--no-load", action="store_true")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--org", default=None)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args(argv)
    r = asyncio.run(bench(get_settings(), scale=None if args.no_load else args.scale,
                          seed=args.seed, org=args.org, repeat=args.repeat))
    print("| viewer | sites reached | GraphQL ms | floor ms | ratio | round trips | same page |")
    print("|---|---:|---:|---:|---:|---:|:---:|")
    print(f"| {r['org']} | {r['total']} (floor {r['floor_total']}) | {r['graphql_ms']:.0f} | "
          f"{r['floor_ms']:.0f} | {r['ratio']:.2f} | {r['round_trips']} | "
          f"{'yes' if r['same_page'] else 'NO'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
