"""`/oauth/authorize`: the authorization endpoint of the code grant (auth/code_grant.py,
docs/oauth.md), a page of the web app because the person signs in and approves here.

1. authlib validates the request against the client read from Neo4j: a client of ours, a
   redirect URI equal to one it registered, `response_type=code`, scopes within its
   registration, PKCE with S256. Until the redirect URI is verified an error is shown on
   this site only (an HTML page, status 400); after, it goes back to that URI (RFC 6749
   4.1.2.1), never to an unverified one.
2. The person signs in through the usual session (and comes back here).
3. A client is approved only by people of its own organisation (a member's app acts for that
   member); the scopes offered are those asked, cut to the person's role.
4. The consent form posts back every parameter with the session's CSRF token; the POST
   validates all of it again, and on "allow" the code is stored (hashed) before the
   redirect carries it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from auth.code_grant import CODE_TTL_SECONDS, GrantingPerson, granted_scope
from auth.server import Incoming, StarletteAuthorizationServer
from authlib.oauth2.rfc6749 import AccessDeniedError, InvalidScopeError, OAuth2Error
from graph.orgs.clients import get_client
from graph.orgs.codes import create_code
from supplygraph.web.render import render
from supplygraph.web.session import CSRF_FIELD, Person, current_person, form_csrf_ok

PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
          "code_challenge_method")
_NOT_PARAMS = {CSRF_FIELD, "decision"}


def _incoming(request: Request, datalist: dict[str, list[str]]) -> Incoming:
    settings = request.app.state.settings
    return Incoming(method="GET", uri=settings.public_url.rstrip("/") + request.url.path,
                    headers=request.headers, form={k: v[0] for k, v in datalist.items()},
                    datalist=datalist)


async def _params(request: Request) -> tuple[dict[str, list[str]], str | None, str | None]:
    """(the authorization request's parameters, the posted CSRF token, the decision)."""
    if request.method == "GET":
        datalist: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            datalist.setdefault(key, []).append(value)
        return datalist, None, None
    form = await request.form()
    datalist = {}
    for key, value in form.multi_items():
        if isinstance(value, str) and key not in _NOT_PARAMS:
            datalist.setdefault(key, []).append(value)
    csrf, decision = form.get(CSRF_FIELD), form.get("decision")
    return (datalist, csrf if isinstance(csrf, str) else None,
            decision if isinstance(decision, str) else None)


def _error_page(request: Request, error: OAuth2Error) -> Response:
    return render(request, "oauth_error.html", status=400, error=error.error or "invalid_request",
                  description=error.description or "")


def _answer(request: Request, error: OAuth2Error) -> Response:
    """To the verified redirect URI when authlib set one, else a page of ours."""
    if not error.redirect_uri:
        return _error_page(request, error)
    _, _, headers = error()
    return RedirectResponse(dict(headers)["Location"], status_code=303)


def _resume(params: dict[str, list[str]]) -> Response:
    """To sign in, then back to this authorization request."""
    target = "/oauth/authorize?" + urlencode([(k, v) for k, vs in params.items() for v in vs])
    return RedirectResponse("/signin?" + urlencode({"next": target}), status_code=303)


async def authorize(request: Request) -> Response:
    params, csrf, decision = await _params(request)
    incoming = _incoming(request, params)
    graph = request.app.state.graph
    client_id = incoming.form.get("client_id")
    if client_id and len(params.get("client_id", [])) == 1:
        incoming.client = await get_client(graph, client_id=client_id)
    server = StarletteAuthorizationServer(request.app.state.settings,
                                          request.app.state.oauth_keys, incoming)
    try:
        grant = server.get_consent_grant(incoming, end_user=None)
    except OAuth2Error as error:
        return _answer(request, error)
    redirect_uri = incoming.form["redirect_uri"]
    state = incoming.form.get("state")
    person = await current_person(request)
    if person is None:
        return _resume(params)
    client = incoming.client
    assert client is not None  # authlib found it
    if client.org_id != person.viewer.org_id:
        return _answer(request, AccessDeniedError(
            description="the client belongs to another organisation",
            redirect_uri=redirect_uri, state=state))
    scope = granted_scope(grant.request.scope or "", person.viewer.scopes)
    if not scope:
        return _answer(request, InvalidScopeError(
            description="none of the scopes asked is within the person's role",
            redirect_uri=redirect_uri, state=state))
    if request.method == "GET":
        return _consent_page(request, person, client, scope, params)
    if not form_csrf_ok(csrf, person.csrf):
        return render(request, "refused.html", status=403)
    granting = GrantingPerson(person.user_id, person.viewer.org_id, person.viewer.scopes) \
        if decision == "allow" else None
    status, _, headers = server.create_authorization_response(incoming, grant_user=granting,
                                                              grant=grant)
    location = dict(headers).get("Location")
    new = incoming.new_code
    if new is not None:
        if not await create_code(graph, key=new.key, client_id=new.client_id,
                                 user_id=new.user_id, redirect_uri=new.redirect_uri,
                                 scope=new.scope, challenge=new.challenge,
                                 challenge_method=new.challenge_method,
                                 ttl_seconds=CODE_TTL_SECONDS):
            return render(request, "refused.html", status=403)
    if location is None:  # authlib answered without a redirect: not expected after step 1
        return render(request, "oauth_error.html", status=400, error="invalid_request",
                      description="")
    return RedirectResponse(location, status_code=303)


def _consent_page(request: Request, person: Person, client: object, scope: str,
                  params: dict[str, list[str]]) -> Response:
    hidden = [(k, vs[0]) for k, vs in params.items() if k in PARAMS]
    return render(request, "consent.html", client=client, scopes=scope.split(),
                  hidden=hidden, redirect_uri=params["redirect_uri"][0])
