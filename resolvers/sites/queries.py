"""Site reads that are not a plain node or list read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.sites.fields import SITE_SHAPE
from graph.sites.merge import MERGED_TARGET

if TYPE_CHECKING:
    from strawberry.types import Info

    from resolvers.core.context import Context


async def merged_site_row(info: Info[Context, Any], site_id: str) -> dict[str, Any] | None:
    """The kept site of a merged duplicate's id (visibility of the kept site applies)."""
    rows = await info.context.graph.query(MERGED_TARGET,
                                          {"ids": [site_id], **info.context.params},
                                          name="merged_site")
    if not rows:
        return None
    return await info.context.loaders.node(SITE_SHAPE).load(rows[0]["target"])
