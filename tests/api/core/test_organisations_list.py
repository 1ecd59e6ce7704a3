"""`organisations`: every organisation (PUBLIC records) by name, for a form that names who may
read a record. Kind and name filters; paging like every list."""

from __future__ import annotations

from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import nodes, run, viewer_for

LIST = """query($f: OrganisationFilter, $first: Int, $after: String) {
  organisations(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name kind } } } }"""


async def test_monitor_lists_organisations_by_name_filtered_by_kind_and_text(
        sample_graph: Graph) -> None:
    monitor = await viewer_for(sample_graph, s.MONITOR_WORKERS)
    # the public buyers, by name, whatever their consortium
    buyers = await run(sample_graph, monitor, LIST, {"f": {"kind": ["PUBLIC_BUYER"]},
                                                     "first": 100})
    assert not buyers.errors
    listed = nodes(buyers.data["organisations"])
    ids = [o["id"] for o in listed]
    assert {s.NW_HEALTH, s.LK_UNI, s.NW_CITY} <= set(ids)
    assert all(o["kind"] == "PUBLIC_BUYER" for o in listed)
    names = [o["name"].lower() for o in listed]
    assert names == sorted(names)
    # a part of a name, any case
    found = await run(sample_graph, monitor, LIST, {"f": {"text": "LAKESHORE"}, "first": 100})
    assert s.LK_UNI in [o["id"] for o in nodes(found.data["organisations"])]
    assert all("lakeshore" in o["name"].lower() for o in nodes(found.data["organisations"]))


async def test_organisations_page_through_without_repeats(sample_graph: Graph) -> None:
    buyer = await viewer_for(sample_graph, s.NW_HEALTH)
    first = await run(sample_graph, buyer, LIST, {"first": 3})
    page = first.data["organisations"]
    assert page["pageInfo"]["hasNextPage"] and page["totalCount"] > 3
    second = await run(sample_graph, buyer, LIST,
                       {"first": 3, "after": page["pageInfo"]["endCursor"]})
    seen = [o["id"] for o in nodes(page)] + [o["id"] for o in nodes(second.data["organisations"])]
    assert len(seen) == len(set(seen)) == 6
