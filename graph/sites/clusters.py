"""Sites on a map: the visible sites in a bounding box, grouped into grid cells by zoom
(issue 14's "map and search"; docs/ui.md, "The map").

The grid is Web Mercator's tile grid two levels finer than the map's zoom: at zoom `z` the
world is `2^(z+2)` cells across and down, each a quarter of a 256-pixel tile (64 px on the
screen). A site falls in the cell of its projected position; a cell answers its number of
sites, their mean position (where its marker is drawn) and, when it holds one site, that
site's id and name. The grouping is one Cypher statement over the sites the viewer may see
(`site_filters`: visibility first, PUBLIC decided alone, then the same filter clauses as
`productionSites`), so a count is never of a site the viewer may not see. The box is read
through the point index on `location` (migration 7), a text search through the full-text
index.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.visibility import lit
from graph.lists import lucene_terms, site_filter_names, site_filters

if TYPE_CHECKING:
    from graph.core.db import QueryRunner

MIN_ZOOM, MAX_ZOOM = 0, 20
CELLS_PER_TILE_LOG2 = 2  # a cell is a tile of zoom z + 2
# Web Mercator stops at +-85.05113 degrees; sites beyond are drawn at its edge.
MERCATOR_LIMIT = 85.05112878
# A box at most this many cells across each way: a page asks for its screen plus a margin
# (a 2,560-pixel screen is 40 cells), and no answer holds more than MAX_ACROSS^2 cells.
MAX_ACROSS = 64


class BoxError(ValueError):
    """A bounding box or zoom the map cannot answer; `path` names the argument."""

    def __init__(self, message: str, path: list[str]) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float


def cells_across(zoom: int) -> int:
    return 2 ** (zoom + CELLS_PER_TILE_LOG2)


def mercator_y(lat: float) -> float:
    """A latitude as Web Mercator's y, 0 at the top (north) and 1 at the bottom."""
    lat = max(-MERCATOR_LIMIT, min(MERCATOR_LIMIT, lat))
    r = math.radians(lat)
    return (1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2


def check_box(box: Box, zoom: int) -> None:
    """Refuses what cannot be a map's view: latitudes outside +-90, longitudes outside
    +-180, south above north, a box crossing the antimeridian (west east of east: the map
    does not wrap; ask for the two halves), a zoom outside 0-20, or a box more than
    MAX_ACROSS cells across at its zoom (zoom in, or ask for less)."""
    if not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise BoxError(f"zoom must be {MIN_ZOOM}-{MAX_ZOOM}", ["zoom"])
    for name, value, limit in (("west", box.west, 180), ("east", box.east, 180),
                               ("south", box.south, 90), ("north", box.north, 90)):
        if not -limit <= value <= limit:  # NaN fails this too
            raise BoxError(f"{name} must be between -{limit} and {limit}", ["bbox", name])
    if box.south > box.north:
        raise BoxError("south must not be north of north", ["bbox", "south"])
    if box.west > box.east:
        raise BoxError("west must not be east of east: a box crossing the antimeridian is "
                       "asked as two boxes", ["bbox", "west"])
    n = cells_across(zoom)
    wide = (box.east - box.west) / 360 * n
    high = (mercator_y(box.south) - mercator_y(box.north)) * n
    if max(wide, high) > MAX_ACROSS:
        raise BoxError(f"the box is more than {MAX_ACROSS} cells across at zoom {zoom}: "
                       "zoom in or ask for a smaller box", ["bbox"])


_IN_BOX: LiteralString = (
    "point.withinBBox(s.location, point({longitude: $west, latitude: $south}), "
    "point({longitude: $east, latitude: $north})) ")
_START_BOX: LiteralString = f"MATCH (s:ProductionSite) WHERE {_IN_BOX}WITH s "
_START_TEXT: LiteralString = (
    "CALL db.index.fulltext.queryNodes('site_text', $text) YIELD node AS s "
    f"WITH s WHERE s:ProductionSite AND {_IN_BOX}WITH s ")
# The cell of a site: its Web Mercator x and y (clamped at the projection's edge) times the
# cells across. Only visible, filtered sites reach the grouping.
_GROUP: LiteralString = (
    "WITH s, s.location.longitude AS lon, s.location.latitude AS lat "
    "WITH s, lon, lat, radians(CASE WHEN lat > $limit THEN $limit "
    "  WHEN lat < -$limit THEN -$limit ELSE lat END) AS r "
    "WITH s, lon, lat, toInteger(floor((lon + 180.0) / 360.0 * $cells)) AS cx, "
    "  toInteger(floor((1.0 - log(tan(r) + 1.0 / cos(r)) / pi()) / 2.0 * $cells)) AS cy "
    "WITH cx, cy, count(*) AS n, avg(lat) AS latitude, avg(lon) AS longitude, "
    "  min(s.id) AS first "
    "ORDER BY cy, cx "
    # One node lookup by id for a cell of one site (already checked visible above), rather
    # than collecting every site of every cell.
    "OPTIONAL MATCH (one:ProductionSite {id: first}) WHERE n = 1 "
    "RETURN n AS count, latitude, longitude, one.id AS siteId, one.name AS name")


@lru_cache(maxsize=512)
def clusters_query(text: bool, filters: frozenset[str]) -> LiteralString:
    return lit((_START_TEXT if text else _START_BOX) + site_filters(filters)
               + _GROUP)


_DEFAULTS: dict[str, Any] = {
    "contradictionWindow": 180,
    **dict.fromkeys(("countries", "siteTypes", "statuses", "identifier", "cpvCode", "brandId",
                     "supplierId", "findingCategory", "minSeverity", "hasOpenFindings",
                     "hasContradictions")),
}


async def site_clusters(runner: QueryRunner, *, viewer: Mapping[str, Any], box: Box,
                        zoom: int, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The cells holding visible sites that match `filters` (the `productionSites` filter
    values) within `box`, in row order (north to south, west to east)."""
    check_box(box, zoom)
    text = lucene_terms(filters.get("text") or "")
    names = site_filter_names({k: v for k, v in filters.items() if k != "text"})
    params = {**_DEFAULTS, **filters, "text": text, **viewer, "west": box.west,
              "south": box.south, "east": box.east, "north": box.north,
              "cells": cells_across(zoom), "limit": MERCATOR_LIMIT}
    return await runner.query(clusters_query(text is not None, names), params,
                              name="site_clusters")
