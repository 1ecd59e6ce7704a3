"""Site use cases, shared by every entry point: create (one, or a batch of planned rows),
update. Merging duplicates is `graph.sites.merge`; deciding whether a submitted site is new
is `graph.sites.planning`.

Each command takes the write transaction, the actor and validated data
(`graph.sites.fields.site_props`), checks what it links to inside that transaction, and
raises `WriteRejected` to roll it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.model import Label, Rel
from graph.core.records import (
    Actor,
    check_orgs,
    create_records,
    link_many,
    new_row,
    require_owned,
    require_visible,
    update_record,
)
from graph.sites.planning import free_site_ids

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction


async def create_site(tx: AsyncManagedTransaction, props: dict[str, Any], actor: Actor,
                      *, products: Sequence[str] = (), site_id: str | None = None,
                      ) -> str:
    """A new site (its sharing in `props`), making the given CPV categories."""
    async def run(query: LiteralString, params: dict[str, Any]) -> Any:
        return await (await tx.run(query, params)).data()

    await check_orgs(tx, actor, props.get("sharedWith") or [], ["input", "sharedWith"])
    sid = site_id or (await free_site_ids(run, [props["countryCode"]]))[
        props["countryCode"]][0]
    await create_records(tx, Label.PRODUCTION_SITE, [new_row({**props, "id": sid})], actor)
    await link_many(tx, Label.PRODUCTION_SITE, Rel.MAKES, Label.PRODUCT_CATEGORY,
                    [(sid, cpv) for cpv in products], actor)
    return sid


async def update_site(tx: AsyncManagedTransaction, site_id: str, props: dict[str, Any],
                      actor: Actor, *, note: str | None = None, source: str | None = None,
                      ) -> None:
    await require_owned(tx, Label.PRODUCTION_SITE, site_id, actor, ["id"])
    await update_record(tx, Label.PRODUCTION_SITE, site_id, props, actor, note=note,
                        source=source)


async def require_site(tx: AsyncManagedTransaction, site_id: str, actor: Actor,
                       path: Sequence[str | int]) -> None:
    await require_visible(tx, Label.PRODUCTION_SITE, [(site_id, path)], actor)


# A planned batch row links its site to records that were resolved, as visible to the actor,
# when the rows were planned (graph.imports.site_rows).
_BATCH_LINKS: dict[str, tuple[Label, Rel, Label, bool]] = {
    "MAKES": (Label.PRODUCTION_SITE, Rel.MAKES, Label.PRODUCT_CATEGORY, False),
    "PRODUCED_AT": (Label.BRAND, Rel.PRODUCED_AT, Label.PRODUCTION_SITE, True),
    "OPERATES": (Label.SUPPLIER, Rel.OPERATES, Label.PRODUCTION_SITE, True),
}


async def create_site_batch(tx: AsyncManagedTransaction, actor: Actor, *,
                            new_sites: Sequence[dict[str, Any]],
                            links: dict[str, list[dict[str, str]]]) -> None:
    """The new sites of a planned batch (`new_row` values, ids reserved) and their links
    (MAKES / PRODUCED_AT / OPERATES -> [{site, other}]), a few statements in all."""
    await create_records(tx, Label.PRODUCTION_SITE, new_sites, actor)
    for kind, (start, rel, end, site_is_end) in _BATCH_LINKS.items():
        pairs = [(ln["other"], ln["site"]) if site_is_end else (ln["site"], ln["other"])
                 for ln in links.get(kind, [])]
        await link_many(tx, start, rel, end, pairs, actor)
