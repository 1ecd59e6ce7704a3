"""Import runs (graph/imports/runs.py): what became of a file uploaded in the web app,
`importRun(id)` and `importRuns`, each run with its counts and its rows, a page at a time.

A run is its organisation's alone (the operator sees only its own organisation's): it
names the file a member uploaded and what became of each row. Reading runs needs the
`sites:write` scope, as importing does. The root Query inherits `ImportRunQuery`.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from auth.permissions import RequireScope
from auth.scopes import Scope
from resolvers.core.args import enum_value
from resolvers.imports import runs as r
from schema import mutations_types as t
from schema.core.common import Connection

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001

SCOPE = Scope.SITES_WRITE


@strawberry.enum(description="Where an import run stands.")
class ImportRunState(Enum):
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


@strawberry.enum(description="What became of one row of an imported file.")
class ImportRowOutcome(Enum):
    CREATED = "CREATED"
    MATCHED = "MATCHED"
    CONFIRMED = "CONFIRMED"
    UPDATED = "UPDATED"
    NEEDS_CONFIRMATION = "NEEDS_CONFIRMATION"
    REJECTED = "REJECTED"


@strawberry.type(description="A column of the file and the site field it was read into.")
class ImportColumn:
    column: str
    field: str


@strawberry.type(description="How many rows of a finished run came to each outcome.")
class ImportRunCounts:
    rows: int
    created: int
    matched: int
    updated: int
    needs_confirmation: int
    rejected: int


@strawberry.type(description="One row of an imported file and what became of it.")
class ImportRunRow:
    row: int = strawberry.field(description="The row's line in the file (the header is 1).")
    outcome: ImportRowOutcome
    site_id: strawberry.ID | None = strawberry.field(
        description="The site created or matched; null when you may no longer see it.")
    name: str
    messages: list[str] = strawberry.field(description="Why a row was refused, per field.")
    candidates: list[t.SiteCandidate] = strawberry.field(
        description="Sites it may be, with their score parts; only those you may see today.")
    pending_match_id: strawberry.ID | None = strawberry.field(
        description="NEEDS_CONFIRMATION: the pending match that keeps the row for review.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ImportRunRow:
        return cls(row=int(row["row"]), outcome=ImportRowOutcome(row["outcome"]),
                   site_id=strawberry.ID(row["id"]) if row.get("id") else None,
                   name=row.get("name") or "", messages=list(row.get("errors") or []),
                   candidates=t.site_candidates(row.get("candidates") or []),
                   pending_match_id=(strawberry.ID(row["pendingMatchId"])
                                     if row.get("pendingMatchId") else None))


@strawberry.type(description="A site list uploaded in the web app and imported in the "
                             "background: its progress, its end and its rows. Your "
                             "organisation's alone.")
class ImportRun:
    id: strawberry.ID
    file: str = strawberry.field(description="The uploaded file's name.")
    state: ImportRunState
    total: int = strawberry.field(description="Rows in the file.")
    done: int = strawberry.field(description="Rows imported so far.")
    started_at: str
    finished_at: str | None
    started_by: strawberry.ID = strawberry.field(description="The person who uploaded it.")
    mapped_columns: list[ImportColumn]
    unknown_columns: list[str] = strawberry.field(description="Columns of the file not read.")
    counts: ImportRunCounts | None = strawberry.field(description="Once the run is DONE.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ImportRun:
        header = row.get("header") or {}
        summary = row.get("summary")
        counts = ImportRunCounts(
            rows=summary.get("rows", 0), created=summary.get("created", 0),
            matched=summary.get("matched", 0), updated=summary.get("updated", 0),
            needs_confirmation=summary.get("needsConfirmation", 0),
            rejected=summary.get("rejected", 0)) if summary else None
        return cls(id=strawberry.ID(row["id"]), file=row["file"],
                   state=ImportRunState(row["state"]), total=int(row["total"]),
                   done=int(row["done"]), started_at=str(row["createdAt"]),
                   finished_at=row.get("finishedAt"),
                   started_by=strawberry.ID(row["createdBy"]),
                   mapped_columns=[ImportColumn(column=c, field=f)
                                   for c, f in (header.get("mapped") or {}).items()],
                   unknown_columns=list(header.get("unknown") or []), counts=counts)

    @strawberry.field(description="The rows the run has committed, in file order, with "
                                  "`outcome` those of one outcome only.")
    async def rows(self, info: Info[Context, Any], outcome: ImportRowOutcome | None = None,
                   first: int | None = None,
                   after: str | None = None) -> Connection[ImportRunRow]:
        page = await r.run_rows(info, str(self.id), outcome=enum_value(outcome),
                                first=first, after=after)
        return Connection.of(page.rows, total=page.total, skip=page.skip,
                             convert=ImportRunRow.from_row)


@strawberry.type
class ImportRunQuery:
    @strawberry.field(description="An import run of your organisation; null when unknown or "
                                  "another organisation's. Needs the `sites:write` scope.",
                      permission_classes=[RequireScope(SCOPE)])
    async def import_run(self, info: Info[Context, Any],
                         id: strawberry.ID) -> ImportRun | None:  # noqa: A002
        row = await r.import_run(info, str(id))
        return ImportRun.from_row(row) if row else None

    @strawberry.field(description="Your organisation's import runs, newest first. Needs the "
                                  "`sites:write` scope.",
                      permission_classes=[RequireScope(SCOPE)])
    async def import_runs(self, info: Info[Context, Any], first: int | None = None,
                          after: str | None = None) -> Connection[ImportRun]:
        page = await r.import_runs(info, first, after)
        return Connection.of(page.rows, total=page.total, skip=page.skip,
                             convert=ImportRun.from_row, has_next=page.has_next)
