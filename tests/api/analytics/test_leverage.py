"""Collective leverage on the sample data: counts, banding, names, and the subtraction attack.

Kunshan (hand-checked in seeds/sample.py): contracts reaching it are the health trust's and
the ministry's Corvid laptops (disclosed, and Corvid is produced there), the Lakeshore
college's Corvid laptops (the same), and the city's Nimbus phones (Nimbus sources from
Jadeport, which operates it): 4 members, 4 contracts; 3 of them in Northwind.
"""

from __future__ import annotations

from typing import Any

from graph.core.db import Graph
from seeds import sample as s
from tests.support.analytics import run_at
from tests.support.reads import nodes, viewer_for

SITE = """query($id: ID!) { productionSite(id: $id) { leverage {
  members { exact band } membersInMyConsortia { exact band } contracts { exact band }
  namedMembers { id name } } } }"""
BRAND = """query($id: ID!) { brand(id: $id) { leverage {
  members { exact band } membersInMyConsortia { exact band } contracts { exact band }
  namedMembers { id } } } }"""
SITES = """query($filter: ProductionSiteFilter) { productionSites(first: 100, filter: $filter) {
  edges { node { id leverage { members { exact band } membersInMyConsortia { exact band }
  contracts { exact band } namedMembers { id } } } } } }"""


async def _leverage(graph: Graph, org: str, query: str, id_: str) -> dict[str, Any]:
    answer = await run_at(graph, await viewer_for(graph, org), query, {"id": id_})
    assert answer.errors == []
    return next(iter(answer.data.values()))["leverage"]


async def test_health_trust_sees_kunshan_counts_and_only_members_whose_contracts_it_sees(
        story_graph: Graph) -> None:
    lev = await _leverage(story_graph, s.NW_HEALTH, SITE, s.SITE_KUNSHAN)
    # 3 Northwind members, exact; 4 across all, but 4 - 3 = 1 outside Northwind would
    # single out that member by subtraction: the total is banded
    assert lev["membersInMyConsortia"] == {"exact": 3, "band": "3"}
    assert lev["members"] == {"exact": None, "band": "3 or more"}
    assert lev["contracts"] == {"exact": 4, "band": "4"}
    # the college's contract is Lakeshore-only: never named
    assert [m["id"] for m in lev["namedMembers"]] == sorted(
        [s.NW_CITY, s.NW_MINISTRY, s.NW_HEALTH])


async def test_lakeshore_university_sees_kunshan_banded_inside_its_consortium(
        story_graph: Graph) -> None:
    lev = await _leverage(story_graph, s.LK_UNI, SITE, s.SITE_KUNSHAN)
    assert lev["membersInMyConsortia"] == {"exact": None, "band": "fewer than 3"}
    assert lev["members"] == {"exact": 4, "band": "4"}
    # the ministry's contract is PUBLIC, the college's shared in Lakeshore
    assert [m["id"] for m in lev["namedMembers"]] == sorted([s.LK_COLLEGE, s.NW_MINISTRY])


async def test_brand_leverage_counts_contracts_covering_the_brand(story_graph: Graph) -> None:
    corvid = await _leverage(story_graph, s.LK_UNI, BRAND, "BRD-CORVID")
    # 3 members, 1 of them in Lakeshore: the 2 outside are too few, so the total is banded
    assert corvid["members"] == {"exact": None, "band": "3 or more"}
    assert corvid["contracts"] == {"exact": 3, "band": "3"}
    assert corvid["membersInMyConsortia"] == {"exact": None, "band": "fewer than 3"}
    monitor = await _leverage(story_graph, s.MONITOR_WORKERS, BRAND, "BRD-CORVID")
    assert monitor["members"] == {"exact": 3, "band": "3"}  # no consortium: nothing to subtract
    halden = await _leverage(story_graph, s.LK_UNI, BRAND, "BRD-HALDEN")
    # the health trust's PRIVATE desktops and the university's servers
    assert halden["members"] == {"exact": None, "band": "fewer than 3"}
    assert [m["id"] for m in halden["namedMembers"]] == [s.LK_UNI]


async def test_leverage_is_the_same_whatever_filter_reached_the_site(
        story_graph: Graph) -> None:
    """The subtraction attack: two lists with different filters, and the site by id, must
    give the same leverage for the same site, so no difference between them can isolate a
    member. Leverage takes no argument; the filters only choose which sites are listed."""
    viewer = await viewer_for(story_graph, s.NW_HEALTH)
    seen: dict[str, list[Any]] = {}
    for filter_ in (None, {"countryCode": ["CN"]}, {"brandId": "BRD-CORVID"},
                    {"hasOpenFindings": True}, {"findingCategory": "FORCED_LABOUR"},
                    {"supplierId": "SUP-JADEPORT"}, {"text": "Kunshan"}):
        answer = await run_at(story_graph, viewer, SITES, {"filter": filter_})
        for node in nodes(answer.data["productionSites"]):
            seen.setdefault(node["id"], []).append(node["leverage"])
    assert all(len({repr(v) for v in values}) == 1 for values in seen.values())
    direct = await _leverage(story_graph, s.NW_HEALTH, SITE, s.SITE_KUNSHAN)
    direct["namedMembers"] = [{"id": m["id"]} for m in direct["namedMembers"]]
    assert seen[s.SITE_KUNSHAN][0] == direct
    # and no list anywhere names the member whose contract the trust cannot see
    assert all(m["id"] != s.LK_COLLEGE for values in seen.values() for v in values
               for m in v["namedMembers"])


async def test_no_two_shown_counts_differ_by_a_small_number(story_graph: Graph) -> None:
    """Across every site a viewer can list: when both member counts are exact, their
    difference (members outside the viewer's consortia) is 0 or at least the threshold."""
    for org in (s.NW_HEALTH, s.LK_UNI, s.LK_COLLEGE, s.MONITOR_WORKERS):
        viewer = await viewer_for(story_graph, org)
        answer = await run_at(story_graph, viewer, SITES, {})
        for node in nodes(answer.data["productionSites"]):
            lev = node["leverage"]
            for c in (lev["members"], lev["membersInMyConsortia"], lev["contracts"]):
                assert c["exact"] is None or c["exact"] == 0 or c["exact"] >= 3
            a, p = lev["members"]["exact"], lev["membersInMyConsortia"]["exact"]
            if a is not None and p is not None:
                assert a - p == 0 or a - p >= 3


async def test_threshold_is_a_setting(story_graph: Graph) -> None:
    viewer = await viewer_for(story_graph, s.MONITOR_WORKERS)  # no consortium
    answer = await run_at(story_graph, viewer, BRAND, {"id": "BRD-HALDEN"},
                          leverage_min_count=2)
    assert answer.data["brand"]["leverage"]["members"] == {"exact": 2, "band": "2"}
