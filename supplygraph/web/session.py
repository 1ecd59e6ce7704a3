"""Who is signed in, and the checks every form passes (docs/ui.md).

The browser holds one HttpOnly, SameSite=Lax cookie with a random session token; Neo4j holds
its SHA-256 with the person, an expiry and the session's CSRF token (graph/orgs/users.py).
Nothing else about the person, and no access token, ever reaches the page: the web app is
its own backend-for-frontend and runs GraphQL in process as the person's viewer.

CSRF: every form carries the session's token in a hidden field, compared in constant time
before anything is done; the sign-in form, which has no session yet, carries a token that
must equal a short-lived cookie of its own (the double-submit pattern). SameSite=Lax is a
second line: a cross-site POST does not carry the session cookie at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.responses import RedirectResponse, Response

from auth.people import new_token, person_viewer, same_token, token_key
from auth.scopes import Scope
from graph.orgs import users

if TYPE_CHECKING:
    from starlette.requests import Request

    from auth.viewer import Viewer
    from graph.core.db import Graph
    from supplygraph.settings import Settings

SESSION_COOKIE = "sg_session"
SIGNIN_COOKIE = "sg_signin"
CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class Person:
    """The signed-in person of a request."""

    user_id: str
    email: str
    role: str
    viewer: Viewer
    csrf: str

    @property
    def is_org_admin(self) -> bool:
        return self.role == users.Role.ADMIN.value

    @property
    def is_operator(self) -> bool:
        return self.viewer.is_operator

    @property
    def speaks_for_suppliers(self) -> bool:
        """Offered the inbox of disclosure requests: an organisation of the SUPPLIER kind
        (the REPRESENTS link, read by the page, decides what is in it)."""
        return self.viewer.org_kind == "SUPPLIER"

    @property
    def is_buyer(self) -> bool:
        """Offered the disclosure requests sent: a buyer holds contracts."""
        return self.viewer.org_kind == "PUBLIC_BUYER"

    @property
    def can_report(self) -> bool:
        """Offered the report form (the schema refuses the mutation to anyone else anyway)."""
        return self.viewer.has(Scope.REPORTS_WRITE)

    @property
    def can_import(self) -> bool:
        """Offered the imports page: a contributor (who may write sites)."""
        return self.viewer.has(Scope.SITES_WRITE)


def _secure(settings: Settings) -> bool:
    return settings.public_url.startswith("https://")


async def current_person(request: Request) -> Person | None:
    """The person whose live session the request's cookie names, or None (cached on the
    request, so a page asks Neo4j once)."""
    known: Person | None | bool = getattr(request.state, "person", False)
    if known is not False:
        return known  # type: ignore[return-value]
    token = request.cookies.get(SESSION_COOKIE)
    person = None
    if token:
        row = await users.session_context(request.app.state.graph, key=token_key(token))
        if row is not None:
            user = row["user"]
            person = Person(user["id"], user["email"], user["role"], person_viewer(row),
                            row["csrf"])
    request.state.person = person
    return person


def sign_in_redirect(request: Request) -> RedirectResponse:
    """To the sign-in page, which sends the person back to the page asked for."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (no `//host`, no scheme, and
    nothing a browser would strip into one: backslashes, spaces, control characters)."""
    if not target or not target.startswith("/") or target.startswith("//") \
            or any(c == "\\" or c.isspace() or ord(c) < 32 for c in target):
        return "/exposure"
    return target


async def start_session(graph: Graph, settings: Settings, response: Response,
                        user_id: str, verified: bool = True) -> bool:
    """A new session (a new token: nothing from before sign-in is kept); an unverified one
    opens no page until the second step (supplygraph/web/two_step.py) verifies it."""
    token, csrf = new_token(), new_token()
    expires = datetime.now(UTC) + timedelta(hours=settings.web_session_hours)
    made = await users.create_session(graph, key=token_key(token), user_id=user_id, csrf=csrf,
                                      expires_at=expires.isoformat(), verified=verified)
    if made:
        response.set_cookie(SESSION_COOKIE, token, max_age=int(settings.web_session_hours * 3600),
                            path="/", httponly=True, samesite="lax", secure=_secure(settings))
    return made


async def end_session(request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await users.end_session(request.app.state.graph, key=token_key(token))
    response.delete_cookie(SESSION_COOKIE, path="/")


def form_token(request: Request) -> str:
    """The token of a form shown before sign-in (sign-in, setup link): the browser's
    `SIGNIN_COOKIE` if it has one, else a new one that `keep_form_token` sets."""
    return request.cookies.get(SIGNIN_COOKIE) or new_token()


def keep_form_token(request: Request, response: Response, token: str) -> Response:
    if request.cookies.get(SIGNIN_COOKIE) != token:
        response.set_cookie(SIGNIN_COOKIE, token, max_age=3600, path="/", httponly=True,
                            samesite="strict", secure=_secure(request.app.state.settings))
    return response


def form_csrf_ok(sent: object, expected: str | None) -> bool:
    return isinstance(sent, str) and same_token(sent, expected)
