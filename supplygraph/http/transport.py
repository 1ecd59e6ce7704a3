"""GraphQL over HTTP (the graphql-over-http spec) on top of strawberry's view.

`GraphQLOverHTTP` is a mixin for the strawberry ASGI view:

- Accept negotiation: `application/graphql-response+json` when the client asks for it (and
  prefers it to `application/json`), else `application/json`. With the former a request
  error (parse, validation, variable coercion: no `data`, no error with a path) is a 400
  without the `data` entry; with `application/json` every well-formed request stays 200.
- POST bodies must be `application/json` (415 otherwise), UTF-8, JSON nested at most
  `MAX_JSON_DEPTH` deep, with no lone surrogate in any string (Neo4j and the JSON encoder
  of the answer cannot carry one), and an object or a list of objects whose `query`,
  `variables`, `extensions` and `operationName` have their types: 400 otherwise, never the
  500 a `null` body or a list of numbers used to get (issue 15).
- An answer whose errors say the service cannot work now (SERVICE_UNAVAILABLE: Neo4j gone;
  OVERLOADED: no connection free) is a 503 with `Retry-After`, so that proxies and clients
  see it for what it is.
- GET runs queries only: a mutation over GET is 405 with `Allow: POST`.
- The body is bounded by `max_body_bytes` while it streams in (`BodyTooLarge`, a 413), not
  only through `Content-Length`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cross_web import HTTPException
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.http import GraphQLRequestData

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.types import Message, Receive
    from strawberry.types import ExecutionResult

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"


# Deeper than any document of this schema needs (its inputs nest a few levels); far below
# where Python's recursion (the JSON decoder's, graphql-core's coercion) gives out.
MAX_JSON_DEPTH = 64
_UNAVAILABLE = frozenset({"SERVICE_UNAVAILABLE", "OVERLOADED"})


class BodyTooLarge(Exception):
    """The request body grew past the configured bound while being read."""


def bounded_receive(receive: Receive, limit: int) -> Receive:
    """`receive` that raises `BodyTooLarge` once more than `limit` body bytes arrived."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return wrapped


def _check_strings_and_depth(data: Any) -> None:
    """400 for a lone surrogate anywhere in the body, or nesting beyond MAX_JSON_DEPTH
    (walked without recursion: the walk must not be what a deep body breaks)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise HTTPException(400, "the request body holds a lone surrogate "
                                         "(\\ud800-\\udfff) in a string") from None
        elif isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise HTTPException(400, f"the JSON body is nested deeper than "
                                         f"{MAX_JSON_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                stack.append((key, depth))
                stack.append((item, depth + 1))


_FIELD_TYPES = {"query": (str,), "variables": (dict,), "extensions": (dict,),
                "operationName": (str,)}


def _check_shape(data: Any) -> None:
    items = data if isinstance(data, list) else [data]
    for item in items:
        if not isinstance(item, dict):
            raise HTTPException(400, "the request body must be a JSON object (or a list of "
                                     "objects, for a batch)")
        for name, types in _FIELD_TYPES.items():
            value = item.get(name)
            if value is not None and not isinstance(value, types):
                kind = "a string" if types == (str,) else "an object"
                raise HTTPException(400, f"{name} must be {kind} or null")


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q))
    return ranges


def response_media_type(accept: str | None) -> str:
    """The media type to answer with: graphql-response+json only when asked for by name
    with a quality at least that of application/json (legacy clients keep JSON)."""
    if not accept:
        return JSON
    q = dict(reversed(_media_ranges(accept)))  # the first listing of a type wins
    wanted = q.get(GRAPHQL_RESPONSE, 0.0)
    if wanted > 0 and wanted >= q.get(JSON, 0.0):
        return GRAPHQL_RESPONSE
    return JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Parse, validation and variable-coercion errors: execution never started."""
    return (result.data is None and bool(result.errors)
            and all(e.path is None for e in result.errors or ()))


class GraphQLOverHTTP:
    """Mixin for `strawberry.asgi.GraphQL`; see the module docstring."""

    async def get_sub_response(self, request: Any) -> Any:
        sub = await super().get_sub_response(request)  # type: ignore[misc]
        media_type = response_media_type(request.headers.get("accept"))
        sub.graphql_media_type = media_type  # read back in `create_response`
        if hasattr(request, "state"):
            request.state.media_type = media_type
            request.state.sub_response = sub
        return sub

    def create_response(self, response_data: Any, sub_response: Any) -> Any:
        response = super().create_response(response_data, sub_response)  # type: ignore[misc]
        response.headers["content-type"] = getattr(sub_response, "graphql_media_type", JSON)
        return response

    def decode_json(self, data: str | bytes) -> object:
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError:
                raise HTTPException(400, "the request body is not UTF-8") from None
        try:
            decoded = json.loads(data)
        except RecursionError:
            raise HTTPException(400, f"the JSON body is nested deeper than "
                                     f"{MAX_JSON_DEPTH} levels") from None
        _check_strings_and_depth(decoded)
        return decoded

    async def parse_http_body(self, request: Any) -> Any:
        if request.method == "POST":
            content_type = (request.content_type or "").split(";")[0].strip().lower()
            if content_type != JSON:
                raise HTTPException(415, f"the request body must be {JSON}")
            # Checked here, then parsed again by strawberry (the body is read once, cached):
            # strawberry assumes an object and fails with a 500 on anything else.
            _check_shape(self.parse_json(await request.get_body()))  # type: ignore[attr-defined]
        data = await super().parse_http_body(request)  # type: ignore[misc]
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item, GraphQLRequestData):
                continue
            if not isinstance(item.operation_name, (str, type(None))):
                raise HTTPException(400, "operationName must be a string or null")
        return data

    async def execute_operation(self, *, request: Any, request_data: Any, **kw: Any) -> Any:
        if isinstance(request_data, list) and hasattr(request, "state"):
            request.state.is_batch = True  # results are mixed: the status stays 200
        return await super().execute_operation(  # type: ignore[misc]
            request=request, request_data=request_data, **kw)

    async def execute_single(self, *, request_adapter: Any, **kw: Any) -> Any:
        try:
            return await super().execute_single(  # type: ignore[misc]
                request_adapter=request_adapter, **kw)
        except HTTPException as exc:
            if request_adapter.method == "GET" and isinstance(exc.__cause__,
                                                              InvalidOperationTypeError):
                raise HTTPException(405, "only queries may be sent with GET; "
                                         "send mutations with POST") from exc
            raise

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        body: dict[str, Any] = dict(await super().process_result(  # type: ignore[misc]
            request=request, result=result))
        state = getattr(request, "state", None)
        sub = getattr(state, "sub_response", None)
        codes = {(e.extensions or {}).get("code") for e in result.errors or ()}
        if codes & _UNAVAILABLE and sub is not None and not getattr(state, "is_batch", False):
            sub.status_code = 503
            sub.headers["Retry-After"] = "1"
        if getattr(state, "media_type", JSON) == GRAPHQL_RESPONSE and is_request_error(result):
            body.pop("data", None)
            if sub is not None and not getattr(state, "is_batch", False) \
                    and not sub.status_code:  # a 429 set by the cost budget stays
                sub.status_code = 400
        return body


__all__ = ["GRAPHQL_RESPONSE", "JSON", "BodyTooLarge", "GraphQLOverHTTP", "bounded_receive",
           "response_media_type"]
