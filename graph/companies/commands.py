"""Brand and supplier use cases, shared by every entry point: create a brand or supplier,
record a supply link, and find-or-create a contract's supplier (OCDS import)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.companies.queries import supplier_by_key
from graph.core.errors import BAD_USER_INPUT, FORBIDDEN, WriteRejected
from graph.core.ids import new_id
from graph.core.model import Label, Rel
from graph.core.records import (
    Actor,
    check_orgs,
    create_record,
    link,
    link_contributor,
    require_visible,
)

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

_PREFIX = {Label.BRAND: "BRD", Label.SUPPLIER: "SUP"}


async def create_company(tx: AsyncManagedTransaction, label: Label, props: dict[str, Any],
                         actor: Actor) -> str:
    """A new brand or supplier (validated `props`, with its sharing)."""
    await check_orgs(tx, actor, props.get("sharedWith") or [], ["input", "sharedWith"])
    return await create_record(tx, label, {**props, "id": new_id(_PREFIX[label])}, actor)


LINK_KINDS = {
    "OPERATES": ((Label.SUPPLIER,), Rel.OPERATES, Label.PRODUCTION_SITE),
    "PRODUCED_AT": ((Label.BRAND,), Rel.PRODUCED_AT, Label.PRODUCTION_SITE),
    "SOURCES_FROM": ((Label.BRAND, Label.SUPPLIER), Rel.SOURCES_FROM, Label.SUPPLIER),
}


async def record_supply_link(tx: AsyncManagedTransaction, actor: Actor, *, kind: str,
                             from_id: str, to_id: str, volume: float | None = None,
                             unit_price: float | None = None) -> None:
    """`(from)-[kind]->(to)` between records the actor may see; volume and unit price
    (confidential: readable by the link's contributor alone) on SOURCES_FROM only."""
    starts, rel, end = LINK_KINDS[kind]
    if kind != "SOURCES_FROM" and (volume is not None or unit_price is not None):
        raise WriteRejected.one(BAD_USER_INPUT, "volume and unitPrice are for SOURCES_FROM "
                                                "links", ["input", "volume"])
    start = next((lbl for lbl in starts if from_id.startswith(f"{_PREFIX[lbl]}-")), starts[-1])
    await require_visible(tx, start, [(from_id, ["input", "fromId"])], actor)
    await require_visible(tx, end, [(to_id, ["input", "toId"])], actor)
    props = {k: v for k, v in (("volume", volume), ("unitPrice", unit_price)) if v is not None}
    if props:
        # A link's volume and unit price are its contributor's confidential figures: nobody
        # else may set them (records.link never overwrites them either).
        owner = await link_contributor(tx, start, from_id, rel, end, to_id)
        if owner is not None and owner != actor.org:
            raise WriteRejected.one(FORBIDDEN, "this link was recorded by another "
                                               "organisation: its volume and unit price are "
                                               "theirs to set", ["input", "volume"])
    await link(tx, start, from_id, rel, end, to_id, actor, props)


async def supplier_for_contract(tx: AsyncManagedTransaction, actor: Actor, *,
                                identifier: str | None, name: str, sharing: str) -> str:
    """The visible supplier an OCDS award names (by identifier, else exact name), or a new
    CONTRACTOR supplier when the actor may see none."""
    found = await supplier_by_key(tx, actor, identifier=identifier, name=name)
    if found:
        return found
    return await create_record(tx, Label.SUPPLIER, {
        "id": new_id("SUP"), "name": name or str(identifier),
        "identifiers": [identifier] if identifier else [], "roles": ["CONTRACTOR"],
        "sharing": sharing, "sharedWith": []}, actor)
