"""Reports, findings and remediation actions, as the read API shows them; a report's
sensitive notes are a protected field (graph/reports/fields.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph.core import nodes as rel
from graph.orgs.fields import ORGANISATION_SHAPE
from graph.reports.fields import FINDING_SHAPE, REMEDIATION_SHAPE, REPORT_SHAPE, SENSITIVE_NOTES
from graph.sites.fields import SITE_SHAPE
from resolvers.core.selection import selected
from schema.core.common import (
    FindingCategory,
    FindingStatus,
    RemediationStatus,
    ReportKind,
    Severity,
)
from schema.core.records import (
    REPORTS,
    SITES,
    Record,
    entity,
    protected_value,
    provenance,
    related,
    scoped,
)

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001

if TYPE_CHECKING:
    # Types resolved lazily at schema build (strawberry.lazy) to avoid import cycles.
    from schema.core.history import (
        AuditReportVersion,
        FindingVersion,
    )


@strawberry.federation.type(keys=["id"], description="An audit, monitoring report, "
                                                   "investigation, grievance or press report "
                                                   "on one site.")
class AuditReport(Record):
    kind: ReportKind | None
    title: str | None
    summary: str | None
    visit_date: str | None = strawberry.field(description="ISO 8601 date.")
    published_at: str | None = strawberry.field(description="ISO 8601 timestamp.")
    methodology: str | None
    # Protected: the notes, or the FORBIDDEN error graphql-core reports (protected_value).
    sensitive_notes: str | None = strawberry.field(description=SENSITIVE_NOTES.description,
                                                   default=None)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AuditReport:
        return cls(**provenance(row), kind=ReportKind(row["kind"]) if row.get("kind") else None,
                   title=row.get("title"), summary=row.get("summary"),
                   visit_date=row.get("visitDate"), published_at=row.get("publishedAt"),
                   methodology=row.get("methodology"),
                   sensitive_notes=protected_value(SENSITIVE_NOTES, row,
                                                   lambda r: r.get("sensitiveNotes")))

    @scoped(REPORTS, "The organisation that authored the report.")
    async def author(self, info: Info[Context, Any]) -> Organisation | None:
        rows = await related(info, rel.REPORT_AUTHOR, ORGANISATION_SHAPE, self.id)
        return Organisation.from_row(rows[0]) if rows else None

    @scoped(SITES, "The site the report assesses.")
    async def site(self, info: Info[Context, Any]) -> ProductionSite | None:
        rows = await related(info, rel.REPORT_SITE, SITE_SHAPE, self.id)
        return ProductionSite.from_row(rows[0]) if rows else None

    @scoped(REPORTS, "The report's findings.")
    async def findings(self, info: Info[Context, Any]) -> list[Finding]:
        # keyed as report_prefetch primes it
        rows = await related(info, rel.REPORT_FINDINGS, FINDING_SHAPE, self.id)
        return [Finding.from_row(r) for r in rows]

    @scoped(REPORTS, "Earlier and current versions, oldest first: who changed what, when "
                     "and from which source (the same visibility as the record).")
    async def history(self, info: Info[Context, Any]) -> list[Annotated[
            "AuditReportVersion", strawberry.lazy("schema.core.history")]]:
        from schema.core.history import report_history

        return await report_history(info, self.id)

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> AuditReport | None:  # noqa: A002
        row = await entity(info, REPORT_SHAPE, REPORTS, id)
        return cls.from_row(row) if row else None




@strawberry.federation.type(keys=["id"], description="A corrective action for a finding.")
class RemediationAction(Record):
    description: str | None
    due_date: str | None
    status: RemediationStatus | None
    evidence: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RemediationAction:
        return cls(**provenance(row), description=row.get("description"),
                   due_date=row.get("dueDate"),
                   status=RemediationStatus(row["status"]) if row.get("status") else None,
                   evidence=row.get("evidence"))

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> RemediationAction | None:  # noqa: A002
        row = await entity(info, REMEDIATION_SHAPE, REPORTS, id)
        return cls.from_row(row) if row else None


@strawberry.federation.type(keys=["id"], description="One finding of a report.")
class Finding(Record):
    category: FindingCategory | None
    severity: Severity | None
    status: FindingStatus | None
    description: str | None
    due_date: str | None
    scheme_rating: str | None = strawberry.field(
        description="The scheme's own grade, e.g. RBA Priority / Major / Minor.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Finding:
        return cls(**provenance(row),
                   category=FindingCategory(row["category"]) if row.get("category") else None,
                   severity=Severity(row["severity"]) if row.get("severity") else None,
                   status=FindingStatus(row["status"]) if row.get("status") else None,
                   description=row.get("description"), due_date=row.get("dueDate"),
                   scheme_rating=row.get("schemeRating"))

    @scoped(REPORTS, "Corrective actions for this finding.")
    async def remediation(self, info: Info[Context, Any]) -> list[RemediationAction]:
        rows = await related(info, rel.FINDING_REMEDIATION, REMEDIATION_SHAPE, self.id)
        return [RemediationAction.from_row(r) for r in rows]

    @scoped(REPORTS, "Earlier and current versions, oldest first: who changed what, when "
                     "and from which source (the same visibility as the record).")
    async def history(self, info: Info[Context, Any]) -> list[Annotated[
            "FindingVersion", strawberry.lazy("schema.core.history")]]:
        from schema.core.history import finding_history

        return await finding_history(info, self.id)

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> Finding | None:  # noqa: A002
        row = await entity(info, FINDING_SHAPE, REPORTS, id)
        return cls.from_row(row) if row else None


def report_prefetch(info: Info[Context, Any], *path: str) -> tuple[rel.Prefetch, ...]:
    """What `AuditReport.findings`, selected on the report at `path`, will read, keyed as it
    keys it (the relation and the findings' selection), so that the report's own statement
    reads them too (loaders.node_with): a submitted report answered in one round trip. Only
    for a viewer who may read reports; a key that differs is a miss, never an answer."""
    if not info.context.viewer.has(REPORTS) or "findings" not in selected(info, *path):
        return ()
    return (rel.Prefetch(rel.REPORT_FINDINGS,
                         FINDING_SHAPE.only(selected(info, *path, "findings"))),)


# Types of other domains referenced above, imported last so that the domains' mutual
# references resolve (strawberry reads the annotations when the schema is built).
from schema.orgs.types import Organisation  # noqa: E402
from schema.sites.types import ProductionSite  # noqa: E402
