"""The resource side: bearer token -> `Viewer`, as a Starlette authentication backend.

`BearerBackend.authenticate` validates the token (`auth.tokens`), then asks Neo4j in one
query for the organisation, its consortia and peers, the client's state and whether the
token was revoked (`graph.orgs.viewer.viewer_context`). A bad token raises `AuthenticationError`,
which `AuthenticationMiddleware` turns into a 401 through `unauthorized`; a missing token
leaves the request anonymous, and `RequireBearer` refuses anonymous requests to the paths
it guards (`/graphql`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from neo4j.exceptions import DriverError, Neo4jError

from auth import audit
from auth.tokens import TokenClaims, TokenError, TokenValidator
from auth.viewer import Viewer
from graph.core.transactions import GraphBusy, GraphTimeout, GraphUnavailable
from graph.orgs.viewer import viewer_context

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from collections.abc import Callable

    from auth.limits import Limits, Refusal
    from auth.viewer_cache import ViewerCache

    from graph.core.db import Graph


class BackendUnavailable(AuthenticationError):
    """The token could not be checked because Neo4j (revocation, organisation) is down."""


class RateLimited(AuthenticationError):
    """Too many failed bearer tokens from this address: refused before checking another."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def rate_limited(refusal: Refusal, request_id: str | None = None) -> JSONResponse:
    """HTTP 429 in the GraphQL error shape, with `Retry-After` (auth/limits.py)."""
    extensions: dict[str, Any] = {"code": "RATE_LIMITED",
                                  "retryAfter": int(refusal.retry_after_header)}
    if request_id:
        extensions["requestId"] = request_id
    return JSONResponse({"errors": [{"message": refusal.message, "extensions": extensions}]},
                        status_code=429, headers={"Retry-After": refusal.retry_after_header})


def client_address(conn: HTTPConnection) -> str:
    """The caller's address as the server sees it (behind a proxy: uvicorn's
    `--proxy-headers` with `--forwarded-allow-ips` makes it the client's; docs/limits.md)."""
    return conn.client.host if conn.client else "?"


class ViewerUser(BaseUser):
    """`request.user` for an authenticated request; `.viewer` is what resolvers use."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.viewer.org_name or self.viewer.org_id

    @property
    def identity(self) -> str:
        return self.viewer.client_id


def get_viewer(conn: HTTPConnection) -> Viewer | None:
    """The request's viewer, or None when it carried no token."""
    user = conn.scope.get("user")
    return user.viewer if isinstance(user, ViewerUser) else None


def _bearer(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    value = value.strip()
    if not value:
        raise AuthenticationError("empty bearer token")
    return value


async def resolve_viewer(graph: Graph, claims: TokenClaims,
                         cache: ViewerCache | None = None) -> Viewer:
    """Checks revocation (token and client) and builds the Viewer in one Neo4j round trip,
    or none while `cache` holds this token's context (within its bound, auth/viewer_cache.py)."""
    key = (claims.org_id, claims.client_id or "", claims.jti or "")
    cached = cache.get(key) if cache is not None else None
    row = cached or await viewer_context(graph, org_id=claims.org_id,
                                         client_id=claims.client_id, jti=claims.jti,
                                         user_id=person_of(claims))
    viewer = _viewer_of(row, claims)  # raises for a refused token: that row is not kept
    if cache is not None and cached is None:
        cache.put(key, row)
    return viewer


def person_of(claims: TokenClaims) -> str | None:
    """The person a token of ours speaks for (the code grant: `sub` is their account id), or
    None for a client's own token (`sub` is the client id) and an external issuer's."""
    if claims.external or claims.subject == claims.client_id:
        return None
    return claims.subject


def _viewer_of(row: dict[str, Any], claims: TokenClaims) -> Viewer:
    if row["tokenRevoked"]:
        raise TokenError("the token was revoked")
    if row["clientRevoked"]:
        raise TokenError("the client was revoked")
    if not claims.external and (not row["clientKnown"] or row["clientOrg"] != claims.org_id):
        raise TokenError("unknown client")
    if person_of(claims) is not None and not row["personActive"]:
        raise TokenError("the person's account is disabled")
    org = row["org"]
    if org is None:
        raise TokenError("unknown organisation")
    return Viewer(
        org_id=org["id"], client_id=claims.client_id, scopes=claims.scopes,
        org_kind=org["kind"] or "", org_name=org["name"] or "",
        consortia=frozenset(row["consortia"]),
        peers=frozenset(row["peers"]) | {org["id"]},
        token_id=claims.jti or None, issuer=claims.issuer,
    )


class BearerBackend(AuthenticationBackend):
    def __init__(self, validator: TokenValidator, graph_of: Any,
                 limits_of: Callable[[], Limits],
                 cache_of: Callable[[], ViewerCache | None]) -> None:
        # `graph_of()` returns the app's Graph: it is set in the lifespan, after this is built;
        # `limits_of()` the app's rate limits (tests may replace them with a pinned clock).
        self.validator = validator
        self.graph_of = graph_of
        self.limits_of = limits_of
        self.cache_of = cache_of

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        token = _bearer(conn)
        if token is None:
            return None
        address = client_address(conn)
        limits = self.limits_of()
        refusal = limits.auth_blocked(None, address)
        if refusal is not None:
            audit.bearer_rejected(reason="rate limited", path=conn.url.path)
            raise RateLimited(refusal)
        try:
            claims = await self.validator.validate(token)
            viewer = await resolve_viewer(self.graph_of(), claims, self.cache_of())
        except TokenError as exc:
            limits.auth_failed(None, address)
            audit.bearer_rejected(reason=str(exc), path=conn.url.path)
            raise AuthenticationError(str(exc)) from exc
        except (GraphUnavailable, GraphBusy, GraphTimeout, DriverError, Neo4jError) as exc:
            # Revocation cannot be checked: refuse (fail closed) and say the service is down,
            # rather than answering 401 (the token may be fine) or a bare 500.
            audit.bearer_rejected(reason="neo4j unavailable", path=conn.url.path)
            raise BackendUnavailable("the database is not reachable; try again shortly") \
                from exc
        return AuthCredentials(sorted(s.value for s in viewer.scopes)), ViewerUser(viewer)


def unauthorized(conn: HTTPConnection, exc: Exception | None = None) -> JSONResponse:
    """401 in the GraphQL error shape, with the RFC 6750 challenge (503 when the token
    could not be checked because Neo4j is down); the request id (set by the app's outermost
    middleware) in each."""
    request_id = conn.scope.get("state", {}).get("request_id")
    if isinstance(exc, RateLimited):
        return rate_limited(exc.refusal, request_id)
    if isinstance(exc, BackendUnavailable):
        return JSONResponse(
            {"errors": [{"message": str(exc), "extensions": _coded("SERVICE_UNAVAILABLE",
                                                                  request_id)}]},
            status_code=503, headers={"Retry-After": "1"})
    if exc is None:
        challenge = 'Bearer realm="supplygraph"'
        message = "authentication required: send an OAuth 2.0 bearer token"
    else:
        detail = str(exc).replace('"', "'")
        challenge = f'Bearer realm="supplygraph", error="invalid_token", ' \
                    f'error_description="{detail}"'
        message = f"invalid token: {detail}"
    return JSONResponse(
        {"errors": [{"message": message, "extensions": _coded("UNAUTHENTICATED", request_id)}]},
        status_code=401, headers={"WWW-Authenticate": challenge},
    )


def _coded(code: str, request_id: str | None) -> dict[str, str]:
    return {"code": code, "requestId": request_id} if request_id else {"code": code}


def is_graphiql_request(method: str, accept: str, has_query: bool) -> bool:
    """A browser asking for the GraphiQL page: GET, HTML wanted, no GraphQL document. The
    page is static HTML and holds no data, so `RequireBearer` lets it through; supplygraph's
    GraphiQL view (supplygraph/http/graphiql.py) serves it for the same requests."""
    return method == "GET" and not has_query and "text/html" in accept.lower()


def _graphiql_page_request(scope: Scope) -> bool:
    """A browser GET for the GraphiQL page: static HTML, no data; its API calls need a token."""
    if scope["type"] != "http":
        return False
    conn = HTTPConnection(scope)
    return is_graphiql_request(scope["method"], conn.headers.get("accept", ""),
                               "query" in conn.query_params)


class RequireBearer:
    """ASGI guard: requests under `paths` need an authenticated user (after the backend)."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...] = ("/graphql",)) -> None:
        self.app = app
        self.paths = paths

    def _guarded(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self._guarded(scope["path"]) \
                and not _graphiql_page_request(scope):
            user = scope.get("user")
            if not (user is not None and user.is_authenticated):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4401})
                    return
                audit.bearer_rejected(reason="no token", path=scope["path"])
                await unauthorized(HTTPConnection(scope))(scope, receive, send)
                return
        await self.app(scope, receive, send)
