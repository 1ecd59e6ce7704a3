"""`siteExport`: the sites you may see, in Open Supply Hub's facility-list columns, a page
at a time. The root Query inherits `ExportQuery`."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from auth.permissions import RequireScope
from auth.scopes import Scope
from resolvers.core.args import enum_value
from resolvers.sites import export as r

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001


@strawberry.enum
class SiteExportFormat(Enum):
    CSV = "CSV"
    GEOJSON = "GEOJSON"


@strawberry.type(description="One page of an export.")
class SiteExport:
    content: str = strawberry.field(
        description="CSV (the header on the first page only) or a GeoJSON FeatureCollection, "
                    "with the columns country, name, address, sector, product_type, "
                    "facility_type, processing_type, number_of_workers, parent_company, lat, "
                    "lng, os_id, sg_id, city, lei, duns, rba_facility_id.")
    count: int
    has_next_page: bool
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


@strawberry.type
class ExportQuery:
    @strawberry.field(description="The production sites you may see, in id order, in Open "
                                  "Supply Hub's facility-list columns (`supplygraph import "
                                  "sites` reads them back). Needs the `sites:read` scope.",
                      permission_classes=[RequireScope(Scope.SITES_READ)])
    async def site_export(self, info: Info[Context, Any], format: SiteExportFormat,  # noqa: A002
                          country_code: list[str] | None = None, after: str | None = None,
                          first: int = 1000) -> SiteExport:
        page = await r.site_export(info, fmt=enum_value(format), countries=country_code,
                                   after=after, first=first)
        return SiteExport(content=page["content"], count=page["count"],
                          has_next_page=page["hasNextPage"], end_cursor=page["endCursor"])
