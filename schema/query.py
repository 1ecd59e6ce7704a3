"""The root Query: thin fields that validate arguments and call `resolvers/`."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from graph.core.visibility import Shape
from resolvers import lists
from resolvers.core.args import Page
from resolvers.sites.clusters import clusters as site_clusters
from resolvers.sites.queries import merged_site_row
from schema.core.common import (
    Connection,
    Direction,
    FindingCategory,
    OrganisationKind,
    ReportKind,
    Severity,
    SiteStatus,
    SiteType,
    SupplierRole,
)
from graph.companies.fields import BRAND_SHAPE, SUPPLIER_SHAPE
from graph.contracts.fields import CONTRACT_SHAPE
from graph.orgs.fields import ORGANISATION_SHAPE
from graph.reports.fields import REPORT_SHAPE
from graph.sites.fields import SITE_SHAPE
from resolvers.core.selection import selected
from schema.core.records import CONTRACTS, REPORTS, SITES, scoped
from schema.types import AuditReport, Brand, Contract, Organisation, ProductionSite, Supplier
from schema.companies.types import supply_chain_prefetch
from schema.sites.types import site_prefetch

from schema.alerts.types import AlertQuery
from schema.disclosures.types import DisclosureQuery
from schema.sites.clusters import BoundingBox, SiteCluster
from schema.sites.export import ExportQuery
from schema.sites.review import ReviewQuery
from schema.imports.types import ImportRunQuery
from schema.analytics.types import (
    ExposureEntry,
    ExposureFilter,
    ExposureOrder,
    exposure_connection,
)
from schema.orgs.viewer import ViewerType, me_field

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001


async def _by_id(info: Info[Context, Any], shape: Shape, id_: str) -> dict[str, Any] | None:
    return await info.context.loaders.node(shape.only(selected(info))).load(str(id_))


@strawberry.input(description="Filters on production sites; all given ones must hold.")
class ProductionSiteFilter:
    country_code: list[str] | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 codes (any of).")
    site_type: list[SiteType] | None = None
    status: list[SiteStatus] | None = None
    identifier: str | None = strawberry.field(
        default=None, description="Has this OS ID, LEI, DUNS number, RBA facility id or "
                                  "factory code (upper case; DUNS without separators).")
    cpv_code: str | None = strawberry.field(default=None, description="Makes this CPV code.")
    brand_id: strawberry.ID | None = strawberry.field(
        default=None, description="Disclosed as producing for this brand.")
    supplier_id: strawberry.ID | None = strawberry.field(
        default=None, description="Operated by this supplier.")
    has_open_findings: bool | None = strawberry.field(
        default=None, description="Has (true) or has no (false) OPEN finding you may see.")
    finding_category: FindingCategory | None = None
    min_severity: Severity | None = strawberry.field(
        default=None, description="Has a visible finding at least this severe (and of "
                                  "`findingCategory` when given).")
    text: str | None = strawberry.field(
        default=None, description="Full-text search in name, aliases, address and city.")
    has_contradictions: bool | None = strawberry.field(
        default=None, description="Has (true) or has no (false) clean audit contradicted by "
                                  "a monitoring report you may see (`contradictions`).")


@strawberry.enum
class ProductionSiteOrderField(Enum):
    NAME = "NAME"
    COUNTRY = "COUNTRY"
    WORKER_COUNT = "WORKER_COUNT"
    CREATED_AT = "CREATED_AT"
    ID = "ID"


@strawberry.input
class ProductionSiteOrder:
    field: ProductionSiteOrderField
    direction: Direction = Direction.ASC


@strawberry.input
class BrandFilter:
    country_code: list[str] | None = None
    text: str | None = strawberry.field(default=None, description="Full-text search in name.")


@strawberry.input(description="Filters on organisations; all given ones must hold.")
class OrganisationFilter:
    kind: list[OrganisationKind] | None = None
    text: str | None = strawberry.field(default=None,
                                        description="Part of the name (any case).")


@strawberry.input
class SupplierFilter:
    country_code: list[str] | None = None
    role: list[SupplierRole] | None = None
    brand_id: strawberry.ID | None = strawberry.field(
        default=None, description="Direct (tier 1) suppliers of this brand.")
    customer_id: strawberry.ID | None = strawberry.field(
        default=None, description="Suppliers this supplier sources from.")
    text: str | None = strawberry.field(default=None, description="Full-text search in name.")


@strawberry.input
class ReportFilter:
    site_id: strawberry.ID | None = None
    kind: list[ReportKind] | None = None
    author_id: strawberry.ID | None = None
    published_after: str | None = strawberry.field(
        default=None, description="ISO 8601; reports published at or after.")


@strawberry.input(description="Filters on contracts. `valueMin`/`valueMax` apply to values "
                              "you may read (your own contracts): an unreadable value never "
                              "matches.")
class ContractFilter:
    buyer_id: strawberry.ID | None = None
    supplier_id: strawberry.ID | None = None
    brand_id: strawberry.ID | None = None
    site_id: strawberry.ID | None = None
    cpv_code: str | None = None
    value_min: float | None = None
    value_max: float | None = None


@strawberry.enum(description="VALUE orders by the value you may read; contracts whose value "
                             "you may not read come last, in id order.")
class ContractOrderField(Enum):
    VALUE = "VALUE"
    START_DATE = "START_DATE"
    REFERENCE = "REFERENCE"
    ID = "ID"


@strawberry.input
class ContractOrder:
    field: ContractOrderField
    direction: Direction = Direction.ASC


def _connection(page: Page, typ: Any) -> Any:
    return Connection.of(page.rows, total=page.total, skip=page.skip, convert=typ.from_row,
                         has_next=page.has_next)


@strawberry.type
class Query(DisclosureQuery, AlertQuery, ReviewQuery, ExportQuery, ImportRunQuery):
    @scoped(SITES, "A production site by id (a merged duplicate's id gives the site it was "
                   "merged into); null when unknown or not visible to you.")
    async def production_site(self, info: Info[Context, Any],
                              id: strawberry.ID) -> ProductionSite | None:  # noqa: A002
        parts = site_prefetch(info)
        row = await (info.context.loaders.node_with(SITE_SHAPE.only(selected(info)), parts)
                     .load(str(id)) if parts else _by_id(info, SITE_SHAPE, id))
        if row is None:  # a merged duplicate's id resolves to the kept site
            row = await merged_site_row(info, str(id))
        return ProductionSite.from_row(row) if row else None

    @scoped(SITES, "Production sites you may see, filtered and ordered (default: id; "
                   "relevance for a text search).")
    async def production_sites(self, info: Info[Context, Any],
                               filter: ProductionSiteFilter | None = None,  # noqa: A002
                               order_by: list[ProductionSiteOrder] | None = None,
                               first: int | None = None,
                               after: str | None = None) -> Connection[ProductionSite]:
        page = await lists.production_sites(info, filter, order_by, first, after)
        return _connection(page, ProductionSite)

    @scoped(SITES, "The production sites you may see in a bounding box, grouped for a map: "
                   "at zoom z (0-20) into the cells of Web Mercator tiles of zoom z + 2, each "
                   "with its count and mean position, and its site when it holds one. The "
                   "box may be at most 64 cells across; `filter` is that of "
                   "`productionSites`. Cells run north to south, west to east.")
    async def site_clusters(self, info: Info[Context, Any], bbox: BoundingBox, zoom: int,
                            filter: ProductionSiteFilter | None = None,  # noqa: A002
                            ) -> list[SiteCluster]:
        rows = await site_clusters(info, bbox=bbox, zoom=zoom, f=filter)
        return [SiteCluster.from_row(r) for r in rows]

    @scoped(SITES, "A brand by id.")
    async def brand(self, info: Info[Context, Any],
                    id: strawberry.ID) -> Brand | None:  # noqa: A002
        chain = supply_chain_prefetch(info)
        if chain is None:
            row = await _by_id(info, BRAND_SHAPE, id)
        else:  # the brand and its chain in one round trip
            supplier, site, tier = chain
            row = await info.context.loaders.brand_with_supply_chain(
                BRAND_SHAPE.only(selected(info)), supplier, site).load((str(id), tier))
        return Brand.from_row(row) if row else None

    @scoped(SITES, "Brands you may see.")
    async def brands(self, info: Info[Context, Any],
                     filter: BrandFilter | None = None,  # noqa: A002
                     first: int | None = None, after: str | None = None) -> Connection[Brand]:
        return _connection(await lists.brands(info, filter, first, after), Brand)

    @scoped(SITES, "A supplier by id.")
    async def supplier(self, info: Info[Context, Any],
                       id: strawberry.ID) -> Supplier | None:  # noqa: A002
        row = await _by_id(info, SUPPLIER_SHAPE, id)
        return Supplier.from_row(row) if row else None

    @scoped(SITES, "Suppliers you may see.")
    async def suppliers(self, info: Info[Context, Any],
                        filter: SupplierFilter | None = None,  # noqa: A002
                        first: int | None = None,
                        after: str | None = None) -> Connection[Supplier]:
        return _connection(await lists.suppliers(info, filter, first, after), Supplier)

    @scoped(REPORTS, "A report by id.")
    async def report(self, info: Info[Context, Any],
                     id: strawberry.ID) -> AuditReport | None:  # noqa: A002
        row = await _by_id(info, REPORT_SHAPE, id)
        return AuditReport.from_row(row) if row else None

    @scoped(REPORTS, "Reports you may see, newest first.")
    async def reports(self, info: Info[Context, Any],
                      filter: ReportFilter | None = None,  # noqa: A002
                      first: int | None = None,
                      after: str | None = None) -> Connection[AuditReport]:
        return _connection(await lists.reports(info, filter, first, after), AuditReport)

    @scoped(CONTRACTS, "A contract by id.")
    async def contract(self, info: Info[Context, Any],
                       id: strawberry.ID) -> Contract | None:  # noqa: A002
        row = await _by_id(info, CONTRACT_SHAPE, id)
        return Contract.from_row(row) if row else None

    @scoped(CONTRACTS, "Contracts you may see, filtered and ordered (default: id).")
    async def contracts(self, info: Info[Context, Any],
                        filter: ContractFilter | None = None,  # noqa: A002
                        order_by: list[ContractOrder] | None = None,
                        first: int | None = None,
                        after: str | None = None) -> Connection[Contract]:
        return _connection(await lists.contracts(info, filter, order_by, first, after), Contract)

    @scoped(SITES, "An organisation by id.")
    async def organisation(self, info: Info[Context, Any],
                           id: strawberry.ID) -> Organisation | None:  # noqa: A002
        row = await _by_id(info, ORGANISATION_SHAPE, id)
        return Organisation.from_row(row) if row else None

    @scoped(SITES, "Organisations (every one is visible to every caller: PUBLIC records), "
                   "by name: e.g. to name who may read a record you share.")
    async def organisations(self, info: Info[Context, Any],
                            filter: OrganisationFilter | None = None,  # noqa: A002
                            first: int | None = None,
                            after: str | None = None) -> Connection[Organisation]:
        return _connection(await lists.organisations(info, filter, first, after),
                           Organisation)

    @scoped(CONTRACTS, "Every site your organisation's contracts reach (disclosed sites, "
                       "covered brands' sites, the contractors' and brands' sourcing tiers), "
                       "each with its tier, a path of records you may see and its matching "
                       "findings; most severe and most recent first (docs/leverage.md).",
            SITES)
    async def my_exposure(self, info: Info[Context, Any],
                          filter: ExposureFilter | None = None,  # noqa: A002
                          first: int | None = None,
                          after: str | None = None,
                          order_by: ExposureOrder = ExposureOrder.SEVERITY,
                          ) -> Connection[ExposureEntry]:
        from resolvers.analytics.fields import exposure

        return exposure_connection(await exposure(
            info, filter, first, after, urgent=order_by is ExposureOrder.URGENCY))

    me: ViewerType = me_field
