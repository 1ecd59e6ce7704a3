"""Federation, proven with a real Apollo gateway (tests/federation/gateway.mjs): supplygraph
composed with a second subgraph that adds `internalRiskNote` to `ProductionSite`, the
caller's bearer token forwarded; and `_entities` answering exactly what root fields answer."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from seeds import sample as s
from tests.support.federation import FEDERATION, Gateway, run_gateway
from tests.support.live_api import LiveApi, live, node_tool  # noqa: F401 - `live` is a fixture

SITE_BOTH = """query($id: ID!) { productionSite(id: $id) {
  id name countryCode internalRiskNote } }"""

WATCHED = """query($ids: [ID!]!) { watchedSites(ids: $ids) { id name internalRiskNote } }"""

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  __typename
  ... on ProductionSite { id name }
  ... on Brand { id name }
  ... on Supplier { id name }
  ... on Organisation { id name }
  ... on AuditReport { id title }
  ... on Contract { id reference } } }"""

# One root field per entity type, aliased so one request asks for them all.
ROOTS = """query($site: ID!, $brand: ID!, $supplier: ID!, $org: ID!, $report: ID!,
                 $contract: ID!) {
  productionSite(id: $site) { id name }
  brand(id: $brand) { id name }
  supplier(id: $supplier) { id name }
  organisation(id: $org) { id name }
  report(id: $report) { id title }
  contract(id: $contract) { id reference } }"""


@pytest.fixture(scope="module")
def gateway(live: LiveApi) -> Iterator[Gateway]:  # noqa: F811 - the fixture, by name
    node_tool(FEDERATION)
    g = live.clients["gateway"]
    with run_gateway(live.base_url, g.client_id, g.client_secret) as gw:
        yield gw


def _post(url: str, query: str, variables: dict, headers: dict[str, str] | None = None,
          ) -> httpx.Response:
    return httpx.post(url, json={"query": query, "variables": variables},
                      headers=headers or {}, timeout=30)


def test_member_gets_a_site_with_fields_from_both_subgraphs_through_the_gateway(
        live: LiveApi, gateway: Gateway) -> None:  # noqa: F811
    # given a Northwind member's token, when the gateway is asked for a public site
    r = _post(gateway.url, SITE_BOTH, {"id": s.SITE_KUNSHAN}, live.headers("northwind"))
    # then supplygraph's fields and the risk subgraph's field come back together
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    site = body["data"]["productionSite"]
    assert site["id"] == s.SITE_KUNSHAN and site["name"] and site["countryCode"] == "CN"
    assert site["internalRiskNote"] == f"risk note for {s.SITE_KUNSHAN}"


def test_gateway_request_without_a_token_is_refused_by_supplygraph(
        gateway: Gateway) -> None:
    r = _post(gateway.url, SITE_BOTH, {"id": s.SITE_KUNSHAN})
    body = r.json()
    assert (body.get("data") or {}).get("productionSite") is None
    assert "401" in str(body["errors"]) or "UNAUTHENTICATED" in str(body["errors"])
    assert "Kunshan" not in r.text


def test_gateway_request_with_a_bad_token_is_refused_by_supplygraph(
        gateway: Gateway) -> None:
    r = _post(gateway.url, SITE_BOTH, {"id": s.SITE_KUNSHAN},
              {"authorization": "Bearer not-a-token"})
    body = r.json()
    assert (body.get("data") or {}).get("productionSite") is None
    assert "401" in str(body["errors"]) or "UNAUTHENTICATED" in str(body["errors"])


def test_lakeshore_private_site_is_null_for_a_northwind_member_through_the_gateway(
        live: LiveApi, gateway: Gateway) -> None:  # noqa: F811
    # root field path (supplygraph answers productionSite)
    r = _post(gateway.url, SITE_BOTH, {"id": s.SITE_LK_PRIVATE}, live.headers("northwind"))
    assert r.json()["data"]["productionSite"] is None
    # entity path: the risk subgraph returns references, supplygraph's _entities resolves them
    r = _post(gateway.url, WATCHED, {"ids": [s.SITE_LK_PRIVATE, s.SITE_KUNSHAN]},
              live.headers("northwind"))
    body = r.json()
    names = [w and w.get("name") for w in body["data"]["watchedSites"]]
    assert names[0] is None and names[1]
    assert "Hosur" not in r.text


def test_lakeshore_member_sees_its_own_private_site_through_the_gateway(
        live: LiveApi, gateway: Gateway) -> None:  # noqa: F811
    r = _post(gateway.url, WATCHED, {"ids": [s.SITE_LK_PRIVATE]}, live.headers("lakeshore"))
    site = r.json()["data"]["watchedSites"][0]
    assert site["name"] and site["internalRiskNote"] == f"risk note for {s.SITE_LK_PRIVATE}"
    r = _post(gateway.url, SITE_BOTH, {"id": s.SITE_LK_PRIVATE}, live.headers("lakeshore"))
    assert r.json()["data"]["productionSite"]["id"] == s.SITE_LK_PRIVATE


IDS = {
    "productionSite": ("ProductionSite", "site"),
    "brand": ("Brand", "brand"),
    "supplier": ("Supplier", "supplier"),
    "organisation": ("Organisation", "org"),
    "report": ("AuditReport", "report"),
    "contract": ("Contract", "contract"),
}

# Per actor, ids of each type to compare: things it may and may not see.
CASES = [
    {"site": s.SITE_LK_PRIVATE, "brand": None, "supplier": None, "org": s.LK_UNI,
     "report": s.REPORT_RED_DELTA_NGO, "contract": s.CONTRACT_LK_TECH_DISPLAYS},
    {"site": s.SITE_NW_PRIVATE_DISCLOSURE, "brand": None, "supplier": None, "org": s.NW_HEALTH,
     "report": s.REPORT_WORKER_MONITORING, "contract": s.CONTRACT_NW_HEALTH_DESKTOPS},
    {"site": s.SITE_KUNSHAN, "brand": None, "supplier": None, "org": s.MONITOR_NGO,
     "report": s.REPORT_CLEAN_AUDIT, "contract": s.CONTRACT_NW_MINISTRY_LAPTOPS},
]


async def _some_ids(live: LiveApi) -> tuple[str, str]:  # noqa: F811
    q = "{ brands(first: 1) { edges { node { id } } } suppliers(first: 1) { edges { node { id } } } }"
    async with httpx.AsyncClient(timeout=30) as c:
        r = await c.post(live.graphql_url, json={"query": q}, headers=live.headers("northwind"))
    d = r.json()["data"]
    return d["brands"]["edges"][0]["node"]["id"], d["suppliers"]["edges"][0]["node"]["id"]


@pytest.mark.parametrize("who", ["northwind", "lakeshore"])
@pytest.mark.parametrize("case", range(len(CASES)))
async def test_entities_answer_exactly_what_root_fields_answer_for_every_entity_type(
        live: LiveApi, who: str, case: int) -> None:  # noqa: F811
    brand, supplier = await _some_ids(live)
    ids = {**CASES[case]}
    ids["brand"] = ids["brand"] or brand
    ids["supplier"] = ids["supplier"] or supplier
    reps = [{"__typename": t, "id": ids[k]} for t, k in IDS.values()]
    async with httpx.AsyncClient(timeout=30) as c:
        roots = (await c.post(live.graphql_url, json={"query": ROOTS, "variables": ids},
                              headers=live.headers(who))).json()
        ents = (await c.post(live.graphql_url, json={"query": ENTITIES,
                                                     "variables": {"r": reps}},
                             headers=live.headers(who))).json()
    for (field, _), entity in zip(IDS.items(), ents["data"]["_entities"], strict=True):
        root = roots["data"][field]
        if entity is not None:
            entity = {k: v for k, v in entity.items() if k != "__typename"}
        assert entity == root, (who, field)


def test_entities_for_a_private_site_are_null_for_another_member_and_refused_anonymously(
        live: LiveApi) -> None:  # noqa: F811
    reps = {"r": [{"__typename": "ProductionSite", "id": s.SITE_LK_PRIVATE}]}
    r = _post(live.graphql_url, ENTITIES, reps, live.headers("northwind"))
    assert r.json()["data"]["_entities"] == [None]
    assert "Hosur" not in r.text
    assert _post(live.graphql_url, ENTITIES, reps).status_code == 401
    r = _post(live.graphql_url, ENTITIES, reps, live.headers("lakeshore"))
    assert r.json()["data"]["_entities"][0]["id"] == s.SITE_LK_PRIVATE
