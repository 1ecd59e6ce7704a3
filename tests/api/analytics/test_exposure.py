"""myExposure and Contract.exposure on the sample data (hand-checked against seeds/sample.py)."""

from __future__ import annotations

import json

from typing import Any

import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from graph.core.derived import structure_changed_outside
from seeds import sample as s
from tests.support.analytics import run_at
from tests.support.reads import nodes, viewer_for

EXPOSURE = """query($filter: ExposureFilter, $first: Int, $after: String) {
  myExposure(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { tier path { kind id name } site { id name countryCode }
      findings { id category severity status } } } } }"""

CONTRACT_EXPOSURE = """query($id: ID!, $filter: ExposureFilter) { contract(id: $id) {
  exposure(filter: $filter, first: 100) { totalCount
    edges { node { tier path { kind id } site { id } findings { category } } } } } }"""


@pytest.fixture
async def ministry(story_graph: Graph) -> Viewer:
    return await viewer_for(story_graph, s.NW_MINISTRY)


@pytest.fixture
async def health(story_graph: Graph) -> Viewer:
    return await viewer_for(story_graph, s.NW_HEALTH)


def _by_site(conn: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["site"]["id"]: n for n in nodes(conn)}


async def test_ministry_with_a_corvid_contract_reaches_tinfield_three_tiers_down_with_its_path(
        story_graph: Graph, ministry: Viewer) -> None:
    # given the ministry's one contract (Corvid laptops, Civitas, sourced from Kunshan)
    # when
    answer = await run_at(story_graph, ministry, EXPOSURE, {"first": 100})
    # then: Corvid -> Jadeport -> {Kinabalu, Silverbay} -> Tinfield; the path chosen is
    # the one with the smallest ids (Kinabalu < Silverbay)
    assert answer.errors == []
    entry = _by_site(answer.data["myExposure"])[s.SITE_TINFIELD]
    assert entry["tier"] == 3
    assert [(p["kind"], p["id"]) for p in entry["path"]] == [
        ("CONTRACT", s.CONTRACT_NW_MINISTRY_LAPTOPS), ("BRAND", "BRD-CORVID"),
        ("SUPPLIER", "SUP-JADEPORT"), ("SUPPLIER", "SUP-KINABALU"),
        ("SUPPLIER", "SUP-TINFIELD"), ("SITE", s.SITE_TINFIELD)]
    assert entry["path"][1]["name"] == "Corvid Computing"
    assert [(f["category"], f["severity"], f["status"]) for f in entry["findings"]] == [
        ("OCCUPATIONAL_SAFETY_AND_HEALTH", "CRITICAL", "OPEN")]
    # Kunshan is disclosed for the contract: tier 1, contract -> site
    kunshan = _by_site(answer.data["myExposure"])[s.SITE_KUNSHAN]
    assert kunshan["tier"] == 1
    assert [p["kind"] for p in kunshan["path"]] == ["CONTRACT", "SITE"]
    # once the ministry's store is built, a request is one statement
    again = await run_at(story_graph, ministry, EXPOSURE, {"first": 100})
    assert again.data == answer.data
    assert again.round_trips == 1


async def test_exposure_is_sorted_by_severity_then_recency(story_graph: Graph,
                                                           ministry: Viewer) -> None:
    answer = await run_at(story_graph, ministry, EXPOSURE,
                          {"first": 100, "filter": {"status": ["OPEN"]}})
    entries = nodes(answer.data["myExposure"])
    rank = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}
    tops = [max(rank[f["severity"]] for f in e["findings"]) for e in entries]
    assert tops == sorted(tops, reverse=True)
    assert all(f["status"] == "OPEN" for e in entries for f in e["findings"])
    # both CRITICAL sites come first; Tinfield's grievance (Aug 2026) is newer than
    # Kunshan's monitoring (May 2026)
    assert [e["site"]["id"] for e in entries[:2]] == [s.SITE_TINFIELD, s.SITE_KUNSHAN]


async def test_forced_labour_filter_finds_kunshan_for_every_corvid_buyer(
        story_graph: Graph, ministry: Viewer) -> None:
    answer = await run_at(story_graph, ministry, EXPOSURE, {"filter": {
        "categories": ["FORCED_LABOUR"], "minSeverity": "CRITICAL", "status": ["OPEN"]}})
    entries = nodes(answer.data["myExposure"])
    # (a generated report elsewhere has one too; Kunshan's is the story's)
    assert s.SITE_KUNSHAN in [e["site"]["id"] for e in entries]
    assert {(f["category"], f["severity"], f["status"]) for e in entries
            for f in e["findings"]} == {("FORCED_LABOUR", "CRITICAL", "OPEN")}


async def test_max_tier_bounds_the_walk_and_country_filters_sites(story_graph: Graph,
                                                                  ministry: Viewer) -> None:
    two = await run_at(story_graph, ministry, EXPOSURE,
                       {"first": 100, "filter": {"maxTier": 2}})
    assert s.SITE_TINFIELD not in _by_site(two.data["myExposure"])
    assert max(e["tier"] for e in nodes(two.data["myExposure"])) == 2
    my = await run_at(story_graph, ministry, EXPOSURE,
                      {"first": 100, "filter": {"countryCode": ["MY"]}})
    assert {e["site"]["countryCode"] for e in nodes(my.data["myExposure"])} == {"MY"}
    assert s.SITE_TINFIELD in _by_site(my.data["myExposure"])


async def test_paging_through_exposure_gives_each_site_once(story_graph: Graph,
                                                            health: Viewer) -> None:
    seen: list[str] = []
    after = None
    while True:
        answer = await run_at(story_graph, health, EXPOSURE, {"first": 7, "after": after})
        conn = answer.data["myExposure"]
        seen += [n["site"]["id"] for n in nodes(conn)]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == conn["totalCount"]
    # the health trust's consortium-shared disclosure is in its own exposure
    assert s.SITE_NW_PRIVATE_DISCLOSURE in seen


async def test_contract_exposure_covers_one_contract_only(story_graph: Graph,
                                                          health: Viewer) -> None:
    answer = await run_at(story_graph, health, CONTRACT_EXPOSURE,
                          {"id": s.CONTRACT_NW_HEALTH_DESKTOPS})
    entries = nodes(answer.data["contract"]["exposure"])
    assert {e["path"][0]["id"] for e in entries} == {s.CONTRACT_NW_HEALTH_DESKTOPS}
    assert s.SITE_GUADALAJARA in {e["site"]["id"] for e in entries}
    assert s.SITE_KUNSHAN not in {e["site"]["id"] for e in entries}  # Halden, not Corvid


CONTRACTS_EXPOSURE = """{ contracts(first: 20) { edges { node { id
  exposure(first: 100) { totalCount edges { node { site { id } } } } } } } }"""


async def test_a_buyer_listing_contracts_with_exposure_costs_one_walk_not_one_per_contract(
        story_graph: Graph, health: Viewer) -> None:
    listed = await run_at(story_graph, health, CONTRACTS_EXPOSURE)
    contracts = [e["node"] for e in listed.data["contracts"]["edges"]]
    assert len(contracts) > 2
    # one round trip for the list, one for every contract's exposure together
    assert listed.round_trips == 2
    for contract in contracts:
        alone = await run_at(story_graph, health, CONTRACT_EXPOSURE, {"id": contract["id"]})
        one = alone.data["contract"]["exposure"]
        assert contract["exposure"]["totalCount"] == one["totalCount"]
        assert [n["site"]["id"] for n in nodes(contract["exposure"])] == \
            [n["site"]["id"] for n in nodes(one)]


async def test_contract_exposure_of_an_invisible_contract_is_null(story_graph: Graph) -> None:
    lake = await viewer_for(story_graph, s.LK_UNI)
    answer = await run_at(story_graph, lake, CONTRACT_EXPOSURE,
                          {"id": s.CONTRACT_NW_HEALTH_DESKTOPS})
    assert answer.data == {"contract": None}


HIDDEN_SUPPLIER = "SUP-T7-HIDDEN"
HIDDEN_SITE = "MY2026001T7HIDE"


@pytest.fixture
async def hidden_tier(story_graph: Graph) -> Any:
    """Corvid sources from a supplier shared only inside Lakeshore, which operates a PUBLIC
    site reachable by no other path."""
    await story_graph.query(
        "MATCH (b:Brand {id: 'BRD-CORVID'}) "
        "CREATE (x:Supplier {id: $sup, name: 'Hidden Tier Ltd', sharing: 'CONSORTIUM', "
        "contributedBy: $owner, sharedWith: []}) "
        "CREATE (site:ProductionSite {id: $site, name: 'Hidden Tier Plant', countryCode: 'MY', "
        "sharing: 'PUBLIC', contributedBy: $owner, sharedWith: [], aliases: []}) "
        "CREATE (b)-[:SOURCES_FROM {contributedBy: $owner}]->(x)-[:OPERATES]->(site)",
        {"sup": HIDDEN_SUPPLIER, "site": HIDDEN_SITE, "owner": s.LK_TECH}, write=True)
    await structure_changed_outside(story_graph)
    yield
    await story_graph.query("MATCH (n) WHERE n.id IN [$sup, $site] DETACH DELETE n",
                             {"sup": HIDDEN_SUPPLIER, "site": HIDDEN_SITE}, write=True)
    await structure_changed_outside(story_graph)


async def test_a_site_reached_only_through_an_invisible_supplier_is_not_listed(
        story_graph: Graph, ministry: Viewer, hidden_tier: Any) -> None:
    # the ministry cannot see Lakeshore's supplier: no entry, no name, no gap
    answer = await run_at(story_graph, ministry, EXPOSURE, {"first": 100})
    assert HIDDEN_SITE not in _by_site(answer.data["myExposure"])
    assert "Hidden Tier" not in str(answer.data)
    # the Lakeshore college (Corvid contract, peer of the owner) sees it, named, at tier 1
    college = await viewer_for(story_graph, s.LK_COLLEGE)
    answer = await run_at(story_graph, college, EXPOSURE, {"first": 100})
    entry = _by_site(answer.data["myExposure"])[HIDDEN_SITE]
    assert entry["tier"] == 1
    assert [p["id"] for p in entry["path"]][1:] == ["BRD-CORVID", HIDDEN_SUPPLIER, HIDDEN_SITE]


@pytest.mark.parametrize(("filter_", "path"), [
    ({"maxTier": 6}, ["filter", "maxTier"]),
    ({"maxTier": 0}, ["filter", "maxTier"]),
    ({"categories": ["FORCED_LABOUR", "SLAVERY"]}, ["filter", "categories", 1]),
    ({"countryCode": ["XX"]}, ["filter", "countryCode", 0]),
])
async def test_bad_exposure_filters_are_bad_user_input_with_the_path(
        story_graph: Graph, ministry: Viewer, filter_: dict[str, Any],
        path: list[Any]) -> None:
    answer = await run_at(story_graph, ministry, EXPOSURE, {"filter": filter_})
    assert answer.codes() == ["BAD_USER_INPUT"]
    assert answer.errors[0]["extensions"]["inputPath"] == path
    assert answer.errors[0]["path"] == ["myExposure"]
    assert answer.round_trips == 0


async def test_finding_filters_need_the_reports_scope(story_graph: Graph) -> None:
    viewer = await viewer_for(story_graph, s.NW_MINISTRY,
                              frozenset({Scope.SITES_READ, Scope.CONTRACTS_READ}))
    answer = await run_at(story_graph, viewer, EXPOSURE,
                          {"filter": {"categories": ["FORCED_LABOUR"]}})
    assert answer.codes() == ["FORBIDDEN"]
    assert answer.round_trips == 0


async def test_a_contracts_only_client_cannot_list_the_sites_its_contracts_reach(
        story_graph: Graph) -> None:
    viewer = await viewer_for(story_graph, s.NW_MINISTRY, frozenset({Scope.CONTRACTS_READ}))
    answer = await run_at(story_graph, viewer, EXPOSURE, {})
    assert answer.codes() == ["FORBIDDEN"]
    assert answer.round_trips == 0
    assert s.SITE_KUNSHAN not in json.dumps(answer.data)


URGENT = """query($first: Int, $after: String, $filter: ExposureFilter) {
  myExposure(first: $first, after: $after, filter: $filter, orderBy: URGENCY) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { tier site { id risk { stale lastReportAt } contradictions { category } }
      findings { severity status } } } } }"""
_RANK = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}


def _urgency(entry: dict[str, Any]) -> tuple[bool, bool, int]:
    """What URGENCY orders by, read from the entry's own fields: a contradiction, stale
    evidence (a newest report older than stale_after_days; none is not stale), then the
    most severe finding."""
    site = entry["site"]
    stale = bool(site["risk"]["stale"] and site["risk"]["lastReportAt"])
    top = max((_RANK[f["severity"]] for f in entry["findings"]), default=0)
    return (bool(site["contradictions"]), stale, top)


@pytest.mark.parametrize("org", [s.NW_HEALTH, s.NW_MINISTRY, s.LK_UNI])
async def test_urgency_puts_contradictions_then_stale_evidence_then_severity_first(
        story_graph: Graph, org: str) -> None:
    viewer = await viewer_for(story_graph, org)
    # paged by 7, so that the order must hold across pages, not only within one
    keys: list[tuple[bool, bool, int]] = []
    seen: list[str] = []
    after = None
    while True:
        answer = await run_at(story_graph, viewer, URGENT, {"first": 7, "after": after})
        assert not answer.errors, answer.errors
        conn = answer.data["myExposure"]
        keys += [_urgency(n) for n in nodes(conn)]
        seen += [n["site"]["id"] for n in nodes(conn)]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == conn["totalCount"]
    assert keys == sorted(keys, reverse=True)


async def test_urgency_puts_a_contradicted_site_before_a_more_severe_one(
        story_graph: Graph, ministry: Viewer) -> None:
    by_severity = nodes((await run_at(story_graph, ministry, EXPOSURE, {"first": 100}))
                        .data["myExposure"])
    urgent = nodes((await run_at(story_graph, ministry, URGENT, {"first": 100}))
                   .data["myExposure"])
    flagged = [e["site"]["id"] for e in urgent if e["site"]["contradictions"]]
    # the sample holds contradicted audits within the ministry's reach, and URGENCY moves
    # them ahead of the order by severity
    assert flagged and [e["site"]["id"] for e in urgent[:len(flagged)]] == flagged
    assert [e["site"]["id"] for e in by_severity] != [e["site"]["id"] for e in urgent]
    assert sorted(e["site"]["id"] for e in by_severity) == sorted(e["site"]["id"]
                                                                   for e in urgent)


async def test_urgency_needs_the_reports_scope(story_graph: Graph) -> None:
    viewer = await viewer_for(story_graph, s.NW_MINISTRY,
                              frozenset({Scope.SITES_READ, Scope.CONTRACTS_READ}))
    answer = await run_at(story_graph, viewer, "{ myExposure(orderBy: URGENCY) { totalCount } }")
    assert answer.codes() == ["FORBIDDEN"]
    assert answer.round_trips == 0


SUBMIT = """mutation($input: SubmitReportInput!) { submitReport(input: $input) {
  report { id } errors { code message path } } }"""


async def test_a_report_the_buyer_may_not_see_does_not_move_a_site_in_the_urgent_order(
        sample_graph: Graph) -> None:
    from tests.support.reads import run
    from tests.support.writes import call, writer

    buyer = await viewer_for(sample_graph, s.NW_HEALTH)

    async def order() -> list[str]:
        answer = await run(sample_graph, buyer, URGENT, {"first": 100})
        assert not answer.errors, answer.errors
        return [n["site"]["id"] for n in nodes(answer.data["myExposure"])]

    # given a site in the buyer's reach with no report it may see
    before = await order()
    answer = await run(sample_graph, buyer, URGENT, {"first": 100})
    seen_bare = [n["site"]["id"] for n in nodes(answer.data["myExposure"])
                 if n["site"]["risk"]["lastReportAt"] is None]
    # (and none hidden from it either: the one we add is then the site's only report)
    rows = await sample_graph.query(
        "UNWIND $ids AS id MATCH (x:ProductionSite {id: id}) "
        "WHERE NOT EXISTS { MATCH (x)<-[:ASSESSES]-(:AuditReport) } RETURN x.id AS id",
        {"ids": seen_bare})
    bare = sorted(r["id"] for r in rows)
    assert bare, "the sample gives this buyer a site without any report"
    # when a monitor keeps a years-old report on it to itself
    monitor = await writer(sample_graph, s.MONITOR_NGO, kind="MONITOR")
    done = await call(sample_graph, monitor, SUBMIT, {"input": {
        "siteId": bare[-1], "kind": "NGO_INVESTIGATION", "title": "kept private",
        "visitDate": "2019-03-01", "publishedAt": "2019-03-02", "sharing": "PRIVATE",
        "findings": []}})
    assert done.data["submitReport"]["errors"] == [], done.data
    # then the buyer's urgent order is what it was: that evidence is not the buyer's to age
    assert await order() == before
