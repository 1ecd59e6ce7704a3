"""`siteExport`: a page of the sites the caller may see, in OSH's columns
(graph/sites/export.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.core.errors import BAD_USER_INPUT
from graph.sites import export

if TYPE_CHECKING:
    from strawberry.types import Info

    from resolvers.core.context import Context

MAX_PAGE = 5000


async def site_export(info: Info[Context, Any], *, fmt: str, countries: list[str] | None,
                      after: str | None, first: int) -> dict[str, Any]:
    if not 0 < first <= MAX_PAGE:
        from graphql import GraphQLError

        raise GraphQLError(f"first must be 1-{MAX_PAGE}", extensions={"code": BAD_USER_INPUT})
    ctx = info.context
    # One row more than asked says whether another page follows.
    rows = await export.export_page(ctx.graph, ctx.params, after=after, limit=first + 1,
                                    countries=[c.upper() for c in countries] if countries
                                    else None)
    more, rows = len(rows) > first, rows[:first]
    content = export.to_csv(rows, header=after is None) if fmt == "CSV" else \
        export.to_geojson(rows)
    return {"content": content, "count": len(rows), "hasNextPage": more,
            "endCursor": rows[-1]["sg_id"] if rows else None}
