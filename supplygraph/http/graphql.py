"""GraphQL over HTTP: strawberry's ASGI view with our context, JSON errors and limits.

`graphql_routes(settings)` returns the routes `create_app` mounts: `/graphql` and `/metrics`.
Each request gets a `Context` with the viewer (set by the auth middleware), a
`RequestGraph` counting its round trips, carrying the bookmarks the client sent back
(supplygraph/http/bookmarks.py), and fresh loaders. HTTP-level refusals (non-JSON body, too
many batched operations, oversized body, a bookmark not ours) are 400/413 JSON in the
GraphQL error shape, never a 500 or a plain-text page.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

from auth.backend import get_viewer, rate_limited
from auth.limits import Limits
from graph.core.db import Bookmarks
from resolvers.core.loaders import Loaders, RequestGraph
from schema import build_schema
from resolvers.core.context import Context
from supplygraph.http import metrics
from supplygraph.http.admission import error_response, request_id_of
from supplygraph.http.bookmarks import BOOKMARK_HEADER, BadBookmark, BookmarkTokens
from supplygraph.http.graphiql import OfflineGraphiQL, graphiql_assets
from supplygraph.http.transport import BodyTooLarge, GraphQLOverHTTP, bounded_receive
from supplygraph.settings import Settings

REQUEST_ID_HEADER = "X-Request-Id"


def _http_error(status: int, message: str, code: str, request_id: str | None) -> JSONResponse:
    metrics.GRAPHQL_ERRORS.labels(code).inc()
    # 405 only comes from a mutation sent with GET (the route allows GET and POST).
    headers = {"Allow": "POST"} if status == 405 else None
    return error_response(status, message, code, request_id, headers=headers)


def _limits(request: Request) -> Limits | None:
    # Set by `install_auth`; an app mounting these routes without it runs unlimited.
    return getattr(request.app.state, "limits", None)


class GraphQLView(OfflineGraphiQL, GraphQLOverHTTP, GraphQL[Context, None]):
    def __init__(self, settings: Settings, **kw: Any) -> None:
        super().__init__(build_schema(settings, metrics.GRAPHQL_METRICS), **kw)
        self.settings = settings
        self.bookmark_tokens = BookmarkTokens(settings)

    def encode_json(self, data: object) -> str | bytes:
        # orjson writes UTF-8 where json.dumps escaped to ASCII: the same JSON text. A value
        # orjson refuses (an int past 64 bits, a key that is not a string) takes the old way.
        try:
            return orjson.dumps(data)
        except TypeError:
            return super().encode_json(data)

    async def get_context(self, request: Any, response: Any = None) -> Context:
        graph = request.app.state.graph
        metrics.observe_graph(graph)
        viewer = get_viewer(request)
        if viewer is None:  # the auth guard refuses these first; never run anonymously
            raise HTTPException(401, "authentication required")
        state = request.scope.get("state", {})
        runner = RequestGraph(graph, state.get("bookmarks"))
        request_id = state.get("request_id") or uuid.uuid4().hex
        return Context(viewer=viewer, graph=runner,
                       loaders=Loaders(runner, viewer.cypher_params()),
                       settings=self.settings, request_id=request_id, request=request,
                       response=response, limits=_limits(request))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # Given by the Admission middleware (supplygraph/http/admission.py) when mounted.
        request_id = request_id_of(scope) or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        # Bounded as it streams in too: a chunked body has no Content-Length.
        request = Request(scope, receive=bounded_receive(receive, self.settings.max_body_bytes))
        response: Response
        length = request.headers.get("content-length")
        viewer = get_viewer(request)
        limits = _limits(request)
        refusal = None if viewer is None or limits is None else \
            limits.request(viewer.limit_key)
        bookmarks: Bookmarks | None = None
        if refusal is not None:
            response = rate_limited(refusal, request_id)
        elif length and length.isdigit() and int(length) > self.settings.max_body_bytes:
            response = _http_error(413, "request body too large", "BAD_REQUEST", request_id)
        else:
            try:
                sent = self.bookmark_tokens.accept(request.headers.getlist(BOOKMARK_HEADER))
            except BadBookmark as exc:
                response = _http_error(400, str(exc), "INVALID_BOOKMARK", request_id)
            else:
                bookmarks = scope["state"]["bookmarks"] = Bookmarks(sent)
                response = await self._run(request, request_id)
        if bookmarks is not None:
            response = await self._hand_back(response, bookmarks, bool(sent), request_id)
        response.headers[REQUEST_ID_HEADER] = request_id
        await response(scope, receive, send)

    async def _run(self, request: Request, request_id: str) -> Response:
        try:
            return await self.run(request)
        except BodyTooLarge:
            return _http_error(413, "request body too large", "BAD_REQUEST", request_id)
        except HTTPException as exc:
            code = {401: "UNAUTHENTICATED", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
                    415: "UNSUPPORTED_MEDIA_TYPE"}.get(exc.status_code, "BAD_REQUEST")
            return _http_error(exc.status_code, exc.reason, code, request_id)

    async def _hand_back(self, response: Response, bookmarks: Bookmarks,
                         sent: bool, request_id: str) -> Response:
        """The response with the bookmarks of what the request did: after a write, or to
        a client that sent some (so that the latest header it saw is always the one to
        send). A bookmark Neo4j refused makes the whole answer a 400."""
        if bookmarks.refused:
            return _http_error(400, "the database refused the bookmark sent; send the "
                                    "request without it", "INVALID_BOOKMARK", request_id)
        if bookmarks.wrote or sent:
            current = await bookmarks.current()
            if current:
                response.headers[BOOKMARK_HEADER] = self.bookmark_tokens.issue(current)
        return response


def graphql_routes(settings: Settings) -> list[BaseRoute]:
    view = GraphQLView(settings, graphql_ide="graphiql", allow_queries_via_get=True)
    return [
        Route("/graphql", view, methods=["GET", "POST"]),
        graphiql_assets(),
        Route("/metrics", metrics.metrics_endpoint),
    ]
