"""Helpers for the issue-7 analytics tests: run the schema as a viewer with a pinned clock."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from auth.viewer import Viewer
from graph.core.db import Graph
from resolvers.core.loaders import Loaders, RequestGraph
from resolvers.core.context import Context
from supplygraph.settings import Settings
from tests.support.reads import Answer, schema

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


async def run_at(graph: Graph, viewer: Viewer, query: str,
                 variables: dict[str, Any] | None = None, *,
                 now: datetime = NOW, **settings: Any) -> Answer:
    runner = RequestGraph(graph)
    ctx = Context(viewer=viewer, graph=runner, loaders=Loaders(runner, viewer.cypher_params()),
                  settings=Settings(_env_file=None, **settings),  # type: ignore[call-arg]
                  request_id="test", extra={"now": now})
    result = await schema().execute(query, variables, ctx)
    return Answer(result.data, [e.formatted for e in result.errors or []], runner.round_trips)
