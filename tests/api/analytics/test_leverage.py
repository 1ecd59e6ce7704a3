"""Collective leverage on the sample data: counts, banding, names, and the attacks on them.

Kunshan (hand-checked in seeds/sample.py): contracts reaching it are the health trust's and
the ministry's Corvid laptops (disclosed, and Corvid is produced there), the Lakeshore
college's Corvid laptops (the same), and the city's Nimbus phones (Nimbus sources from
Jadeport, which operates it): 4 members, 4 contracts. A viewer is never counted itself.
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


async def test_health_trust_sees_kunshan_others_banded_on_the_member_it_cannot_name(
        story_graph: Graph) -> None:
    lev = await _leverage(story_graph, s.NW_HEALTH, SITE, s.SITE_KUNSHAN)
    # the three others: the city and the ministry it may name, and the college whose
    # contract is Lakeshore-only. One hidden member is too few to tell: a range that
    # covers one or two hidden members.
    assert [m["id"] for m in lev["namedMembers"]] == sorted([s.NW_CITY, s.NW_MINISTRY])
    assert lev["members"] == {"exact": None, "band": "3 to 4"}
    assert lev["contracts"] == {"exact": None, "band": "3 to 4"}
    # named members of Northwind only: a hidden contract counted here would name its
    # holder by elimination among the consortium's few members
    assert lev["membersInMyConsortia"] == {"exact": 2, "band": "2"}


async def test_monitor_sees_kunshan_exactly_when_the_hidden_members_are_many(
        story_graph: Graph) -> None:
    lev = await _leverage(story_graph, s.MONITOR_WORKERS, SITE, s.SITE_KUNSHAN)
    # four members; it may name the ministry (PUBLIC contract) and not the three others:
    # three hidden members reach the threshold, so the count is exact
    assert lev["members"] == {"exact": 4, "band": "4"}
    assert lev["contracts"] == {"exact": 4, "band": "4"}
    assert [m["id"] for m in lev["namedMembers"]] == [s.NW_MINISTRY]
    assert lev["membersInMyConsortia"] == {"exact": 0, "band": "0"}


async def test_lakeshore_university_names_its_peer_and_the_public_contract(
        story_graph: Graph) -> None:
    lev = await _leverage(story_graph, s.LK_UNI, SITE, s.SITE_KUNSHAN)
    assert [m["id"] for m in lev["namedMembers"]] == sorted([s.LK_COLLEGE, s.NW_MINISTRY])
    assert lev["members"] == {"exact": None, "band": "3 to 4"}  # 4 others, 2 hidden
    assert lev["membersInMyConsortia"] == {"exact": 1, "band": "1"}


async def test_brand_leverage_counts_other_members_contracts_covering_the_brand(
        story_graph: Graph) -> None:
    corvid = await _leverage(story_graph, s.LK_UNI, BRAND, "BRD-CORVID")
    # the trust's, the ministry's and the college's laptops; the trust's is hidden
    assert corvid["namedMembers"] == [{"id": s.LK_COLLEGE}, {"id": s.NW_MINISTRY}]
    assert corvid["members"] == {"exact": None, "band": "3 to 4"}
    assert corvid["contracts"] == {"exact": None, "band": "3 to 4"}
    # the health trust does not count itself: the ministry named, the college hidden
    trust = await _leverage(story_graph, s.NW_HEALTH, BRAND, "BRD-CORVID")
    assert trust["members"] == {"exact": None, "band": "2 to 3"}
    assert trust["namedMembers"] == [{"id": s.NW_MINISTRY}]
    halden = await _leverage(story_graph, s.LK_COLLEGE, BRAND, "BRD-HALDEN")
    # the health trust's PRIVATE desktops and the university's servers (Lakeshore-shared)
    assert halden["members"] == {"exact": None, "band": "2 to 3"}
    assert halden["namedMembers"] == [{"id": s.LK_UNI}]
    assert halden["membersInMyConsortia"] == {"exact": 1, "band": "1"}
    nobody_named = await _leverage(story_graph, s.MONITOR_WORKERS, BRAND, "BRD-HALDEN")
    assert nobody_named["members"] == {"exact": None, "band": "fewer than 3"}
    assert nobody_named["namedMembers"] == []


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


async def test_no_count_pins_down_fewer_hidden_members_than_the_threshold(
        story_graph: Graph) -> None:
    """Across every site a viewer can list: an exact count exceeds what the viewer can name
    by 0 or by at least the threshold, and the viewer itself is never among the named."""
    for org in (s.NW_HEALTH, s.LK_UNI, s.LK_COLLEGE, s.MONITOR_WORKERS):
        viewer = await viewer_for(story_graph, org)
        answer = await run_at(story_graph, viewer, SITES, {})
        for node in nodes(answer.data["productionSites"]):
            lev = node["leverage"]
            named = len(lev["namedMembers"])
            assert org not in {m["id"] for m in lev["namedMembers"]}
            exact = lev["members"]["exact"]
            assert exact is None or exact - named == 0 or exact - named >= 3
            assert lev["membersInMyConsortia"]["exact"] <= named


async def test_threshold_is_a_setting(story_graph: Graph) -> None:
    viewer = await viewer_for(story_graph, s.MONITOR_WORKERS)
    answer = await run_at(story_graph, viewer, BRAND, {"id": "BRD-HALDEN"},
                          leverage_min_count=2)
    # two hidden members: exact once the threshold is two
    assert answer.data["brand"]["leverage"]["members"] == {"exact": 2, "band": "2"}
