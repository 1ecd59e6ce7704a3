"""The outermost middleware: a request id for every request, a bound on the work in flight,
and a JSON answer when everything else failed.

- Every HTTP request gets a request id (`scope["state"]["request_id"]`), returned in
  `X-Request-Id` on every answer, error or not, and named in every error body.
- At most `limit.limit` requests run at once in this process (every one but those below;
  supplygraph/http/adaptive_limit.py: this process's share of `max_in_flight`, lowered while
  finished requests take longer than `admission_target_seconds`); one more is answered at
  once with 503 `OVERLOADED` and `Retry-After`, instead of queueing behind the others until
  Neo4j's time limit (issue 15: p50 12.7 s, 40% errors under 64 clients). A client over its
  own budget gets 429 from auth/limits.py; this bound protects everyone. /healthz, /readyz
  and /metrics are never refused (nor timed): they are how an operator sees the load.
- An exception nothing else handled becomes a 500 in the GraphQL error shape, with the code
  INTERNAL_SERVER_ERROR and the request id (the detail logged, never sent), instead of
  Starlette's plain-text page. It is a bug when it happens; the reliability suite counts them.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse

from supplygraph.http import metrics
from supplygraph.http.adaptive_limit import AdaptiveLimit

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("supplygraph.http")

REQUEST_ID_HEADER = "X-Request-Id"
_UNBOUNDED = ("/healthz", "/readyz", "/metrics")


def request_id_of(scope: Scope) -> str | None:
    return scope.get("state", {}).get("request_id")


def error_response(status: int, message: str, code: str, request_id: str | None,
                   headers: dict[str, str] | None = None,
                   **extensions: Any) -> JSONResponse:
    """An HTTP-level refusal in the GraphQL error shape: code and request id."""
    ext: dict[str, Any] = {"code": code, **extensions}
    if request_id:
        ext["requestId"] = request_id
    return JSONResponse({"errors": [{"message": message, "extensions": ext}]},
                        status_code=status, headers=headers)


class Admission:
    def __init__(self, app: ASGIApp, limit: AdaptiveLimit, retry_after: int = 1) -> None:
        self.app = app
        self.limit = limit
        self.retry_after = retry_after
        self.in_flight = 0  # one event loop per process: a plain counter is exact
        self._decreases = limit.decreases
        metrics.ADMISSION_LIMIT.set(limit.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                if REQUEST_ID_HEADER.lower() not in headers:
                    headers[REQUEST_ID_HEADER] = request_id
            await send(message)

        bounded = not scope["path"].startswith(_UNBOUNDED)
        if bounded and not self.limit.admits(self.in_flight):
            metrics.SHED.inc()
            refusal = error_response(
                503, "the server is at its limit of requests in flight; retry shortly",
                "OVERLOADED", request_id, headers={"Retry-After": str(self.retry_after)},
                retryAfter=self.retry_after)
            await refusal(scope, receive, send_with_id)
            return
        if bounded:
            self.in_flight += 1
            metrics.IN_FLIGHT.set(self.in_flight)
        admitted = time.monotonic()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error (request %s) on %s", request_id, scope["path"])
            if started:
                raise  # the answer has begun: all that is left is to drop the connection
            await error_response(500, "internal server error", "INTERNAL_SERVER_ERROR",
                                 request_id)(scope, receive, send_with_id)
        finally:
            if bounded:
                self._finished(admitted)

    def _finished(self, admitted: float) -> None:
        self.limit.finished(admitted, time.monotonic(), self.in_flight)
        self.in_flight -= 1
        metrics.IN_FLIGHT.set(self.in_flight)
        metrics.ADMISSION_LIMIT.set(self.limit.limit)
        if self.limit.decreases != self._decreases:
            metrics.ADMISSION_DECREASES.inc(self.limit.decreases - self._decreases)
            self._decreases = self.limit.decreases
