"""The review queue: submitted sites matching could not decide, kept until someone does.

A row of an import, or a `createProductionSite` input, that needs confirmation becomes a
`:PendingMatch` of the contributing organisation: the validated site, what it links to
(products, brand, supplier), its candidates with their score parts, and where it came from.
Its id is a digest of the organisation and the submitted content, so importing the same file
again (or sending the same input) finds the pending match it already made instead of adding a
second one.

Who sees it: the contributing organisation and the operator (`own_or_operator`), nobody
else; its candidates are filtered again by what the reader may see today. A decision
(`confirm`: the submitted site is this existing site; `reject`: it is a new site, created
now) is made once, stored on the pending match (who, which client, when) and written into
the chosen site's history as a version (MATCH_CONFIRMED / MATCH_REJECTED).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.errors import CONFLICT, NOT_FOUND, WriteRejected
from graph.core.history import INITIAL, record_version
from graph.core.model import Label, Rel
from graph.core.records import link_many
from graph.core.visibility import lit, own_or_operator, visible
from graph.sites.commands import create_site, require_site

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import QueryRunner
    from graph.core.records import Actor

PENDING, CONFIRMED, REJECTED = "PENDING", "CONFIRMED", "REJECTED"
MATCH_CONFIRMED, MATCH_REJECTED = "MATCH_CONFIRMED", "MATCH_REJECTED"


def pending_id(org: str, site: dict[str, Any], links: dict[str, Any]) -> str:
    """The same organisation submitting the same site (and links) gets the same id."""
    body = json.dumps([org, site, links], sort_keys=True, default=str)
    return "PM-" + hashlib.sha256(body.encode()).hexdigest()[:20].upper()


def pending_row(org: str, *, props: dict[str, Any], products: Sequence[str],
                brand: str | None, supplier: str | None, candidates: list[dict[str, Any]],
                row: int | None, sharing: str, shared_with: Sequence[str]) -> dict[str, Any]:
    """One pending match for `save_pending`."""
    links = {"products": list(products), "brandId": brand, "supplierId": supplier}
    pid = pending_id(org, props, links)
    return {"id": pid, "props": {
        "name": props.get("name"), "countryCode": props.get("countryCode"),
        "site": json.dumps(props, default=str), "links": json.dumps(links),
        "candidates": json.dumps(candidates), "candidateIds": [c["id"] for c in candidates],
        "row": row, "sharing": sharing, "sharedWith": list(shared_with)}}


_SAVE: LiteralString = (
    "UNWIND $rows AS row MERGE (p:PendingMatch {id: row.id}) "
    "ON CREATE SET p += row.props, p.status = 'PENDING', p.contributedBy = $org, "
    "p.createdAt = $now, p.createdByClient = $client, p.source = $source "
    "RETURN count(*) AS n"
)


async def save_pending(tx: AsyncManagedTransaction, actor: Actor,
                       rows: Sequence[dict[str, Any]]) -> None:
    """Keep `rows` (`pending_row` values); one already kept (pending or decided) stays as
    it is."""
    if rows:
        await tx.run(_SAVE, {"rows": list(rows), **actor.params()})


_FIELDS = ("p {.id, .status, .name, .countryCode, .site, .links, .candidates, .row, "
           ".source, .createdAt, .contributedBy, .decidedAt, .decidedBy, .siteId, .decision}")
LIST_PENDING: LiteralString = lit(
    "MATCH (p:PendingMatch) "
    "WHERE ($status IS NULL OR p.status = $status) AND ($id IS NULL OR p.id = $id) "
    f"AND {own_or_operator('p.contributedBy')} "
    f"RETURN {_FIELDS} AS p ORDER BY p.createdAt, p.id SKIP $skip LIMIT $limit"
)
_VISIBLE: LiteralString = lit(
    "UNWIND $ids AS key MATCH (n:ProductionSite {id: key}) "
    f"WHERE {visible('n')} RETURN collect(n.id) AS ids"
)


async def list_pending(runner: QueryRunner, viewer: dict[str, Any], *, status: str | None,
                       skip: int, limit: int, pid: str | None = None) -> list[dict[str, Any]]:
    """Pending matches the viewer may see (its own; all for the operator), oldest first,
    each candidate kept only while the viewer may still see its site."""
    rows = [dict(r["p"]) for r in await runner.query(
        LIST_PENDING, {"status": status, "skip": skip, "limit": limit, "id": pid, **viewer},
        name="list_pending_matches")]
    for r in rows:
        r["site"] = json.loads(r["site"] or "{}")
        r["links"] = json.loads(r["links"] or "{}")
        r["candidates"] = json.loads(r["candidates"] or "[]")
    ids = sorted({c["id"] for r in rows for c in r["candidates"]}
                 | {r["siteId"] for r in rows if r.get("siteId")})
    seen: set[str] = set()
    if ids:
        found = await runner.query(_VISIBLE, {"ids": ids, **viewer}, name="pending_visible")
        seen = set(found[0]["ids"]) if found else set()
    for r in rows:
        r["candidates"] = [c for c in r["candidates"] if c["id"] in seen]
        if r.get("siteId") not in seen:
            r["siteId"] = None
    return rows


_GET: LiteralString = lit(
    "MATCH (p:PendingMatch {id: $id}) "
    f"WHERE {own_or_operator('p.contributedBy')} "
    "RETURN p.status AS status, p.site AS site, p.links AS links, p.row AS row, "
    "p.source AS source, p.sharing AS sharing, p.sharedWith AS sharedWith"
)
_DECIDE: LiteralString = (
    "MATCH (p:PendingMatch {id: $id}) WHERE p.status = 'PENDING' "
    "SET p.status = $status, p.siteId = $siteId, p.decidedAt = $now, p.decidedBy = $org, "
    "p.decidedByClient = $client, p.decision = $note RETURN p.id AS id"
)


async def _pending(tx: AsyncManagedTransaction, actor: Actor, pid: str) -> dict[str, Any]:
    row = await (await tx.run(_GET, {"id": pid, **actor.params()})).single()
    if row is None:
        # Another organisation's pending match reads as one that does not exist.
        raise WriteRejected.one(NOT_FOUND, f"no pending match with id {pid!r}",
                                ["input", "pendingMatchId"])
    if row["status"] != PENDING:
        raise WriteRejected.one(CONFLICT, f"pending match {pid!r} was already "
                                          f"{row['status'].lower()}",
                                ["input", "pendingMatchId"])
    return dict(row)


async def _link(tx: AsyncManagedTransaction, actor: Actor, site_id: str,
                links: dict[str, Any]) -> None:
    await link_many(tx, Label.PRODUCTION_SITE, Rel.MAKES, Label.PRODUCT_CATEGORY,
                    [(site_id, c) for c in links.get("products") or []], actor)
    if links.get("brandId"):
        await link_many(tx, Label.BRAND, Rel.PRODUCED_AT, Label.PRODUCTION_SITE,
                        [(links["brandId"], site_id)], actor)
    if links.get("supplierId"):
        await link_many(tx, Label.SUPPLIER, Rel.OPERATES, Label.PRODUCTION_SITE,
                        [(links["supplierId"], site_id)], actor)


async def _decide(tx: AsyncManagedTransaction, actor: Actor, pid: str, p: dict[str, Any],
                  site_id: str, status: str, change: str, note: str | None) -> None:
    where = f"pending match {pid} ({p.get('source') or 'API'}" + (
        f", row {p['row']})" if p.get("row") is not None else ")")
    text = f"{where}{': ' + note if note else ''}"
    await record_version(tx, Label.PRODUCTION_SITE, site_id, actor, change=INITIAL,
                         only_if_none=True)
    await record_version(tx, Label.PRODUCTION_SITE, site_id, actor, change=change, note=text)
    await tx.run(_DECIDE, {"id": pid, "status": status, "siteId": site_id, "note": note,
                           **actor.params()})


async def confirm(tx: AsyncManagedTransaction, actor: Actor, pid: str, site_id: str,
                  *, note: str | None = None) -> str:
    """The pending site is `site_id` (a site the caller may see): its links go there."""
    p = await _pending(tx, actor, pid)
    await require_site(tx, site_id, actor, ["input", "siteId"])
    await _link(tx, actor, site_id, json.loads(p["links"] or "{}"))
    await _decide(tx, actor, pid, p, site_id, CONFIRMED, MATCH_CONFIRMED, note)
    return site_id


async def reject(tx: AsyncManagedTransaction, actor: Actor, pid: str,
                 *, note: str | None = None) -> str:
    """The pending site is none of its candidates: it is created now, as submitted."""
    p = await _pending(tx, actor, pid)
    props = {**json.loads(p["site"]), "sharing": p["sharing"],
             "sharedWith": list(p["sharedWith"] or [])}
    site_id = await create_site(tx, props, actor)
    await _link(tx, actor, site_id, json.loads(p["links"] or "{}"))
    await _decide(tx, actor, pid, p, site_id, REJECTED, MATCH_REJECTED, note)
    return site_id
