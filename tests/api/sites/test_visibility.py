"""Who sees which sites of the sample data: consortium and private sites, and text search.

Actors: two Northwind members (the health trust NRHT and the City of Eastmere), a Lakeshore
member (University of Lakeshore) and a monitor (Workers' Voice).
"""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import nodes, run

# The sample's own organisations as actors (tests/api/conftest.py).
pytestmark = pytest.mark.sample_actors

SITE = """query($id: ID!) { productionSite(id: $id) { id name sharing
  reports(first: 50) { totalCount edges { node { id sensitiveNotes } } }
  findings { id status } openFindingCount } }"""


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
