"""The reading pages: My exposure and the site page, each from one GraphQL document run as
the signed-in person (supplygraph/web/queries.py), and the "not found" page.

A record the person may not see answers exactly as one that does not exist: the schema
returns null for both, and both get the same 404 page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from supplygraph.web.queries import PageQueryFailed
from supplygraph.web.render import render
from supplygraph.web.session import Person, current_person, sign_in_redirect

Handler = Callable[[Request, Person], Awaitable[Response]]

SEVERE = ("HIGH", "CRITICAL")
EXPOSURE_PAGE_SIZE = 100


def signed_in(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """The page for a signed-in person; anyone else goes to sign in and comes back."""

    @wraps(handler)
    async def page(request: Request) -> Response:
        person = await current_person(request)
        if person is None:
            return sign_in_redirect(request)
        try:
            return await handler(request, person)
        except PageQueryFailed as exc:
            status = 429 if exc.code == "RATE_LIMITED" else 503
            return render(request, "unavailable.html", status=status, code=exc.code)

    return page


async def home(request: Request) -> Response:
    person = await current_person(request)
    return RedirectResponse("/exposure" if person is not None else "/signin", 303)


def not_found(request: Request) -> Response:
    return render(request, "not_found.html", status=404)


async def not_found_page(request: Request, exc: Exception | None = None) -> Response:
    await current_person(request)  # the header shows who is signed in, if anyone
    return not_found(request)


def open_severe(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in entry["findings"] if f["status"] == "OPEN" and f["severity"] in SEVERE]


def urgency(entry: dict[str, Any]) -> dict[str, Any]:
    """What makes an exposure entry urgent, as `myExposure(orderBy: URGENCY)` orders it:
    a contradicted audit, stale evidence (a newest report older than the service's
    `stale_after_days`; a site with no report has none to be stale), open HIGH/CRITICAL
    findings."""
    site = entry["site"]
    risk = site.get("risk") or {}
    return {"severe": open_severe(entry),
            "contradicted": sorted({c["category"] for c in site.get("contradictions") or []}),
            "stale": bool(risk.get("stale") and risk.get("lastReportAt")),
            "lastReportAt": risk.get("lastReportAt")}


def urgency_key(entry: dict[str, Any]) -> tuple[bool, bool, bool]:
    return (not entry["contradicted"], not entry["stale"], not entry["severe"])


def group_by_contract(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contracts in the order their first site came (the schema's: most urgent first), each
    with its sites by tier; within a tier contradicted audits first, then stale evidence,
    then open HIGH/CRITICAL findings (a stable sort keeps the schema's order otherwise)."""
    groups: dict[str, dict[str, Any]] = {}
    for entry in entries:
        contract = next((s for s in entry["path"] if s["kind"] == "CONTRACT"), None)
        key = contract["id"] if contract else ""
        group = groups.setdefault(key, {"contract": contract, "entries": []})
        group["entries"].append({**entry, **urgency(entry)})
    for group in groups.values():
        group["entries"].sort(key=lambda e: (e["tier"], *urgency_key(e)))
    return list(groups.values())


def _page_size(asked: str | None) -> int:
    try:
        return min(max(int(asked or EXPOSURE_PAGE_SIZE), 1), EXPOSURE_PAGE_SIZE)
    except ValueError:
        return EXPOSURE_PAGE_SIZE


@signed_in
async def exposure(request: Request, person: Person) -> Response:
    after = request.query_params.get("after") or None
    size = _page_size(request.query_params.get("first"))
    answer = await request.app.state.page_queries.run(
        request, person.viewer, "MyExposure", {"first": size, "after": after})
    connection = answer.data["myExposure"]
    entries = [edge["node"] for edge in connection["edges"]]
    more = connection["pageInfo"]["endCursor"] if connection["pageInfo"]["hasNextPage"] \
        else None
    return render(request, "exposure.html", groups=group_by_contract(entries),
                  total=connection["totalCount"], shown=len(entries), more=more,
                  first_page=after is None, page_size=size,
                  partial=bool(answer.error_codes))


@signed_in
async def site(request: Request, person: Person) -> Response:
    answer = await request.app.state.page_queries.run(
        request, person.viewer, "SitePage", {"id": request.path_params["site_id"]})
    record = answer.data["productionSite"]
    if record is None:
        return not_found(request)
    reports = sorted((e["node"] for e in record["reports"]["edges"]),
                     key=lambda r: r["publishedAt"] or r["visitDate"] or "", reverse=True)
    # A report's sensitive notes are refused (FORBIDDEN, null) to everyone its author did
    # not name: expected, so not a part of the page missing.
    partial = any(not (path and path[-1] == "sensitiveNotes") for path in answer.error_paths)
    return render(request, "site.html", site=record, reports=reports, partial=partial,
                  submitted=request.query_params.get("submitted"))
