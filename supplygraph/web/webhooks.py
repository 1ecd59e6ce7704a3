"""Administration: my organisation's webhooks (docs/alerts.md): list with their latest
deliveries, add, remove.

Webhooks are in the GraphQL schema, so this page is a client of it like any other: the
documents AdminWebhooks, RegisterWebhook and DeleteWebhook of
supplygraph/web/documents.graphql, run as the signed-in person. The URL is checked by the
mutation itself (graph/alerts/webhooks.py `check_url`: scheme, credentials, public address),
and its errors come back at the form's fields. The schema shows an organisation its own
webhooks only, so the operator too sees its own here; another organisation's webhook id
answers "not found" (the mutation's NOT_FOUND), as an unknown one.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from supplygraph.web.managing import managing
from supplygraph.web.pages import not_found
from supplygraph.web.render import render
from supplygraph.web.session import Person

FieldErrors = dict[str, tuple[str, str]]
SEVERITIES = ("HIGH", "CRITICAL")
BLANK = {"url": "", "minSeverity": "HIGH", "onlyMyExposure": False}
# The mutation's input path (after "input") -> the form's field.
FIELDS = {"url": "url", "secret": "secret", "filter": "minSeverity"}


async def _run(request: Request, person: Person, operation: str,
               variables: dict[str, Any] | None = None) -> Any:
    return await request.app.state.page_queries.run(request, person.viewer, operation,
                                                    variables)


async def _page(request: Request, person: Person, *, status: int = 200,
                form: dict[str, Any] | None = None, errors: FieldErrors | None = None,
                general: list[tuple[str, str]] | None = None,
                added: str | None = None) -> Response:
    answer = await _run(request, person, "AdminWebhooks")
    return render(request, "admin_webhooks.html", status=status,
                  webhooks=answer.data["webhooks"], form=form or BLANK, errors=errors or {},
                  general=general or [], severities=SEVERITIES, added=added)


def _placed(payload: dict[str, Any] | None, codes: tuple[str, ...],
            ) -> tuple[FieldErrors, list[tuple[str, str]]]:
    if payload is None:
        key = "webhooks.error.forbidden" if "FORBIDDEN" in codes else "webhooks.error.failed"
        return {}, [(key, "")]
    placed: FieldErrors = {}
    general: list[tuple[str, str]] = []
    for error in payload["errors"]:
        path = [p for p in error["path"] if p != "input"]
        field = FIELDS.get(path[0]) if path else None
        if field is not None and field not in placed:
            placed[field] = ("webhooks.error.server", error["message"])
        else:
            general.append(("webhooks.error.server", error["message"]))
    return placed, general


# The organisation is the person's own (any_org=False): the schema shows it its webhooks only.
@managing(any_org=False)
async def webhooks(request: Request, person: Person, org_id: str,
                   posted: FormData | None) -> Response:
    if posted is None:
        return await _page(request, person, added=request.query_params.get("added"))
    severity = str(posted.get("minSeverity", "HIGH"))
    form = {"url": str(posted.get("url", "")).strip(),
            "minSeverity": severity if severity in SEVERITIES else "HIGH",
            "onlyMyExposure": posted.get("onlyMyExposure") == "on"}
    answer = await _run(request, person, "RegisterWebhook", {"input": {
        "url": form["url"], "secret": str(posted.get("secret", "")),
        "filter": {"minSeverity": form["minSeverity"],
                   "onlyMyExposure": form["onlyMyExposure"]}}})
    payload = answer.data["registerWebhook"]
    if payload is not None and not payload["errors"]:
        return RedirectResponse(f"/admin/webhooks?added={payload['webhook']['id']}",
                                status_code=303)
    errors, general = _placed(payload, answer.error_codes)
    return await _page(request, person, status=422, form=form, errors=errors, general=general)


@managing(any_org=False)
async def remove(request: Request, person: Person, org_id: str,
                 posted: FormData | None) -> Response:
    answer = await _run(request, person, "DeleteWebhook",
                        {"id": request.path_params["webhook_id"]})
    payload = answer.data["deleteWebhook"]
    if payload is None or payload["errors"] or not payload["deleted"]:
        return not_found(request)
    return RedirectResponse("/admin/webhooks", status_code=303)
