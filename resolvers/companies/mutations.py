"""Brand, supplier and supply-link mutations over graph/companies/commands.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.companies import commands
from graph.companies.fields import brand_props, supplier_props
from graph.core.fields import Checker
from graph.core.model import Label
from resolvers.core.mutations import Build, Idempotency, Result, actor_of, run, write

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction
    from strawberry.types import Info

    from resolvers.core.context import Context

_PROPS = {Label.BRAND: brand_props, Label.SUPPLIER: supplier_props}


async def create_company(info: Info[Context, Any], label: Label, data: dict[str, Any],
                         build: Build) -> Any:
    """`createBrand` / `createSupplier`."""
    async def work(idem: Idempotency) -> Result:
        c = Checker()
        props = _PROPS[label](data, c)
        props["sharing"], props["sharedWith"] = c.sharing(data)
        c.reject_if_errors()
        actor = actor_of(info, data.get("source"))

        async def body(tx: AsyncManagedTransaction) -> Result:
            return {"id": await commands.create_company(tx, label, props, actor)}

        return await write(info, idem, actor, body)

    return await run(info, work, build)


async def supply_link(info: Info[Context, Any], data: dict[str, Any], build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        c = Checker()
        volume = c.number(data, "volume")
        price = c.number(data, "unitPrice")
        c.reject_if_errors()
        actor = actor_of(info, data.get("source"))

        async def body(tx: AsyncManagedTransaction) -> Result:
            await commands.record_supply_link(tx, actor, kind=str(data["kind"]),
                                     from_id=str(data["fromId"]), to_id=str(data["toId"]),
                                     volume=volume, unit_price=price)
            return {"recorded": True}

        return await write(info, idem, actor, body)

    return await run(info, work, build)
