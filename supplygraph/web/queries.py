"""The one read path of the web app: a named GraphQL document, run in process through the
same schema as `/graphql`, as the signed-in person's viewer (issue 14, "one read path").

The context is built as `supplygraph.http.graphql.GraphQLView.get_context` builds it: the
viewer, a per-request graph runner and loaders, the settings and the process's rate limits,
so a page gets the same visibility, scope checks, cost ceiling and budgets as a client
asking for the same fields. A page never reads Neo4j around the schema.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import OperationDefinitionNode, parse, print_ast

from resolvers.core.context import Context
from resolvers.core.loaders import Loaders, RequestGraph
from schema import build_schema
from supplygraph.http import metrics

if TYPE_CHECKING:
    from starlette.requests import Request

    from auth.viewer import Viewer
    from schema import Schema
    from supplygraph.settings import Settings

DOCUMENTS = Path(__file__).resolve().parent / "documents.graphql"
# Error codes that say the service could not answer now, not what the person may see.
UNAVAILABLE = frozenset({"TIMEOUT", "SERVICE_UNAVAILABLE", "OVERLOADED"})


class PageQueryFailed(Exception):
    """The schema answered no data (refused, over a limit, or broken): the page cannot be
    shown. `code` is the first error's `extensions.code`."""

    def __init__(self, code: str, message: str,
                 path: list[str | int] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.path = path  # a BAD_USER_INPUT's `inputPath`, when the schema named one


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any]
    error_codes: tuple[str, ...]  # of partial errors (a field refused), for the page to say
    # the same errors' paths, in the same order (a page may expect some refusals, e.g. a
    # report's sensitive notes for everyone its author did not name)
    error_paths: tuple[tuple[str | int, ...], ...] = ()


@cache
def documents() -> dict[str, str]:
    """Operation name -> its document text, one operation each."""
    parsed = parse(DOCUMENTS.read_text(encoding="utf-8"))
    return {d.name.value: print_ast(d) for d in parsed.definitions
            if isinstance(d, OperationDefinitionNode) and d.name is not None}


class PageQueries:
    """One per app: the schema (built as the HTTP view builds it, on the first page served,
    so that an app serving no page pays nothing) and the documents."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.documents = documents()

    @cached_property
    def schema(self) -> Schema:
        return build_schema(self.settings, metrics.GRAPHQL_METRICS)

    async def run(self, request: Request, viewer: Viewer, operation: str,
                  variables: dict[str, Any] | None = None) -> Answer:
        graph = request.app.state.graph
        limits = getattr(request.app.state, "limits", None)
        if limits is not None:
            refusal = limits.request(viewer.limit_key)
            if refusal is not None:
                raise PageQueryFailed("RATE_LIMITED", refusal.message)
        runner = RequestGraph(graph)
        context = Context(viewer=viewer, graph=runner,
                          loaders=Loaders(runner, viewer.cypher_params()),
                          settings=self.settings, request_id=uuid.uuid4().hex,
                          request=request, response=None, limits=limits)
        result = await self.schema.execute(self.documents[operation], variables, context,
                                           operation_name=operation)
        codes = tuple(str((e.extensions or {}).get("code", "INTERNAL")) for e in
                      result.errors or ())
        # A field that timed out or found Neo4j gone is null like a record one may not see:
        # the page would say "not found" (or show a hole) where the truth is "try again".
        failed = next((e for e, c in zip(result.errors or (), codes) if c in UNAVAILABLE), None)
        if failed is not None:
            raise PageQueryFailed(str(failed.extensions["code"]), failed.message)
        if result.data is None:
            first = (result.errors or [None])[0]
            raise PageQueryFailed(codes[0] if codes else "INTERNAL",
                                  first.message if first is not None else "no data",
                                  (first.extensions or {}).get("inputPath")
                                  if first is not None else None)
        return Answer(result.data, codes,
                      tuple(tuple(e.path or ()) for e in result.errors or ()))
