"""Who may use an administration page or button, checked once for people, clients and webhooks.

A signed-in organisation admin manages their own organisation; the operator any (the one
asked for with `?org=`, else their own). Anyone else, and an admin naming another
organisation, gets the "not found" page, as for a record they may not see; a form posted
without its CSRF token gets 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from supplygraph.web.pages import not_found, signed_in
from supplygraph.web.render import render
from supplygraph.web.session import CSRF_FIELD, Person, form_csrf_ok

# (request, person, the organisation managed, the posted form: None for a GET)
AdminHandler = Callable[[Request, Person, str, FormData | None], Awaitable[Response]]


def org_managed(person: Person, asked: str | None) -> str | None:
    """The organisation whose people, clients or webhooks this person may manage, or None."""
    if person.is_operator:
        return asked or person.viewer.org_id
    if person.is_org_admin and asked in (None, "", person.viewer.org_id):
        return person.viewer.org_id
    return None


def managing(*, any_org: bool = True) -> Callable[[AdminHandler], Callable[[Request],
                                                                          Awaitable[Response]]]:
    """The handler for a person allowed to manage an organisation, with its id and, for a
    POST, the form whose CSRF token was checked. Without `any_org`, `?org=` is not read:
    the page acts for the person's own organisation (webhooks: the schema shows an
    organisation its own only)."""
    def decorate(handler: AdminHandler) -> Callable[[Request], Awaitable[Response]]:
        @signed_in
        @wraps(handler)
        async def page(request: Request, person: Person) -> Response:
            asked = request.query_params.get("org") if any_org else None
            org_id = org_managed(person, asked)
            if org_id is None:
                return not_found(request)
            if request.method != "POST":
                return await handler(request, person, org_id, None)
            form = await request.form()
            if not form_csrf_ok(form.get(CSRF_FIELD), person.csrf):
                return render(request, "refused.html", status=403)
            return await handler(request, person, org_id, form)

        return page

    return decorate
