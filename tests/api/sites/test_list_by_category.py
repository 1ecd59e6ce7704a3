"""The site list filtered by a CPV code starts from the category's makers (graph/lists.py):
for every actor it answers what the list without that filter answers, kept to the sites that
make the category, in the same order and count, with or without a country."""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from tests.support.reads import nodes, run

pytestmark = pytest.mark.sample_actors

LIST = """query($f: ProductionSiteFilter, $after: String) { productionSites(filter: $f,
  first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { id products { cpvCode } } } } }"""


async def _every(graph: Graph, viewer: Viewer, flt: dict) -> list[dict]:
    """The whole list, page after page (other modules add sites to the shared graph)."""
    out: list[dict] = []
    after = None
    while True:
        page = (await run(graph, viewer, LIST, {"f": flt, "after": after})).data
        out += nodes(page["productionSites"])
        if not page["productionSites"]["pageInfo"]["hasNextPage"]:
            return out
        after = page["productionSites"]["pageInfo"]["endCursor"]


@pytest.mark.parametrize("countries", [None, ["CN"], ["CN", "VN", "MY"]])
async def test_each_actor_gets_the_category_filter_the_full_list_implies(
        sample_graph: Graph, actors: dict[str, Viewer], countries: list[str] | None) -> None:
    codes = [r["c"] for r in await sample_graph.query(
        "MATCH (c:ProductCategory)<-[:MAKES]-(:ProductionSite) "
        "RETURN DISTINCT c.cpvCode AS c ORDER BY c")]
    assert codes
    for actor, viewer in actors.items():
        everything = await _every(sample_graph, viewer, {"countryCode": countries})
        for code in [*codes, "00000000-0"]:
            flt = {"countryCode": countries, "cpvCode": code}
            expected = [n for n in everything
                        if code in {p["cpvCode"] for p in n["products"]}]
            assert await _every(sample_graph, viewer, flt) == expected, (actor, code)
            first = await run(sample_graph, viewer, LIST, {"f": flt})
            assert first.data["productionSites"]["totalCount"] == len(expected)
