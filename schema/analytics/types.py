"""Types of issue 7's analytics: exposure, collective leverage, risk and contradictions.

The fields that show them live on the entity types (schema/types.py) and the root Query
(`myExposure`); the work is in resolvers/analytics/fields.py and graph/.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from auth.permissions import RequireScope
from auth.scopes import Scope
from graph.analytics.exposure import DEFAULT_TIER, MAX_TIER
from schema.core.common import FindingStatus, Severity

if TYPE_CHECKING:
    from schema.types import AuditReport, Finding, Organisation, ProductionSite


@strawberry.enum(description="What a step of an exposure path is.")
class PathStepKind(Enum):
    CONTRACT = "CONTRACT"
    BRAND = "BRAND"
    SUPPLIER = "SUPPLIER"
    SITE = "SITE"


@strawberry.type(description="One visible record on the path from a contract to a site.")
class PathStep:
    kind: PathStepKind
    id: strawberry.ID
    name: str | None = strawberry.field(
        description="The record's name (a contract's reference).")


@strawberry.input(description="Filters on exposure entries. With any finding filter "
                              "(minSeverity, categories, status) only sites with a matching "
                              "visible finding are listed, with those findings.")
class ExposureFilter:
    min_severity: Severity | None = None
    categories: list[str] | None = strawberry.field(
        default=None, description="Finding categories (any of), e.g. FORCED_LABOUR; an "
                                  "unknown one is BAD_USER_INPUT.")
    status: list[FindingStatus] | None = None
    max_tier: int = strawberry.field(
        default=DEFAULT_TIER,
        description=f"Deepest sourcing tier walked, 1 to {MAX_TIER} (docs/leverage.md).")
    country_code: list[str] | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 codes of the site (any of).")


@strawberry.enum(description="The order of `myExposure`.")
class ExposureOrder(Enum):
    SEVERITY = strawberry.enum_value(
        "SEVERITY", description="Most severe matching finding first, then most recent, "
                                "then lowest tier, then site id.")
    URGENCY = strawberry.enum_value(
        "URGENCY", description="Sites with a contradicted audit (`contradictions`) first, "
                               "then those whose newest visible report is older than the "
                               "service's `staleAfterDays` (stale evidence; a site with no "
                               "report is not stale), then as SEVERITY. Needs the "
                               "`reports:read` scope.")


@strawberry.type(description="A site your contracts reach: its lowest tier, one path of "
                             "visible records that reaches it there, and its matching "
                             "visible findings (most severe, then most recent, first).")
class ExposureEntry:
    tier: int = strawberry.field(description="1 = made directly for the contract (disclosed "
                                             "site, brand's site, contractor's or a direct "
                                             "supplier's site); k = k sourcing hops down.")
    path: list[PathStep]
    site: Annotated[ProductionSite, strawberry.lazy("schema.types")]
    finding_rows: strawberry.Private[list[dict[str, object]]]

    @strawberry.field(description="Matching findings of reports you may see. Needs the "
                                  "`reports:read` scope.",
                      permission_classes=[RequireScope(Scope.REPORTS_READ)])
    def findings(self) -> list[Annotated[Finding, strawberry.lazy("schema.types")]]:
        from schema.types import Finding

        return [Finding.from_row(r) for r in self.finding_rows]  # type: ignore[arg-type]


@strawberry.type(description="A count as shown to you: exact at or above the threshold "
                             "(settings.leverage_min_count), otherwise only a band.")
class CountBand:
    exact: int | None = strawberry.field(description="Null when banded.")
    band: str = strawberry.field(
        description='The exact number, or a range such as "fewer than 3" or "3 to 4".')


@strawberry.type(description="How many other member organisations buy here through their "
                             "contracts (docs/leverage.md). Counts include contracts you may "
                             "not see, but only through brands, suppliers and sites you may "
                             "see, and never your own; names only members whose contract you "
                             "may see.")
class Leverage:
    members: CountBand = strawberry.field(
        description="Other members linked, across all: exact when those you cannot name "
                    "are none or at least the threshold, otherwise a range.")
    members_in_my_consortia: CountBand = strawberry.field(
        description="Named members that share a consortium with you.")
    contracts: CountBand = strawberry.field(
        description="Other members' contracts linking them, shown as members are.")
    named_members: list[Annotated[Organisation, strawberry.lazy("schema.types")]] = (
        strawberry.field(description="Members whose linking contract (and its path) you "
                                     "may see."))


@strawberry.enum
class RiskLevel(Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


@strawberry.enum(description="What a risk factor accounts for.")
class RiskFactorKind(Enum):
    FINDING = "FINDING"
    FINDINGS_CAP = "FINDINGS_CAP"
    COUNTRY = "COUNTRY"
    NO_REPORT = "NO_REPORT"
    STALE_REPORTS = "STALE_REPORTS"


@strawberry.type(description="One contribution to a risk score.")
class RiskFactor:
    kind: RiskFactorKind
    points: float = strawberry.field(description="Points added (negative for the cap).")
    explanation: str
    finding_id: strawberry.ID | None = None
    stale: bool = strawberry.field(default=False, description="A finding untouched for over "
                                                              "a year.")


@strawberry.type(description="A site's risk from the findings you may see, the country "
                             "context and data freshness (docs/risk.md).")
class Risk:
    score: int = strawberry.field(description="0 to 100.")
    level: RiskLevel
    last_report_at: str | None = strawberry.field(
        description="Publication of the newest report you may see.")
    stale: bool = strawberry.field(description="No report you may see, or the newest is older "
                                               "than settings.stale_after_days.")
    factors: list[RiskFactor]


@strawberry.type(description="A clean claim contradicted by an independent report within "
                             "settings.contradiction_window_days; both reports visible to "
                             "you.")
class Contradiction:
    category: str
    claim: Annotated[AuditReport, strawberry.lazy("schema.types")] = strawberry.field(
        description="The SELF_ASSESSMENT or SOCIAL_AUDIT with no finding in the category.")
    evidence: Annotated[AuditReport, strawberry.lazy("schema.types")] = strawberry.field(
        description="The WORKER_DRIVEN_MONITORING, NGO_INVESTIGATION or GRIEVANCE report.")
    finding: Annotated[Finding, strawberry.lazy("schema.types")] = strawberry.field(
        description="The evidence's most severe finding in the category.")
    days_apart: int


# ----- from the resolvers' results ----------------------------------------------------------
def exposure_connection(page: Any) -> Any:
    """`myExposure` / `Contract.exposure` from a page of exposure rows."""
    from schema.core.common import Connection
    from schema.types import ProductionSite

    def entry(row: dict[str, Any]) -> ExposureEntry:
        return ExposureEntry(
            tier=row["tier"],
            path=[PathStep(kind=PathStepKind(p["kind"]), id=p["id"], name=p.get("name"))
                  for p in row["path"]],
            site=ProductionSite.from_row(row["site"]), finding_rows=row["findings"])

    return Connection.of(page.rows, total=page.total, skip=page.skip, convert=entry)


def leverage_of(result: dict[str, Any]) -> Leverage:
    from schema.types import Organisation

    members, peers, contracts = result["members"], result["peers"], result["contracts"]
    return Leverage(
        members=CountBand(exact=members.exact, band=members.band),
        members_in_my_consortia=CountBand(exact=peers.exact, band=peers.band),
        contracts=CountBand(exact=contracts.exact, band=contracts.band),
        named_members=[Organisation.from_row(n) for n in result["named"]])


def risk_of(risk: Any) -> Risk | None:
    if risk is None:
        return None
    return Risk(score=risk.score, level=RiskLevel(risk.level),
                last_report_at=risk.last_report_at, stale=risk.stale,
                factors=[RiskFactor(kind=RiskFactorKind(x.kind), points=x.points,
                                    explanation=x.explanation, finding_id=x.finding_id,  # type: ignore[arg-type]
                                    stale=x.stale) for x in risk.factors])


def contradictions_of(rows: list[dict[str, Any]]) -> list[Contradiction]:
    from schema.types import AuditReport, Finding

    return [Contradiction(category=c["category"], claim=AuditReport.from_row(c["claim"]),
                          evidence=AuditReport.from_row(c["evidence"]),
                          finding=Finding.from_row(c["finding"]), days_apart=c["daysApart"])
            for c in rows]
