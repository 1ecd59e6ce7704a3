"""Sites as Open Supply Hub's facility list has them: the export a caller may take away.

`export_page` reads the sites the viewer may see (`visible`), in id order, a page at a time
(keyset: `after` the last id), as rows of `OSH_COLUMNS`, which `supplygraph import sites`
reads back as they are (`os_id`, `lat`, `lng`, ...); `sg_id` is ours, for a round trip.
`to_csv` and `to_geojson` write them (GeoJSON: only sites with coordinates are Features
with a geometry; the others have `geometry: null`, as RFC 7946 allows).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.visibility import lit, visible

if TYPE_CHECKING:
    from graph.core.db import QueryRunner

OSH_COLUMNS = ("country", "name", "address", "sector", "product_type", "facility_type",
               "processing_type", "number_of_workers", "parent_company", "lat", "lng",
               "os_id", "sg_id", "city", "lei", "duns", "rba_facility_id")

EXPORT_PAGE: LiteralString = lit(
    "MATCH (n:ProductionSite) WHERE ($after IS NULL OR n.id > $after) "
    "AND ($countries IS NULL OR n.countryCode IN $countries) "
    f"AND {visible('n')} "
    "RETURN n.countryCode AS country, n.name AS name, n.address AS address, "
    "n.sector AS sector, n.productType AS product_type, n.facilityType AS facility_type, "
    "n.processingType AS processing_type, n.workerCount AS number_of_workers, "
    "n.parentCompany AS parent_company, n.location.latitude AS lat, "
    "n.location.longitude AS lng, n.osId AS os_id, n.id AS sg_id, n.city AS city, "
    "n.lei AS lei, n.duns AS duns, n.rbaFacilityId AS rba_facility_id "
    "ORDER BY n.id LIMIT $limit"
)


async def export_page(runner: QueryRunner, viewer: dict[str, Any], *, after: str | None,
                      limit: int, countries: Sequence[str] | None = None,
                      ) -> list[dict[str, Any]]:
    rows = await runner.query(EXPORT_PAGE, {"after": after, "limit": limit,
                                            "countries": list(countries) if countries else None,
                                            **viewer}, name="export_sites")
    return [dict(r) for r in rows]


def _cell(value: Any) -> str:
    """Spreadsheet formula injection: a cell that starts like a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _number(
        text) else text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(rows: Sequence[dict[str, Any]], *, header: bool = True) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    if header:
        w.writerow(OSH_COLUMNS)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in OSH_COLUMNS])
    return out.getvalue()


def geojson_features(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"type": "Feature",
             "geometry": ({"type": "Point", "coordinates": [r["lng"], r["lat"]]}
                          if r.get("lat") is not None and r.get("lng") is not None else None),
             "properties": {c: r.get(c) for c in OSH_COLUMNS if c not in ("lat", "lng")}}
            for r in rows]


def to_geojson(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": geojson_features(rows)})
