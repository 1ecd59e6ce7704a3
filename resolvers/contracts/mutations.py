"""Contract mutations over graph/contracts/commands.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.contracts import commands
from graph.contracts.fields import contract_props
from graph.core.fields import Checker
from resolvers.core.mutations import Build, Idempotency, Result, actor_of, run, write
from resolvers.core.updates import changes

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction
    from strawberry.types import Info

    from resolvers.core.context import Context


async def create_contract(info: Info[Context, Any], data: dict[str, Any], build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        c = Checker()
        props = contract_props(data, c)
        props["sharing"], props["sharedWith"] = c.sharing(data)
        props.setdefault("cpvCodes", [])
        c.reject_if_errors()
        actor = actor_of(info, data.get("source"))

        async def body(tx: AsyncManagedTransaction) -> Result:
            return {"id": await commands.create_contract(
                tx, actor, props, supplier_id=data.get("supplierId"))}

        return await write(info, idem, actor, body)

    return await run(info, work, build)


async def update_contract(info: Info[Context, Any], contract_id: str, data: dict[str, Any],
                          build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        props, note = changes(data, contract_props)
        actor = actor_of(info, data.get("source"))

        async def body(tx: AsyncManagedTransaction) -> Result:
            await commands.update_contract(tx, actor, contract_id, props, note=note,
                                           source=data.get("source"))
            return {"id": contract_id}

        return await write(info, idem, actor, body)

    return await run(info, work, build)


async def disclose_contract_sites(info: Info[Context, Any], data: dict[str, Any],
                                  build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        c = Checker()
        cpvs = c.cpv_codes(data, "cpvCodes") or []
        if not (data["siteIds"] or data["brandIds"] or cpvs):
            c.fail("name at least one site, brand or CPV code", "siteIds")
        c.reject_if_errors()
        actor = actor_of(info, data.get("source"))
        cid = str(data["contractId"])

        async def body(tx: AsyncManagedTransaction) -> Result:
            await commands.disclose_sites(tx, actor, cid, site_ids=list(data["siteIds"]),
                                          brand_ids=list(data["brandIds"]), cpv_codes=cpvs)
            return {"id": cid}

        return await write(info, idem, actor, body)

    return await run(info, work, build)


