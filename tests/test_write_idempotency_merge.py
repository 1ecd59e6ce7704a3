"""Idempotency-Key replays, and operators merging duplicate sites without losing anything."""

from __future__ import annotations

import asyncio
import secrets

import httpx
import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.test_write_mutations import (
    CREATE_BRAND,
    SITE,
    SITE_HISTORY,
    _contract,
    _report,
    fresh,
    new_site,
)
from tests.support.writes import (
    ALL,
    MONITOR,
    OWNER,
    TEST_BRAND,
    call,
    codes,
    ensure_test_orgs,
    writer,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


MERGE = """
mutation($input: MergeProductionSitesInput!) { mergeProductionSites(input: $input) {
  site { id aliases operators { id } brands { id } products { cpvCode }
         reports(first: 50) { totalCount } }
  mergedIds movedRelationships errors { code message path } } }"""


@pytest.fixture
async def nrht(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, OWNER)


@pytest.fixture
async def monitor(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, MONITOR, kind="MONITOR")


@pytest.fixture
async def operator(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, s.OPERATOR, ALL | {Scope.ADMIN}, kind="OPERATOR")


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

    from schema.context import Context
    from supplygraph.graphql_app import GraphQLView
    from supplygraph.settings import Settings

    name, key = fresh("Brand "), secrets.token_hex(8)

    class View(GraphQLView):
        async def get_context(self, request, response=None):  # type: ignore[no-untyped-def]
            from graph.core.loaders import Loaders, RequestGraph

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


# ----- merging --------------------------------------------------------------------------------
async def _relationships(graph: Graph, site: str) -> set[tuple[str, str, str]]:
    rows = await graph.query(
        "MATCH (n {id: $id})-[r]-(x) WHERE NOT type(r) IN ['HAS_VERSION', 'SAME_AS'] "
        "RETURN type(r) AS t, startNode(r) = n AS out, x.id AS other", {"id": site})
    return {(r["t"], "out" if r["out"] else "in", r["other"]) for r in rows}


async def test_operator_merges_sites_keeping_every_relationship(
        sample_graph: Graph, nrht: Viewer, monitor: Viewer, operator: Viewer) -> None:
    # given two records of one factory, each with its own relationships
    word = fresh()
    keep = await new_site(sample_graph, nrht, name=f"{word} Power Plant", products=["32250000-0"])
    dup = await new_site(sample_graph, nrht, name=f"{word} Power Co., Ltd.",
                         products=["30213100-6"], aliases=["PWR 2"])
    supplier = (await call(sample_graph, nrht, """mutation($i: CreateSupplierInput!) {
      createSupplier(input: $i) { supplier { id } } }""", {"i": {"name": fresh("Sup ")}})
                ).data["createSupplier"]["supplier"]["id"]
    link = "mutation($i: RecordSupplyLinkInput!) { recordSupplyLink(input: $i) { recorded } }"
    await call(sample_graph, nrht, link, {"i": {"kind": "OPERATES", "fromId": supplier,
                                                "toId": dup}})
    await call(sample_graph, nrht, link, {"i": {"kind": "PRODUCED_AT", "fromId": TEST_BRAND,
                                                "toId": dup}})
    report = await _report(sample_graph, monitor, dup)
    contract = await _contract(sample_graph, nrht)
    await call(sample_graph, nrht, """mutation($i: DiscloseContractSitesInput!) {
      discloseContractSites(input: $i) { errors { code } } }""",
               {"i": {"contractId": contract["id"], "siteIds": [dup]}})
    before = await _relationships(sample_graph, dup) | await _relationships(sample_graph, keep)
    # when the operator merges them
    answer = await call(sample_graph, operator, MERGE, {"input": {"keepId": keep,
                                                                  "duplicateIds": [dup]}})
    payload = answer.data["mergeProductionSites"]
    assert payload["errors"] == [] and payload["mergedIds"] == [dup]
    # operates, produced at, assesses, sourced from, makes
    assert payload["movedRelationships"] == 5
    # then every relationship is on the kept site, and the duplicate has none left
    after = await _relationships(sample_graph, keep)
    assert after == before
    assert await _relationships(sample_graph, dup) == set()
    rows = await sample_graph.query("MATCH (d {id: $d})-[:SAME_AS]->(k:ProductionSite) "
                                    "RETURN k.id AS k, labels(d) AS labels", {"d": dup})
    assert rows[0]["k"] == keep and "ProductionSite" not in rows[0]["labels"]
    # and the duplicate's id still resolves, to the kept site
    seen = await call(sample_graph, nrht, SITE, {"id": dup})
    assert seen.data["productionSite"]["id"] == keep
    report_site = await call(sample_graph, nrht, "query($id: ID!) { report(id: $id) { "
                             "site { id } } }", {"id": report["id"]})
    assert report_site.data["report"]["site"]["id"] == keep
    site = (await call(sample_graph, nrht, SITE_HISTORY, {"id": keep})).data["productionSite"]
    assert site["history"][-1]["change"] == "MERGE"
    names = await sample_graph.query("MATCH (k:ProductionSite {id: $k}) RETURN k.aliases AS a",
                                     {"k": keep})
    assert f"{word} Power Co., Ltd." in names[0]["a"] and "PWR 2" in names[0]["a"]


async def test_merge_chain_points_at_the_last_kept_site(sample_graph: Graph, nrht: Viewer,
                                                        operator: Viewer) -> None:
    a, b, c = [await new_site(sample_graph, nrht) for _ in range(3)]
    await call(sample_graph, operator, MERGE, {"input": {"keepId": b, "duplicateIds": [a]}})
    await call(sample_graph, operator, MERGE, {"input": {"keepId": c, "duplicateIds": [b]}})
    for old in (a, b):
        seen = await call(sample_graph, nrht, SITE, {"id": old})
        assert seen.data["productionSite"]["id"] == c


@pytest.mark.parametrize("who", ["member", "monitor"])
async def test_only_operators_merge(sample_graph: Graph, nrht: Viewer, monitor: Viewer,
                                    who: str) -> None:
    a, b = await new_site(sample_graph, nrht), await new_site(sample_graph, nrht)
    viewer = {"member": nrht, "monitor": monitor}[who]
    answer = await call(sample_graph, viewer, MERGE, {"input": {"keepId": a,
                                                                "duplicateIds": [b]}})
    assert answer.codes() == ["FORBIDDEN"]
    rows = await sample_graph.query("MATCH (n:ProductionSite {id: $id}) RETURN count(n) AS n",
                                    {"id": b})
    assert rows[0]["n"] == 1


async def test_merge_with_unknown_site_writes_nothing(sample_graph: Graph, nrht: Viewer,
                                                      operator: Viewer) -> None:
    a, b = await new_site(sample_graph, nrht), await new_site(sample_graph, nrht)
    payload = (await call(sample_graph, operator, MERGE, {"input": {
        "keepId": a, "duplicateIds": [b, "CN2026001XXXXXX"]}})).data["mergeProductionSites"]
    assert codes(payload) == ["NOT_FOUND"]
    assert payload["errors"][0]["path"] == ["input", "duplicateIds", "1"]
    rows = await sample_graph.query("MATCH (n:ProductionSite {id: $id}) RETURN count(n) AS n",
                                    {"id": b})
    assert rows[0]["n"] == 1
