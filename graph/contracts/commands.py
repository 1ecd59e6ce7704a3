"""Contract use cases, shared by every entry point: create, update, upsert by reference (OCDS
import), and disclose the sites, brands and categories behind a contract."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.ids import new_id
from graph.core.model import Label, Rel
from graph.core.records import (
    Actor,
    check_orgs,
    create_record,
    link,
    link_many,
    require_owned,
    require_visible,
    update_record,
)
from graph.disclosures import requests as disclosure_requests

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

_OWN_BY_REFERENCE: LiteralString = (
    "MATCH (c:Contract {reference: $ref}) WHERE c.contributedBy = $org RETURN c.id AS id LIMIT 1"
)


async def _cover(tx: AsyncManagedTransaction, actor: Actor, contract_id: str,
                 cpv_codes: Sequence[str]) -> None:
    await link_many(tx, Label.CONTRACT, Rel.COVERS, Label.PRODUCT_CATEGORY,
                    [(contract_id, cpv) for cpv in cpv_codes], actor)


async def create_contract(tx: AsyncManagedTransaction, actor: Actor, props: dict[str, Any],
                          *, supplier_id: str | None = None,
                          supplier_path: Sequence[str | int] = ("input", "supplierId"),
                          ) -> str:
    """A contract held by the actor (validated `props`, with its sharing), awarded to a
    supplier it may see, covering its CPV categories."""
    await check_orgs(tx, actor, props.get("sharedWith") or [], ["input", "sharedWith"])
    if supplier_id:
        await require_visible(tx, Label.SUPPLIER, [(supplier_id, supplier_path)], actor)
    cid = await create_record(tx, Label.CONTRACT, {**props, "id": new_id("CTR")}, actor)
    await link(tx, Label.ORGANISATION, actor.org, Rel.HOLDS, Label.CONTRACT, cid, actor)
    if supplier_id:
        await link(tx, Label.CONTRACT, cid, Rel.AWARDED_TO, Label.SUPPLIER, supplier_id, actor)
    await _cover(tx, actor, cid, props.get("cpvCodes") or [])
    return cid


async def update_contract(tx: AsyncManagedTransaction, actor: Actor, contract_id: str,
                          props: dict[str, Any], *, note: str | None = None,
                          source: str | None = None, owned: bool = False) -> None:
    """Set the given properties; CPV codes given are added. `owned`: ownership was checked
    already in this transaction."""
    if not owned:
        await require_owned(tx, Label.CONTRACT, contract_id, actor, ["id"])
    await update_record(tx, Label.CONTRACT, contract_id, props, actor, note=note,
                        source=source)
    await _cover(tx, actor, contract_id, props.get("cpvCodes") or [])


async def own_contract_by_reference(tx: AsyncManagedTransaction, actor: Actor,
                                    reference: str) -> str | None:
    """The actor's own contract with this reference (tender id or OCDS ocid), if any."""
    row = await (await tx.run(_OWN_BY_REFERENCE, {"ref": reference, "org": actor.org})).single()
    return row["id"] if row else None


async def award(tx: AsyncManagedTransaction, actor: Actor, contract_id: str,
                supplier_id: str) -> None:
    await link(tx, Label.CONTRACT, contract_id, Rel.AWARDED_TO, Label.SUPPLIER, supplier_id,
               actor)


async def disclose_sites(tx: AsyncManagedTransaction, actor: Actor, contract_id: str, *,
                         site_ids: Sequence[str], brand_ids: Sequence[str],
                         cpv_codes: Sequence[str]) -> None:
    """What the contractor disclosed behind a contract: sites, brands, categories. The
    owner may disclose, and so may the contractor's representative answering an open
    disclosure request; open requests on the contract are answered."""
    if not await disclosure_requests.may_answer(tx, actor, contract_id):
        await require_owned(tx, Label.CONTRACT, contract_id, actor, ["input", "contractId"])
    await require_visible(tx, Label.PRODUCTION_SITE,
                          [(s, ["input", "siteIds", i]) for i, s in enumerate(site_ids)], actor)
    await require_visible(tx, Label.BRAND,
                          [(b, ["input", "brandIds", i]) for i, b in enumerate(brand_ids)],
                          actor)
    await link_many(tx, Label.CONTRACT, Rel.SOURCED_FROM, Label.PRODUCTION_SITE,
                    [(contract_id, s) for s in site_ids], actor)
    await link_many(tx, Label.CONTRACT, Rel.COVERS, Label.BRAND,
                    [(contract_id, b) for b in brand_ids], actor)
    await _cover(tx, actor, contract_id, cpv_codes)
    await update_record(tx, Label.CONTRACT, contract_id, {}, actor, change="DISCLOSURE",
                        note=f"{len(site_ids)} sites, {len(brand_ids)} brands, "
                             f"{len(cpv_codes)} categories disclosed")
    await disclosure_requests.answer_open_requests(tx, actor, contract_id)
