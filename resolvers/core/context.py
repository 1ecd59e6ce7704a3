"""The typed per-request context every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auth.viewer import Viewer
    from resolvers.core.loaders import Loaders, RequestGraph
    from supplygraph.settings import Settings


@dataclass
class Context:
    viewer: Viewer
    graph: RequestGraph
    loaders: Loaders
    settings: Settings
    request_id: str
    request: Any = None
    response: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        """The viewer's visibility parameters for Cypher."""
        return self.loaders.viewer

    @property
    def round_trips(self) -> int:
        return self.graph.round_trips
