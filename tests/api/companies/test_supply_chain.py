"""Brand.supplyChain on the sample data: Corvid reaches the Tinfield smelter at tier three, tier one
is the direct suppliers, bounds are checked, and only sites the viewer may see are listed."""

from __future__ import annotations

import uuid

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from graph.core.derived import structure_changed_outside
from seeds import sample as s
from tests.support.reads import run

# The sample's own organisations as actors (tests/api/conftest.py).
pytestmark = pytest.mark.sample_actors

SUPPLY_CHAIN = """query($id: ID!, $tier: Int!) { brand(id: $id) {
  supplyChain(maxTier: $tier) { tier supplier { id } site { id } } } }"""


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


TWICE = """query($id: ID!, $tier: Int!) { brand(id: $id) { id name
  a: supplyChain(maxTier: $tier) { tier supplier { id } site { id } }
  b: supplyChain(maxTier: $tier) { tier supplier { id } site { id } } } }"""
WITH_NAME = """query($id: ID!, $tier: Int!) { brand(id: $id) { id name
  supplyChain(maxTier: $tier) { tier supplier { id } site { id } } } }"""


async def test_buyer_brand_with_its_chain_is_one_round_trip_and_the_same_chain(
        sample_graph: Graph, nrht: Viewer, ulake: Viewer) -> None:
    for viewer in (nrht, ulake):
        for tier in (1, 3, 5):
            # the chain asked once: read with the brand
            once = await run(sample_graph, viewer, WITH_NAME, {"id": "BRD-CORVID", "tier": tier})
            assert once.errors == [] and once.round_trips == 1
            # asked twice (aliases): the brand, then the chain by its own loader
            twice = await run(sample_graph, viewer, TWICE, {"id": "BRD-CORVID", "tier": tier})
            assert twice.errors == [] and twice.round_trips == 2
            brand = twice.data["brand"]
            assert brand["a"] == brand["b"] == once.data["brand"]["supplyChain"]
            assert (once.data["brand"]["id"], once.data["brand"]["name"]) == \
                (brand["id"], brand["name"]) == ("BRD-CORVID", "Corvid Computing")


async def test_buyer_brand_reaching_no_supplier_is_there_with_an_empty_chain(
        sample_graph: Graph, nrht: Viewer) -> None:
    # given a visible brand with no supplier, and an id no brand has
    bid = "BRD-TEST-" + uuid.uuid4().hex[:10].upper()
    await sample_graph.query(
        "CREATE (:Brand {id: $id, name: 'Lone Brand', sharing: 'PUBLIC', "
        "contributedBy: $org})", {"id": bid, "org": s.OPERATOR}, write=True)
    try:
        # when its chain is read with it, then it is there, with no entries
        answer = await run(sample_graph, nrht, WITH_NAME, {"id": bid, "tier": 3})
        assert answer.errors == [] and answer.round_trips == 1
        assert answer.data["brand"] == {"id": bid, "name": "Lone Brand", "supplyChain": []}
        missing = await run(sample_graph, nrht, WITH_NAME, {"id": bid + "X", "tier": 3})
        assert missing.errors == [] and missing.data["brand"] is None
    finally:
        await sample_graph.query("MATCH (b:Brand {id: $id}) DETACH DELETE b", {"id": bid},
                                 write=True)
        await structure_changed_outside(sample_graph)
