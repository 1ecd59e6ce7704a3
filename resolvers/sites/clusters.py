"""`siteClusters`: the map's cells of visible sites (graph/sites/clusters.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.sites.clusters import Box, BoxError, site_clusters
from resolvers.core.args import bad_input
from resolvers.lists import site_filter_values

if TYPE_CHECKING:
    from strawberry.types import Info

    from resolvers.core.context import Context


async def clusters(info: Info[Context, Any], *, bbox: Any, zoom: int,
                   f: Any) -> list[dict[str, Any]]:
    box = Box(west=bbox.west, south=bbox.south, east=bbox.east, north=bbox.north)
    filters = site_filter_values(info, f)
    ctx = info.context
    try:
        return await site_clusters(ctx.graph, viewer=ctx.params, box=box, zoom=zoom,
                                   filters=filters)
    except BoxError as exc:
        raise bad_input(str(exc), exc.path) from None
