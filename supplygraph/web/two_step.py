"""The optional second step of sign-in: a TOTP code (RFC 6238) from an authenticator app.

A person turns it on from `/account/two-step`: the page shows a new secret (and its
otpauth:// address), and stores it only once a code made from it is typed back. From then
on a correct password opens an unverified session, which opens no page until `/signin/code`
takes a code. Codes are throttled like passwords (auth/limits.py) and each time step is
spent once (graph/orgs/users.py).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from auth.backend import client_address
from auth.people import new_totp_secret, token_key, totp_step, totp_uri
from graph.orgs import users
from supplygraph.web.pages import signed_in
from supplygraph.web.render import render
from supplygraph.web.session import (
    CSRF_FIELD,
    SESSION_COOKIE,
    Person,
    form_csrf_ok,
    safe_next,
)


async def code(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    graph = request.app.state.graph
    pending = await users.pending_session(graph, key=token_key(token)) if token else None
    target = safe_next(request.query_params.get("next"))
    if pending is None:
        return RedirectResponse("/signin", status_code=303)
    if request.method == "GET":
        return render(request, "signin_code.html", signin_csrf=pending["csrf"], error=None,
                      retry_after=None, next=target)
    form = await request.form()
    if not form_csrf_ok(form.get(CSRF_FIELD), pending["csrf"]):
        return render(request, "refused.html", status=403)
    limits = request.app.state.limits
    key, address = f"web-code:{pending['userId']}", client_address(request)
    refusal = limits.auth_blocked(key, address)
    if refusal is not None:
        return render(request, "signin_code.html", status=429, signin_csrf=pending["csrf"],
                      error="signin.throttled", retry_after=refusal.retry_after_header,
                      next=target)
    step = totp_step(pending["totpSecret"], str(form.get("code", "")))
    if step is None or not await users.verify_session(graph, key=token_key(token or ""),
                                                      step=step):
        limits.auth_failed(key, address)
        return render(request, "signin_code.html", status=401, signin_csrf=pending["csrf"],
                      error="two_step.wrong", retry_after=None, next=target)
    return RedirectResponse(target, status_code=303)


@signed_in
async def enrol(request: Request, person: Person) -> Response:
    if request.method == "GET":
        secret = new_totp_secret()
        return render(request, "two_step.html", secret=secret,
                      uri=totp_uri(secret, person.email), error=None, done=False)
    form = await request.form()
    if not form_csrf_ok(form.get(CSRF_FIELD), person.csrf):
        return render(request, "refused.html", status=403)
    secret = str(form.get("secret", ""))
    step = totp_step(secret, str(form.get("code", ""))) if secret else None
    if step is None:
        return render(request, "two_step.html", status=422, secret=secret,
                      uri=totp_uri(secret or new_totp_secret(), person.email),
                      error="two_step.wrong", done=False)
    await users.set_totp(request.app.state.graph, user_id=person.user_id, secret=secret,
                         step=step)
    return render(request, "two_step.html", secret="", uri="", error=None, done=True)
