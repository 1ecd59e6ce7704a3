"""The map's clusters (`siteClusters`) over the sample data: counts of visible sites only,
the same filters as `productionSites`, and bad boxes refused at their path.

Actors: the health trust (Northwind), the University of Lakeshore (owns a PRIVATE site in
Hosur) and a monitor (Workers' Voice): the sample's actors of tests/api/conftest.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import nodes, run, viewer_for

# The sample's own organisations as actors (tests/api/conftest.py).
pytestmark = pytest.mark.sample_actors

CLUSTERS = """query($b: BoundingBox!, $z: Int!, $f: ProductionSiteFilter) {
  siteClusters(bbox: $b, zoom: $z, filter: $f) { count latitude longitude siteId name } }"""
SITES = """query($f: ProductionSiteFilter, $after: String) {
  productionSites(filter: $f, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id location { latitude longitude } } } } }"""
WORLD = {"west": -180, "south": -85, "east": 180, "north": 85}


async def _cells(graph: Graph, viewer: Viewer, box: dict[str, float], zoom: int,
                 flt: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    answer = await run(graph, viewer, CLUSTERS, {"b": box, "z": zoom, "f": flt})
    assert answer.errors == [], answer.errors
    return list(answer.data["siteClusters"])


async def _located(graph: Graph, viewer: Viewer,
                   flt: dict[str, Any] | None = None) -> dict[str, dict[str, float]]:
    """Every visible site with coordinates, read through the site list."""
    out: dict[str, dict[str, float]] = {}
    after = None
    while True:
        page = (await run(graph, viewer, SITES, {"f": flt, "after": after})).data
        for node in nodes(page["productionSites"]):
            if node["location"] is not None:
                out[node["id"]] = node["location"]
        if not page["productionSites"]["pageInfo"]["hasNextPage"]:
            return out
        after = page["productionSites"]["pageInfo"]["endCursor"]


def _around(at: dict[str, float], d: float = 0.01) -> dict[str, float]:
    return {"west": at["longitude"] - d, "south": at["latitude"] - d,
            "east": at["longitude"] + d, "north": at["latitude"] + d}


@pytest.mark.parametrize("actor", ["nrht", "ulake", "monitor"])
async def test_world_cells_add_up_to_the_visible_sites_with_coordinates(
        sample_graph: Graph, actors: dict[str, Viewer], actor: str) -> None:
    viewer = actors[actor]
    # given: the sites the actor may see, through the list
    located = await _located(sample_graph, viewer)
    # when: the whole world at zoom 0 and zoom 3
    for zoom in (0, 3):
        cells = await _cells(sample_graph, viewer, WORLD, zoom)
        # then: every visible located site is counted once, and no other
        assert sum(c["count"] for c in cells) == len(located)
        singles = {c["siteId"] for c in cells if c["count"] == 1}
        assert singles <= set(located)
        assert all(c["siteId"] is None and c["name"] is None for c in cells if c["count"] > 1)


async def test_a_cell_of_one_site_names_it_and_sits_on_it(sample_graph: Graph,
                                                          ulake: Viewer) -> None:
    at = (await _located(sample_graph, ulake))[s.SITE_LK_PRIVATE]
    cells = await _cells(sample_graph, ulake, _around(at, 0.0001), 18)
    assert [(c["count"], c["siteId"]) for c in cells] == [(1, s.SITE_LK_PRIVATE)]
    assert cells[0]["name"]
    assert cells[0]["latitude"] == pytest.approx(at["latitude"])
    assert cells[0]["longitude"] == pytest.approx(at["longitude"])


async def test_a_private_site_is_counted_for_its_owner_only(sample_graph: Graph,
                                                            ulake: Viewer,
                                                            monitor: Viewer) -> None:
    at = (await _located(sample_graph, ulake))[s.SITE_LK_PRIVATE]
    box = _around(at, 0.5)
    mine = await _cells(sample_graph, ulake, box, 6)
    theirs = await _cells(sample_graph, monitor, box, 6)
    # the monitor's count in the box is exactly that of the sites it may see there
    seen = [i for i, a in (await _located(sample_graph, monitor)).items()
            if abs(a["latitude"] - at["latitude"]) <= 0.5
            and abs(a["longitude"] - at["longitude"]) <= 0.5]
    assert s.SITE_LK_PRIVATE not in seen
    assert sum(c["count"] for c in theirs) == len(seen)
    assert sum(c["count"] for c in mine) == len(seen) + 1
    assert all(c["siteId"] != s.SITE_LK_PRIVATE for c in theirs)


@pytest.mark.parametrize("flt", [
    {"countryCode": ["CN"]}, {"siteType": ["ASSEMBLY"]}, {"cpvCode": "30213100-6"},
    {"hasOpenFindings": True}, {"hasOpenFindings": False}, {"text": "Kunshan"},
    {"countryCode": ["VN"], "hasOpenFindings": True}])
async def test_filters_count_what_the_site_list_finds(sample_graph: Graph, nrht: Viewer,
                                                      flt: dict[str, Any]) -> None:
    located = await _located(sample_graph, nrht, flt)
    cells = await _cells(sample_graph, nrht, WORLD, 2, flt)
    assert sum(c["count"] for c in cells) == len(located)


@pytest.mark.parametrize(("box", "zoom", "path"), [
    ({**WORLD, "north": 91}, 2, ["bbox", "north"]),
    ({**WORLD, "south": -90.5}, 2, ["bbox", "south"]),
    ({**WORLD, "west": -181}, 2, ["bbox", "west"]),
    ({**WORLD, "south": 10, "north": 5}, 2, ["bbox", "south"]),
    ({"west": 170, "south": -10, "east": -170, "north": 10}, 2, ["bbox", "west"]),
    (WORLD, -1, ["zoom"]),
    (WORLD, 21, ["zoom"]),
    (WORLD, 6, ["bbox"]),  # 256 cells across: too many
])
async def test_a_bad_box_or_zoom_is_refused_at_its_path(sample_graph: Graph, nrht: Viewer,
                                                        box: dict[str, float], zoom: int,
                                                        path: list[str]) -> None:
    answer = await run(sample_graph, nrht, CLUSTERS, {"b": box, "z": zoom, "f": None})
    assert answer.codes() == ["BAD_USER_INPUT"]
    assert answer.errors[0]["extensions"]["inputPath"] == path
    assert answer.errors[0]["path"] == ["siteClusters"]


async def test_a_bad_country_code_is_refused_at_its_path(sample_graph: Graph,
                                                         nrht: Viewer) -> None:
    answer = await run(sample_graph, nrht, CLUSTERS,
                       {"b": WORLD, "z": 2, "f": {"countryCode": ["XX"]}})
    assert answer.codes() == ["BAD_USER_INPUT"]
    assert answer.errors[0]["extensions"]["inputPath"] == ["filter", "countryCode", 0]


async def test_the_open_findings_filter_needs_reports_read(sample_graph: Graph) -> None:
    sites_only = await viewer_for(sample_graph, s.NW_HEALTH, frozenset({Scope.SITES_READ}))
    answer = await run(sample_graph, sites_only, CLUSTERS,
                       {"b": WORLD, "z": 2, "f": {"hasOpenFindings": True}})
    assert answer.codes() == ["FORBIDDEN"]
    plain = await run(sample_graph, sites_only, CLUSTERS, {"b": WORLD, "z": 2, "f": None})
    assert plain.errors == [] and plain.data["siteClusters"]
