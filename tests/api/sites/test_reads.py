"""Reading sites: paging through every visible site exactly once."""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import nodes, run, viewer_for

SITES_PAGE = """query($first: Int, $after: String, $filter: ProductionSiteFilter) {
  productionSites(first: $first, after: $after, filter: $filter) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor }
  }
}"""


@pytest.fixture
async def nrht(sample_graph: Graph) -> Viewer:
    return await viewer_for(sample_graph, s.NW_HEALTH)


# ----- pagination -------------------------------------------------------------------------
@pytest.mark.parametrize("page", [1, 7, 100])
async def test_paging_through_sites_returns_every_visible_site_exactly_once(
        sample_graph: Graph, nrht: Viewer, page: int) -> None:
    seen: list[str] = []
    after = None
    while True:
        answer = await run(sample_graph, nrht, SITES_PAGE, {"first": page, "after": after})
        conn = answer.data["productionSites"]
        seen += [n["id"] for n in nodes(conn)]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    total = conn["totalCount"]
    visible = await sample_graph.query(
        "MATCH (n:ProductionSite) WHERE n.sharing = 'PUBLIC' OR n.contributedBy = $org "
        "OR (n.sharing = 'CONSORTIUM' AND n.contributedBy IN $peers) "
        "OR (n.sharing = 'RESTRICTED' AND $org IN n.sharedWith) RETURN n.id AS id",
        {"org": nrht.org_id, "peers": sorted(nrht.peers)})
    assert len(seen) == len(set(seen)) == total
    assert set(seen) == {r["id"] for r in visible}
