"""Imports (contributors): upload a CSV/XLSX site list, follow its progress, read the
per-row summary, and decide the organisation's doubtful matches (docs/ui.md).

The upload is checked in the request (type, size, rows, the header's columns), with each
problem shown at the file field and nothing written; the import itself is the CLI's
(`supplygraph import sites`: supplygraph/imports/sites.py, the same row planning as the
`importSites` mutation), run as the signed-in person in the background of this process
(supplygraph/imports/background.py). A run's state is read through the schema as the
person (`importRuns`, `importRun` and its `rows`, a page at a time): a run is its
organisation's alone, so another organisation's run id answers "not found", as an unknown
one does.

The review queue is `pendingMatches`, decided by `confirmMatch` / `rejectMatch`, as the
person, with the mutation's NOT_FOUND or CONFLICT shown at the row.
"""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from auth.scopes import Scope
from graph.core.records import Actor
from supplygraph.http.transport import BodyTooLarge, bounded_receive
from resolvers.core.args import encode_cursor
from supplygraph.imports import background as runs
from supplygraph.imports.background import start_site_import
from supplygraph.imports.files import ImportFileError, check_content
from supplygraph.imports.sites import SiteTable, read_site_table
from supplygraph.imports.summary import SUMMARY_COLUMNS, RowResult, summary_rows
from supplygraph.web.pages import not_found, signed_in
from supplygraph.web.render import HEADERS, render
from supplygraph.web.session import CSRF_FIELD, Person, form_csrf_ok

SHARING = ("PUBLIC", "CONSORTIUM", "PRIVATE")
ROWS_PER_PAGE = 50
QUEUE_SIZE = 20
RECENT_RUNS = 10
# The summary CSV reads the rows a page at a time, the largest page the schema gives.
CSV_PAGE = 100
# Room for the form's other fields and the multipart framing around the file.
_FORM_OVERHEAD = 64_000
FieldErrors = dict[str, tuple[str, str]]  # field -> (message key, detail)


def _may_import(person: Person) -> bool:
    return person.viewer.has(Scope.SITES_WRITE)


def _refused(request: Request) -> Response:
    return render(request, "refused.html", status=403)


async def _queue(request: Request, person: Person, offset: int) -> list[dict[str, Any]]:
    answer = await request.app.state.page_queries.run(
        request, person.viewer, "PendingMatches", {"first": QUEUE_SIZE + 1, "offset": offset})
    return answer.data["pendingMatches"]  # type: ignore[no-any-return]


async def _imports_page(request: Request, person: Person, *, status: int = 200,
                        errors: FieldErrors | None = None, sharing: str = "PUBLIC",
                        row_errors: dict[str, tuple[str, str]] | None = None,
                        decided: str | None = None) -> Response:
    offset = _int(request.query_params.get("offset"), 0)
    queue = await _queue(request, person, offset)
    settings = request.app.state.settings
    return render(request, "imports.html", status=status, errors=errors or {},
                  sharing=sharing, choices=SHARING, queue=queue[:QUEUE_SIZE],
                  queue_more=offset + QUEUE_SIZE if len(queue) > QUEUE_SIZE else None,
                  queue_offset=offset, row_errors=row_errors or {}, decided=decided,
                  recent=await _recent(request, person),
                  max_size=_size(settings.web_import_max_bytes),
                  max_rows=settings.web_import_max_rows)


async def _recent(request: Request, person: Person) -> list[dict[str, Any]]:
    answer = await request.app.state.page_queries.run(
        request, person.viewer, "ImportRuns", {"first": RECENT_RUNS})
    return [e["node"] for e in answer.data["importRuns"]["edges"]]


async def _run(request: Request, person: Person, *, first: int = 0, after: str | None = None,
               ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The run as the pages show it, and a page of its rows when `first` (DONE runs only);
    (None, None) for an unknown run or another organisation's."""
    answer = await request.app.state.page_queries.run(
        request, person.viewer, "ImportRun", {"id": request.path_params["run_id"],
                                              "withRows": first > 0, "first": first or None,
                                              "after": after})
    found = answer.data["importRun"]
    if found is None:
        return None, None
    run = {**found, "createdAt": found["startedAt"],
           "header": {"mapped": {c["column"]: c["field"] for c in found["mappedColumns"]},
                      "unknown": found["unknownColumns"]},
           "summary": found["counts"]}
    return run, found.get("rows")


def _row(node: dict[str, Any]) -> RowResult:
    """A row of `importRun.rows` as the summary table and CSV read it."""
    return RowResult(node["row"], node["outcome"], node["siteId"], node["name"],
                     [{"id": c["siteId"], "name": c["name"], "score": c["score"],
                       "parts": c["parts"]} for c in node["candidates"]],
                     node["messages"], node["pendingMatchId"])


def _int(value: object, default: int) -> int:
    try:
        return max(0, int(str(value)))
    except ValueError:
        return default


def _size(limit: int) -> str:
    return f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} kB"


def _file_error(exc: ImportFileError) -> tuple[str, str]:
    """The message at the file field for a file that cannot be imported as a whole."""
    header = exc.header
    if exc.code == "COLUMN_TWICE" and header is not None:
        first, second, key = header.twice[0]
        return "imports.error.column_twice", f"«{first}», «{second}» → {key}"
    if exc.code == "COLUMN_MISSING" and header is not None:
        return "imports.error.column_missing", ", ".join(header.missing)
    known = {"EMPTY", "FILE_TYPE", "TOO_MANY_ROWS", "TOO_MANY_COLUMNS", "NO_HEADER"}
    return (f"imports.error.{exc.code.lower()}" if exc.code in known
            else "imports.error.unreadable"), ""


async def _read_upload(request: Request) -> tuple[Any, FieldErrors]:
    """The form, or the error at the file field when the body is over the limit (read no
    further than the limit, whatever Content-Length says)."""
    limit = request.app.state.settings.web_import_max_bytes
    mb = _size(limit)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + _FORM_OVERHEAD:
        return None, {"file": ("imports.error.too_big", mb)}
    bounded = Request(request.scope, bounded_receive(request.receive, limit + _FORM_OVERHEAD))
    try:
        form = await bounded.form(max_files=1, max_fields=10)
    except BodyTooLarge:
        return None, {"file": ("imports.error.too_big", mb)}
    except MultiPartException:
        return None, {"file": ("imports.error.unreadable", "")}
    return form, {}


def _check_table(settings: Any, name: str, data: bytes) -> SiteTable:
    fmt, content = check_content(name, data, "sites")
    return read_site_table(name, fmt, content, max_rows=settings.web_import_max_rows)


@signed_in
async def imports(request: Request, person: Person) -> Response:
    if not _may_import(person):
        return _refused(request)
    if request.method == "GET":
        return await _imports_page(request, person, decided=request.query_params.get("decided"))
    form, errors = await _read_upload(request)
    if form is None:
        return await _imports_page(request, person, status=413, errors=errors)
    if not form_csrf_ok(form.get(CSRF_FIELD), person.csrf):
        return _refused(request)
    sharing = str(form.get("sharing", ""))
    upload = form.get("file")
    settings = request.app.state.settings
    if runs.busy(person.viewer.org_id):
        errors["file"] = ("imports.error.busy", "")
        return await _imports_page(request, person, status=409, errors=errors,
                                   sharing=sharing)
    if sharing not in SHARING:
        errors["sharing"] = ("imports.error.choose", "")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = ("imports.error.no_file", "")
        return await _imports_page(request, person, status=422, errors=errors,
                                   sharing=sharing)
    try:
        data = await upload.read(settings.web_import_max_bytes + 1)
    finally:
        await form.close()  # the spooled file, at once
    if len(data) > settings.web_import_max_bytes:
        errors["file"] = ("imports.error.too_big", _size(settings.web_import_max_bytes))
        return await _imports_page(request, person, status=413, errors=errors,
                                   sharing=sharing)
    name = upload.filename.replace("\\", "/").rsplit("/", 1)[-1][:200]
    try:
        # Reading an XLSX workbook is CPU work: off the event loop.
        table = await asyncio.to_thread(_check_table, settings, name, data)
    except ImportFileError as exc:
        errors["file"] = _file_error(exc)
    else:
        if not table.records:
            errors["file"] = ("imports.error.no_rows", "")
    if errors:
        return await _imports_page(request, person, status=422, errors=errors,
                                   sharing=sharing)
    viewer = person.viewer
    actor = Actor(org=viewer.org_id, client=viewer.client_id, peers=tuple(viewer.peers),
                  operator=viewer.is_operator, source=table.source)
    run_id = await start_site_import(request.app.state.graph, settings, table, actor=actor,
                                     user=person.user_id, sharing=sharing)
    return RedirectResponse(f"/imports/{run_id}", status_code=303)


@signed_in
async def run_page(request: Request, person: Person) -> Response:
    """The run's progress while it runs (htmx asks again for the status alone), then its
    summary, a page of rows at a time."""
    if not _may_import(person):
        return _refused(request)
    # a page number past any file's rows is an empty page, not a cursor the schema refuses
    page = min(_int(request.query_params.get("page"), 1) or 1, 1_000_000)
    after = encode_cursor((page - 1) * ROWS_PER_PAGE - 1) if page > 1 else None
    status_only = request.headers.get("hx-request") == "true"
    run, listed = await _run(request, person, first=0 if status_only else ROWS_PER_PAGE,
                             after=after)
    if run is None:
        return not_found(request)
    rows: list[RowResult] = []
    total = 0
    if run["state"] == runs.DONE and listed is not None:
        rows = [_row(e["node"]) for e in listed["edges"]]
        total = listed["totalCount"]
    values = {"run": run, "rows": rows, "page": page,
              "pages": max(1, -(-total // ROWS_PER_PAGE)),
              "percent": (100 * run["done"] // run["total"]) if run["total"] else 100}
    if status_only:
        fragment = render(request, "import_status.html", **values)
        if run["state"] != runs.RUNNING:
            # Ended: the whole page again, with its summary (htmx reloads on this header).
            fragment.headers["HX-Refresh"] = "true"
        return fragment
    return render(request, "import_run.html", **values)


@signed_in
async def summary_csv(request: Request, person: Person) -> Response:
    if not _may_import(person):
        return _refused(request)
    run, listed = await _run(request, person, first=CSV_PAGE)
    if run is None or run["state"] != runs.DONE or listed is None:
        return not_found(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SUMMARY_COLUMNS)
    while True:
        writer.writerows(summary_rows(_row(e["node"]) for e in listed["edges"]))
        if not listed["pageInfo"]["hasNextPage"]:
            break
        _, listed = await _run(request, person, first=CSV_PAGE,
                               after=listed["pageInfo"]["endCursor"])
        if listed is None:  # the run went away between two pages
            return not_found(request)
    stem = run["file"].rsplit(".", 1)[0]
    filename = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:80]
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        **HEADERS, "Content-Disposition": f'attachment; filename="{filename}-summary.csv"'})


@signed_in
async def review(request: Request, person: Person) -> Response:
    """Confirm (the submitted site is this candidate) or reject (a new site): the mutation's
    own errors come back at the pending match's row."""
    if not _may_import(person):
        return _refused(request)
    form = await request.form()
    if not form_csrf_ok(form.get(CSRF_FIELD), person.csrf):
        return _refused(request)
    pending = str(form.get("pendingMatchId", ""))[:100]
    site = str(form.get("siteId", ""))[:100]
    action = str(form.get("action", ""))
    if action == "confirm" and site:
        operation, data = "ConfirmMatch", {"pendingMatchId": pending, "siteId": site}
    elif action == "reject":
        operation, data = "RejectMatch", {"pendingMatchId": pending}
    else:
        return await _imports_page(request, person, status=422, row_errors={
            pending: ("imports.review.error.choose", "")})
    answer = await request.app.state.page_queries.run(request, person.viewer, operation,
                                                      {"input": data})
    payload = answer.data[operation[0].lower() + operation[1:]]
    if payload is None or payload["errors"]:
        code = payload["errors"][0]["code"] if payload else "FORBIDDEN"
        detail = payload["errors"][0]["message"] if payload else ""
        key = {"NOT_FOUND": "imports.review.error.not_found",
               "CONFLICT": "imports.review.error.conflict"}.get(code,
                                                                 "imports.review.error.failed")
        status = {"NOT_FOUND": 404, "CONFLICT": 409}.get(code, 422)
        return await _imports_page(request, person, status=status,
                                   row_errors={pending: (key, detail)})
    return RedirectResponse(f"/imports?decided={payload['pendingMatch']['id']}#review",
                            status_code=303)
