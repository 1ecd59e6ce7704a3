"""The entity types of the read API, each with the `Shape` of what it reads from Neo4j.

Protected fields are declared once, as `Protected(...)` next to the GraphQL field that
shows them: the Shape projects them through `graph.core.visibility` (NULL from Neo4j for anyone
who may not read them) and the field resolver turns an unreadable one into null plus a
FORBIDDEN error at its path. Relation fields go through per-request loaders (no N+1) and
name the scope they need in their description.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from auth.permissions import RequireScope
from auth.scopes import Scope
from graph.core import nodes as rel
from graph.companies.supply_chain import MAX_TIER
from graph.companies.fields import BRAND_SHAPE, SUPPLIER_SHAPE
from graph.contracts.fields import (
    CONTRACT_QUANTITY,
    CONTRACT_SHAPE,
    CONTRACT_UNIT_PRICES,
    CONTRACT_VALUE,
)
from graph.core.visibility import Protected, Shape
from graph.orgs.fields import ORGANISATION_SHAPE
from graph.reports.fields import FINDING_SHAPE, REMEDIATION_SHAPE, REPORT_SHAPE, SENSITIVE_NOTES
from graph.sites.fields import CATEGORY_SHAPE, SITE_SHAPE
from schema.common import (
    Connection,
    FindingCategory,
    FindingStatus,
    OrganisationKind,
    RemediationStatus,
    ReportKind,
    Severity,
    Sharing,
    SiteStatus,
    SiteType,
    SupplierRole,
)
from resolvers.core.args import bad_input, enum_value, page_window
from resolvers.core.selection import selected

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001

if TYPE_CHECKING:
    from collections.abc import Callable

    # Types resolved lazily at schema build (strawberry.lazy) to avoid import cycles.
    from schema.analytics import Contradiction, ExposureEntry, ExposureFilter, Leverage, Risk
    from schema.disclosures import SupplierAccountability
    from schema.mutations_history import (
        AuditReportVersion,
        ContractVersion,
        FindingVersion,
        ProductionSiteVersion,
    )

SITES = Scope.SITES_READ
REPORTS = Scope.REPORTS_READ
CONTRACTS = Scope.CONTRACTS_READ

def needs(scope: Scope, text: str, *also: Scope) -> str:
    if also:
        names = " and ".join(f"`{s.value}`" for s in (scope, *also))
        return f"{text} Needs the {names} scopes."
    return f"{text} Needs the `{scope.value}` scope."


def scoped(scope: Scope, description: str, *also: Scope, **kw: Any) -> Any:
    """A field behind one scope, or several (`also`) when it shows more than one kind of
    record, e.g. contracts and the sites they reach."""
    return strawberry.field(description=needs(scope, description, *also),
                            permission_classes=[RequireScope(s) for s in (scope, *also)], **kw)


def _ctx(info: Info[Context, Any]) -> Context:
    return info.context


async def _related(info: Info[Context, Any], relation: rel.Relation, shape: Shape,
                   parent_id: str, *path: str,
                   need: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    fields = selected(info, *path) | need
    return await _ctx(info).loaders.related(relation, shape.only(fields)).load(parent_id)


async def _one(info: Info[Context, Any], shape: Shape, scope: Scope,
               id_: str) -> dict[str, Any] | None:
    """A visible node by id for `resolve_reference` (the same loader as everywhere)."""
    from graphql import GraphQLError

    if not _ctx(info).viewer.has(scope):
        raise GraphQLError(f"this entity needs the {scope.value} scope",
                           extensions={"code": "FORBIDDEN", "scope": scope.value})
    return await _ctx(info).loaders.node(shape.only(selected(info))).load(str(id_))


def _provenance(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": strawberry.ID(row["id"]),
            "sharing": Sharing(row["sharing"]) if row.get("sharing") else Sharing.PUBLIC,
            "contributed_by": row.get("contributedBy"), "created_at": row.get("createdAt"),
            "updated_at": row.get("updatedAt"), "source": row.get("source")}


def _read(field: Protected, row: dict[str, Any], convert: Callable[[dict[str, Any]], Any]) -> Any:
    """A protected field's GraphQL value: `convert(row)` when the viewer may read it, else
    null with a FORBIDDEN error at the field's path."""
    if not field.readable_in(row):
        from graphql import GraphQLError

        raise GraphQLError(field.forbidden_message, extensions={"code": "FORBIDDEN"})
    return convert(row)


@strawberry.interface(description="Provenance and sharing, common to every record.")
class Record:
    id: strawberry.ID
    sharing: Sharing = strawberry.field(description="Who may see this record.")
    contributed_by: strawberry.ID | None = strawberry.field(
        description="Id of the organisation that contributed (owns) the record.")
    created_at: str | None
    updated_at: str | None
    source: str | None


# ----- organisations and categories -------------------------------------------------------


@strawberry.federation.type(keys=["id"], description="A public buyer, consortium, monitor, "
                                                   "auditor or the operator.")
class Organisation(Record):
    name: str
    kind: OrganisationKind | None
    country_code: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Organisation:
        return cls(**_provenance(row), name=row.get("name"),
                   kind=OrganisationKind(row["kind"]) if row.get("kind") else None,
                   country_code=row.get("countryCode"))

    @strawberry.field(description="The consortia this organisation is a member of.")
    async def consortia(self, info: Info[Context, Any]) -> list[Organisation]:
        rows = await _related(info, rel.ORGANISATION_CONSORTIA, ORGANISATION_SHAPE, self.id)
        return [Organisation.from_row(r) for r in rows]

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> Organisation | None:  # noqa: A002
        row = await _one(info, ORGANISATION_SHAPE, SITES, id)
        return cls.from_row(row) if row else None




@strawberry.type(description="A CPV product category, e.g. 30213100-6 portable computers.")
class ProductCategory:
    id: strawberry.ID
    cpv_code: str
    name: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ProductCategory:
        return cls(id=strawberry.ID(row["id"]), cpv_code=row.get("cpvCode"), name=row.get("name"))


# ----- sites ------------------------------------------------------------------------------


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

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> ProductionSite:
        loc = row.get("location")
        return cls(**_provenance(row), name=row.get("name"), aliases=row.get("aliases") or [],
                   address=row.get("address"), city=row.get("city"), region=row.get("region"),
                   country_code=row.get("countryCode"),
                   location=Location(**loc) if loc else None,
                   site_type=SiteType(row["siteType"]) if row.get("siteType") else None,
                   worker_count=row.get("workerCount"),
                   status=SiteStatus(row["status"]) if row.get("status") else None)

    @scoped(SITES, "Product categories made here.")
    async def products(self, info: Info[Context, Any]) -> list[ProductCategory]:
        rows = await _related(info, rel.SITE_PRODUCTS, CATEGORY_SHAPE, self.id)
        return [ProductCategory.from_row(r) for r in rows]

    @scoped(SITES, "Suppliers that operate this site.")
    async def operators(self, info: Info[Context, Any]) -> list[Supplier]:
        rows = await _related(info, rel.SITE_OPERATORS, SUPPLIER_SHAPE, self.id)
        return [Supplier.from_row(r) for r in rows]

    @scoped(SITES, "Brands disclosed as produced here.")
    async def brands(self, info: Info[Context, Any]) -> list[Brand]:
        rows = await _related(info, rel.SITE_BRANDS, BRAND_SHAPE, self.id)
        return [Brand.from_row(r) for r in rows]

    @scoped(REPORTS, "Reports on this site that you may see, in id order.")
    async def reports(self, info: Info[Context, Any], first: int | None = None,
                      after: str | None = None) -> Connection[AuditReport]:
        skip, limit = page_window(info, first, after)
        rows = await _related(info, rel.SITE_REPORTS, REPORT_SHAPE, self.id, "edges", "node")
        return Connection.sliced(rows, skip=skip, limit=limit, convert=AuditReport.from_row)

    @scoped(REPORTS, "Findings of visible reports on this site, optionally by status and "
                     "minimum severity.")
    async def findings(self, info: Info[Context, Any],
                       status: list[FindingStatus] | None = None,
                       min_severity: Severity | None = None) -> list[Finding]:
        rows = await _related(info, rel.SITE_FINDINGS, FINDING_SHAPE, self.id,
                              need=frozenset({"status", "severity"}))
        wanted = {enum_value(s) for s in status} if status else None
        floor = _SEVERITY_RANK[enum_value(min_severity)] if min_severity else 0
        return [Finding.from_row(r) for r in rows
                if (wanted is None or r["status"] in wanted)
                and _SEVERITY_RANK.get(r.get("severity") or "", 0) >= floor]

    @scoped(REPORTS, "How many OPEN findings of reports you may see are on this site.")
    async def open_finding_count(self, info: Info[Context, Any]) -> int:
        rows = await _related(info, rel.SITE_FINDINGS, FINDING_SHAPE, self.id,
                              need=frozenset({"status"}))
        return sum(1 for r in rows if r["status"] == "OPEN")

    @scoped(CONTRACTS, "How many members buy here through their contracts, within your "
                       "consortia and across all; small counts are banded; names only "
                       "where the contract is shared with you (docs/leverage.md).")
    async def leverage(self, info: Info[Context, Any]) -> Annotated[
            "Leverage", strawberry.lazy("schema.analytics")]:
        from resolvers.analytics import site_leverage
        from schema.analytics import leverage_of

        return leverage_of(await site_leverage(info, self.id))

    @scoped(REPORTS, "Risk score and level from the findings you may see, the country "
                     "context and data freshness, with the factors (docs/risk.md).")
    async def risk(self, info: Info[Context, Any]) -> Annotated[
            "Risk", strawberry.lazy("schema.analytics")] | None:
        from resolvers.analytics import site_risk
        from schema.analytics import risk_of

        return risk_of(await site_risk(info, self.id))

    @scoped(REPORTS, "Clean self-assessments or social audits contradicted by worker-driven "
                     "monitoring, NGO investigations or grievances (reports you may see).")
    async def contradictions(self, info: Info[Context, Any]) -> list[Annotated[
            "Contradiction", strawberry.lazy("schema.analytics")]]:
        from resolvers.analytics import site_contradictions
        from schema.analytics import contradictions_of

        return contradictions_of(await site_contradictions(info, self.id))

    @scoped(SITES, "Earlier and current versions, oldest first: who changed what, when "
                     "and from which source (the same visibility as the record).")
    async def history(self, info: Info[Context, Any]) -> list[Annotated[
            "ProductionSiteVersion", strawberry.lazy("schema.mutations_history")]]:
        from schema.mutations_history import site_history

        return await site_history(info, self.id)

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> ProductionSite | None:  # noqa: A002
        row = await _one(info, SITE_SHAPE, SITES, id)
        return cls.from_row(row) if row else None


_SEVERITY_RANK = {"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}


# ----- brands and suppliers ---------------------------------------------------------------


@strawberry.type(description="One step of a brand's supply chain: a supplier at its lowest "
                             "tier and one of the sites it operates (null when none is "
                             "visible). Each site appears once.")
class SupplyChainEntry:
    tier: int = strawberry.field(description="1 = the brand's direct suppliers.")
    supplier: Supplier
    site: ProductionSite | None


@strawberry.federation.type(keys=["id"], description="A brand whose ICT hardware buyers "
                                                   "contract.")
class Brand(Record):
    name: str
    country_code: str | None
    website: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Brand:
        return cls(**_provenance(row), name=row.get("name"), country_code=row.get("countryCode"),
                   website=row.get("website"))

    @scoped(SITES, "The brand's direct (tier 1) suppliers.")
    async def suppliers(self, info: Info[Context, Any]) -> list[Supplier]:
        rows = await _related(info, rel.BRAND_SUPPLIERS, SUPPLIER_SHAPE, self.id)
        return [Supplier.from_row(r) for r in rows]

    @scoped(SITES, "Sites disclosed as producing for the brand.")
    async def sites(self, info: Info[Context, Any]) -> list[ProductionSite]:
        rows = await _related(info, rel.BRAND_SITES, SITE_SHAPE, self.id)
        return [ProductionSite.from_row(r) for r in rows]

    @scoped(SITES, f"Suppliers reached through sourcing tiers (1 to {MAX_TIER}) and the "
                   "sites they operate, each at its lowest tier.")
    async def supply_chain(self, info: Info[Context, Any],
                           max_tier: int = 3) -> list[SupplyChainEntry]:
        if not 1 <= max_tier <= MAX_TIER:
            raise bad_input(f"maxTier must be between 1 and {MAX_TIER}",
                            ["maxTier"])
        loader = _ctx(info).loaders.supply_chain(SUPPLIER_SHAPE.only(selected(info, "supplier")),
                                                 SITE_SHAPE.only(selected(info, "site")))
        entries = await loader.load(
            (str(self.id), max_tier))
        return [SupplyChainEntry(tier=e["tier"], supplier=Supplier.from_row(e["supplier"]),
                                 site=ProductionSite.from_row(e["site"]) if e["site"] else None)
                for e in entries]

    @scoped(CONTRACTS, "How many members hold contracts covering this brand; small counts "
                       "are banded; names only where the contract is shared with you.")
    async def leverage(self, info: Info[Context, Any]) -> Annotated[
            "Leverage", strawberry.lazy("schema.analytics")]:
        from resolvers.analytics import brand_leverage
        from schema.analytics import leverage_of

        return leverage_of(await brand_leverage(info, self.id))

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> Brand | None:  # noqa: A002
        row = await _one(info, BRAND_SHAPE, SITES, id)
        return cls.from_row(row) if row else None


@strawberry.federation.type(keys=["id"], description="A contractor, reseller, manufacturer, "
                                                   "component maker, smelter, mine or recycler.")
class Supplier(Record):
    name: str
    country_code: str | None
    roles: list[SupplierRole]
    identifiers: list[str]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Supplier:
        return cls(**_provenance(row), name=row.get("name"), country_code=row.get("countryCode"),
                   roles=[SupplierRole(r) for r in row.get("roles") or []],
                   identifiers=row.get("identifiers") or [])

    @scoped(SITES, "Sites this supplier operates.")
    async def sites(self, info: Info[Context, Any]) -> list[ProductionSite]:
        rows = await _related(info, rel.SUPPLIER_SITES, SITE_SHAPE, self.id)
        return [ProductionSite.from_row(r) for r in rows]

    @scoped(SITES, "The suppliers this supplier sources from (the next tier).")
    async def sub_suppliers(self, info: Info[Context, Any]) -> list[Supplier]:
        rows = await _related(info, rel.SUPPLIER_SUBSUPPLIERS, SUPPLIER_SHAPE, self.id)
        return [Supplier.from_row(r) for r in rows]

    @scoped(SITES, "Brands and suppliers that source from this supplier.")
    async def customers(self, info: Info[Context, Any]) -> list[Customer]:
        # Both loads are queued before either is awaited, so they batch at the same level.
        brands, suppliers = await asyncio.gather(
            _related(info, rel.SUPPLIER_BRAND_CUSTOMERS, BRAND_SHAPE, self.id),
            _related(info, rel.SUPPLIER_SUPPLIER_CUSTOMERS, SUPPLIER_SHAPE, self.id))
        return [*(Brand.from_row(r) for r in brands),
                *(Supplier.from_row(r) for r in suppliers)]

    @scoped(CONTRACTS, "How this supplier answered disclosure requests made by your "
                       "organisation or your consortia's members (docs/disclosures.md).")
    async def accountability(self, info: Info[Context, Any]) -> Annotated[
            "SupplierAccountability", strawberry.lazy("schema.disclosures")]:
        from schema.disclosures import supplier_accountability

        return await supplier_accountability(info, str(self.id))

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> Supplier | None:  # noqa: A002
        row = await _one(info, SUPPLIER_SHAPE, SITES, id)
        return cls.from_row(row) if row else None


Customer = Annotated[Brand | Supplier, strawberry.union("Customer")]


# ----- reports ----------------------------------------------------------------------------


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
    row: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> AuditReport:
        return cls(**_provenance(row), kind=ReportKind(row["kind"]) if row.get("kind") else None,
                   title=row.get("title"), summary=row.get("summary"),
                   visit_date=row.get("visitDate"), published_at=row.get("publishedAt"),
                   methodology=row.get("methodology"), row=row)

    @strawberry.field(description=SENSITIVE_NOTES.description)
    def sensitive_notes(self) -> str | None:
        return _read(SENSITIVE_NOTES, self.row, lambda r: r.get("sensitiveNotes"))

    @scoped(REPORTS, "The organisation that authored the report.")
    async def author(self, info: Info[Context, Any]) -> Organisation | None:
        rows = await _related(info, rel.REPORT_AUTHOR, ORGANISATION_SHAPE, self.id)
        return Organisation.from_row(rows[0]) if rows else None

    @scoped(SITES, "The site the report assesses.")
    async def site(self, info: Info[Context, Any]) -> ProductionSite | None:
        rows = await _related(info, rel.REPORT_SITE, SITE_SHAPE, self.id)
        return ProductionSite.from_row(rows[0]) if rows else None

    @scoped(REPORTS, "The report's findings.")
    async def findings(self, info: Info[Context, Any]) -> list[Finding]:
        rows = await _related(info, rel.REPORT_FINDINGS, FINDING_SHAPE, self.id)
        return [Finding.from_row(r) for r in rows]

    @scoped(REPORTS, "Earlier and current versions, oldest first: who changed what, when "
                     "and from which source (the same visibility as the record).")
    async def history(self, info: Info[Context, Any]) -> list[Annotated[
            "AuditReportVersion", strawberry.lazy("schema.mutations_history")]]:
        from schema.mutations_history import report_history

        return await report_history(info, self.id)

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> AuditReport | None:  # noqa: A002
        row = await _one(info, REPORT_SHAPE, REPORTS, id)
        return cls.from_row(row) if row else None




@strawberry.federation.type(keys=["id"], description="A corrective action for a finding.")
class RemediationAction(Record):
    description: str | None
    due_date: str | None
    status: RemediationStatus | None
    evidence: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RemediationAction:
        return cls(**_provenance(row), description=row.get("description"),
                   due_date=row.get("dueDate"),
                   status=RemediationStatus(row["status"]) if row.get("status") else None,
                   evidence=row.get("evidence"))

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> RemediationAction | None:  # noqa: A002
        row = await _one(info, REMEDIATION_SHAPE, REPORTS, id)
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
        return cls(**_provenance(row),
                   category=FindingCategory(row["category"]) if row.get("category") else None,
                   severity=Severity(row["severity"]) if row.get("severity") else None,
                   status=FindingStatus(row["status"]) if row.get("status") else None,
                   description=row.get("description"), due_date=row.get("dueDate"),
                   scheme_rating=row.get("schemeRating"))

    @scoped(REPORTS, "Corrective actions for this finding.")
    async def remediation(self, info: Info[Context, Any]) -> list[RemediationAction]:
        rows = await _related(info, rel.FINDING_REMEDIATION, REMEDIATION_SHAPE, self.id)
        return [RemediationAction.from_row(r) for r in rows]

    @scoped(REPORTS, "Earlier and current versions, oldest first: who changed what, when "
                     "and from which source (the same visibility as the record).")
    async def history(self, info: Info[Context, Any]) -> list[Annotated[
            "FindingVersion", strawberry.lazy("schema.mutations_history")]]:
        from schema.mutations_history import finding_history

        return await finding_history(info, self.id)

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> Finding | None:  # noqa: A002
        row = await _one(info, FINDING_SHAPE, REPORTS, id)
        return cls.from_row(row) if row else None


# ----- contracts --------------------------------------------------------------------------


@strawberry.type(description="An amount of money.")
class Money:
    amount: float
    currency: str | None


@strawberry.type(description="A unit price for one item (a CPV code or product line).")
class UnitPrice:
    item: str | None
    amount: float | None
    currency: str | None


def _unit_prices(row: Any) -> list[UnitPrice] | None:
    text = row.get("unitPrices")
    if text is None:
        return None
    items = json.loads(text) if isinstance(text, str) else text
    return [UnitPrice(item=i.get("item"), amount=i.get("amount"), currency=i.get("currency"))
            for i in items]


@strawberry.federation.type(keys=["id"], description="A public contract for ICT hardware.")
class Contract(Record):
    reference: str | None = strawberry.field(description="Tender id or OCDS ocid.")
    title: str | None
    start_date: str | None
    end_date: str | None
    cpv_codes: list[str]
    row: strawberry.Private[dict[str, Any]]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Contract:
        return cls(**_provenance(row), reference=row.get("reference"), title=row.get("title"),
                   start_date=row.get("startDate"), end_date=row.get("endDate"),
                   cpv_codes=row.get("cpvCodes") or [], row=row)

    @strawberry.field(description=CONTRACT_VALUE.description)
    def value(self) -> Money | None:
        return _read(
            CONTRACT_VALUE, self.row, lambda r: None if r.get("valueAmount") is None else
            Money(amount=r["valueAmount"], currency=r.get("valueCurrency")))

    @strawberry.field(description=CONTRACT_UNIT_PRICES.description)
    def unit_prices(self) -> list[UnitPrice] | None:
        return _read(CONTRACT_UNIT_PRICES, self.row, _unit_prices)

    @strawberry.field(description=CONTRACT_QUANTITY.description)
    def quantity(self) -> int | None:
        return _read(CONTRACT_QUANTITY, self.row, lambda r: r.get("quantity"))

    @scoped(CONTRACTS, "The buyer holding the contract.")
    async def buyer(self, info: Info[Context, Any]) -> Organisation | None:
        rows = await _related(info, rel.CONTRACT_BUYER, ORGANISATION_SHAPE, self.id)
        return Organisation.from_row(rows[0]) if rows else None

    @scoped(SITES, "The supplier the contract was awarded to.")
    async def supplier(self, info: Info[Context, Any]) -> Supplier | None:
        rows = await _related(info, rel.CONTRACT_SUPPLIER, SUPPLIER_SHAPE, self.id)
        return Supplier.from_row(rows[0]) if rows else None

    @scoped(SITES, "Brands the contract covers.")
    async def brands(self, info: Info[Context, Any]) -> list[Brand]:
        rows = await _related(info, rel.CONTRACT_BRANDS, BRAND_SHAPE, self.id)
        return [Brand.from_row(r) for r in rows]

    @scoped(SITES, "Product categories the contract covers.")
    async def products(self, info: Info[Context, Any]) -> list[ProductCategory]:
        rows = await _related(info, rel.CONTRACT_PRODUCTS, CATEGORY_SHAPE, self.id)
        return [ProductCategory.from_row(r) for r in rows]

    @scoped(SITES, "Production sites the contractor disclosed for this contract.")
    async def sites(self, info: Info[Context, Any]) -> list[ProductionSite]:
        rows = await _related(info, rel.CONTRACT_SITES, SITE_SHAPE, self.id)
        return [ProductionSite.from_row(r) for r in rows]

    @scoped(SITES, "Sites this contract reaches (as `myExposure`, for this contract "
                   "only), in one round trip.")
    async def exposure(self, info: Info[Context, Any],
                       filter: Annotated["ExposureFilter",  # noqa: A002
                                         strawberry.lazy("schema.analytics")] | None = None,
                       first: int | None = None, after: str | None = None,
                       ) -> Connection[Annotated["ExposureEntry",
                                                 strawberry.lazy("schema.analytics")]]:
        from resolvers.analytics import exposure
        from schema.analytics import exposure_connection

        return exposure_connection(await exposure(info, filter, first, after,
                                                  contract_id=str(self.id)))

    @scoped(CONTRACTS, "Earlier and current versions, oldest first: who changed what, when "
                     "and from which source (the same visibility as the record).")
    async def history(self, info: Info[Context, Any]) -> list[Annotated[
            "ContractVersion", strawberry.lazy("schema.mutations_history")]]:
        from schema.mutations_history import contract_history

        return await contract_history(info, self.id)

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> Contract | None:  # noqa: A002
        row = await _one(info, CONTRACT_SHAPE, CONTRACTS, id)
        return cls.from_row(row) if row else None
