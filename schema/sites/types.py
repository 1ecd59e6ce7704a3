"""Production sites and the product categories they make, as the read API shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from graphql import GraphQLError

from graph.companies.fields import BRAND_SHAPE, SUPPLIER_SHAPE
from graph.core import nodes as rel
from graph.reports.fields import FINDING_SHAPE, REPORT_SHAPE
from graph.sites.fields import CATEGORY_SHAPE, SITE_SHAPE
from resolvers.core.args import enum_value, page_window
from resolvers.core.selection import field_arguments, selected
from schema.core.common import (
    Connection,
    FindingStatus,
    Severity,
    Sharing,
    SiteStatus,
    SiteType,
)
from schema.core.records import (
    CONTRACTS,
    PROVENANCE_FIELDS,
    REPORTS,
    SITES,
    Record,
    RowReader,
    count_prefetch,
    entity,
    enum_or_none,
    page_prefetch,
    related,
    related_count,
    related_page,
    scoped,
)

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001

if TYPE_CHECKING:
    # Types resolved lazily at schema build (strawberry.lazy) to avoid import cycles.
    from schema.analytics.types import Contradiction, Leverage, Risk
    from schema.core.history import (
        ProductionSiteVersion,
    )


@strawberry.type(description="A CPV product category, e.g. 30213100-6 portable computers.")
class ProductCategory:
    id: strawberry.ID
    cpv_code: str
    name: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ProductCategory:
        return cls(id=strawberry.ID(row["id"]), cpv_code=row.get("cpvCode"), name=row.get("name"))




@strawberry.type(description="WGS 84 coordinates.")
class Location:
    latitude: float
    longitude: float


@strawberry.federation.type(keys=["id"], description="A factory, smelter, mine, warehouse "
                                                   "or recycling plant.")
class ProductionSite(Record):
    name: str
    aliases: list[str]
    address: str | None
    city: str | None
    region: str | None
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2.")
    location: Location | None
    site_type: SiteType | None
    worker_count: int | None
    status: SiteStatus | None
    os_id: str | None = strawberry.field(description="Open Supply Hub OS ID.")
    lei: str | None = strawberry.field(description="Legal Entity Identifier of the operator.")
    duns: str | None = strawberry.field(description="D-U-N-S number of the location.")
    rba_facility_id: str | None = strawberry.field(description="RBA facility id.")
    factory_code: str | None = strawberry.field(
        description="The contributing supplier's own code for the site.")
    sector: str | None
    product_type: str | None
    facility_type: str | None = strawberry.field(description="As Open Supply Hub has it.")
    processing_type: str | None
    parent_company: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ProductionSite:
        return _SITE_ROW(row)  # type: ignore[no-any-return]

    @scoped(SITES, "Product categories made here.")
    async def products(self, info: Info[Context, Any]) -> list[ProductCategory]:
        rows = await related(info, rel.SITE_PRODUCTS, CATEGORY_SHAPE, self.id)
        return [ProductCategory.from_row(r) for r in rows]

    @scoped(SITES, "Suppliers that operate this site.")
    async def operators(self, info: Info[Context, Any]) -> list[Supplier]:
        rows = await related(info, rel.SITE_OPERATORS, SUPPLIER_SHAPE, self.id)
        return [Supplier.from_row(r) for r in rows]

    @scoped(SITES, "Brands disclosed as produced here.")
    async def brands(self, info: Info[Context, Any]) -> list[Brand]:
        rows = await related(info, rel.SITE_BRANDS, BRAND_SHAPE, self.id)
        return [Brand.from_row(r) for r in rows]

    @scoped(REPORTS, "Reports on this site that you may see, in id order.")
    async def reports(self, info: Info[Context, Any], first: int | None = None,
                      after: str | None = None) -> Connection[AuditReport]:
        skip, limit = page_window(info, first, after)
        # A site page nearly always asks for the reports' findings too: one round trip.
        total, rows = await related_page(info, parent_id=self.id, window=(skip, limit),
                                          **_REPORTS_PAGE)
        return Connection.of(rows, total=total, skip=skip, convert=AuditReport.from_row)

    @scoped(REPORTS, "Findings of visible reports on this site, optionally by status and "
                     "minimum severity.")
    async def findings(self, info: Info[Context, Any],
                       status: list[FindingStatus] | None = None,
                       min_severity: Severity | None = None) -> list[Finding]:
        rows = await related(info, rel.SITE_FINDINGS, FINDING_SHAPE, self.id,
                              need=frozenset({"status", "severity"}))
        wanted = {enum_value(s) for s in status} if status else None
        floor = _SEVERITY_RANK[enum_value(min_severity)] if min_severity else 0
        return [Finding.from_row(r) for r in rows
                if (wanted is None or r["status"] in wanted)
                and _SEVERITY_RANK.get(r.get("severity") or "", 0) >= floor]

    @scoped(REPORTS, "How many OPEN findings of reports you may see are on this site.")
    async def open_finding_count(self, info: Info[Context, Any]) -> int:
        return await related_count(info, rel.SITE_FINDINGS, FINDING_SHAPE, self.id, rel.OPEN)

    @scoped(CONTRACTS, "How many members buy here through their contracts, within your "
                       "consortia and across all; small counts are banded; names only "
                       "where the contract is shared with you (docs/leverage.md).")
    async def leverage(self, info: Info[Context, Any]) -> Annotated[
            "Leverage", strawberry.lazy("schema.analytics.types")]:
        from resolvers.analytics.fields import site_leverage
        from schema.analytics.types import leverage_of

        return leverage_of(await site_leverage(info, self.id))

    @scoped(REPORTS, "Risk score and level from the findings you may see, the country "
                     "context and data freshness, with the factors (docs/risk.md).")
    async def risk(self, info: Info[Context, Any]) -> Annotated[
            "Risk", strawberry.lazy("schema.analytics.types")] | None:
        from resolvers.analytics.fields import site_risk
        from schema.analytics.types import risk_of

        return risk_of(await site_risk(info, self.id))

    @scoped(REPORTS, "Clean self-assessments or social audits contradicted by worker-driven "
                     "monitoring, NGO investigations or grievances (reports you may see).")
    async def contradictions(self, info: Info[Context, Any]) -> list[Annotated[
            "Contradiction", strawberry.lazy("schema.analytics.types")]]:
        from resolvers.analytics.fields import site_contradictions
        from schema.analytics.types import contradictions_of

        return contradictions_of(await site_contradictions(info, self.id))

    @scoped(SITES, "Earlier and current versions, oldest first: who changed what, when "
                     "and from which source (the same visibility as the record).")
    async def history(self, info: Info[Context, Any]) -> list[Annotated[
            "ProductionSiteVersion", strawberry.lazy("schema.core.history")]]:
        from schema.core.history import site_history

        return await site_history(info, self.id)

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> ProductionSite | None:  # noqa: A002
        row = await entity(info, SITE_SHAPE, SITES, id)
        return cls.from_row(row) if row else None


_SEVERITY_RANK = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}


_SITE_ROW = RowReader(ProductionSite, {
    **PROVENANCE_FIELDS, "name": ("name", None), "aliases": ("aliases", lambda v: v or []),
    "address": ("address", None), "city": ("city", None), "region": ("region", None),
    "countryCode": ("country_code", None),
    "location": ("location", lambda v: Location(**v) if v else None),
    "siteType": ("site_type", enum_or_none(SiteType)), "workerCount": ("worker_count", None),
    "status": ("status", enum_or_none(SiteStatus)), "osId": ("os_id", None),
    "lei": ("lei", None), "duns": ("duns", None), "rbaFacilityId": ("rba_facility_id", None),
    "factoryCode": ("factory_code", None), "sector": ("sector", None),
    "productType": ("product_type", None), "facilityType": ("facility_type", None),
    "processingType": ("processing_type", None), "parentCompany": ("parent_company", None),
}, defaults={"sharing": Sharing.PUBLIC}, lists=frozenset({"aliases"}))


# ProductionSite.reports' page and what site_prefetch reads for it: one spelling, one key.
_REPORTS_PAGE: dict[str, Any] = {
    "relation": rel.SITE_REPORTS, "shape": REPORT_SHAPE, "path": ("edges", "node"),
    "nested_field": "findings", "nested": rel.REPORT_FINDINGS, "nested_shape": FINDING_SHAPE}


def _reports_window(info: Info[Context, Any]) -> tuple[int, int] | None:
    """The page of the one `reports` field selected on the site, or None when there are
    several (aliases) or its arguments are bad (the field itself says so)."""
    args = field_arguments(info, "reports")
    if args is None:
        return None
    try:
        return page_window(info, args.get("first"), args.get("after"))
    except GraphQLError:
        return None


def site_prefetch(info: Info[Context, Any]) -> tuple[rel.Prefetch, ...]:
    """What the fields selected on one site will read through their loaders, keyed exactly
    as `ProductionSite.reports` and `.open_finding_count` key them (the same relation, shape
    and nested shape from the same selection), so the site's own statement can read them
    too and prime those loaders: a site page in one round trip. Only for a viewer who may
    read reports (the fields' scope); a key that differs is only a miss, never an answer."""
    if not info.context.viewer.has(REPORTS):
        return ()
    wanted = selected(info)
    parts = []
    window = _reports_window(info) if "reports" in wanted else None
    if window is not None:
        parts.append(page_prefetch(info, window=window, at=("reports",), **_REPORTS_PAGE))
    if "openFindingCount" in wanted:
        parts.append(count_prefetch(rel.SITE_FINDINGS, FINDING_SHAPE, rel.OPEN))
    return tuple(parts)


# Types of other domains referenced above, imported last so that the domains' mutual
# references resolve (strawberry reads the annotations when the schema is built).
from schema.companies.types import Brand, Supplier  # noqa: E402
from schema.reports.types import AuditReport, Finding  # noqa: E402
