"""Read API benchmark: the GraphQL stack against hand-written Cypher (the driver floor).

    .venv/bin/python -m bench.read_api --scale 100000      # load, then measure
    .venv/bin/python -m bench.read_api --no-load           # measure the data already there

Neo4j comes from the settings (`NEO4J_URI`... or the managed server under
SUPPLYGRAPH_DATA_DIR / SUPPLYGRAPH_NEO4J_BOLT_PORT). `--scale N` loads `seed --scale N`
data (seeds.scale.load_scale) unless that many sites are already there.

Each query runs through the whole stack in-process (httpx.ASGITransport -> bearer token ->
strawberry -> loaders -> Neo4j) with a real token for a generated buyer, and as one
hand-written Cypher statement returning the same answer through the driver. Printed per
query: median latency of both, their ratio, and Neo4j round trips per GraphQL request (the
bearer check's own round trip included). Benchmarks, not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, LiteralString

import httpx

from auth.client_secrets import hash_secret, new_client_secret
from graph.orgs.clients import create_client
from graph.core.db import Graph
from graph.core.migrate import is_migrated, migrate
from graph.orgs.viewer import viewer_context
from graph.core.visibility import visible
from supplygraph.app import create_app
from supplygraph.settings import Settings, get_settings

CPV = "30213100-6"

# ----- the floor: what a developer would write by hand for the same answers ----------------
FLOOR_SITE: LiteralString = (
    "MATCH (s:ProductionSite {id: $id}) "
    "OPTIONAL MATCH (s)<-[:ASSESSES]-(r:AuditReport) WHERE " + visible("r") + " "
    "WITH s, r ORDER BY r.id "
    "RETURN s.id AS id, s.name AS name, count(r) AS reports, collect({id: r.id, title: r.title, "
    "findings: [(r)-[:HAS_FINDING]->(f:Finding) WHERE " + visible("f") + " "
    "| {id: f.id, category: f.category, status: f.status}]})[..20] AS page"
)
# The lists' floors: each match once; the page by a top-k sort over the matched nodes (no
# projection, no full sort, before the cut); the total as the size of that list. Measured
# faster than counting in a second pass (which evaluates every filter again) and than
# sorting and projecting every match before slicing (the floors before issue 12). A floor
# without the total is the match cut by ORDER BY ... LIMIT alone.
_SITES_MATCH = (
    "MATCH (s:ProductionSite) WHERE s.countryCode IN $countries AND " + visible("s") + " "
    "AND EXISTS { (s)-[:MAKES]->(:ProductCategory {cpvCode: $cpv}) } ")
_SITES_PAGE = ("WITH s ORDER BY s.id LIMIT 50 "
               "RETURN collect(s {.id, .name, .city, .siteType}) AS page")
FLOOR_SITES: LiteralString = (
    _SITES_MATCH + "WITH collect(s) AS matched "
    "CALL { WITH matched UNWIND matched AS s " + _SITES_PAGE + " } "
    "RETURN size(matched) AS total, page"
)
FLOOR_SITES_UNCOUNTED: LiteralString = _SITES_MATCH + _SITES_PAGE
FLOOR_CHAIN: LiteralString = (
    "MATCH (b:Brand {id: $id}) "
    "MATCH p = SHORTEST 1 (b) (()-[:SOURCES_FROM]->(x:Supplier WHERE " + visible("x") + ")){1,3}"
    " (s:Supplier) "
    "WITH s, length(p) AS tier "
    "OPTIONAL MATCH (s)-[:OPERATES]->(site:ProductionSite) WHERE " + visible("site") + " "
    "WITH site, s, tier ORDER BY tier, s.id "
    "RETURN s.id AS supplier, s.name AS name, tier, collect(site {.id, .name}) AS sites"
)
_CONTRACTS_MATCH = "MATCH (c:Contract) WHERE " + visible("c") + " "
CONTRACTS_PAGE = (
    "WITH c, CASE WHEN c.contributedBy = $viewerOrg THEN c.valueAmount END AS v "
    "ORDER BY v IS NULL, v DESC, c.id LIMIT 50 "
    "RETURN collect({id: c.id, reference: c.reference, amount: v, currency: CASE WHEN "
    "c.contributedBy = $viewerOrg THEN c.valueCurrency END}) AS page")
FLOOR_CONTRACTS: LiteralString = (
    _CONTRACTS_MATCH + "WITH collect(c) AS matched "
    "CALL { WITH matched UNWIND matched AS c " + CONTRACTS_PAGE + " } "
    "RETURN size(matched) AS total, page"
)
FLOOR_CONTRACTS_UNCOUNTED: LiteralString = _CONTRACTS_MATCH + CONTRACTS_PAGE
# Text hits in supplygraph's order (graph/lists.py `_text_order`): Lucene's score is not
# used, since it counts hidden records too (issue 11, class 7).
_TEXT_MATCH = (
    "CALL db.index.fulltext.queryNodes('site_text', $text) YIELD node AS s "
    "WHERE " + visible("s") + " ")
_TEXT_PAGE = (
    "WITH s, CASE WHEN toLower(s.name) = $phrase THEN 0 "
    "WHEN toLower(s.name) STARTS WITH $phrase THEN 1 "
    "WHEN toLower(s.name) CONTAINS $phrase THEN 2 "
    "WHEN toLower(coalesce(s.aliasesText, '')) CONTAINS $phrase THEN 3 ELSE 4 END AS rank "
    "ORDER BY rank, s.name, s.id LIMIT 20 "
    "RETURN collect(s {.id, .name, .city}) AS page")
FLOOR_TEXT: LiteralString = (
    _TEXT_MATCH + "WITH collect(s) AS matched "
    "CALL { WITH matched UNWIND matched AS s " + _TEXT_PAGE + " } "
    "RETURN size(matched) AS total, page"
)
FLOOR_TEXT_UNCOUNTED: LiteralString = _TEXT_MATCH + _TEXT_PAGE
# The order a developer gets from the index itself: by Lucene's score (what the peer does).
FLOOR_TEXT_BY_SCORE: LiteralString = (
    "CALL db.index.fulltext.queryNodes('site_text', $text) YIELD node AS s, score "
    "WHERE " + visible("s") + " "
    "WITH s, score ORDER BY score DESC, s.id "
    "WITH collect(s {.id, .name, .city}) AS rows "
    "RETURN size(rows) AS total, rows[..20] AS page"
)

GQL_SITE = """query Site($id: ID!) { productionSite(id: $id) { id name
  reports(first: 20) { totalCount edges { node { id title
    findings { id category status } } } } openFindingCount } }"""
GQL_SITES = """query Sites($cpv: String!) { productionSites(first: 50,
  filter: {countryCode: ["CN"], cpvCode: $cpv}) { totalCount
  edges { node { id name city siteType } } } }"""
GQL_CHAIN = """query Chain($id: ID!) { brand(id: $id) { supplyChain(maxTier: 3) {
  tier supplier { id name } site { id name } } } }"""
GQL_CONTRACTS = """query Contracts { contracts(first: 50,
  orderBy: [{field: VALUE, direction: DESC}]) { totalCount
  edges { node { id reference value { amount currency } } } } }"""
GQL_TEXT = """query Search($text: String!) { productionSites(first: 20,
  filter: {text: $text}) { totalCount edges { node { id name city } } } }"""


def _uncounted(gql: str) -> str:
    """The same list without `totalCount` (the API then does not count)."""
    return gql.replace(" totalCount", "")


@dataclass
class Case:
    name: str
    gql: str
    variables: dict[str, Any]
    floor: LiteralString
    floor_params: dict[str, Any]
    gql_ids: Callable[[dict[str, Any]], list[str]]
    floor_ids: Callable[[list[dict[str, Any]]], list[str]]


def _edges(conn: dict[str, Any]) -> list[str]:
    return [e["node"]["id"] for e in conn["edges"]]


async def _ensure_data(graph: Graph, scale: int | None, seed: int) -> None:
    # Only when needed, as `supplygraph serve` does: a migration invalidates every stored
    # exposure (graph/core/migrate.py), and a bench that migrated each run measured its
    # first request rebuilding them (on a cold 1M server, past the 15 s limit).
    if not await is_migrated(graph):
        await migrate(graph)
    if not scale:
        return
    have = (await graph.query("MATCH (s:ProductionSite) RETURN count(s) AS n"))[0]["n"]
    if have >= scale:
        print(f"{have} sites already loaded; not loading again", file=sys.stderr)
        return
    from seeds.scale import load_scale

    print(f"loading --scale {scale} ...", file=sys.stderr)
    report = await load_scale(graph, sites=scale, random_seed=seed, progress=True)
    print(f"loaded {report['nodes']} nodes in {report['seconds']} s", file=sys.stderr)


async def _pick(graph: Graph, org: str) -> dict[str, Any]:
    site = await graph.query(
        "MATCH (s:ProductionSite {sharing: 'PUBLIC'})<-[:ASSESSES]-(r:AuditReport) "
        "WITH s, count(r) AS n ORDER BY n DESC, s.id LIMIT 1 RETURN s.id AS id")
    brand = await graph.query(
        "MATCH (b:Brand)-[:SOURCES_FROM]->() WITH b, count(*) AS n "
        "ORDER BY n DESC, b.id LIMIT 1 RETURN b.id AS id")
    return {"site": site[0]["id"], "brand": brand[0]["id"]}


async def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    for _ in range(2):
        out = await fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = await fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), out


async def bench(settings: Settings, *, scale: int | None, seed: int, org: str | None,
                repeat: int, text: str) -> list[dict[str, Any]]:
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
        picked = await _pick(graph, org)
        client_id, secret = "sgc_bench_" + secrets.token_hex(4), new_client_secret()
        await create_client(graph, client_id=client_id, org_id=org,
                            secret_hash=hash_secret(secret),
                            scopes=["sites:read", "reports:read", "contracts:read"])
        cases = [
            Case("site with reports and findings", GQL_SITE, {"id": picked["site"]},
                 FLOOR_SITE, {"id": picked["site"]},
                 lambda d: [e["node"]["id"] for e in d["productionSite"]["reports"]["edges"]],
                 lambda rows: [r["id"] for r in rows[0]["page"] if r["id"]]),
            Case("sites by country+category, 50", GQL_SITES, {"cpv": CPV}, FLOOR_SITES,
                 {"countries": ["CN"], "cpv": CPV},
                 lambda d: _edges(d["productionSites"]),
                 lambda rows: [r["id"] for r in rows[0]["page"]]),
            Case("brand supply chain, tier 3", GQL_CHAIN, {"id": picked["brand"]}, FLOOR_CHAIN,
                 {"id": picked["brand"]},
                 lambda d: sorted({e["supplier"]["id"] for e in d["brand"]["supplyChain"]}),
                 lambda rows: sorted({r["supplier"] for r in rows})),
            Case("contracts by value, 50", GQL_CONTRACTS, {}, FLOOR_CONTRACTS, {},
                 lambda d: _edges(d["contracts"]),
                 lambda rows: [r["id"] for r in rows[0]["page"]]),
            Case(f"text search {text!r}", GQL_TEXT, {"text": text}, FLOOR_TEXT,
                 {"text": text, "phrase": text.lower()},
                 lambda d: _edges(d["productionSites"]),
                 lambda rows: [r["id"] for r in rows[0]["page"]]),
            Case("sites by country+category, 50, no total", _uncounted(GQL_SITES),
                 {"cpv": CPV}, FLOOR_SITES_UNCOUNTED, {"countries": ["CN"], "cpv": CPV},
                 lambda d: _edges(d["productionSites"]),
                 lambda rows: [r["id"] for r in rows[0]["page"]]),
            Case("contracts by value, 50, no total", _uncounted(GQL_CONTRACTS), {},
                 FLOOR_CONTRACTS_UNCOUNTED, {},
                 lambda d: _edges(d["contracts"]),
                 lambda rows: [r["id"] for r in rows[0]["page"]]),
            Case(f"text search {text!r}, no total", _uncounted(GQL_TEXT), {"text": text},
                 FLOOR_TEXT_UNCOUNTED, {"text": text, "phrase": text.lower()},
                 lambda d: _edges(d["productionSites"]),
                 lambda rows: [r["id"] for r in rows[0]["page"]]),
        ]
        app = create_app(settings, graph)
        results = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://bench") as http:
            tok = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                                  auth=(client_id, secret))
            headers = {"authorization": f"Bearer {tok.json()['access_token']}"}
            for case in cases:
                async def gql(case: Case = case) -> dict[str, Any]:
                    r = await http.post("/graphql", headers=headers,
                                        json={"query": case.gql, "variables": case.variables})
                    body = r.json()
                    if body.get("errors"):
                        raise RuntimeError(f"{case.name}: {body['errors']}")
                    return body["data"]

                async def floor(case: Case = case) -> list[dict[str, Any]]:
                    return await graph.query(case.floor, {**case.floor_params, **vis},
                                             name="floor")

                before = graph.round_trips
                await gql()
                trips = graph.round_trips - before
                gql_s, data = await _time(gql, repeat)
                floor_s, rows = await _time(floor, repeat)
                results.append({
                    "query": case.name, "graphql_ms": gql_s * 1000, "floor_ms": floor_s * 1000,
                    "ratio": gql_s / floor_s if floor_s else float("nan"),
                    "round_trips": trips,
                    "same_answer": case.gql_ids(data) == case.floor_ids(rows)})
        return results
    finally:
        await graph.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, default=None, help="load about N sites first")
    p.add_argument("--no-load", action="store_true", help="measure the data already there")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--org", default=None, help="the viewer (default: the buyer with most "
                                                "contracts)")
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--text", default="Kunshan")
    args = p.parse_args(argv)
    results = asyncio.run(bench(get_settings(), scale=None if args.no_load else args.scale,
                                seed=args.seed, org=args.org, repeat=args.repeat,
                                text=args.text))
    print(f"| {'query':42} | GraphQL ms | floor ms | ratio | round trips | same answer |")
    print(f"|{'-' * 44}|-----------:|---------:|------:|------------:|:-----------:|")
    for r in results:
        print(f"| {r['query']:42} | {r['graphql_ms']:10.1f} | {r['floor_ms']:8.1f} | "
              f"{r['ratio']:5.1f} | {r['round_trips']:11d} | "
              f"{'yes' if r['same_answer'] else 'NO':^11} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
