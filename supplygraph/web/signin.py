"""Sign-in, sign-out and the one-time setup link (docs/ui.md).

Failures are throttled with the API's own buckets (auth/limits.py): per e-mail address and
per network address, asked before any password is hashed, so that guessing costs the
guesser time and the server no Argon2 work once the budget is spent.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from auth.backend import client_address
from auth.people import PasswordRefused, hash_password, token_key, verify_password
from graph.orgs import oidc, users
from supplygraph.web.render import render
from supplygraph.web.session import (
    CSRF_FIELD,
    SIGNIN_COOKIE,
    current_person,
    end_session,
    form_csrf_ok,
    form_token,
    keep_form_token,
    safe_next,
    start_session,
)


def throttle_key(email: str) -> str:
    # Apart from OAuth client ids, which share the buckets' key space.
    return f"web:{email.strip().lower()}"


def signin_page(request: Request, *, status: int = 200, email: str = "",
                error: str | None = None, notice: str | None = None,
                retry_after: str | None = None, oidc_error: str | None = None,
                oidc_email: str = "") -> Response:
    token = form_token(request)
    # Signing in through an organisation's provider (supplygraph/web/oidc.py): how many
    # organisations do, and their buttons, read by the handler before.
    configured, buttons = getattr(request.state, "oidc_choices", (0, []))
    response = render(request, "signin.html", status=status, signin_csrf=token, email=email,
                      error=error, notice=notice, retry_after=retry_after,
                      next=safe_next(request.query_params.get("next")),
                      oidc_configured=configured, oidc_buttons=buttons,
                      oidc_error=oidc_error, oidc_email=oidc_email)
    return keep_form_token(request, response, token)


_signin_page = signin_page


async def signin(request: Request) -> Response:
    request.state.oidc_choices = await oidc.sign_in_choices(request.app.state.graph)
    if request.method == "GET":
        if await current_person(request) is not None:
            return RedirectResponse(safe_next(request.query_params.get("next")), 303)
        notice = "signin.setup_done" if request.query_params.get("setup") == "done" else None
        return _signin_page(request, notice=notice)
    form = await request.form()
    email = str(form.get("email", ""))[:254]
    if not form_csrf_ok(form.get(CSRF_FIELD), request.cookies.get(SIGNIN_COOKIE)):
        return render(request, "refused.html", status=403)
    limits = request.app.state.limits
    address = client_address(request)
    refusal = limits.auth_blocked(throttle_key(email), address)
    if refusal is not None:
        return _signin_page(request, status=429, email=email, error="signin.throttled",
                            retry_after=refusal.retry_after_header)
    graph = request.app.state.graph
    row = await users.user_for_sign_in(graph, email=email)
    password = str(form.get("password", ""))
    stored = row["passwordHash"] if row is not None and not row["disabled"] else None
    if not await run_in_threadpool(verify_password, stored, password) or row is None:
        limits.auth_failed(throttle_key(email), address)
        return _signin_page(request, status=401, email=email, error="signin.wrong")
    target = safe_next(str(form.get("next", "")))
    if row["twoStep"]:
        target = f"/signin/code?next={quote(target, safe='')}"
    response = RedirectResponse(target, status_code=303)
    if not await start_session(graph, request.app.state.settings, response, row["id"],
                               verified=not row["twoStep"]):
        return _signin_page(request, status=401, email=email, error="signin.wrong")
    response.delete_cookie(SIGNIN_COOKIE, path="/")
    return response


async def signout(request: Request) -> Response:
    person = await current_person(request)
    form = await request.form()
    if person is not None and not form_csrf_ok(form.get(CSRF_FIELD), person.csrf):
        return render(request, "refused.html", status=403)
    response = RedirectResponse("/signin", status_code=303)
    await end_session(request, response)
    return response


async def setup(request: Request) -> Response:
    """The page a one-time setup link opens: the person chooses a password."""
    token = request.path_params["token"]
    if request.method == "GET":
        return _setup_page(request, token)
    form = await request.form()
    if not form_csrf_ok(form.get(CSRF_FIELD), request.cookies.get(SIGNIN_COOKIE)):
        return render(request, "refused.html", status=403)
    password, again = str(form.get("password", "")), str(form.get("again", ""))
    if password != again:
        return _setup_page(request, token, status=422, error="setup.mismatch")
    try:
        hashed = await run_in_threadpool(hash_password, password)
    except PasswordRefused as exc:
        return _setup_page(request, token, status=422, error=f"setup.{exc}")
    done = await users.complete_setup(request.app.state.graph, setup_hash=token_key(token),
                                      password_hash=hashed)
    if done is None:
        return _setup_page(request, token, status=410, error="setup.invalid")
    return RedirectResponse("/signin?setup=done", status_code=303)


def _setup_page(request: Request, token: str, *, status: int = 200,
                error: str | None = None) -> Response:
    form = form_token(request)
    response = render(request, "setup.html", status=status, signin_csrf=form, token=token,
                      error=error)
    return keep_form_token(request, response, form)
