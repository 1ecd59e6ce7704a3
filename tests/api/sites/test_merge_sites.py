"""Operators merging duplicate sites without losing anything: every relationship kept, merge chains,
only operators, and an unknown site writes nothing."""

from __future__ import annotations

import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from tests.support.writes import (
    ALL,
    OUTSIDER,
    SITE,
    SITE_HISTORY,
    TEST_BRAND,
    call,
    codes,
    ensure_test_orgs,
    fresh,
    new_contract,
    new_report,
    new_site,
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
    report = await new_report(sample_graph, monitor, dup)
    contract = await new_contract(sample_graph, nrht)
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


# ----- the admin scope makes no one an operator ------------------------------------------------
UPDATE_SITE = """
mutation($id: ID!, $input: UpdateProductionSiteInput!) {
  updateProductionSite(id: $id, input: $input) { site { id name } errors { code path } } }"""


@pytest.mark.parametrize("kind", ["PUBLIC_BUYER", "CONSORTIUM", "MONITOR"])
async def test_admin_scope_without_the_operator_organisation_neither_merges_nor_overrides(
        sample_graph: Graph, nrht: Viewer, kind: str) -> None:
    # given a client of a non-operator organisation that holds the admin scope
    admin_scoped = await writer(sample_graph, OUTSIDER, ALL | {Scope.ADMIN}, kind=kind)
    a, b = await new_site(sample_graph, nrht), await new_site(sample_graph, nrht)
    # when it merges two sites, then it is refused and nothing moves
    merged = await call(sample_graph, admin_scoped, MERGE, {"input": {"keepId": a,
                                                                      "duplicateIds": [b]}})
    assert codes(merged.data["mergeProductionSites"]) == ["FORBIDDEN"]
    rows = await sample_graph.query("MATCH (n:ProductionSite {id: $id}) RETURN count(n) AS n",
                                    {"id": b})
    assert rows[0]["n"] == 1
    # and when it changes another organisation's site, ownership still holds
    changed = await call(sample_graph, admin_scoped, UPDATE_SITE,
                         {"id": a, "input": {"name": "Renamed by an intruder"}})
    assert codes(changed.data["updateProductionSite"]) == ["FORBIDDEN"]


# ----- merging never publishes a hidden duplicate ----------------------------------------------
@pytest.mark.parametrize("sharing", ["PRIVATE", "CONSORTIUM"])
async def test_merging_a_duplicate_shared_more_narrowly_than_the_kept_site_is_refused(
        sample_graph: Graph, nrht: Viewer, operator: Viewer, sharing: str) -> None:
    # given a PUBLIC site and a duplicate its owner shares more narrowly
    word = fresh()
    keep = await new_site(sample_graph, nrht, name=f"{word} Display Plant")
    dup = await new_site(sample_graph, nrht, name=f"{word} Secret Line", sharing=sharing,
                         aliases=["Hidden alias"])
    # when the operator merges it, then the merge is refused and nothing is published
    answer = await call(sample_graph, operator, MERGE, {"input": {"keepId": keep,
                                                                  "duplicateIds": [dup]}})
    payload = answer.data["mergeProductionSites"]
    assert [(e["code"], e["path"]) for e in payload["errors"]] == [
        ("CONFLICT", ["input", "duplicateIds", "0"])]
    rows = await sample_graph.query(
        "MATCH (k:ProductionSite {id: $k}) OPTIONAL MATCH (d:ProductionSite {id: $d}) "
        "RETURN k.aliases AS aliases, d IS NOT NULL AS kept", {"k": keep, "d": dup})
    assert rows == [{"aliases": [], "kept": True}]


async def test_a_merged_duplicates_id_resolves_only_for_those_who_could_see_it(
        sample_graph: Graph, nrht: Viewer, ulake: Viewer, operator: Viewer) -> None:
    # given a CONSORTIUM duplicate merged into a CONSORTIUM site of the same owner
    keep = await new_site(sample_graph, nrht, sharing="CONSORTIUM")
    dup = await new_site(sample_graph, nrht, sharing="CONSORTIUM")
    merged = await call(sample_graph, operator, MERGE, {"input": {"keepId": keep,
                                                                  "duplicateIds": [dup]}})
    assert merged.data["mergeProductionSites"]["errors"] == []
    # then the owner's id resolves to the kept site; another consortium's member gets null
    seen = await call(sample_graph, nrht, SITE, {"id": dup})
    assert seen.data["productionSite"]["id"] == keep
    hidden = await call(sample_graph, ulake, SITE, {"id": dup})
    assert hidden.data == {"productionSite": None}
