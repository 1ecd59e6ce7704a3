"""Who sees which contracts of the sample data, field by field for the confidential ones.

Actors: two Northwind members (the health trust NRHT and the City of Eastmere), a Lakeshore
member (University of Lakeshore) and a monitor (Workers' Voice).
"""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import Answer, nodes, run

# The sample's own organisations as actors (tests/api/conftest.py).
pytestmark = pytest.mark.sample_actors

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
SAMPLE_CONTRACTS = {
    s.CONTRACT_NW_HEALTH_LAPTOPS, s.CONTRACT_NW_HEALTH_DESKTOPS, s.CONTRACT_NW_CITY_PHONES,
    s.CONTRACT_NW_MINISTRY_LAPTOPS, s.CONTRACT_LK_UNI_SERVERS, s.CONTRACT_LK_TECH_DISPLAYS,
    s.CONTRACT_LK_COLLEGE_LAPTOPS}


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


@pytest.mark.parametrize("actor", ["nrht", "eastmere", "ulake", "monitor"])
@pytest.mark.parametrize("buyer", [s.NW_HEALTH, s.NW_CITY, s.LK_UNI])
async def test_a_buyer_filter_lists_that_buyers_visible_contracts_as_the_full_list_does(
        sample_graph: Graph, actors: dict[str, Viewer], actor: str, buyer: str) -> None:
    # The filtered list starts from the buyer index (graph/lists.py): it must answer what
    # the unfiltered list answers for that buyer, values and all, in the same value order.
    viewer, order = actors[actor], [{"field": "VALUE", "direction": "DESC"}]
    everyone = await run(sample_graph, viewer, CONTRACTS, {"order": order, "first": 100})
    theirs = await run(sample_graph, viewer, CONTRACTS,
                       {"order": order, "first": 100, "filter": {"buyerId": buyer}})
    expected = [n for n in nodes(everyone.data["contracts"]) if n["contributedBy"] == buyer]
    assert nodes(theirs.data["contracts"]) == expected
    assert theirs.data["contracts"]["totalCount"] == len(expected)


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
