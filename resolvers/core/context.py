"""The typed per-request context every resolver receives as `info.context`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphql import GraphQLError

    from auth.limits import Limits
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
    # The process's rate limits (auth/limits.py); None where no HTTP request is served.
    limits: Limits | None = None
    # resolvers/core/selection.py's answers for this request's document
    selections: dict[Any, frozenset[str]] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        """The viewer's visibility parameters for Cypher."""
        return self.loaders.viewer

    @property
    def round_trips(self) -> int:
        return self.graph.round_trips

    def charge_cost(self, cost: int) -> GraphQLError | None:
        """Charges an operation's estimated cost to the client's budget (schema/core/cost.py
        calls it before validation); over budget: the error, and HTTP 429 with Retry-After."""
        if self.limits is None:
            return None
        refusal = self.limits.cost(self.viewer.limit_key, cost)
        if refusal is None:
            return None
        from graphql import GraphQLError

        batch = getattr(getattr(self.request, "state", None), "is_batch", False)
        if self.response is not None and not batch:  # a batch's results are mixed: 200
            self.response.status_code = 429
            self.response.headers["Retry-After"] = refusal.retry_after_header
        return GraphQLError(refusal.message, extensions={
            "code": "RATE_LIMITED", "retryAfter": int(refusal.retry_after_header),
            "cost": cost, "requestId": self.request_id})
