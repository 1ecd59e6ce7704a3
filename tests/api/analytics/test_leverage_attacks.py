"""Leverage as an adversarial member would read it (issue 11, class 6), on the write tests'
organisations: the owner (viewer), its consortium peer, and an outsider.

1. A hidden supplier on the owner's own chain must not make a site's leverage count anyone:
   the counts go only through brands, suppliers and sites the viewer may see.
2. The owner adding its own contract to a site must not move the site's counts (a band read
   exactly by adding one's own contract and subtracting)."""

from __future__ import annotations

from typing import Any

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from tests.support.analytics import run_at
from tests.support.writes import OUTSIDER, OWNER, PEER, ensure_test_orgs, fresh, writer

SITE = """query($id: ID!) { productionSite(id: $id) { leverage {
  members { exact band } membersInMyConsortia { exact band } contracts { exact band }
  namedMembers { id } } } }"""

_RECORD = ("n.sharing = $sharing, n.sharedWith = [], n.contributedBy = $owner, "
           "n.source = 'leverage attack tests', n.createdAt = '2026-01-01T00:00:00Z', "
           "n.updatedAt = '2026-01-01T00:00:00Z'")


async def _node(graph: Graph, label: str, owner: str, sharing: str, **props: Any) -> str:
    id_ = fresh(label[:3].upper() + "-")
    await graph.query(f"CREATE (n:{label} {{id: $id}}) SET n += $props, {_RECORD}",
                      {"id": id_, "props": props, "owner": owner, "sharing": sharing},
                      write=True)
    return id_


async def _link(graph: Graph, a: str, rel: str, b: str) -> None:
    await graph.query(f"MATCH (a {{id: $a}}), (b {{id: $b}}) MERGE (a)-[:{rel}]->(b)",
                      {"a": a, "b": b}, write=True)


async def _site(graph: Graph, owner: str = OUTSIDER) -> str:
    return await _node(graph, "ProductionSite", owner, "PUBLIC", name=fresh("Site "),
                       countryCode="VN", aliases=[], status="ACTIVE")


async def _contract(graph: Graph, holder: str, sharing: str = "PRIVATE") -> str:
    cid = await _node(graph, "Contract", holder, sharing, reference=fresh("C-"),
                      title="laptops", valueAmount=1000.0, valueCurrency="EUR")
    await graph.query("MATCH (o:Organisation {id: $o}), (c:Contract {id: $c}) "
                      "MERGE (o)-[:HOLDS]->(c)", {"o": holder, "c": cid}, write=True)
    return cid


async def _read(graph: Graph, viewer: Viewer, site: str) -> dict[str, Any]:
    answer = await run_at(graph, viewer, SITE, {"id": site})
    assert answer.errors == []
    return answer.data["productionSite"]["leverage"]


@pytest.fixture
async def owner(sample_graph: Graph) -> Viewer:
    await ensure_test_orgs(sample_graph)
    return await writer(sample_graph, OWNER)


async def test_owner_learns_nothing_of_a_hidden_supplier_on_its_own_chain(
        sample_graph: Graph, owner: Viewer) -> None:
    g = sample_graph
    brand = await _node(g, "Brand", OWNER, "PUBLIC", name=fresh("Brand "), countryCode="GB")
    hidden = await _node(g, "Supplier", OUTSIDER, "PRIVATE", name=fresh("Hidden "),
                         countryCode="VN", roles=["ASSEMBLER"])
    operator = await _node(g, "Supplier", OUTSIDER, "PUBLIC", name=fresh("Operator "),
                           countryCode="VN", roles=["COMPONENT_MAKER"])
    site = await _site(g)
    await _link(g, operator, "OPERATES", site)
    await _link(g, brand, "SOURCES_FROM", hidden)
    await _link(g, hidden, "SOURCES_FROM", operator)
    for holder in (OWNER, PEER, OUTSIDER):
        await _link(g, await _contract(g, holder), "COVERS", brand)

    through_hidden = await _read(g, owner, site)
    # the same world without the hidden supplier's links: nothing the owner may see changed
    await g.query("MATCH (:Supplier {id: $id})-[r:SOURCES_FROM]-() DELETE r", {"id": hidden},
                  write=True)
    without = await _read(g, owner, site)
    assert through_hidden == without
    assert without["members"] == {"exact": 0, "band": "0"}


async def test_owner_adding_its_own_contract_does_not_move_a_band(
        sample_graph: Graph, owner: Viewer) -> None:
    g = sample_graph
    site = await _site(g)
    for holder in (PEER, OUTSIDER):  # two hidden contracts: too few to count exactly
        await _link(g, await _contract(g, holder), "SOURCED_FROM", site)
    before = await _read(g, owner, site)
    assert before["members"] == {"exact": None, "band": "fewer than 3"}
    await _link(g, await _contract(g, OWNER, "CONSORTIUM"), "SOURCED_FROM", site)
    assert await _read(g, owner, site) == before


async def test_peer_contract_made_visible_is_named_and_counted_in_the_consortium(
        sample_graph: Graph, owner: Viewer) -> None:
    g = sample_graph
    site = await _site(g)
    shared = await _contract(g, PEER, "CONSORTIUM")
    await _link(g, shared, "SOURCED_FROM", site)
    lev = await _read(g, owner, site)
    assert lev["namedMembers"] == [{"id": PEER}]
    assert lev["members"] == {"exact": 1, "band": "1"}  # nothing hidden: nothing to band
    assert lev["membersInMyConsortia"] == {"exact": 1, "band": "1"}
