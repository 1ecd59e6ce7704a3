"""The read API's mechanics: pagination, supply chain, round trips, bad input, federation
entities, and the HTTP layer (batches, non-JSON bodies, metrics, Neo4j unavailable, a real
token end to end)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import AsyncGraphDatabase
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from auth.backend import ViewerUser
from auth.client_secrets import hash_secret, new_client_secret
from auth.viewer import Viewer
from graph.orgs.clients import create_client
from graph.core.db import Graph
from seeds import sample as s
from supplygraph.app import create_app
from supplygraph.graphql_app import graphql_routes
from supplygraph.settings import Settings
from tests.support.reads import nodes, run, viewer_for

SITES_PAGE = """query($first: Int, $after: String, $filter: ProductionSiteFilter) {
  productionSites(first: $first, after: $after, filter: $filter) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor }
  }
}"""

DEEP = """query($first: Int) {
  productionSites(first: $first) { edges { node {
    id name operators { id name sites { id } }
    brands { id suppliers { id } }
    products { cpvCode }
    reports(first: 5) { totalCount edges { node { id sensitiveNotes author { id }
      findings { id remediation { id status } } } } }
    openFindingCount
  } } }
}"""

SUPPLY_CHAIN = """query($id: ID!, $tier: Int!) { brand(id: $id) {
  supplyChain(maxTier: $tier) { tier supplier { id } site { id } } } }"""


@pytest.fixture
async def nrht(sample_graph: Graph) -> Viewer:
    return await viewer_for(sample_graph, s.NW_HEALTH)


@pytest.fixture
async def ulake(sample_graph: Graph) -> Viewer:
    return await viewer_for(sample_graph, s.LK_UNI)


# ----- pagination -------------------------------------------------------------------------
@pytest.mark.parametrize("page", [1, 7, 100])
async def test_paging_through_sites_returns_every_visible_site_exactly_once(
        sample_graph: Graph, nrht: Viewer, page: int) -> None:
    seen: list[str] = []
    after = None
    while True:
        answer = await run(sample_graph, nrht, SITES_PAGE, {"first": page, "after": after})
        conn = answer.data["productionSites"]
        seen += [n["id"] for n in nodes(conn)]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    total = conn["totalCount"]
    visible = await sample_graph.query(
        "MATCH (n:ProductionSite) WHERE n.sharing = 'PUBLIC' OR n.contributedBy = $org "
        "OR (n.sharing = 'CONSORTIUM' AND n.contributedBy IN $peers) "
        "OR (n.sharing = 'RESTRICTED' AND $org IN n.sharedWith) RETURN n.id AS id",
        {"org": nrht.org_id, "peers": sorted(nrht.peers)})
    assert len(seen) == len(set(seen)) == total
    assert set(seen) == {r["id"] for r in visible}


async def test_paging_contracts_by_value_is_stable_and_complete(sample_graph: Graph,
                                                               nrht: Viewer) -> None:
    query = """query($after: String) { contracts(first: 1, after: $after,
      orderBy: [{field: VALUE, direction: DESC}]) { edges { node { id } }
      pageInfo { hasNextPage endCursor } } }"""
    ids, after = [], None
    for _ in range(200):
        conn = (await run(sample_graph, nrht, query, {"after": after})).data["contracts"]
        ids += [n["id"] for n in nodes(conn)]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(ids) == len(set(ids))
    # Other test modules may add contracts to the shared graph: judge the sample's own.
    sample = [i for i in ids if i in (s.CONTRACT_NW_HEALTH_LAPTOPS, s.CONTRACT_NW_HEALTH_DESKTOPS,
                                      s.CONTRACT_NW_CITY_PHONES, s.CONTRACT_NW_MINISTRY_LAPTOPS)]
    assert sample == [s.CONTRACT_NW_HEALTH_LAPTOPS, s.CONTRACT_NW_HEALTH_DESKTOPS,
                      s.CONTRACT_NW_CITY_PHONES, s.CONTRACT_NW_MINISTRY_LAPTOPS]
    all_ids = (await run(sample_graph, nrht, "{ contracts(first: 100) { totalCount } }"))
    assert len(ids) == all_ids.data["contracts"]["totalCount"]


# ----- bad input ----------------------------------------------------------------------------
@pytest.mark.parametrize(("variables", "path"), [
    ({"first": -1}, ["first"]),
    ({"first": 101}, ["first"]),
    ({"after": "not-a-cursor"}, ["after"]),
    ({"after": base64.urlsafe_b64encode(b"sg1:-4").decode()}, ["after"]),
    ({"after": base64.urlsafe_b64encode(b"{'offset': 3}").decode()}, ["after"]),
    ({"filter": {"countryCode": ["CN", "XX"]}}, ["filter", "countryCode", 1]),
])
async def test_bad_page_arguments_are_bad_user_input_with_the_argument_path(
        sample_graph: Graph, nrht: Viewer, variables: dict[str, Any], path: list[Any]) -> None:
    answer = await run(sample_graph, nrht, SITES_PAGE, variables)
    assert answer.codes() == ["BAD_USER_INPUT"]
    assert answer.errors[0]["extensions"]["inputPath"] == path
    assert answer.errors[0]["path"] == ["productionSites"]
    assert answer.round_trips == 0


@pytest.mark.parametrize(("query", "code"), [
    ("{ productionSites(filter: {siteType: [NOPE]}) { totalCount } }",
     "GRAPHQL_VALIDATION_FAILED"),
    ("{ productionSites { nope } }", "GRAPHQL_VALIDATION_FAILED"),
    ("{ productionSites( ", "GRAPHQL_PARSE_FAILED"),
    ("{ " + " ".join(f"a{i}: me {{ clientId }}" for i in range(31)) + " }",
     "GRAPHQL_VALIDATION_FAILED"),
    # Aliases hidden in fragments count too (the 0.315.7 fix).
    ("{ ...F } fragment F on Query { "
     + " ".join(f"a{i}: me {{ clientId }}" for i in range(31)) + " }",
     "GRAPHQL_VALIDATION_FAILED"),
    ("{ productionSites { edges { node { " + "operators { sites { " * 6 + "id"
     + " } }" * 6 + " } } } }", "GRAPHQL_VALIDATION_FAILED"),
])
async def test_malformed_or_oversized_documents_are_refused_with_a_code(
        sample_graph: Graph, nrht: Viewer, query: str, code: str) -> None:
    answer = await run(sample_graph, nrht, query)
    assert answer.data is None
    assert set(answer.codes()) == {code}
    assert answer.round_trips == 0


async def test_variable_of_the_wrong_type_is_bad_user_input(sample_graph: Graph,
                                                            nrht: Viewer) -> None:
    answer = await run(sample_graph, nrht, SITES_PAGE, {"first": "ten"})
    assert answer.codes() == ["BAD_USER_INPUT"]


async def test_unknown_id_is_null_without_error(sample_graph: Graph, nrht: Viewer) -> None:
    answer = await run(sample_graph, nrht, '{ productionSite(id: "CN2000001AAAAAA") { id } }')
    assert answer.data == {"productionSite": None} and answer.errors == []


# ----- round trips --------------------------------------------------------------------------
async def test_round_trips_of_a_deep_query_do_not_grow_with_rows(sample_graph: Graph,
                                                                 nrht: Viewer) -> None:
    few = await run(sample_graph, nrht, DEEP, {"first": 5})
    many = await run(sample_graph, nrht, DEEP, {"first": 50})
    assert few.errors == [e for e in few.errors if e["extensions"]["code"] == "FORBIDDEN"]
    assert len(nodes(many.data["productionSites"])) == 50
    # One per root field and one per relation level: 1 + operators, sites, brands,
    # suppliers, products, reports, author, findings, remediation, open findings.
    assert few.round_trips == many.round_trips
    assert many.round_trips <= 11


# ----- supply chain -----------------------------------------------------------------------
async def test_corvid_supply_chain_reaches_the_tinfield_smelter_at_tier_three(
        sample_graph: Graph, nrht: Viewer) -> None:
    answer = await run(sample_graph, nrht, SUPPLY_CHAIN, {"id": "BRD-CORVID", "tier": 3})
    entries = answer.data["brand"]["supplyChain"]
    tiers = {e["supplier"]["id"]: e["tier"] for e in entries}
    assert tiers["SUP-JADEPORT"] == 1 and tiers["SUP-MERIDIAN"] == 1
    assert tiers["SUP-SILVERBAY"] == 2 and tiers["SUP-KINABALU"] == 2
    assert tiers["SUP-TINFIELD"] == 3
    assert "SUP-NILGIRI" in tiers and "SUP-BOHEMIA" in tiers  # both tier 3
    # each supplier at one tier, each site once, and the story site at tier 3
    assert len({(e["supplier"]["id"], e["tier"]) for e in entries}) == len(tiers)
    sites = [e["site"]["id"] for e in entries if e["site"]]
    assert len(sites) == len(set(sites))
    assert {e["tier"] for e in entries if e["site"] and e["site"]["id"] == s.SITE_TINFIELD} \
        == {3}


async def test_supply_chain_tier_one_is_the_direct_suppliers_and_bounds_are_checked(
        sample_graph: Graph, nrht: Viewer) -> None:
    one = await run(sample_graph, nrht, SUPPLY_CHAIN, {"id": "BRD-CORVID", "tier": 1})
    assert {e["supplier"]["id"] for e in one.data["brand"]["supplyChain"]} == {
        "SUP-JADEPORT", "SUP-MERIDIAN"}
    for bad in (0, 6):
        answer = await run(sample_graph, nrht, SUPPLY_CHAIN, {"id": "BRD-CORVID", "tier": bad})
        assert answer.codes() == ["BAD_USER_INPUT"]
        assert answer.errors[0]["extensions"]["inputPath"] == ["maxTier"]


async def test_supply_chain_lists_only_sites_the_viewer_may_see(sample_graph: Graph,
                                                               nrht: Viewer,
                                                               ulake: Viewer) -> None:
    nw = await run(sample_graph, nrht, SUPPLY_CHAIN, {"id": "BRD-CORVID", "tier": 1})
    lk = await run(sample_graph, ulake, SUPPLY_CHAIN, {"id": "BRD-CORVID", "tier": 1})
    nw_sites = {e["site"]["id"] for e in nw.data["brand"]["supplyChain"] if e["site"]}
    lk_sites = {e["site"]["id"] for e in lk.data["brand"]["supplyChain"] if e["site"]}
    assert s.SITE_NW_PRIVATE_DISCLOSURE in nw_sites
    assert s.SITE_NW_PRIVATE_DISCLOSURE not in lk_sites


# ----- federation -------------------------------------------------------------------------
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Contract { id value { amount } }
  ... on ProductionSite { id name }
  ... on AuditReport { id sensitiveNotes } } }"""


async def test_entities_apply_the_same_visibility_and_field_protection(
        sample_graph: Graph, ulake: Viewer) -> None:
    answer = await run(sample_graph, ulake, ENTITIES, {"r": [
        {"__typename": "Contract", "id": s.CONTRACT_NW_MINISTRY_LAPTOPS},
        {"__typename": "Contract", "id": s.CONTRACT_NW_HEALTH_DESKTOPS},
        {"__typename": "ProductionSite", "id": s.SITE_NW_PRIVATE_DISCLOSURE},
        {"__typename": "AuditReport", "id": s.REPORT_RED_DELTA_NGO},
        {"__typename": "AuditReport", "id": s.REPORT_WORKER_MONITORING},
    ]})
    ents = answer.data["_entities"]
    assert ents[0] == {"id": s.CONTRACT_NW_MINISTRY_LAPTOPS, "value": None}
    assert ents[1:4] == [None, None, None]
    assert ents[4] == {"id": s.REPORT_WORKER_MONITORING, "sensitiveNotes": None}
    assert sorted(answer.codes()) == ["FORBIDDEN", "FORBIDDEN"]
    assert "9800000" not in str(answer.errors) and "Testimony" not in str(answer.errors)


# ----- HTTP ---------------------------------------------------------------------------------
class _AsViewer:
    """Stands in for the bearer middleware: every request is `viewer`."""

    def __init__(self, app: ASGIApp, viewer: Viewer) -> None:
        self.app, self.viewer = app, viewer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["user"] = ViewerUser(self.viewer)
        await self.app(scope, receive, send)


def _app(settings: Settings, graph: Graph, viewer: Viewer) -> Starlette:
    app = Starlette(routes=graphql_routes(settings))
    app.state.graph = graph
    app.add_middleware(_AsViewer, viewer=viewer)
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
    assert 'supplygraph_graphql_requests_total{operation="SitesForMetrics"}' in text
    assert "supplygraph_graphql_latency_seconds_bucket" in text
    assert 'supplygraph_graphql_errors_total{code="BAD_USER_INPUT"}' in text
    assert 'supplygraph_neo4j_query_seconds_count{query="list_sites"}' in text


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
    assert r.status_code == 200
    error = r.json()["errors"][0]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "bolt" not in error["message"]


async def test_internal_errors_are_masked_with_a_request_id(
        http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.core.lists as lists

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
    assert r.json() == {"data": {"contract": {"value": {"amount": 4_200_000.0}},
                                 "me": {"clientId": "sgc_read_test_nrht"}}}
