"""Administration: the people of my organisation (its admins) and every organisation and its
people (the operator). Anyone else, and an admin naming another organisation, gets the
"not found" page, as for a record they may not see.

Accounts are not records of the GraphQL schema (no client reads them): these pages read them
through graph/orgs/users.py, declared in supplygraph/readpaths.py (WEB) as told to the
organisation they concern and to the operator only.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from auth.people import PasswordRefused, add_person
from graph.orgs import users
from graph.orgs.organisations import list_organisations, organisation_info
from supplygraph.web.managing import managing
from supplygraph.web.pages import not_found, signed_in
from supplygraph.web.render import render
from supplygraph.web.session import Person

ROLES = [r.value for r in users.Role]


@signed_in
async def admin_home(request: Request, person: Person) -> Response:
    if person.is_operator:
        return RedirectResponse("/admin/organisations", 303)
    if person.is_org_admin:
        return RedirectResponse("/admin/users", 303)
    return not_found(request)


@signed_in
async def organisations(request: Request, person: Person) -> Response:
    if not person.is_operator:
        return not_found(request)
    orgs = await list_organisations(request.app.state.graph)
    return render(request, "admin_orgs.html", orgs=orgs)


async def _users_page(request: Request, person: Person, org_id: str, *, status: int = 200,
                      error: str | None = None, email: str = "", role: str = "reader",
                      setup_link: str | None = None, added: str | None = None) -> Response:
    graph = request.app.state.graph
    org = await organisation_info(graph, org_id=org_id)
    if org is None:
        return not_found(request)
    people = await users.list_users(graph, org_id=org_id)
    return render(request, "admin_users.html", status=status, org_id=org_id, org=org,
                  people=people, roles=ROLES, error=error, email=email, role=role,
                  setup_link=setup_link, added=added)


@managing()
async def people(request: Request, person: Person, org_id: str,
                 form: FormData | None) -> Response:
    if form is None:
        return await _users_page(request, person, org_id)
    email, role = str(form.get("email", "")).strip(), str(form.get("role", ""))
    settings = request.app.state.settings
    try:
        _, setup = await add_person(request.app.state.graph, org_id=org_id, email=email,
                                    role=role, password=None,
                                    setup_hours=settings.web_setup_link_hours)
    except (users.UserError, PasswordRefused) as exc:
        return await _users_page(request, person, org_id, status=422, error=str(exc),
                                 email=email, role=role)
    link = f"{settings.public_url.rstrip('/')}/setup/{setup}"
    return await _users_page(request, person, org_id, setup_link=link, added=email)


@managing()
async def disable(request: Request, person: Person, org_id: str,
                  form: FormData | None) -> Response:
    scope = None if person.is_operator else org_id
    if not await users.disable_user(request.app.state.graph,
                                    ref=request.path_params["user_id"], org_id=scope):
        return not_found(request)
    query = f"?org={org_id}" if person.is_operator else ""
    return RedirectResponse(f"/admin/users{query}", status_code=303)
