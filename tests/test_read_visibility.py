"""Who sees what of the sample data, field by field for the confidential ones.

Actors: two Northwind members (the health trust NRHT and the City of Eastmere), a Lakeshore
member (University of Lakeshore), a monitor (Workers' Voice) and a token without scopes.
"""

from __future__ import annotations

import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import Answer, nodes, run, viewer_for

CONTRACT_FIELDS = """
fragment C on Contract {
  id reference sharing contributedBy
  value { amount currency } quantity unitPrices { item amount currency }
  buyer { id } supplier { id } brands { id } sites { id }
}
"""

CONTRACT = CONTRACT_FIELDS + "query($id: ID!) { contract(id: $id) { ...C } }"
CONTRACTS = CONTRACT_FIELDS + """
query($filter: ContractFilter, $order: [ContractOrder!], $first: Int, $after: String) {
  contracts(filter: $filter, orderBy: $order, first: $first, after: $after) {
    totalCount edges { cursor node { ...C } } pageInfo { hasNextPage endCursor }
  }
}
"""
REPORT = """query($id: ID!) { report(id: $id) { id title sharing sensitiveNotes
  findings { id category } site { id } author { id } } }"""
SITE = """query($id: ID!) { productionSite(id: $id) { id name sharing
  reports(first: 50) { totalCount edges { node { id sensitiveNotes } } }
  findings { id status } openFindingCount } }"""


SAMPLE_CONTRACTS = {
    s.CONTRACT_NW_HEALTH_LAPTOPS, s.CONTRACT_NW_HEALTH_DESKTOPS, s.CONTRACT_NW_CITY_PHONES,
    s.CONTRACT_NW_MINISTRY_LAPTOPS, s.CONTRACT_LK_UNI_SERVERS, s.CONTRACT_LK_TECH_DISPLAYS,
    s.CONTRACT_LK_COLLEGE_LAPTOPS}


@pytest.fixture
async def nrht(sample_graph: Graph) -> Viewer:
    return await viewer_for(sample_graph, s.NW_HEALTH)


@pytest.fixture
async def eastmere(sample_graph: Graph) -> Viewer:
    return await viewer_for(sample_graph, s.NW_CITY)


@pytest.fixture
async def ulake(sample_graph: Graph) -> Viewer:
    return await viewer_for(sample_graph, s.LK_UNI)


@pytest.fixture
async def monitor(sample_graph: Graph) -> Viewer:
    return await viewer_for(sample_graph, s.MONITOR_WORKERS)


@pytest.fixture
async def no_scope(sample_graph: Graph) -> Viewer:
    return await viewer_for(sample_graph, s.NW_HEALTH, frozenset())


@pytest.fixture
async def actors(nrht: Viewer, eastmere: Viewer, ulake: Viewer, monitor: Viewer,
                 ) -> dict[str, Viewer]:
    return {"nrht": nrht, "eastmere": eastmere, "ulake": ulake, "monitor": monitor}


async def _contract(graph: Graph, viewer: Viewer, cid: str) -> Answer:
    return await run(graph, viewer, CONTRACT, {"id": cid})


# ----- contracts: records -------------------------------------------------------------------
@pytest.mark.parametrize(("actor", "expected"), [
    ("nrht", {s.CONTRACT_NW_HEALTH_LAPTOPS, s.CONTRACT_NW_HEALTH_DESKTOPS,
              s.CONTRACT_NW_CITY_PHONES, s.CONTRACT_NW_MINISTRY_LAPTOPS}),
    ("eastmere", {s.CONTRACT_NW_HEALTH_LAPTOPS, s.CONTRACT_NW_CITY_PHONES,
                  s.CONTRACT_NW_MINISTRY_LAPTOPS}),
    ("ulake", {s.CONTRACT_LK_UNI_SERVERS, s.CONTRACT_LK_COLLEGE_LAPTOPS,
               s.CONTRACT_NW_MINISTRY_LAPTOPS}),
    ("monitor", {s.CONTRACT_NW_MINISTRY_LAPTOPS}),
])
async def test_each_actor_lists_exactly_the_contracts_its_sharing_allows(
        sample_graph: Graph, actors: dict[str, Viewer], actor: str,
        expected: set[str]) -> None:
    viewer = actors[actor]
    answer = await run(sample_graph, viewer, CONTRACTS, {"first": 100})
    ids = {n["id"] for n in nodes(answer.data["contracts"])}
    # Other test modules may add contracts to the shared graph: judge the sample's own.
    assert ids & SAMPLE_CONTRACTS == expected
    assert answer.data["contracts"]["totalCount"] == len(ids)


async def test_private_contract_of_the_health_trust_is_null_for_its_consortium_peer(
        sample_graph: Graph, eastmere: Viewer) -> None:
    answer = await _contract(sample_graph, eastmere, s.CONTRACT_NW_HEALTH_DESKTOPS)
    assert answer.data == {"contract": None}
    assert answer.errors == []


# ----- contracts: confidential fields -------------------------------------------------------
async def test_owner_reads_its_contract_value_quantity_and_unit_prices(
        sample_graph: Graph, nrht: Viewer) -> None:
    answer = await _contract(sample_graph, nrht, s.CONTRACT_NW_HEALTH_LAPTOPS)
    c = answer.data["contract"]
    assert c["value"] == {"amount": 4_200_000.0, "currency": "EUR"}
    assert c["quantity"] == 5000
    assert c["unitPrices"][0]["currency"] == "EUR"
    assert answer.errors == []


@pytest.mark.parametrize("actor", ["eastmere", "ulake", "monitor"])
async def test_non_owner_gets_null_and_forbidden_for_each_confidential_contract_field(
        sample_graph: Graph, actors: dict[str, Viewer], actor: str) -> None:
    viewer = actors[actor]
    answer = await _contract(sample_graph, viewer, s.CONTRACT_NW_MINISTRY_LAPTOPS)  # PUBLIC
    c = answer.data["contract"]
    assert c["reference"] == "ocds-nw03-2024-0042"
    assert (c["value"], c["quantity"], c["unitPrices"]) == (None, None, None)
    for field in ("value", "quantity", "unitPrices"):
        errors = answer.errors_at("contract", field)
        assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"], field
    assert "9800000" not in str(answer.errors) and "28000" not in str(answer.errors)


async def test_consortium_peer_sees_the_shared_contract_but_not_its_value(
        sample_graph: Graph, eastmere: Viewer) -> None:
    answer = await _contract(sample_graph, eastmere, s.CONTRACT_NW_HEALTH_LAPTOPS)
    assert answer.data["contract"]["id"] == s.CONTRACT_NW_HEALTH_LAPTOPS
    assert answer.data["contract"]["value"] is None
    assert answer.data["contract"]["sites"]  # the disclosure is shared, the price is not


async def test_value_filter_by_a_non_owner_never_matches(
        sample_graph: Graph, eastmere: Viewer) -> None:
    answer = await run(sample_graph, eastmere, CONTRACTS,
                       {"filter": {"valueMin": 0}, "first": 100})
    # Only its own contracts (in the sample: the phones) have a value Eastmere may read.
    matched = nodes(answer.data["contracts"])
    assert s.CONTRACT_NW_CITY_PHONES in {n["id"] for n in matched}
    assert {n["contributedBy"] for n in matched} == {s.NW_CITY}
    assert answer.data["contracts"]["totalCount"] == len(matched)
    answer = await run(sample_graph, eastmere, CONTRACTS,
                       {"filter": {"valueMin": 4_000_000, "valueMax": 5_000_000}})
    # Not the trust's 4.2M laptops, which Eastmere sees but whose value it may not read.
    assert {n["contributedBy"] for n in nodes(answer.data["contracts"])} <= {s.NW_CITY}


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_order_by_value_puts_unreadable_values_last_in_id_order(
        sample_graph: Graph, nrht: Viewer, direction: str) -> None:
    answer = await run(sample_graph, nrht, CONTRACTS,
                       {"order": [{"field": "VALUE", "direction": direction}], "first": 100})
    ids = [n["id"] for n in nodes(answer.data["contracts"]) if n["id"] in SAMPLE_CONTRACTS]
    own = [s.CONTRACT_NW_HEALTH_DESKTOPS, s.CONTRACT_NW_HEALTH_LAPTOPS]  # 1.15M, 4.2M
    if direction == "DESC":
        own.reverse()
    assert ids == own + sorted([s.CONTRACT_NW_CITY_PHONES, s.CONTRACT_NW_MINISTRY_LAPTOPS])


# ----- reports: sensitive notes and restricted records --------------------------------------
@pytest.mark.parametrize(("actor", "readable"), [
    ("nrht", True), ("monitor", True), ("eastmere", False), ("ulake", False)])
async def test_sensitive_notes_of_the_kunshan_monitoring_for_author_and_named_reader_only(
        sample_graph: Graph, actors: dict[str, Viewer], actor: str,
        readable: bool) -> None:
    viewer = actors[actor]
    answer = await run(sample_graph, viewer, REPORT, {"id": s.REPORT_WORKER_MONITORING})
    report = answer.data["report"]
    assert report["id"] == s.REPORT_WORKER_MONITORING  # PUBLIC report
    if readable:
        assert report["sensitiveNotes"].startswith("Testimony of 14 workers")
        assert answer.errors == []
    else:
        assert report["sensitiveNotes"] is None
        assert [e["extensions"]["code"] for e in answer.errors_at("report", "sensitiveNotes")] \
            == ["FORBIDDEN"]
        assert "Testimony" not in str(answer.errors)


@pytest.mark.parametrize(("actor", "sees", "notes"), [
    ("nrht", True, True), ("eastmere", True, True), ("ulake", False, False),
    ("monitor", False, False)])
async def test_restricted_red_delta_investigation_only_for_the_named_members(
        sample_graph: Graph, actors: dict[str, Viewer], actor: str, sees: bool,
        notes: bool) -> None:
    viewer = actors[actor]
    answer = await run(sample_graph, viewer, REPORT, {"id": s.REPORT_RED_DELTA_NGO})
    if not sees:
        assert answer.data == {"report": None} and answer.errors == []
        site = await run(sample_graph, viewer, SITE, {"id": s.SITE_RED_DELTA})
        ids = {n["id"] for n in nodes(site.data["productionSite"]["reports"])}
        assert s.REPORT_RED_DELTA_NGO not in ids
        return
    report = answer.data["report"]
    assert len(report["findings"]) == 2
    assert (report["sensitiveNotes"] is not None) is notes


async def test_open_finding_count_counts_only_visible_findings(
        sample_graph: Graph, nrht: Viewer, ulake: Viewer) -> None:
    nw = await run(sample_graph, nrht, SITE, {"id": s.SITE_RED_DELTA})
    lk = await run(sample_graph, ulake, SITE, {"id": s.SITE_RED_DELTA})
    nw_site, lk_site = nw.data["productionSite"], lk.data["productionSite"]
    # The restricted investigation's OPEN wages finding counts for Northwind only.
    assert nw_site["openFindingCount"] == lk_site["openFindingCount"] + 1
    assert len(nw_site["findings"]) >= len(lk_site["findings"]) + 2
    assert nw_site["openFindingCount"] == sum(f["status"] == "OPEN" for f in nw_site["findings"])


# ----- sites ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("actor", "disclosure", "lk_private"), [
    ("nrht", True, False), ("eastmere", True, False), ("ulake", False, True),
    ("monitor", False, False)])
async def test_consortium_and_private_sites(sample_graph: Graph, actors: dict[str, Viewer],
                                            actor: str, disclosure: bool,
                                            lk_private: bool) -> None:
    viewer = actors[actor]
    a = await run(sample_graph, viewer, SITE, {"id": s.SITE_NW_PRIVATE_DISCLOSURE})
    b = await run(sample_graph, viewer, SITE, {"id": s.SITE_LK_PRIVATE})
    assert (a.data["productionSite"] is not None) is disclosure
    assert (b.data["productionSite"] is not None) is lk_private
    listed = await run(sample_graph, viewer,
                       "{ productionSites(first: 100, filter: {countryCode: [\"CN\", \"IN\"]})"
                       " { totalCount edges { node { id } } } }")
    ids = {n["id"] for n in nodes(listed.data["productionSites"])}
    assert (s.SITE_NW_PRIVATE_DISCLOSURE in ids) is disclosure
    assert (s.SITE_LK_PRIVATE in ids) is lk_private
    assert listed.data["productionSites"]["totalCount"] == len(ids)


async def test_text_search_does_not_find_invisible_sites(sample_graph: Graph, ulake: Viewer,
                                                         monitor: Viewer) -> None:
    query = '{ productionSites(filter: {text: "Hosur"}) { totalCount edges { node { id } } } }'
    own = await run(sample_graph, ulake, query)
    other = await run(sample_graph, monitor, query)
    assert s.SITE_LK_PRIVATE in {n["id"] for n in nodes(own.data["productionSites"])}
    assert other.data["productionSites"]["totalCount"] == 0


# ----- scopes -------------------------------------------------------------------------------
async def test_token_without_scopes_gets_forbidden_per_root_field(
        sample_graph: Graph, no_scope: Viewer) -> None:
    answer = await run(sample_graph, no_scope, """{
      productionSite(id: "%s") { id }
      contracts { totalCount }
      report(id: "%s") { id }
    }""" % (s.SITE_KUNSHAN, s.REPORT_CLEAN_AUDIT))
    assert sorted(answer.codes()) == ["FORBIDDEN"] * 3
    assert answer.round_trips == 0


async def test_sites_scope_alone_cannot_read_reports_nested_in_a_site(
        sample_graph: Graph, sample_graph_viewer_sites_only: Viewer) -> None:
    answer = await run(sample_graph, sample_graph_viewer_sites_only,
                       '{ productionSite(id: "%s") { id name openFindingCount } }'
                       % s.SITE_KUNSHAN)
    assert answer.data is None or answer.data["productionSite"] is None \
        or answer.data["productionSite"].get("openFindingCount") is None
    assert "FORBIDDEN" in answer.codes()
    assert answer.errors[0]["extensions"]["scope"] == Scope.REPORTS_READ.value


@pytest.fixture
async def sample_graph_viewer_sites_only(sample_graph: Graph) -> Viewer:
    return await viewer_for(sample_graph, s.NW_CITY, frozenset({Scope.SITES_READ}))
