"""createContract, updateContract and discloseContractSites per actor, and a contract's history
without its value for peers. Each test creates its own records (fresh ids) so the sample's story
stays as it is."""

from __future__ import annotations

from typing import Any

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.writes import (
    CREATE_CONTRACT,
    MONITOR,
    OWNER,
    TEST_BRAND,
    TEST_SUPPLIER,
    call,
    codes,
    ensure_test_orgs,
    fresh,
    new_contract,
    new_site,
    seeded_site,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


UPDATE_CONTRACT = """
mutation($id: ID!, $input: UpdateContractInput!) { updateContract(id: $id, input: $input) {
  contract { id title value { amount currency } } errors { code message path } } }"""
DISCLOSE = """
mutation($input: DiscloseContractSitesInput!) { discloseContractSites(input: $input) {
  contract { id sites { id } brands { id } } errors { code message path } } }"""
CONTRACT_HISTORY = """
query($id: ID!) { contract(id: $id) { id
  history { number change record { title value { amount } } } } }"""


# ----- contracts ------------------------------------------------------------------------------
async def test_create_contract_owner_sees_value(sample_graph: Graph, nrht: Viewer) -> None:
    contract = await new_contract(sample_graph, nrht)
    assert contract["value"] == {"amount": 120000.0, "currency": "EUR"}
    assert contract["supplier"] == {"id": TEST_SUPPLIER}
    rows = await sample_graph.query("MATCH (:Organisation {id: $o})-[:HOLDS]->(c:Contract "
                                    "{id: $id}) RETURN count(c) AS n",
                                    {"o": OWNER, "id": contract["id"]})
    assert rows[0]["n"] == 1


@pytest.mark.parametrize(("inp", "path"), [
    ({"startDate": "2026-02-30"}, ["input", "startDate"]),
    ({"startDate": "2027-01-01", "endDate": "2026-01-01"}, ["input", "endDate"]),
    ({"value": {"amount": -1, "currency": "EUR"}}, ["input", "value", "amount"]),
    ({"value": {"amount": 1, "currency": "EURO"}}, ["input", "value", "currency"]),
    ({"quantity": -3}, ["input", "quantity"]),
    ({"supplierId": "SUP-NOPE"}, ["input", "supplierId"]),
])
async def test_bad_contract_input(sample_graph: Graph, nrht: Viewer, inp: dict[str, Any],
                                  path: list[str]) -> None:
    ref = fresh("ocds-bad-")
    payload = (await call(sample_graph, nrht, CREATE_CONTRACT, {"input": {
        "reference": ref, **inp}})).data["createContract"]
    assert payload["contract"] is None
    assert payload["errors"][0]["path"] == path
    rows = await sample_graph.query("MATCH (c:Contract {reference: $r}) RETURN count(c) AS n",
                                    {"r": ref})
    assert rows[0]["n"] == 0


@pytest.mark.parametrize(("actor", "expected"), [
    ("owner", None), ("peer", "FORBIDDEN"), ("other", "NOT_FOUND"), ("monitor", "NOT_FOUND"),
    ("operator", None), ("no_scope", "SCOPE"),
])
async def test_update_contract_per_actor(sample_graph: Graph, actors: dict[str, Viewer],
                                         actor: str, expected: str | None) -> None:
    contract = await new_contract(sample_graph, actors["owner"])
    answer = await call(sample_graph, actors[actor], UPDATE_CONTRACT, {
        "id": contract["id"], "input": {"title": "Laptops, amended",
                                        "value": {"amount": 130000, "currency": "EUR"}}})
    if expected == "SCOPE":
        assert answer.codes() == ["FORBIDDEN"]
        return
    payload = answer.data["updateContract"]
    if expected is None:
        assert payload["errors"] == []
    else:
        assert codes(payload) == [expected]


async def test_contract_history_hides_value_from_peers(sample_graph: Graph, nrht: Viewer,
                                                       eastmere: Viewer) -> None:
    contract = await new_contract(sample_graph, nrht)
    await call(sample_graph, nrht, UPDATE_CONTRACT, {"id": contract["id"], "input": {
        "value": {"amount": 150000, "currency": "EUR"}, "note": "price review"}})
    own = (await call(sample_graph, nrht, CONTRACT_HISTORY, {"id": contract["id"]})).data
    assert [v["record"]["value"]["amount"] for v in own["contract"]["history"]] == \
        [120000.0, 150000.0]
    peer = await call(sample_graph, eastmere, CONTRACT_HISTORY, {"id": contract["id"]})
    assert [v["record"]["value"] for v in peer.data["contract"]["history"]] == [None, None]
    assert set(peer.codes()) == {"FORBIDDEN"}


async def test_disclose_contract_sites(sample_graph: Graph, nrht: Viewer, eastmere: Viewer,
                                       ulake: Viewer) -> None:
    contract = await new_contract(sample_graph, nrht)
    sid = await new_site(sample_graph, nrht)
    other_site = await seeded_site(sample_graph, MONITOR)
    payload = (await call(sample_graph, nrht, DISCLOSE, {"input": {
        "contractId": contract["id"], "siteIds": [sid, other_site],
        "brandIds": [TEST_BRAND]}})).data["discloseContractSites"]
    assert payload["errors"] == []
    assert {x["id"] for x in payload["contract"]["sites"]} == {sid, other_site}
    # another member's contract: forbidden to a peer, unknown outside the consortium
    peer = (await call(sample_graph, eastmere, DISCLOSE, {"input": {
        "contractId": contract["id"], "siteIds": [sid]}})).data["discloseContractSites"]
    assert codes(peer) == ["FORBIDDEN"]
    other = (await call(sample_graph, ulake, DISCLOSE, {"input": {
        "contractId": contract["id"], "siteIds": [sid]}})).data["discloseContractSites"]
    assert codes(other) == ["NOT_FOUND"]
    # a site the buyer may not see (Lakeshore's private site): NOT_FOUND, nothing written
    hidden = (await call(sample_graph, nrht, DISCLOSE, {"input": {
        "contractId": contract["id"], "siteIds": [other_site, s.SITE_LK_PRIVATE]}})
    ).data["discloseContractSites"]
    assert hidden["errors"][0]["path"] == ["input", "siteIds", "1"]
    rows = await sample_graph.query("MATCH (:Contract {id: $id})-[:SOURCED_FROM]->(p) "
                                    "RETURN collect(p.id) AS ids", {"id": contract["id"]})
    assert set(rows[0]["ids"]) == {sid, other_site}
