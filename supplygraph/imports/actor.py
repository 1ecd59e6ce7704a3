"""The organisation an import acts as: its viewer, as the API computes it for the same
organisation (`graph.orgs.viewer.org_viewer`), so an import sees what the API shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.core.records import Actor
from graph.orgs.viewer import org_viewer
from supplygraph.imports.files import ImportFileError

if TYPE_CHECKING:
    from graph.core.db import Graph


async def actor_for(graph: Graph, org: str, source: str, client: str = "supplygraph-import",
                    ) -> Actor:
    viewer = await org_viewer(graph, org)
    if viewer is None:
        raise ImportFileError(f"no organisation with id {org!r} (see `supplygraph orgs list`)")
    return Actor(org=viewer.id, client=client, peers=viewer.peers,
                 operator=viewer.is_operator, source=source)
