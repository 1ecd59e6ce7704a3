"""Administration: the OAuth clients of my organisation (its admins) or of any (the operator):
list, register (confidential or public), rotate a secret, disable (docs/ui.md).

Clients are not records of the GraphQL schema (no field lists them), so, as for people's
accounts (supplygraph/web/admin.py), these pages use graph/orgs/clients.py with the admin's
own `$orgId` (the operator's: the one asked for) and the registration command the CLI uses
(auth/client_registration.py). A client of another organisation answers "not found", as an
unknown id. A secret is shown on the page that made it, once: it is stored hashed and no page
shows it again (the page is `Cache-Control: no-store`).
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from auth.client_registration import (
    ClientRefused,
    grantable_scopes,
    new_secret,
    register_client,
)
from graph.orgs.clients import list_clients, revoke_client
from graph.orgs.organisations import organisation_info
from supplygraph.web.managing import managing
from supplygraph.web.pages import not_found
from supplygraph.web.render import render
from supplygraph.web.session import Person

FieldErrors = dict[str, tuple[str, str]]
BLANK = {"name": "", "kind": "confidential", "scopes": [], "redirect_uris": ""}


def _query(person: Person, org_id: str) -> str:
    return f"?org={org_id}" if person.is_operator else ""


async def _page(request: Request, person: Person, org_id: str, *, status: int = 200,
                form: dict[str, Any] | None = None, errors: FieldErrors | None = None,
                made: dict[str, Any] | None = None) -> Response:
    graph = request.app.state.graph
    org = await organisation_info(graph, org_id=org_id)
    if org is None:
        return not_found(request)
    clients = await list_clients(graph, org_id=org_id)
    offered = sorted(s.value for s in grantable_scopes(org["kind"] or ""))
    return render(request, "admin_clients.html", status=status, org=org, org_id=org_id,
                  clients=clients, offered=offered, form=form or BLANK, errors=errors or {},
                  made=made, query=_query(person, org_id))


@managing()
async def clients(request: Request, person: Person, org_id: str,
                  posted: FormData | None) -> Response:
    if posted is None:
        return await _page(request, person, org_id)
    form = {"name": str(posted.get("name", "")).strip(),
            "kind": "public" if posted.get("kind") == "public" else "confidential",
            "scopes": [str(v) for v in posted.getlist("scopes")],
            "redirect_uris": str(posted.get("redirect_uris", ""))}
    try:
        client_id, secret = await register_client(
            request.app.state.graph, org_id=org_id, name=form["name"],
            public=form["kind"] == "public", scopes=form["scopes"],
            redirect_uris=form["redirect_uris"].splitlines())
    except ClientRefused as exc:
        field = exc.field if exc.field in BLANK else "name"
        return await _page(request, person, org_id, status=422, form=form,
                           errors={field: (f"clients.error.{exc.code}", exc.detail)})
    return await _page(request, person, org_id, status=201,
                       made={"id": client_id, "secret": secret, "rotated": False})


@managing()
async def rotate(request: Request, person: Person, org_id: str,
                 posted: FormData | None) -> Response:
    client_id = request.path_params["client_id"]
    secret = await new_secret(request.app.state.graph, client_id=client_id, org_id=org_id)
    if secret is None:
        return not_found(request)
    return await _page(request, person, org_id,
                       made={"id": client_id, "secret": secret, "rotated": True})


@managing()
async def disable(request: Request, person: Person, org_id: str,
                  posted: FormData | None) -> Response:
    if not await revoke_client(request.app.state.graph,
                               client_id=request.path_params["client_id"], org_id=org_id):
        return not_found(request)
    return RedirectResponse(f"/admin/clients{_query(person, org_id)}", status_code=303)
