"""Error codes and masking: every error leaves with `extensions.code`.

- errors we raise carry their code (BAD_USER_INPUT, FORBIDDEN, ...) and are kept;
- parse and validation errors get GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED, and
  variable coercion errors BAD_USER_INPUT;
- Neo4j unreachable (`GraphUnavailable`) becomes SERVICE_UNAVAILABLE, no pooled connection
  free in time (`GraphBusy`) OVERLOADED (the HTTP view answers both with 503), and a
  transaction Neo4j stopped at its time limit (`GraphTimeout`) TIMEOUT;
- a bookmark Neo4j refused (`InvalidBookmark`) becomes INVALID_BOOKMARK (the HTTP view then
  answers 400);
- a document nested beyond what Python can recurse through (`RecursionError`, in
  graphql-core's validators or coercion) becomes BAD_USER_INPUT;
- anything else is masked as INTERNAL_SERVER_ERROR with the request id; the detail is
  logged with that id, never sent.

Every error carries the request id (`extensions.requestId`), as the `X-Request-Id` header does.

Each operation and each error code is reported to an `OperationMetrics` that the composition
root passes to `build_schema` (supplygraph.http.metrics, exported at /metrics).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any, Protocol

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.core.transactions import GraphBusy, GraphTimeout, GraphUnavailable, InvalidBookmark

log = logging.getLogger("supplygraph.graphql")


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _request_id(context: Any) -> str | None:
    return getattr(context, "request_id", None)


def classify(error: GraphQLError, request_id: str | None) -> GraphQLError:
    coded = _classify(error, request_id)
    if request_id and (coded.extensions or {}).get("requestId") != request_id:
        return _copy(coded, coded.message, {**(coded.extensions or {}), "requestId": request_id})
    return coded


# (cause, code, message): errors of the graph that are the service's state, not a bug.
_STATES: tuple[tuple[type[BaseException], str, str], ...] = (
    (GraphUnavailable, "SERVICE_UNAVAILABLE", "the graph database is unavailable; try again "
                                              "shortly"),
    (GraphBusy, "OVERLOADED", "the server is busy; try again shortly"),
    (GraphTimeout, "TIMEOUT", "the query took longer than the time limit; ask for less "
                              "(smaller pages, fewer nested lists)"),
    (InvalidBookmark, "INVALID_BOOKMARK", "the database refused the bookmark sent; send the "
                                          "request without it"),
    (RecursionError, "BAD_USER_INPUT", "the request is nested too deeply"),
)


def _classify(error: GraphQLError, request_id: str | None) -> GraphQLError:
    original = error.original_error
    code = (error.extensions or {}).get("code")
    if original is None or isinstance(original, GraphQLError):
        if isinstance(original, GraphQLError) and not code:
            code = (original.extensions or {}).get("code")
        if code:
            if error.extensions and error.extensions.get("code") == code:
                return error
            return _copy(error, error.message, {**(error.extensions or {}), "code": code})
        message = error.message
        if message.startswith("Syntax Error"):
            code = "GRAPHQL_PARSE_FAILED"
        elif message.startswith("Variable '$"):
            code = "BAD_USER_INPUT"
        else:
            code = "GRAPHQL_VALIDATION_FAILED"
        return _copy(error, message, {**(error.extensions or {}), "code": code})
    for kind, state_code, message in _STATES:
        if _caused_by(original, kind):
            if kind is GraphUnavailable:
                log.warning("graph unavailable (request %s): %s", request_id, original)
            return _copy(error, message, {"code": state_code, "requestId": request_id})
    log.error("internal error (request %s) at %s", request_id, error.path,
              exc_info=(type(original), original, original.__traceback__))
    return _copy(error, "internal server error",
                 {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id})


def _copy(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(message, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path, original_error=None,
                        extensions=extensions)


class OperationMetrics(Protocol):
    """Where `ErrorCodesAndMetrics` reports (injected; the schema knows no metrics library)."""

    def operation(self, kind: str, seconds: float) -> None:
        """One operation of `kind` (query, mutation, subscription or unknown) ran for
        `seconds`. Never the client's operation name: metrics are open to every caller, and
        a name would let one tenant watch another's activity."""

    def error(self, code: str) -> None:
        """One error left with `extensions.code` = `code`."""


class ErrorCodesAndMetrics(SchemaExtension):
    """Codes every error, masks internal ones, and records the operation's metrics."""

    def __init__(self, metrics: OperationMetrics | None = None) -> None:
        super().__init__()
        self.metrics = metrics

    def on_operation(self) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self._finish(start)

    def _finish(self, start: float) -> None:
        ctx = self.execution_context
        try:
            kind = ctx.operation_type.value
        except Exception:  # noqa: BLE001 - no parsed document: no type
            kind = "unknown"
        if self.metrics is not None:
            self.metrics.operation(kind, time.perf_counter() - start)
        result = ctx.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            rid = _request_id(ctx.context)
            result.errors = [classify(e, rid) for e in errors]
            if self.metrics is not None:
                for e in result.errors:
                    self.metrics.error(str((e.extensions or {}).get("code")))
