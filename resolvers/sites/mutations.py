"""Site mutations: create (through matching), update, merge. Each is one `run` of
resolvers/core/mutations.py over a command of graph/sites/."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.core.errors import BAD_USER_INPUT, WriteRejected
from graph.core.fields import Checker
from graph.core.records import check_orgs
from graph.sites.commands import create_site, require_site, update_site
from graph.sites.fields import site_props
from graph.sites.merge import merge_sites
from graph.sites.pending import pending_row, save_pending
from graph.sites.planning import CREATED, NEEDS_CONFIRMATION, plan, plan_sites
from resolvers.core.mutations import Build, Idempotency, Result, actor_of, run, write
from resolvers.core.updates import changes

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction
    from strawberry.types import Info

    from resolvers.core.context import Context


async def create_production_site(info: Info[Context, Any], data: dict[str, Any],
                                 build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        c = Checker()
        props = site_props(data, c)
        props["sharing"], props["sharedWith"] = c.sharing(data)
        products = c.cpv_codes(data, "products") or []
        c.reject_if_errors()
        actor = actor_of(info, data.get("source"))
        settings = info.context.settings
        confirm = data.get("confirmMatch")
        decisions = await plan_sites(info.context.graph, [props], actor.params(),
                                     low=settings.match_low, high=settings.match_high)
        site_plan = plan(decisions[0], confirm=confirm,
                         create_anyway=bool(data.get("createAnyway")))

        async def body(tx: AsyncManagedTransaction) -> Result:
            await check_orgs(tx, actor, props["sharedWith"], ["input", "sharedWith"])
            if site_plan.outcome == NEEDS_CONFIRMATION:
                # Kept for review (`pendingMatches`), not lost with this answer.
                site_props_only = {k: v for k, v in props.items()
                                   if k not in ("sharing", "sharedWith")}
                keep = pending_row(actor.org, props=site_props_only, products=products,
                                   brand=None, supplier=None,
                                   candidates=site_plan.as_dict()["candidates"], row=None,
                                   sharing=props["sharing"], shared_with=props["sharedWith"])
                await save_pending(tx, actor, [keep])
                return {"site": {**site_plan.as_dict(), "pendingMatchId": keep["id"]}}
            if confirm:
                await require_site(tx, confirm, actor, ["input", "confirmMatch"])
            result = {"site": site_plan.as_dict()}
            if site_plan.outcome == CREATED:
                result["site"]["siteId"] = await create_site(tx, props, actor,
                                                             products=products)
            return result

        return await write(info, idem, actor, body)

    return await run(info, work, build)


async def update_production_site(info: Info[Context, Any], site_id: str, data: dict[str, Any],
                                 build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        props, note = changes(data, site_props)
        actor = actor_of(info, data.get("source"))

        async def body(tx: AsyncManagedTransaction) -> Result:
            await update_site(tx, site_id, props, actor, note=note, source=data.get("source"))
            return {"site": {"outcome": "CREATED", "siteId": site_id, "candidates": []}}

        return await write(info, idem, actor, body)

    return await run(info, work, build)


async def merge_production_sites(info: Info[Context, Any], data: dict[str, Any],
                                 build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        dups = [str(d) for d in data["duplicateIds"]]
        if not dups or len(set(dups)) != len(dups):
            raise WriteRejected.one(BAD_USER_INPUT, "name each duplicate once",
                                    ["input", "duplicateIds"])
        actor = actor_of(info)

        async def body(tx: AsyncManagedTransaction) -> Result:
            try:
                moved = await merge_sites(tx, str(data["keepId"]), dups, actor)
            except WriteRejected as exc:
                raise exc.under("input") from exc
            return {"id": str(data["keepId"]), "merged": dups, "moved": moved}

        return await write(info, idem, actor, body)

    return await run(info, work, build)
