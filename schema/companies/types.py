"""Brands, suppliers and supply chains, as the read API shows them."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph.companies.fields import BRAND_SHAPE, SUPPLIER_SHAPE
from graph.companies.supply_chain import MAX_TIER
from graph.core import nodes as rel
from graph.core.visibility import Shape
from graph.sites.fields import SITE_SHAPE
from resolvers.core.args import bad_input
from resolvers.core.selection import field_arguments, selected
from schema.core.common import (
    Sharing,
    SupplierRole,
)
from schema.core.records import (
    CONTRACTS,
    PROVENANCE_FIELDS,
    SITES,
    Record,
    RowReader,
    entity,
    provenance,
    related,
    scoped,
)

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001

if TYPE_CHECKING:
    # Types resolved lazily at schema build (strawberry.lazy) to avoid import cycles.
    from schema.analytics.types import Leverage
    from schema.disclosures.types import SupplierAccountability


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
        return cls(**provenance(row), name=row.get("name"), country_code=row.get("countryCode"),
                   website=row.get("website"))

    @scoped(SITES, "The brand's direct (tier 1) suppliers.")
    async def suppliers(self, info: Info[Context, Any]) -> list[Supplier]:
        rows = await related(info, rel.BRAND_SUPPLIERS, SUPPLIER_SHAPE, self.id)
        return [Supplier.from_row(r) for r in rows]

    @scoped(SITES, "Sites disclosed as producing for the brand.")
    async def sites(self, info: Info[Context, Any]) -> list[ProductionSite]:
        rows = await related(info, rel.BRAND_SITES, SITE_SHAPE, self.id)
        return [ProductionSite.from_row(r) for r in rows]

    @scoped(SITES, f"Suppliers reached through sourcing tiers (1 to {MAX_TIER}) and the "
                   "sites they operate, each at its lowest tier.")
    async def supply_chain(self, info: Info[Context, Any],
                           max_tier: int = 3) -> list[SupplyChainEntry]:
        if not 1 <= max_tier <= MAX_TIER:
            raise bad_input(f"maxTier must be between 1 and {MAX_TIER}",
                            ["maxTier"])
        loader = info.context.loaders.supply_chain(*_chain_shapes(info))
        entries = await loader.load((str(self.id), max_tier))
        # A supplier comes once per site it operates: one object for all its entries.
        suppliers: dict[str, Supplier] = {}
        out = []
        for e in entries:
            row = e["supplier"]
            supplier = suppliers.get(row["id"])
            if supplier is None:
                supplier = suppliers[row["id"]] = Supplier.from_row(row)
            out.append(SupplyChainEntry(
                tier=e["tier"], supplier=supplier,
                site=ProductionSite.from_row(e["site"]) if e["site"] else None))
        return out

    @scoped(CONTRACTS, "How many members hold contracts covering this brand; small counts "
                       "are banded; names only where the contract is shared with you.")
    async def leverage(self, info: Info[Context, Any]) -> Annotated[
            "Leverage", strawberry.lazy("schema.analytics.types")]:
        from resolvers.analytics.fields import brand_leverage
        from schema.analytics.types import leverage_of

        return leverage_of(await brand_leverage(info, self.id))

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> Brand | None:  # noqa: A002
        row = await entity(info, BRAND_SHAPE, SITES, id)
        return cls.from_row(row) if row else None


def _chain_shapes(info: Info[Context, Any], *at: str) -> tuple[Shape, Shape]:
    """The supplier and site shapes `Brand.supplyChain` reads, for the field at `at` below
    the current one (() for the current field)."""
    return (SUPPLIER_SHAPE.only(selected(info, *at, "supplier")),
            SITE_SHAPE.only(selected(info, *at, "site")))


def supply_chain_prefetch(info: Info[Context, Any]) -> tuple[Shape, Shape, int] | None:
    """For a brand field: the shapes and tier of the one `supplyChain` selected on it,
    keyed exactly as that field keys its loader, so that the brand's own statement can read
    the chain too; None when it is selected more than once or not at all, or with a tier
    out of bounds (the field itself says so)."""
    args = field_arguments(info, "supplyChain")
    if args is None:
        return None
    tier = args.get("maxTier")
    if not isinstance(tier, int) or not 1 <= tier <= MAX_TIER:
        return None
    return (*_chain_shapes(info, "supplyChain"), tier)


@strawberry.federation.type(keys=["id"], description="A contractor, reseller, manufacturer, "
                                                   "component maker, smelter, mine or recycler.")
class Supplier(Record):
    name: str
    country_code: str | None
    roles: list[SupplierRole]
    identifiers: list[str]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Supplier:
        return _SUPPLIER_ROW(row)  # type: ignore[no-any-return]

    @scoped(SITES, "Sites this supplier operates.")
    async def sites(self, info: Info[Context, Any]) -> list[ProductionSite]:
        rows = await related(info, rel.SUPPLIER_SITES, SITE_SHAPE, self.id)
        return [ProductionSite.from_row(r) for r in rows]

    @scoped(SITES, "The suppliers this supplier sources from (the next tier).")
    async def sub_suppliers(self, info: Info[Context, Any]) -> list[Supplier]:
        rows = await related(info, rel.SUPPLIER_SUBSUPPLIERS, SUPPLIER_SHAPE, self.id)
        return [Supplier.from_row(r) for r in rows]

    @scoped(SITES, "Brands and suppliers that source from this supplier.")
    async def customers(self, info: Info[Context, Any]) -> list[Customer]:
        # Both loads are queued before either is awaited, so they batch at the same level.
        brands, suppliers = await asyncio.gather(
            related(info, rel.SUPPLIER_BRAND_CUSTOMERS, BRAND_SHAPE, self.id),
            related(info, rel.SUPPLIER_SUPPLIER_CUSTOMERS, SUPPLIER_SHAPE, self.id))
        return [*(Brand.from_row(r) for r in brands),
                *(Supplier.from_row(r) for r in suppliers)]

    @scoped(CONTRACTS, "How this supplier answered disclosure requests made by your "
                       "organisation or your consortia's members (docs/disclosures.md).")
    async def accountability(self, info: Info[Context, Any]) -> Annotated[
            "SupplierAccountability", strawberry.lazy("schema.disclosures.types")]:
        from schema.disclosures.types import supplier_accountability

        return await supplier_accountability(info, str(self.id))

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> Supplier | None:  # noqa: A002
        row = await entity(info, SUPPLIER_SHAPE, SITES, id)
        return cls.from_row(row) if row else None


Customer = Annotated[Brand | Supplier, strawberry.union("Customer")]


_SUPPLIER_ROW = RowReader(Supplier, {
    **PROVENANCE_FIELDS, "name": ("name", None), "countryCode": ("country_code", None),
    "roles": ("roles", lambda v: [SupplierRole(r) for r in v or []]),
    "identifiers": ("identifiers", lambda v: v or []),
}, defaults={"sharing": Sharing.PUBLIC}, lists=frozenset({"roles", "identifiers"}))


# Types of other domains referenced above, imported last so that the domains' mutual
# references resolve (strawberry reads the annotations when the schema is built).
from schema.sites.types import ProductionSite  # noqa: E402
