"""The map's types: a bounding box in, cells of sites out (`Query.siteClusters`)."""

from __future__ import annotations

from typing import Any

import strawberry


@strawberry.input(description="A bounding box in WGS 84 degrees, west <= east (a box "
                              "crossing the antimeridian is asked as two).")
class BoundingBox:
    west: float = strawberry.field(description="Longitude, -180 to 180.")
    south: float = strawberry.field(description="Latitude, -90 to 90.")
    east: float = strawberry.field(description="Longitude, -180 to 180.")
    north: float = strawberry.field(description="Latitude, -90 to 90.")


@strawberry.type(description="The visible sites of one grid cell of the map: at zoom z the "
                             "cells are Web Mercator tiles of zoom z + 2.")
class SiteCluster:
    count: int = strawberry.field(description="How many sites you may see are in the cell.")
    latitude: float = strawberry.field(description="Their mean latitude.")
    longitude: float = strawberry.field(description="Their mean longitude.")
    site_id: strawberry.ID | None = strawberry.field(
        description="The site's id when the cell holds one site; else null.")
    name: str | None = strawberry.field(
        description="The site's name when the cell holds one site; else null.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SiteCluster:
        return cls(count=int(row["count"]), latitude=float(row["latitude"]),
                   longitude=float(row["longitude"]),
                   site_id=strawberry.ID(row["siteId"]) if row["siteId"] else None,
                   name=row["name"])
