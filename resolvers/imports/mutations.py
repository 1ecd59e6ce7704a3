"""`importSites`: the rows of one call are planned together (graph/imports/site_rows.py, as
`supplygraph import sites` plans them) and their valid rows written in one transaction (all
or nothing); invalid rows are reported and skipped; rows needing confirmation are kept as
pending matches (graph/sites/pending.py) in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.companies.queries import resolve_companies
from graph.core.errors import BAD_USER_INPUT, WriteRejected
from graph.core.fields import Checker
from graph.core.records import check_orgs
from graph.imports.site_rows import plan_site_batch, reserve_ids, visible_sites
from graph.sites.commands import create_site_batch
from graph.sites.identifiers import raw_values
from graph.sites.matching import SiteIndex
from graph.sites.pending import save_pending
from resolvers.core.mutations import Build, Idempotency, Result, actor_of, graph_of, run, write

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction
    from strawberry.types import Info

    from resolvers.core.context import Context


async def import_sites(info: Info[Context, Any], data: dict[str, Any], build: Build) -> Any:
    settings = info.context.settings

    async def work(idem: Idempotency) -> Result:
        rows = data.get("rows") or []
        if len(rows) > settings.import_max_batch_rows:
            raise WriteRejected.one(BAD_USER_INPUT,
                                    f"at most {settings.import_max_batch_rows} rows per call",
                                    ["input", "rows"])
        c = Checker()
        sharing, shared_with = c.sharing(data)
        c.reject_if_errors()
        actor = actor_of(info, data.get("source"))
        records = [(i, {**r, "brand": r.get("brandId"), "supplier": r.get("supplierId")})
                   for i, r in enumerate(rows)]
        index = SiteIndex()
        await index.load(info.context.graph,
                         {str(r.get("countryCode") or "").upper() for _, r in records
                          if len(str(r.get("countryCode") or "")) == 2}, actor.params())
        await index.load_identified(info.context.graph,
                                    {v for _, r in records for v in raw_values(r)},
                                    actor.params())
        graph = graph_of(info)
        lookups = await resolve_companies(graph, actor, {
            str(r[k]) for _, r in records for k in ("brand", "supplier") if r.get(k)})
        confirm = await visible_sites(graph, actor, {str(r["confirmMatch"]) for _, r in records
                                                     if r.get("confirmMatch")})
        batch = plan_site_batch(
            records, settings.match_low, settings.match_high, index, lookups, confirm, sharing,
            await reserve_ids(graph, records), org=actor.org, shared_with=shared_with)
        for site in batch.new_sites:
            site["props"]["sharedWith"] = shared_with

        async def body(tx: AsyncManagedTransaction) -> Result:
            await check_orgs(tx, actor, shared_with, ["input", "sharedWith"])
            await create_site_batch(tx, actor, new_sites=batch.new_sites, links=batch.links)
            await save_pending(tx, actor, batch.pending)
            return {"rows": [r.as_dict() for r in batch.results]}

        return await write(info, idem, actor, body)

    return await run(info, work, build)
