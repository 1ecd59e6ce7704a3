"""Reading sites: paging through every visible site exactly once."""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from tests.support.reads import nodes, run

# The sample's own organisations as actors (tests/api/conftest.py).
pytestmark = pytest.mark.sample_actors

SITES_PAGE = """query($first: Int, $after: String, $filter: ProductionSiteFilter) {
  productionSites(first: $first, after: $after, filter: $filter) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor }
  }
}"""


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


SITES_PAGE_ORDERED = """query($first: Int, $after: String, $order: [ProductionSiteOrder!]) {
  productionSites(first: $first, after: $after, orderBy: $order) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor }
  }
}"""
SITES_PAGE_UNCOUNTED = SITES_PAGE_ORDERED.replace("totalCount ", "")


async def _walk(graph: Graph, viewer: Viewer, query: str, page: int,
                order: list[dict[str, str]] | None) -> tuple[list[str], int | None]:
    seen: list[str] = []
    after = None
    while True:
        answer = await run(graph, viewer, query, {"first": page, "after": after,
                                                  "order": order})
        conn = answer.data["productionSites"]
        seen += [n["id"] for n in nodes(conn)]
        if not conn["pageInfo"]["hasNextPage"]:
            return seen, conn.get("totalCount")
        after = conn["pageInfo"]["endCursor"]


@pytest.mark.parametrize("order", [None, [{"field": "NAME", "direction": "DESC"}],
                                   [{"field": "ID", "direction": "DESC"}]])
@pytest.mark.parametrize("page", [1, 7])
async def test_paging_without_total_count_gives_the_same_sites_in_the_same_order(
        sample_graph: Graph, nrht: Viewer, page: int, order: list[dict[str, str]] | None,
) -> None:
    # given every visible site, paged with totalCount selected (the list then counts)
    counted, total = await _walk(sample_graph, nrht, SITES_PAGE_ORDERED, 100, order)
    # when paging through without selecting totalCount (the list then does not count)
    seen, _ = await _walk(sample_graph, nrht, SITES_PAGE_UNCOUNTED, page, order)
    # then hasNextPage ends the walk exactly after the last site, in the same order
    assert seen == counted
    assert len(seen) == total
