"""Brand.supplyChain on the sample data: Corvid reaches the Tinfield smelter at tier three, tier one
is the direct suppliers, bounds are checked, and only sites the viewer may see are listed."""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
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
