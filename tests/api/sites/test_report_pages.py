"""A buyer paging through a much-monitored site's reports gets, page after page, exactly the
slices of the whole visible list, with the visible total, and each page's findings as each
report's own field gives them: Neo4j reads the page (graph/core/nodes.py `related_page`),
whether the site's statement reads it ahead (`site_prefetch`) or the field reads it alone
(aliases, a list of sites). Reports the buyer may not see count nowhere."""

from __future__ import annotations

from typing import Any

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from tests.support.reads import nodes, run, viewer_for
from tests.support.writes import (
    OUTSIDER,
    OWNER,
    PEER,
    ensure_test_orgs,
    new_report,
    seeded_site,
    writer,
)

PAGE = """query($id: ID!, $first: Int, $after: String) { productionSite(id: $id) { id
  reports(first: $first, after: $after) { totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id title findings { id category } } } } openFindingCount } }"""
# The same page asked twice under aliases: no read-ahead, each field reads its own page.
TWICE = """query($id: ID!, $first: Int, $after: String) { productionSite(id: $id) { id
  a: reports(first: $first, after: $after) { totalCount edges { node { id findings { id } } } }
  b: reports(first: 1) { totalCount edges { node { id } } } } }"""
REPORT = "query($id: ID!) { report(id: $id) { findings { id category } } }"
ALL = """query($id: ID!) { productionSite(id: $id) { reports(first: 100) { totalCount
  edges { node { id } } } } }"""


@pytest.fixture(scope="module")
async def site(sample_graph: Graph) -> str:
    """Seven reports on one site: four public, two the owner's alone, one for its
    consortium."""
    await ensure_test_orgs(sample_graph)
    owner = await writer(sample_graph, OWNER)
    sid = await seeded_site(sample_graph)
    for sharing in ["PUBLIC", "PRIVATE", "PUBLIC", "CONSORTIUM", "PUBLIC", "PRIVATE", "PUBLIC"]:
        await new_report(sample_graph, owner, sid, sharing=sharing)
    return sid


async def _all(graph: Graph, viewer: Viewer, site: str) -> list[str]:
    answer = await run(graph, viewer, ALL, {"id": site})
    assert answer.errors == []
    connection = answer.data["productionSite"]["reports"]
    ids = [n["id"] for n in nodes(connection)]
    assert connection["totalCount"] == len(ids)
    return ids


@pytest.mark.parametrize(("org", "visible"), [(OWNER, 7), (PEER, 5), (OUTSIDER, 4)])
@pytest.mark.parametrize("first", [1, 2, 3, 7, 20])
async def test_buyer_pages_are_slices_of_the_whole_visible_list(
        sample_graph: Graph, site: str, org: str, visible: int, first: int) -> None:
    viewer = await viewer_for(sample_graph, org)
    whole = await _all(sample_graph, viewer, site)
    assert len(whole) == visible
    seen: list[str] = []
    after = None
    while True:
        answer = await run(sample_graph, viewer, PAGE, {"id": site, "first": first,
                                                        "after": after})
        assert answer.errors == []
        assert answer.round_trips == 1
        connection = answer.data["productionSite"]["reports"]
        assert connection["totalCount"] == visible
        page = nodes(connection)
        assert [r["id"] for r in page] == whole[len(seen):len(seen) + first]
        for report in page:
            alone = await run(sample_graph, viewer, REPORT, {"id": report["id"]})
            assert report["findings"] == alone.data["report"]["findings"]
        seen += [r["id"] for r in page]
        info = connection["pageInfo"]
        assert info["hasPreviousPage"] == (after is not None)
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert seen == whole


@pytest.mark.parametrize("org", [OWNER, PEER, OUTSIDER])
async def test_buyer_aliases_read_their_own_pages(sample_graph: Graph, site: str,
                                                  org: str) -> None:
    viewer = await viewer_for(sample_graph, org)
    whole = await _all(sample_graph, viewer, site)
    first_page = await run(sample_graph, viewer, PAGE, {"id": site, "first": 2})
    after = first_page.data["productionSite"]["reports"]["pageInfo"]["endCursor"]
    answer = await run(sample_graph, viewer, TWICE, {"id": site, "first": 3, "after": after})
    assert answer.errors == []
    got: dict[str, Any] = answer.data["productionSite"]
    assert [r["id"] for r in nodes(got["a"])] == whole[2:5]
    assert [r["id"] for r in nodes(got["b"])] == whole[:1]
    assert got["a"]["totalCount"] == got["b"]["totalCount"] == len(whole)


LITERAL = """query($id: ID!) { productionSite(id: $id) { ...S } }
fragment S on ProductionSite { id reports(first: 2) { totalCount edges { node { id
  findings { id } } } } }"""


async def test_buyer_page_asked_in_a_fragment_with_literal_arguments_is_read_ahead(
        sample_graph: Graph, site: str) -> None:
    viewer = await viewer_for(sample_graph, OWNER)
    whole = await _all(sample_graph, viewer, site)
    answer = await run(sample_graph, viewer, LITERAL, {"id": site})
    assert answer.errors == []
    assert [r["id"] for r in nodes(answer.data["productionSite"]["reports"])] == whole[:2]
    assert answer.round_trips == 1


async def test_buyer_past_the_last_page_gets_none_and_the_total(sample_graph: Graph,
                                                               site: str) -> None:
    viewer = await viewer_for(sample_graph, PEER)
    whole = await _all(sample_graph, viewer, site)
    last = await run(sample_graph, viewer, PAGE, {"id": site, "first": len(whole)})
    after = last.data["productionSite"]["reports"]["pageInfo"]["endCursor"]
    answer = await run(sample_graph, viewer, PAGE, {"id": site, "first": 5, "after": after})
    assert answer.errors == []
    connection = answer.data["productionSite"]["reports"]
    assert connection["edges"] == [] and connection["totalCount"] == len(whole)
    assert connection["pageInfo"]["hasNextPage"] is False


async def test_buyer_with_a_bad_cursor_gets_the_error_at_the_field(sample_graph: Graph,
                                                                   site: str) -> None:
    viewer = await viewer_for(sample_graph, PEER)
    answer = await run(sample_graph, viewer, PAGE, {"id": site, "first": 2, "after": "bogus"})
    assert [e["extensions"]["code"] for e in answer.errors] == ["BAD_USER_INPUT"]
    assert answer.errors[0]["path"] == ["productionSite", "reports"]
