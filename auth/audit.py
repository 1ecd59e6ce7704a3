"""The access log: one JSON object per line on the `supplygraph.access` logger.

Events: `token.issued`, `token.refused` (with the RFC 6749 error code), `token.revoked`,
`token.rejected` (a bearer token the resource side refused) and `graphql.operation`.
Only identifiers go in (organisation, client, jti, scope, operation name, outcome): never a
secret, a token or an Authorization header. Fields are passed explicitly, so nothing from a
request can slip in by accident; values are checked against `_FORBIDDEN_KEYS` as a guard.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

ACCESS_LOGGER = "supplygraph.access"
logger = logging.getLogger(ACCESS_LOGGER)

_FORBIDDEN_KEYS = frozenset({"client_secret", "secret", "access_token", "token",
                             "authorization", "password", "refresh_token"})


class JsonFormatter(logging.Formatter):
    """Formats a record's `event` dict (or its message) as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        event = getattr(record, "event", None)
        body: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        if isinstance(event, dict):
            body.update(event)
        else:
            body["message"] = record.getMessage()
        return json.dumps(body, default=str, separators=(",", ":"))


def configure_access_log(level: int = logging.INFO) -> None:
    """Attach a JSON stderr handler once (the CLI's `serve` calls this)."""
    if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)


def _emit(event: str, level: int = logging.INFO, **fields: Any) -> None:
    clean = {k: v for k, v in fields.items() if v is not None and k not in _FORBIDDEN_KEYS}
    logger.log(level, event, extra={"event": {"event": event, **clean}})


def token_issued(*, client_id: str, org_id: str | None, scope: str, jti: str | None,
                 expires_in: int | None) -> None:
    _emit("token.issued", client=client_id, org=org_id, scope=scope, jti=jti,
          expires_in=expires_in, outcome="issued")


def token_refused(*, client_id: str | None, endpoint: str, error: str, status: int) -> None:
    _emit("token.refused", logging.WARNING, client=client_id, endpoint=endpoint, error=error,
          status=status, outcome="refused")


def token_revoked(*, client_id: str, org_id: str | None, jti: str) -> None:
    _emit("token.revoked", client=client_id, org=org_id, jti=jti, outcome="revoked")


def bearer_rejected(*, reason: str, path: str) -> None:
    _emit("token.rejected", logging.WARNING, reason=reason, path=path, outcome="rejected")


def graphql_operation(*, org_id: str | None, client_id: str | None,
                      operation_name: str | None, outcome: str,
                      operation_type: str | None = None, duration_ms: float | None = None,
                      error_codes: list[str] | None = None) -> None:
    """One line per GraphQL operation; `outcome` e.g. "ok", "partial", "error", "forbidden"."""
    _emit("graphql.operation", org=org_id, client=client_id,
          operation=operation_name or "anonymous", type=operation_type, outcome=outcome,
          duration_ms=round(duration_ms, 2) if duration_ms is not None else None,
          errors=error_codes or None)


def now_ms() -> float:
    return time.perf_counter() * 1000
