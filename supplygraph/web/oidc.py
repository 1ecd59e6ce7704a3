"""Signing in through an organisation's own OpenID Connect provider (docs/ui.md).

`/signin/oidc` starts it: a button of the sign-in page (GET, `?org=`) or the e-mail form
(POST, CSRF-checked: the address's domain picks the organisation, then a page goes on to the
GET, as a redirect after a form may not leave the site under our CSP). The browser gets a
short-lived cookie holding the flow (state, nonce, PKCE verifier, organisation, next page)
and goes to the provider. `/signin/oidc/callback` accepts the answer only with that cookie
and its state, exchanges the code, checks the ID token (auth/oidc.py) against THAT
organisation's configuration, and signs the person in as an account of that organisation
only, with the same session as a password sign-in. Any failure goes back to the sign-in page
with a message, no session and nothing written; the flow's cookie is spent either way.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from starlette.responses import RedirectResponse, Response

from auth.oidc import Flow, OidcFailure, RelyingParty
from auth.people import same_token
from graph.orgs import oidc as configs
from graph.orgs import users
from supplygraph.web.render import render
from supplygraph.web.session import (
    CSRF_FIELD,
    SIGNIN_COOKIE,
    form_csrf_ok,
    safe_next,
    start_session,
)
from supplygraph.web.signin import signin_page

if TYPE_CHECKING:
    from starlette.requests import Request

    from graph.orgs.oidc import OidcConfig

FLOW_COOKIE = "sg_oidc"
CALLBACK = "/signin/oidc/callback"
ROLE_ORDER = ("admin", "contributor", "reader")  # the highest role a claim gives wins

logger = logging.getLogger("supplygraph.web.oidc")


def relying_party(request: Request) -> RelyingParty:
    rp = getattr(request.app.state, "oidc", None)
    if rp is None:
        rp = request.app.state.oidc = RelyingParty(request.app.state.settings)
    return rp


def _redirect_uri(request: Request) -> str:
    return request.app.state.settings.public_url.rstrip("/") + CALLBACK


def _secure(request: Request) -> bool:
    return str(request.app.state.settings.public_url).startswith("https://")


def _pack(flow: Flow) -> str:
    raw = json.dumps([flow.org_id, flow.state, flow.nonce, flow.verifier, flow.next])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _unpack(text: str | None) -> Flow | None:
    if not text or len(text) > 2048:
        return None
    try:
        parts = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(parts, list) or len(parts) != 5 \
            or not all(isinstance(p, str) for p in parts):
        return None
    return Flow(*parts)


def _failed(request: Request, reason: str, status: int, *, email: str = "") -> Response:
    """The sign-in page with the reason's message; the flow's cookie spent."""
    logger.info("oidc sign-in refused: %s", reason)
    response = signin_page(request, status=status, oidc_error=f"oidc.{reason}",
                           oidc_email=email)
    response.delete_cookie(FLOW_COOKIE, path="/signin/oidc")
    return response


async def start(request: Request) -> Response:
    """GET `?org=`: the flow starts and the browser goes to the provider. POST (the e-mail
    form): the address's domain picks the organisation, and a page goes on to the GET."""
    graph = request.app.state.graph
    if request.method == "POST":
        form = await request.form()
        if not form_csrf_ok(form.get(CSRF_FIELD), request.cookies.get(SIGNIN_COOKIE)):
            return render(request, "refused.html", status=403)
        email = str(form.get("email", ""))[:254].strip()
        config = await configs.config_of_email(graph, email=email) if "@" in email else None
        if config is None:
            return await _page(request, "no_provider", 422, email=email)
        target = "/signin/oidc?" + urlencode({"org": config.org_id,
                                              "next": safe_next(str(form.get("next", "")))})
        return render(request, "oidc_continue.html", start=target, org_name=config.org_name)
    org_id = request.query_params.get("org", "")[:100]
    next_path = safe_next(request.query_params.get("next"))
    config = await configs.config_of_org(graph, org_id=org_id) if org_id else None
    if config is None:
        return await _page(request, "no_provider", 404)
    flow = Flow.new(config.org_id, next_path)
    try:
        url = await relying_party(request).authorization_url(config, _redirect_uri(request),
                                                             flow)
    except OidcFailure as failure:
        return await _page(request, failure.reason, _status(failure.reason))
    response = RedirectResponse(url, status_code=303)
    minutes = request.app.state.settings.oidc_flow_minutes
    # SameSite=Lax: the provider sends the browser back by a top-level GET, which carries it.
    response.set_cookie(FLOW_COOKIE, _pack(flow), max_age=int(minutes * 60),
                        path="/signin/oidc", httponly=True, samesite="lax",
                        secure=_secure(request))
    return response


async def _page(request: Request, reason: str, status: int, *, email: str = "") -> Response:
    await _load_choices(request)
    return _failed(request, reason, status, email=email)


async def _load_choices(request: Request) -> None:
    # signin_page is synchronous: the organisations it offers are read before it.
    request.state.oidc_choices = await configs.sign_in_choices(request.app.state.graph)


def _status(reason: str) -> int:
    return {"unreachable": 503, "provider_bad": 502, "misconfigured": 503,
            "bad_state": 400, "unknown_person": 403, "disabled": 403,
            "no_role": 403}.get(reason, 401)


async def callback(request: Request) -> Response:
    await _load_choices(request)
    flow = _unpack(request.cookies.get(FLOW_COOKIE))
    params = request.query_params
    # The state binds the answer to this browser: without the cookie that started the
    # flow, or with another state, nothing from the provider is even looked at.
    if flow is None or not same_token(params.get("state", ""), flow.state):
        return _failed(request, "bad_state", 400)
    if "error" in params or "code" not in params:
        return _failed(request, "provider_error", 401)
    graph = request.app.state.graph
    config = await configs.config_of_org(graph, org_id=flow.org_id)
    if config is None:
        return _failed(request, "no_provider", 401)
    # RFC 9207: a provider that names itself in its answer must be this flow's (mix-up).
    if "iss" in params and params["iss"] != config.issuer:
        return _failed(request, "provider_error", 401)
    try:
        claims = await relying_party(request).claims(config, _redirect_uri(request),
                                                     params["code"][:2048], flow)
    except OidcFailure as failure:
        return _failed(request, failure.reason, _status(failure.reason))
    account = await _account(graph, config, claims)
    if isinstance(account, str):
        return _failed(request, account, _status(account))
    user_id, two_step = account
    target = safe_next(flow.next)  # checked at the start too; the cookie is the browser's
    if two_step:
        target = f"/signin/code?next={quote(target, safe='')}"
    response = RedirectResponse(target, status_code=303)
    if not await start_session(graph, request.app.state.settings, response, user_id,
                               verified=not two_step):
        return _failed(request, "disabled", 403)
    response.delete_cookie(FLOW_COOKIE, path="/signin/oidc")
    response.delete_cookie(SIGNIN_COOKIE, path="/")
    return response


def mapped_role(config: OidcConfig, claims: dict[str, Any]) -> str | None:
    """The role the claims give (the highest mapped), else the default role."""
    if config.role_claim:
        value = claims.get(config.role_claim)
        held = {value} if isinstance(value, str) else \
            {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()
        for role in ROLE_ORDER:
            if held & set(config.role_values.get(role, ())):
                return role
    return config.default_role


async def _account(graph: Any, config: OidcConfig,
                   claims: dict[str, Any]) -> tuple[str, bool] | str:
    """(user id, two-step) of the person the claims name in THIS organisation, created
    just in time when the configuration says so; else the reason for refusing."""
    raw = claims.get(config.email_claim)
    if not isinstance(raw, str) or claims.get("email_verified") is False:
        return "unknown_person"
    try:
        email = users.normalise_email(raw)
    except users.UserError:
        return "unknown_person"
    if config.domains and email.rpartition("@")[2] not in config.domains:
        return "unknown_person"
    row = await users.user_of_org(graph, email=email, org_id=config.org_id)
    if row is not None:
        if not row["ofOrg"]:
            return "unknown_person"
        if row["disabled"]:
            return "disabled"
        return str(row["id"]), bool(row["twoStep"])
    if not config.create_users:
        return "unknown_person"
    role = mapped_role(config, claims)
    if role is None:
        return "no_role"
    try:
        user_id = await users.create_user(
            graph, user_id="usr_" + secrets.token_urlsafe(9), org_id=config.org_id,
            email=email, role=users.Role(role), password_hash=None, setup_hash=None,
            setup_expires_at=None)
    except users.UserError:
        return "unknown_person"
    return user_id, False
