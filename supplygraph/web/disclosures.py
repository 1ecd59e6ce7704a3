"""Disclosure requests (docs/disclosures.md): the buyer's sent requests and the contract page
with its "request disclosure" form; the supplier representative's inbox and a page per
request to answer it with sites found by search, or to decline it with a reason.

Every read and write is a document of supplygraph/web/documents.graphql run as the person:
the schema decides what they see (a request addressed to a supplier they do not represent is
not in their inbox, and its page is "not found", as an unknown id) and what they may do.
A request's page reads it by id (`disclosureRequest`) and shows it only where it is in the
person's inbox (addressed to a supplier their organisation represents), the set they may
answer: the buyer who sent it, who may read it, gets "not found" there, as for an unknown id.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from auth.scopes import Scope
from supplygraph.web.pages import SEVERE, not_found, open_severe, signed_in
from supplygraph.web.render import render
from supplygraph.web.session import CSRF_FIELD, Person, form_csrf_ok

MAX_SITES = 20  # sites chosen in one answer; each is looked up by name on the page
ANSWERABLE = ("OPEN", "OVERDUE")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

FieldErrors = dict[str, tuple[str, str]]  # field -> (message key, detail from the API)


async def _run(request: Request, person: Person, operation: str,
               variables: dict[str, Any] | None = None) -> Any:
    return await request.app.state.page_queries.run(request, person.viewer, operation,
                                                    variables)


def _placed(payload: dict[str, Any] | None, codes: tuple[str, ...], fields: dict[str, str],
            ) -> tuple[FieldErrors, list[tuple[str, str]]]:
    """A mutation's errors at the form's fields (`fields`: the first step of the error's
    input path -> the form's field), the others at the top of the form."""
    if payload is None:
        key = "disclosure.error.forbidden" if "FORBIDDEN" in codes else "disclosure.error.failed"
        return {}, [(key, "")]
    placed: FieldErrors = {}
    general: list[tuple[str, str]] = []
    for error in payload["errors"]:
        path = [p for p in error["path"] if p != "input"]
        field = fields.get(path[0]) if path else None
        if field is not None:
            placed[field] = ("disclosure.error.server", error["message"])
        else:
            general.append(("disclosure.error.server", error["message"]))
    return placed, general


# ----- the buyer ----------------------------------------------------------------------------
@signed_in
async def sent(request: Request, person: Person) -> Response:
    """The requests the person's organisation sent, newest first (the schema's order)."""
    answer = await _run(request, person, "DisclosureRequests")
    mine = [r for r in answer.data["disclosureRequests"]
            if r["requestedBy"] == person.viewer.org_id]
    return render(request, "disclosures.html", requests=mine)


def _may_request(person: Person, contract: dict[str, Any]) -> bool:
    """Offered the form: the contract's buyer with the write scope (the mutation refuses
    everyone else anyway)."""
    return (person.viewer.has(Scope.CONTRACTS_WRITE)
            and contract["contributedBy"] == person.viewer.org_id)


@signed_in
async def contract(request: Request, person: Person) -> Response:
    contract_id = request.path_params["contract_id"]
    form = {"dueDate": "", "message": ""}
    errors: FieldErrors = {}
    general: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        posted = await request.form()
        if not form_csrf_ok(posted.get(CSRF_FIELD), person.csrf):
            return render(request, "refused.html", status=403)
        form = {k: str(posted.get(k, "")).strip() for k in form}
        if not _DATE.match(form["dueDate"]):
            errors["dueDate"] = ("disclosure.error.date", "")
        else:
            answer = await _run(request, person, "RequestDisclosure", {"input": {
                "contractId": contract_id, "dueDate": form["dueDate"],
                "message": form["message"] or None}})
            payload = answer.data["requestDisclosure"]
            if payload is not None and not payload["errors"]:
                return RedirectResponse(f"/contracts/{contract_id}?requested="
                                        f"{payload['request']['id']}", status_code=303)
            errors, general = _placed(payload, answer.error_codes,
                                      {"dueDate": "dueDate", "message": "message"})
        status = 422
    answer = await _run(request, person, "ContractPage", {"id": contract_id})
    record = answer.data["contract"]
    if record is None:
        return not_found(request)
    exposure = record["exposure"]
    entries = [e["node"] for e in exposure["edges"]]
    severe = sorted(({**e, "severe": open_severe(e)} for e in entries if open_severe(e)),
                    key=lambda e: e["tier"])
    return render(request, "contract.html", status=status, contract=record,
                  reached=exposure["totalCount"], severe=severe, severities=SEVERE,
                  requests=answer.data["disclosureRequests"], form=form, errors=errors,
                  general=general, may_request=_may_request(person, record),
                  requested=request.query_params.get("requested"),
                  partial=bool(answer.error_codes))


# ----- the supplier's representative -----------------------------------------------------------
async def _inbox(request: Request, person: Person) -> list[dict[str, Any]]:
    """Requests addressed to a supplier the person's organisation represents."""
    answer = await _run(request, person, "DisclosureInbox")
    represented = set(answer.data["representedSuppliers"])
    return [r for r in answer.data["disclosureRequests"] if r["supplierId"] in represented]


@signed_in
async def inbox(request: Request, person: Person) -> Response:
    requests = await _inbox(request, person)
    waiting = [r for r in requests if r["status"] in ANSWERABLE]
    done = [r for r in requests if r["status"] not in ANSWERABLE]
    return render(request, "disclosure_inbox.html", waiting=waiting, done=done)


def _chosen(values: list[str]) -> list[str]:
    """Site ids in the order chosen, once each, at most MAX_SITES."""
    return list(dict.fromkeys(v.strip() for v in values if v.strip()))[:MAX_SITES]


async def _sites(request: Request, person: Person, ids: list[str]) -> list[dict[str, Any]]:
    """The chosen sites the person may see (an id they may not see is dropped, as unknown)."""
    found = []
    for site_id in ids:
        answer = await _run(request, person, "SiteName", {"id": site_id})
        if answer.data["productionSite"] is not None:
            found.append(answer.data["productionSite"])
    return found


async def _search(request: Request, person: Person, text: str,
                  chosen: list[str]) -> list[dict[str, Any]] | None:
    if not text:
        return None
    answer = await _run(request, person, "SiteSearch", {"text": text[:200]})
    return [e["node"] for e in answer.data["productionSites"]["edges"]
            if e["node"]["id"] not in chosen]


def _link(request_id: str, sites: list[str], query: str = "") -> str:
    """The request's page with these sites chosen (the choice lives in the address, so that
    it works without a script and survives a search)."""
    params = [("site", s) for s in sites] + ([("q", query)] if query else [])
    return f"/disclosures/{request_id}" + (f"?{urlencode(params)}" if params else "")


def _results(request_id: str, found: list[dict[str, Any]] | None,
             chosen: list[str]) -> list[dict[str, Any]] | None:
    if found is None:
        return None
    return [{**s, "href": _link(request_id, [*chosen, s["id"]])} for s in found]


@signed_in
async def site_search(request: Request, person: Person) -> Response:
    """The search's results alone: what htmx swaps in as the person types."""
    request_id = request.path_params["request_id"]
    query = request.query_params.get("q", "").strip()
    chosen = _chosen(request.query_params.getlist("site"))
    found = await _search(request, person, query, chosen)
    return render(request, "site_results.html", query=query,
                  found=_results(request_id, found, chosen), add_label="disclosure.add_site")


async def _in_inbox(request: Request, person: Person,
                    request_id: str) -> dict[str, Any] | None:
    """The request, if it is addressed to a supplier the person's organisation represents."""
    answer = await _run(request, person, "DisclosureRequestPage", {"id": request_id})
    record = answer.data["disclosureRequest"]
    if record is None or record["supplierId"] not in answer.data["representedSuppliers"]:
        return None
    return record  # type: ignore[no-any-return]


@signed_in
async def answer_page(request: Request, person: Person) -> Response:
    request_id = request.path_params["request_id"]
    record = await _in_inbox(request, person, request_id)
    if record is None:
        return not_found(request)
    errors: FieldErrors = {}
    general: list[tuple[str, str]] = []
    reason = ""
    if request.method == "POST":
        form = await request.form()
        if not form_csrf_ok(form.get(CSRF_FIELD), person.csrf):
            return render(request, "refused.html", status=403)
        chosen = _chosen([str(v) for v in form.getlist("siteId")])
        reason = str(form.get("reason", "")).strip()
        if record["status"] not in ANSWERABLE:
            general.append(("disclosure.error.closed", ""))
        elif form.get("action") == "decline":
            errors, general = await _decline(request, person, record, reason)
        else:
            errors, general = await _answer(request, person, record, chosen)
        if not errors and not general:
            return RedirectResponse(f"/disclosures/{request_id}?done=1", status_code=303)
        query, status = "", 422
    else:
        chosen = _chosen(request.query_params.getlist("site"))
        query, status = request.query_params.get("q", "").strip(), 200
    sites = await _sites(request, person, chosen)
    chosen = [s["id"] for s in sites]
    found = _results(request_id, await _search(request, person, query, chosen), chosen)
    removals = {s["id"]: _link(request_id, [c for c in chosen if c != s["id"]], query)
                for s in sites}
    return render(request, "disclosure_answer.html", status=status, req=record, sites=sites,
                  removals=removals, found=found, query=query, errors=errors,
                  general=general, reason=reason, answerable=record["status"] in ANSWERABLE,
                  done=request.query_params.get("done"), max_sites=MAX_SITES)


async def _answer(request: Request, person: Person, record: dict[str, Any],
                  chosen: list[str]) -> tuple[FieldErrors, list[tuple[str, str]]]:
    """discloseContractSites on the request's contract: the links and the request's new
    state are written in one transaction, or nothing is."""
    if not chosen:
        return {"siteIds": ("disclosure.error.no_sites", "")}, []
    answer = await _run(request, person, "DiscloseSites", {"input": {
        "contractId": record["contractId"], "siteIds": chosen,
        "source": f"answer to disclosure request {record['id']}"}})
    payload = answer.data["discloseContractSites"]
    if payload is not None and not payload["errors"]:
        return {}, []
    return _placed(payload, answer.error_codes, {"siteIds": "siteIds"})


async def _decline(request: Request, person: Person, record: dict[str, Any],
                   reason: str) -> tuple[FieldErrors, list[tuple[str, str]]]:
    if not reason:
        return {"reason": ("disclosure.error.reason", "")}, []
    answer = await _run(request, person, "DeclineDisclosure", {"input": {
        "requestId": record["id"], "reason": reason}})
    payload = answer.data["declineDisclosure"]
    if payload is not None and not payload["errors"]:
        return {}, []
    return _placed(payload, answer.error_codes, {"reason": "reason"})
