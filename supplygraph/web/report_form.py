"""Submit a report (monitor, auditor): the site found by search, findings added one by one,
errors shown at the field, nothing half-written.

The form is plain HTML that works without a script: "add a finding" and "remove" are submit
buttons that send the form back and get it again with one row more or less, with everything
typed kept. The report is written only by the `submitReport` mutation, the same command as
the API and the importer (graph/reports/commands.submit_report), in one transaction: either
the report and all its findings are written, or nothing is.

Sharing is any of the four levels; RESTRICTED names the organisations that may see the
report (`sharedWith`), and the sensitive notes (worker testimony, informants) name the
organisations that may read them (`sensitiveReaders`; the author always may). Both are
picked from `organisations` (every organisation is a PUBLIC record: a monitor may name any
of them, and naming one tells it nothing it could not read already), one checkbox each.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from graph.core.model import FindingCategory, FindingStatus, ReportKind, Severity, Sharing
from supplygraph.web.pages import signed_in
from supplygraph.web.render import render
from supplygraph.web.session import CSRF_FIELD, Person, form_csrf_ok

MAX_FINDINGS = 50
SHARING = [s.value for s in Sharing]
READER_PAGES = 20  # pages of 100 organisations offered as readers at most; see docs/ui.md
_READER_FIELDS = ("sharedWith", "sensitiveReaders")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FINDING_FIELDS = ("category", "severity", "status", "description", "dueDate")
CHOICES = {"kind": [k.value for k in ReportKind],
           "category": [c.value for c in FindingCategory],
           "severity": [s.value for s in Severity],
           "status": [s.value for s in FindingStatus],
           "sharing": SHARING}


def _blank_finding() -> dict[str, str]:
    return {"category": "", "severity": "", "status": "OPEN", "description": "", "dueDate": ""}


def _read_form(form: FormData) -> dict[str, Any]:
    count = min(_int(form.get("findings"), 0), MAX_FINDINGS)
    findings = [{f: str(form.get(f"finding-{i}-{f}", "")).strip() for f in _FINDING_FIELDS}
                for i in range(count)]
    values = {k: str(form.get(k, "")).strip() for k in
              ("siteId", "kind", "title", "summary", "visitDate", "publishedAt", "sharing",
               "sensitiveNotes")}
    readers = {k: list(dict.fromkeys(str(v).strip() for v in form.getlist(k) if str(v).strip()))
               for k in _READER_FIELDS}
    return {**values, **readers, "findings": findings}


def _int(value: object, default: int) -> int:
    try:
        return max(0, int(str(value)))
    except ValueError:
        return default


FieldErrors = dict[str, tuple[str, str]]  # field -> (message key, detail from the API)


def _check(report: dict[str, Any], known: set[str] | None) -> FieldErrors:
    """Errors the form can tell before asking the schema (`known`: the organisations that
    may be named, or None when the form could not list them all: the mutation checks)."""
    errors: FieldErrors = {}
    for name in _READER_FIELDS:
        if known is not None and any(o not in known for o in report[name]):
            errors[name] = ("report.error.unknown_org", "")
    if "sharedWith" not in errors:
        if report["sharing"] == Sharing.RESTRICTED.value and not report["sharedWith"]:
            errors["sharedWith"] = ("report.error.readers_needed", "")
        elif report["sharedWith"] and report["sharing"] != Sharing.RESTRICTED.value:
            errors["sharedWith"] = ("report.error.readers_restricted", "")
    if "sensitiveReaders" not in errors and report["sensitiveReaders"] \
            and not report["sensitiveNotes"]:
        errors["sensitiveReaders"] = ("report.error.notes_needed", "")
    if not report["siteId"]:
        errors["siteId"] = ("report.error.site", "")
    if not report["title"]:
        errors["title"] = ("report.error.required", "")
    if report["kind"] not in CHOICES["kind"]:
        errors["kind"] = ("report.error.choose", "")
    if report["sharing"] not in SHARING:
        errors["sharing"] = ("report.error.choose", "")
    for name in ("visitDate", "publishedAt"):
        if report[name] and not _DATE.match(report[name]):
            errors[name] = ("report.error.date", "")
    if not report["findings"]:
        errors["findings"] = ("report.error.no_findings", "")
    for i, finding in enumerate(report["findings"]):
        for name in ("category", "severity", "status"):
            if finding[name] not in CHOICES[name]:
                errors[f"findings.{i}.{name}"] = ("report.error.choose", "")
        if finding["dueDate"] and not _DATE.match(finding["dueDate"]):
            errors[f"findings.{i}.dueDate"] = ("report.error.date", "")
    return errors


def _mutation_input(report: dict[str, Any]) -> dict[str, Any]:
    optional = {k: report[k] or None for k in ("summary", "visitDate", "publishedAt",
                                               "sensitiveNotes", *_READER_FIELDS)}
    findings = [{**{k: f[k] for k in ("category", "severity", "status")},
                 "description": f["description"] or None, "dueDate": f["dueDate"] or None}
                for f in report["findings"]]
    return {"siteId": report["siteId"], "kind": report["kind"], "title": report["title"],
            "sharing": report["sharing"], "findings": findings, **optional}


async def _site_of(request: Request, person: Person, site_id: str) -> dict[str, Any] | None:
    if not site_id:
        return None
    answer = await request.app.state.page_queries.run(request, person.viewer, "SiteName",
                                                      {"id": site_id})
    return answer.data["productionSite"]  # type: ignore[no-any-return]


async def _readers(request: Request, person: Person) -> tuple[list[dict[str, Any]],
                                                              set[str] | None]:
    """The organisations the person may name (all but their own), and the set of ids the
    form may check against (None when there are more than it lists)."""
    orgs: list[dict[str, Any]] = []
    after, own, complete = None, None, False
    # Page after page, so that the list (and the check against it) is whole up to
    # READER_PAGES pages: a consortium names a few hundred organisations, not thousands.
    for _ in range(READER_PAGES):
        answer = await request.app.state.page_queries.run(
            request, person.viewer, "ReportReaders", {"after": after})
        own = answer.data["me"]["organisation"]["id"]
        listed = answer.data["organisations"]
        orgs += [e["node"] for e in listed["edges"] if e["node"]["id"] != own]
        after = listed["pageInfo"]["endCursor"]
        if not listed["pageInfo"]["hasNextPage"]:
            complete = True
            break
    return orgs, ({o["id"] for o in orgs} | {own}) if complete and own else None


async def _search(request: Request, person: Person, text: str) -> list[dict[str, Any]] | None:
    if not text:
        return None
    answer = await request.app.state.page_queries.run(request, person.viewer, "SiteSearch",
                                                      {"text": text[:200]})
    return [{**e["node"], "href": f"/reports/new?{urlencode({'site': e['node']['id']})}"}
            for e in answer.data["productionSites"]["edges"]]


def _form_page(request: Request, report: dict[str, Any], site: dict[str, Any] | None,
               organisations: list[dict[str, Any]], *, status: int = 200,
               errors: FieldErrors | None = None,
               general: list[tuple[str, str]] | None = None,
               found: list[dict[str, Any]] | None = None, query: str = "") -> Response:
    return render(request, "report_form.html", status=status, report=report, site=site,
                  errors=errors or {}, general=general or [], found=found, query=query,
                  choices=CHOICES, max_findings=MAX_FINDINGS, organisations=organisations)


@signed_in
async def site_search(request: Request, person: Person) -> Response:
    """The search's results alone: what htmx swaps in as the person types."""
    query = request.query_params.get("q", "").strip()
    found = await _search(request, person, query)
    return render(request, "site_results.html", found=found, query=query, add_label=None)


@signed_in
async def new_report(request: Request, person: Person) -> Response:
    if request.method == "GET":
        query = request.query_params.get("q", "").strip()
        report = {"siteId": request.query_params.get("site", ""), "kind": "", "title": "",
                  "summary": "", "visitDate": "", "publishedAt": "", "sharing": "CONSORTIUM",
                  "sharedWith": [], "sensitiveNotes": "", "sensitiveReaders": [],
                  "findings": [_blank_finding()]}
        site = await _site_of(request, person, report["siteId"])
        if site is None:
            report["siteId"] = ""
        orgs, _ = await _readers(request, person)
        return _form_page(request, report, site, orgs,
                          found=await _search(request, person, query), query=query)
    form = await request.form()
    if not form_csrf_ok(form.get(CSRF_FIELD), person.csrf):
        return render(request, "refused.html", status=403)
    report = _read_form(form)
    site = await _site_of(request, person, report["siteId"])
    orgs, known = await _readers(request, person)
    action = str(form.get("action", "submit"))
    if action == "add" and len(report["findings"]) < MAX_FINDINGS:
        report["findings"].append(_blank_finding())
        return _form_page(request, report, site, orgs)
    if action.startswith("remove-"):
        index = _int(action.removeprefix("remove-"), -1)
        if 0 <= index < len(report["findings"]):
            del report["findings"][index]
        return _form_page(request, report, site, orgs)
    errors = _check(report, known)
    if site is None and "siteId" not in errors:
        errors["siteId"] = ("report.error.site", "")
    if errors:
        return _form_page(request, report, site, orgs, status=422, errors=errors)
    answer = await request.app.state.page_queries.run(
        request, person.viewer, "SubmitReport", {"input": _mutation_input(report)})
    payload = answer.data["submitReport"]
    if payload is None or payload["errors"]:
        errors, general = _mutation_errors(payload, answer.error_codes)
        return _form_page(request, report, site, orgs, status=422, errors=errors,
                          general=general)
    return RedirectResponse(f"/sites/{payload['report']['site']['id']}"
                            f"?submitted={payload['report']['id']}", status_code=303)


def _mutation_errors(payload: dict[str, Any] | None,
                     codes: tuple[str, ...]) -> tuple[FieldErrors, list[tuple[str, str]]]:
    """The mutation's errors placed at their fields (its paths are input paths, e.g.
    ["input", "findings", "1", "dueDate"]); those of no field of the form at the top."""
    if payload is None:
        key = "report.error.forbidden" if "FORBIDDEN" in codes else "report.error.failed"
        return {}, [(key, "")]
    fields: FieldErrors = {}
    general: list[tuple[str, str]] = []
    for error in payload["errors"]:
        path = [p for p in error["path"] if p != "input"]
        if path and path[0] in _READER_FIELDS:
            fields[path[0]] = ("report.error.server", error["message"])  # one of the list
        elif path:
            fields[".".join(path)] = ("report.error.server", error["message"])
        else:
            general.append(("report.error.server", error["message"]))
    return fields, general
