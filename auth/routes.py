"""HTTP endpoints of the authorization server (RFC 6749 client credentials and, with
supplygraph/web/consent.py, the code grant with PKCE; 7662, 7009, 8414 metadata, JWKS).
`oauth_routes(app_state)` returns Starlette routes; the app's state must hold `graph`,
`settings`, `oauth_keys` and `token_validator` (see `install_auth`)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from auth import audit
from auth.backend import client_address
from auth.people import token_key
from auth.server import Incoming, StarletteAuthorizationServer, Token, invalid_request
from auth.tokens import TokenError
from graph.orgs.clients import get_client, revoke_token
from graph.orgs.codes import spend_code, take_code

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from auth.keys import KeyStore
    from auth.limits import Limits
    from auth.tokens import TokenValidator
    from graph.core.db import Graph
    from supplygraph.settings import Settings

_FORM = "application/x-www-form-urlencoded"
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def _read(request: Request, settings: Settings) -> Incoming | tuple[int, Any, dict]:
    """The form as authlib wants it, or an invalid_request answer."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != _FORM:
        return invalid_request(f"the body must be {_FORM}")
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 - any parse failure is the client's malformed body
        return invalid_request("the form cannot be parsed")
    datalist: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if not isinstance(value, str):
            return invalid_request("file fields are not accepted")
        datalist.setdefault(key, []).append(value)
    repeated = sorted(k for k, v in datalist.items() if len(v) > 1)
    if repeated:
        return invalid_request(f"repeated parameter: {repeated[0]}")
    # The issuer's own URL, not the Host header: authlib checks it is https or loopback.
    uri = settings.public_url.rstrip("/") + request.url.path
    headers = request.headers  # case-insensitive: authlib asks for "Authorization"
    return Incoming(method=request.method, uri=uri, headers=headers,
                    form={k: v[0] for k, v in datalist.items()}, datalist=datalist)


def _respond(status: int, body: Any, headers: dict[str, str]) -> Response:
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return JSONResponse(body, status_code=status, headers={**headers, **_NO_STORE})


def _state(request: Request) -> tuple[Settings, Graph, KeyStore, TokenValidator]:
    s = request.app.state
    return s.settings, s.graph, s.oauth_keys, s.token_validator


async def _prefetch_client(graph: Graph, incoming: Incoming) -> None:
    client_id = incoming.presented_client_id()
    if client_id:
        incoming.client = await get_client(graph, client_id=client_id)


async def _prefetch_code(request: Request, graph: Graph, incoming: Incoming) -> None:
    """Takes the presented code for the presenting client (one use counted, even when the
    request then fails: a code is never tried twice). A code presented again revokes the
    token its first use bought."""
    code, client_id = incoming.form.get("code"), incoming.presented_client_id()
    if not code or not client_id:
        return
    incoming.code_key = token_key(code)
    incoming.code = await take_code(graph, key=incoming.code_key, client_id=client_id)
    spent = incoming.code
    if spent is not None and spent.uses > 1 and spent.jti:
        exp = int(time.time()) + request.app.state.settings.token_ttl_seconds
        await revoke_token(graph, jti=spent.jti, exp=exp, client_id=spent.client_id)
        audit.token_revoked(client_id=spent.client_id, org_id=spent.org_id, jti=spent.jti)
        request.app.state.viewer_cache.forget_token(spent.jti)


async def _prefetch_token(request: Request, incoming: Incoming) -> None:
    """Validates the `token` form field fully (ours only) for introspection and revocation."""
    from auth.backend import resolve_viewer

    _, graph, _, validator = _state(request)
    value = incoming.form.get("token")
    if not value:
        return
    try:
        claims = await validator.validate(value)
    except TokenError:
        return
    if claims.external:
        return
    try:
        await resolve_viewer(graph, claims)
        active = True
    except TokenError:
        active = False
    incoming.token = Token(claims, active=active)


def _refused(incoming: Incoming | None, endpoint: str, status: int, body: Any,
             request: Request | None = None) -> None:
    error = body.get("error") if isinstance(body, dict) else None
    if error:
        audit.token_refused(client_id=incoming.presented_client_id() if incoming else None,
                            endpoint=endpoint, error=error, status=status)
    if error == "invalid_client" and request is not None and incoming is not None:
        # A wrong secret or an unknown client: charged to the client id and the address.
        limits: Limits = request.app.state.limits
        limits.auth_failed(incoming.presented_client_id(), client_address(request))


def _throttled(request: Request, incoming: Incoming, endpoint: str) -> Response | None:
    """429 while the client id or the address has failed too often (auth/limits.py);
    asked before the client is looked up or any secret hashed."""
    limits: Limits = request.app.state.limits
    refusal = limits.auth_blocked(incoming.presented_client_id(), client_address(request))
    if refusal is None:
        return None
    audit.token_refused(client_id=incoming.presented_client_id(), endpoint=endpoint,
                        error="rate_limited", status=429)
    return JSONResponse({"error": "rate_limited", "error_description": refusal.message},
                        status_code=429,
                        headers={"Retry-After": refusal.retry_after_header, **_NO_STORE})


async def token(request: Request) -> Response:
    settings, graph, keys, _ = _state(request)
    incoming = await _read(request, settings)
    if not isinstance(incoming, Incoming):
        _refused(None, "token", incoming[0], incoming[1])
        return _respond(*incoming)
    if not incoming.form.get("grant_type"):
        answer = invalid_request("missing grant_type")
        _refused(incoming, "token", answer[0], answer[1])
        return _respond(*answer)
    if (busy := _throttled(request, incoming, "token")) is not None:
        return busy
    await _prefetch_client(graph, incoming)
    if incoming.form["grant_type"] == "authorization_code":
        await _prefetch_code(request, graph, incoming)
    server = StarletteAuthorizationServer(settings, keys, incoming)
    status, body, headers = await run_in_threadpool(server.create_token_response, incoming)
    if status == 200:
        client = incoming.client
        assert client is not None
        jti = _jti_of(body.get("access_token", ""))
        if incoming.code is not None and incoming.code_key and jti:
            await spend_code(graph, key=incoming.code_key, jti=jti,
                             exp=int(time.time()) + int(body.get("expires_in") or 0))
        audit.token_issued(client_id=client.id, org_id=client.org_id, scope=body.get("scope", ""),
                           jti=jti, expires_in=body.get("expires_in"))
    else:
        _refused(incoming, "token", status, body, request)
    return _respond(status, body, headers)


def _jti_of(access_token: str) -> str | None:
    from joserfc import jws

    try:
        return json.loads(jws.extract_compact(access_token.encode()).payload).get("jti")
    except Exception:  # noqa: BLE001 - our own freshly signed token; this is only for the log
        return None


async def introspect(request: Request) -> Response:
    settings, graph, keys, _ = _state(request)
    incoming = await _read(request, settings)
    if not isinstance(incoming, Incoming):
        return _respond(*incoming)
    if (busy := _throttled(request, incoming, "introspect")) is not None:
        return busy
    await _prefetch_client(graph, incoming)
    await _prefetch_token(request, incoming)
    server = StarletteAuthorizationServer(settings, keys, incoming)
    status, body, headers = await run_in_threadpool(
        server.create_endpoint_response, "introspection", incoming)
    if status != 200:
        _refused(incoming, "introspect", status, body, request)
    return _respond(status, body, headers)


async def revoke(request: Request) -> Response:
    settings, graph, keys, _ = _state(request)
    incoming = await _read(request, settings)
    if not isinstance(incoming, Incoming):
        return _respond(*incoming)
    if (busy := _throttled(request, incoming, "revoke")) is not None:
        return busy
    await _prefetch_client(graph, incoming)
    await _prefetch_token(request, incoming)
    server = StarletteAuthorizationServer(settings, keys, incoming)
    status, body, headers = await run_in_threadpool(
        server.create_endpoint_response, "revocation", incoming)
    # Persisted before answering: once the caller sees 200, every process refuses the token.
    for tok in incoming.revoked:
        c = tok.claims
        await revoke_token(graph, jti=c.jti, exp=c.expires_at, client_id=c.client_id)
        audit.token_revoked(client_id=c.client_id, org_id=c.org_id, jti=c.jti)
        # This process refuses it at once; the others within the cache's bound.
        request.app.state.viewer_cache.forget_token(c.jti)
    if status != 200:
        _refused(incoming, "revoke", status, body, request)
    return _respond(status, body, headers)


def metadata_document(settings: Settings) -> dict[str, Any]:
    from auth.scopes import Scope
    from auth.server import AUTH_METHODS

    base = settings.public_url.rstrip("/")
    return {
        "issuer": settings.public_url,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "introspection_endpoint": f"{base}/oauth/introspect",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "scopes_supported": [s.value for s in Scope],
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [*AUTH_METHODS, "none"],
        "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
    }


async def metadata(request: Request) -> Response:
    return JSONResponse(metadata_document(request.app.state.settings))


async def jwks(request: Request) -> Response:
    keys: KeyStore = request.app.state.oauth_keys
    body = await run_in_threadpool(keys.public_jwks)
    return JSONResponse(body, headers={"Cache-Control": "public, max-age=300"})


def oauth_routes() -> list[Route]:
    # `/oauth/authorize` is a page of the web app (supplygraph/web/consent.py): the person
    # signs in and approves there.
    return [
        Route("/oauth/token", token, methods=["POST"]),
        Route("/oauth/introspect", introspect, methods=["POST"]),
        Route("/oauth/revoke", revoke, methods=["POST"]),
        Route("/.well-known/oauth-authorization-server", metadata, methods=["GET"]),
        Route("/.well-known/jwks.json", jwks, methods=["GET"]),
    ]


def install_auth(app: Starlette, settings: Settings) -> None:
    """Keys, validator and the bearer middleware; `app.state.graph` is read per request."""
    from starlette.middleware.authentication import AuthenticationMiddleware

    from auth.backend import BearerBackend, RequireBearer, unauthorized
    from auth.keys import KeyStore
    from auth.limits import Limits
    from auth.tokens import TokenValidator
    from auth.viewer_cache import ViewerCache

    keys = KeyStore(settings.signing_keys_dir, token_ttl=settings.token_ttl_seconds,
                    leeway=settings.token_leeway_seconds)
    validator = TokenValidator(settings, keys)
    limits = Limits(settings)
    app.state.viewer_cache = ViewerCache(settings.viewer_cache_seconds,
                                         settings.viewer_cache_entries)
    app.state.oauth_keys = keys
    app.state.token_validator = validator
    app.state.limits = limits
    # Added innermost first: authentication runs, then the guard sees `scope["user"]`.
    app.add_middleware(RequireBearer)
    app.add_middleware(AuthenticationMiddleware,
                       backend=BearerBackend(validator, lambda: app.state.graph,
                                             lambda: app.state.limits,
                                             lambda: app.state.viewer_cache),
                       on_error=unauthorized)
