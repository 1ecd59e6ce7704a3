"""A site's `openFindingCount` is counted in Neo4j (graph/core/nodes.py `related_count`),
not by reading every finding: for each actor it must be the number of OPEN findings the
same actor gets from the site's own `findings` list, whether the site's statement reads it
ahead (a site page, still one round trip) or the field reads it alone (a list of sites).
Findings of reports the actor may not see count nowhere."""

from __future__ import annotations

import pytest

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

# A site page: the site, a page of its reports, its open findings.
ONE = """query($id: ID!) { productionSite(id: $id) { id openFindingCount
  reports(first: 2) { totalCount edges { node { id } } } } }"""
LISTED = "query($id: ID!) { productionSite(id: $id) { findings { id status } } }"
# Two sites under aliases: one statement reads both, with their counts.
TWO = """query($id: ID!, $other: ID!) { a: productionSite(id: $id) { openFindingCount }
  b: productionSite(id: $other) { openFindingCount } }"""
# A page of sites: no read-ahead, the count loader batches the page's sites.
PAGE = """query { productionSites(first: 30) { edges { node { id openFindingCount
  findings { status } } } } }"""
COUNTS = """query { productionSites(first: 30) { edges { node { id openFindingCount } } } }"""
_OPEN = {"category": "WAGES", "severity": "HIGH", "status": "OPEN"}
_CLOSED = {"category": "WORKING_HOURS", "severity": "LOW", "status": "REMEDIATED"}


@pytest.fixture(scope="module")
async def site(sample_graph: Graph) -> str:
    """Open and remediated findings in reports of every sharing level: 3 open ones anyone
    may see, 2 the owner's alone, 1 for its consortium."""
    await ensure_test_orgs(sample_graph)
    owner = await writer(sample_graph, OWNER)
    sid = await seeded_site(sample_graph)
    for sharing, findings in [("PUBLIC", [_OPEN, _OPEN, _CLOSED]),
                              ("PRIVATE", [_OPEN, _OPEN]),
                              ("CONSORTIUM", [_OPEN, _CLOSED, _CLOSED]),
                              ("PUBLIC", [_OPEN, _CLOSED]),
                              ("PUBLIC", [])]:
        await new_report(sample_graph, owner, sid, sharing=sharing, findings=findings)
    return sid


@pytest.mark.parametrize(("org", "open_"), [(OWNER, 6), (PEER, 4), (OUTSIDER, 3)])
async def test_actor_open_count_is_the_open_findings_it_may_see(
        sample_graph: Graph, site: str, org: str, open_: int) -> None:
    viewer = await viewer_for(sample_graph, org)
    answer = await run(sample_graph, viewer, ONE, {"id": site})
    assert answer.errors == []
    assert answer.round_trips == 1, "the count is read with the site"
    listed = await run(sample_graph, viewer, LISTED, {"id": site})
    findings = listed.data["productionSite"]["findings"]
    assert answer.data["productionSite"]["openFindingCount"] == open_ == sum(
        1 for f in findings if f["status"] == "OPEN")

    sample_site = (await run(sample_graph, viewer, "{ productionSites(first: 1) { edges { "
                                                    "node { id openFindingCount } } } }"))
    other = nodes(sample_site.data["productionSites"])[0]
    both = await run(sample_graph, viewer, TWO, {"id": site, "other": other["id"]})
    assert both.errors == []
    assert both.round_trips == 1, "both sites with their counts in one statement"
    assert both.data["a"]["openFindingCount"] == open_
    assert both.data["b"]["openFindingCount"] == other["openFindingCount"]


@pytest.mark.parametrize("org", [OWNER, OUTSIDER, "ORG-NRHT", "ORG-WVMN"])
async def test_actor_counts_in_a_list_of_sites_agree_with_each_sites_findings(
        sample_graph: Graph, site: str, org: str) -> None:
    viewer = await viewer_for(sample_graph, org)
    answer = await run(sample_graph, viewer, PAGE)
    assert answer.errors == []
    page = nodes(answer.data["productionSites"])
    assert page
    for node in page:
        listed = sum(1 for f in node["findings"] if f["status"] == "OPEN")
        assert node["openFindingCount"] == listed, node["id"]
    counts = await run(sample_graph, viewer, COUNTS)
    assert counts.round_trips == 2, "the page, then every count on it in one statement"
    assert {n["id"]: n["openFindingCount"] for n in nodes(counts.data["productionSites"])} \
        == {n["id"]: n["openFindingCount"] for n in page}
