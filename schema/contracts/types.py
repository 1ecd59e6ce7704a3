"""Contracts, with their confidential commercial values as protected fields
(graph/contracts/fields.py), as the read API shows them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph.companies.fields import BRAND_SHAPE, SUPPLIER_SHAPE
from graph.contracts.fields import (
    CONTRACT_QUANTITY,
    CONTRACT_SHAPE,
    CONTRACT_UNIT_PRICES,
    CONTRACT_VALUE,
)
from graph.core import nodes as rel
from graph.orgs.fields import ORGANISATION_SHAPE
from graph.sites.fields import CATEGORY_SHAPE, SITE_SHAPE
from schema.core.common import (
    Connection,
)
from schema.core.records import (
    CONTRACTS,
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
    from schema.analytics.types import ExposureEntry, ExposureFilter
    from schema.core.history import (
        ContractVersion,
    )


@strawberry.type(description="An amount of money.")
class Money:
    amount: float
    currency: str | None


@strawberry.type(description="A unit price for one item (a CPV code or product line).")
class UnitPrice:
    item: str | None
    amount: float | None
    currency: str | None


def _money(row: Any) -> Money | None:
    if row.get("valueAmount") is None:
        return None
    return Money(amount=row["valueAmount"], currency=row.get("valueCurrency"))


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
    # Protected: each a value, or the FORBIDDEN error graphql-core reports (protected_value).
    value: Money | None = strawberry.field(description=CONTRACT_VALUE.description,
                                           default=None)
    unit_prices: list[UnitPrice] | None = strawberry.field(
        description=CONTRACT_UNIT_PRICES.description, default=None)
    quantity: int | None = strawberry.field(description=CONTRACT_QUANTITY.description,
                                            default=None)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Contract:
        return cls(**provenance(row), reference=row.get("reference"), title=row.get("title"),
                   start_date=row.get("startDate"), end_date=row.get("endDate"),
                   cpv_codes=row.get("cpvCodes") or [],
                   value=protected_value(CONTRACT_VALUE, row, _money),
                   unit_prices=protected_value(CONTRACT_UNIT_PRICES, row, _unit_prices),
                   quantity=protected_value(CONTRACT_QUANTITY, row, lambda r: r.get("quantity")))

    @scoped(CONTRACTS, "The buyer holding the contract.")
    async def buyer(self, info: Info[Context, Any]) -> Organisation | None:
        rows = await related(info, rel.CONTRACT_BUYER, ORGANISATION_SHAPE, self.id)
        return Organisation.from_row(rows[0]) if rows else None

    @scoped(SITES, "The supplier the contract was awarded to.")
    async def supplier(self, info: Info[Context, Any]) -> Supplier | None:
        rows = await related(info, rel.CONTRACT_SUPPLIER, SUPPLIER_SHAPE, self.id)
        return Supplier.from_row(rows[0]) if rows else None

    @scoped(SITES, "Brands the contract covers.")
    async def brands(self, info: Info[Context, Any]) -> list[Brand]:
        rows = await related(info, rel.CONTRACT_BRANDS, BRAND_SHAPE, self.id)
        return [Brand.from_row(r) for r in rows]

    @scoped(SITES, "Product categories the contract covers.")
    async def products(self, info: Info[Context, Any]) -> list[ProductCategory]:
        rows = await related(info, rel.CONTRACT_PRODUCTS, CATEGORY_SHAPE, self.id)
        return [ProductCategory.from_row(r) for r in rows]

    @scoped(SITES, "Production sites the contractor disclosed for this contract.")
    async def sites(self, info: Info[Context, Any]) -> list[ProductionSite]:
        rows = await related(info, rel.CONTRACT_SITES, SITE_SHAPE, self.id)
        return [ProductionSite.from_row(r) for r in rows]

    @scoped(SITES, "Sites this contract reaches (as `myExposure`, for this contract "
                   "only), in one round trip.")
    async def exposure(self, info: Info[Context, Any],
                       filter: Annotated["ExposureFilter",  # noqa: A002
                                         strawberry.lazy("schema.analytics.types")] | None = None,
                       first: int | None = None, after: str | None = None,
                       ) -> Connection[Annotated["ExposureEntry",
                                                 strawberry.lazy("schema.analytics.types")]]:
        from resolvers.analytics.fields import exposure
        from schema.analytics.types import exposure_connection

        return exposure_connection(await exposure(info, filter, first, after,
                                                  contract_id=str(self.id)))

    @scoped(CONTRACTS, "Earlier and current versions, oldest first: who changed what, when "
                     "and from which source (the same visibility as the record).")
    async def history(self, info: Info[Context, Any]) -> list[Annotated[
            "ContractVersion", strawberry.lazy("schema.core.history")]]:
        from schema.core.history import contract_history

        return await contract_history(info, self.id)

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> Contract | None:  # noqa: A002
        row = await entity(info, CONTRACT_SHAPE, CONTRACTS, id)
        return cls.from_row(row) if row else None


# Types of other domains referenced above, imported last so that the domains' mutual
# references resolve (strawberry reads the annotations when the schema is built).
from schema.companies.types import Brand, Supplier  # noqa: E402
from schema.orgs.types import Organisation  # noqa: E402
from schema.sites.types import ProductCategory, ProductionSite  # noqa: E402
