"""Disclosure requests and supplier accountability (docs/disclosures.md).

A buyer asks the contractor of one of its contracts (the `AWARDED_TO` supplier) to disclose
the sites behind it by a due date:

    (:Organisation)-[:REQUESTED]->(r:DisclosureRequest)-[:CONCERNS]->(:Contract)
    (r)-[:ADDRESSED_TO]->(:Supplier)

Suppliers are not organisations; an operator links the organisation that speaks for a
supplier with `(:Organisation)-[:REPRESENTS]->(:Supplier)`. That organisation answers with
`discloseContractSites` (which marks the open request ANSWERED, on time or late) or declines.

A request is owned by the requester (`contributedBy`) and shared with its consortia
(`sharing: CONSORTIUM`), so the ordinary visibility predicate gives "members of the
requesting consortium". The addressed supplier's representatives see the requests addressed
to it as well. OVERDUE is never stored: it is computed at read time (`_EFFECTIVE`) from
`dueDate` and today's UTC date, so it is right the moment the date passes, with no worker.

Every function takes the caller's managed transaction and raises `WriteRejected` to roll it
back.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.ids import new_id
from graph.core.visibility import by_peer, lit, visible
from graph.core.errors import (
    BAD_USER_INPUT,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    FieldError,
    WriteRejected,
)
from graph.core.records import Actor

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

OPEN, ANSWERED, DECLINED, OVERDUE = "OPEN", "ANSWERED", "DECLINED", "OVERDUE"


def today_utc() -> str:
    return datetime.now(timezone.utc).date().isoformat()


# OPEN past its due date reads as OVERDUE; $today is the UTC date of the request.
_EFFECTIVE = lit("CASE WHEN r.status = 'OPEN' AND r.dueDate < $today THEN 'OVERDUE' "
                 "ELSE r.status END")

# A request tells of its contract (id, contractor, due date, message): the requesting side
# sees it only where it may see the contract too, so a request on a PRIVATE contract stays
# the buyer's. The organisations that represent the addressed supplier see it, to answer.
_ON_VISIBLE_CONTRACT = lit(
    "EXISTS { MATCH (r)-[:CONCERNS]->(rc:Contract) "
    f"WHERE {visible('rc')} }}"
)
_REQUEST_VISIBLE = lit(
    f"(({visible('r')} AND {_ON_VISIBLE_CONTRACT}) "
    "OR EXISTS { MATCH (:Organisation {id: $viewerOrg})"
    "-[:REPRESENTS]->(:Supplier {id: r.supplierId}) })"
)

# ----- representation -------------------------------------------------------------------
_REPRESENT: LiteralString = (
    "OPTIONAL MATCH (o:Organisation {id: $orgId}) OPTIONAL MATCH (s:Supplier {id: $supplierId}) "
    "FOREACH (_ IN CASE WHEN o IS NOT NULL AND s IS NOT NULL AND NOT $remove THEN [1] "
    "  ELSE [] END | MERGE (o)-[r:REPRESENTS]->(s) "
    "  ON CREATE SET r.createdAt = $now, r.createdBy = $org, r.client = $client) "
    "RETURN o IS NOT NULL AS org, s IS NOT NULL AS supplier"
)
_UNREPRESENT: LiteralString = (
    "MATCH (:Organisation {id: $orgId})-[r:REPRESENTS]->(:Supplier {id: $supplierId}) DELETE r"
)

REPRESENTED: LiteralString = (
    "MATCH (:Organisation {id: $org})-[:REPRESENTS]->(s:Supplier) RETURN s.id AS id ORDER BY id"
)


async def set_representation(tx: AsyncManagedTransaction, actor: Actor, *, org_id: str,
                             supplier_id: str, remove: bool = False) -> None:
    """Operators only: `org_id` speaks for `supplier_id` (or no longer, with `remove`)."""
    if not actor.operator:
        raise WriteRejected.one(FORBIDDEN, "only an operator may say which organisation "
                                           "represents a supplier", [])
    row = await (await tx.run(_REPRESENT, {"orgId": org_id, "supplierId": supplier_id,
                                           "remove": remove, **actor.params()})).single()
    assert row is not None
    if remove:
        await tx.run(_UNREPRESENT, {"orgId": org_id, "supplierId": supplier_id})
    errors = []
    if not row["org"]:
        errors.append((f"no organisation with id {org_id!r}", ["input", "organisationId"]))
    if not row["supplier"]:
        errors.append((f"no supplier with id {supplier_id!r}", ["input", "supplierId"]))
    if errors:
        raise WriteRejected([FieldError(NOT_FOUND, m, tuple(p)) for m, p in errors])


# ----- requests ---------------------------------------------------------------------------
_CONTRACT: LiteralString = lit(
    "OPTIONAL MATCH (c:Contract {id: $contractId}) "
    "OPTIONAL MATCH (c)-[:AWARDED_TO]->(s:Supplier) "
    f"RETURN c IS NOT NULL AS exists, coalesce({visible('c')}, false) AS visible, "
    "c.contributedBy AS owner, collect(s.id) AS suppliers, "
    "COUNT { MATCH (c)<-[:CONCERNS]-(r:DisclosureRequest {status: 'OPEN'}) "
    "        WHERE r.contributedBy = $org } AS open"
)

_CREATE: LiteralString = (
    "MATCH (c:Contract {id: $contractId}) MATCH (s:Supplier {id: $supplierId}) "
    "MATCH (o:Organisation {id: $org}) "
    "CREATE (r:DisclosureRequest {id: $id, contractId: c.id, supplierId: s.id, "
    "  message: $message, dueDate: $dueDate, status: 'OPEN', requestedAt: $now, "
    "  contributedBy: $org, sharing: 'CONSORTIUM', sharedWith: [], createdAt: $now, "
    "  updatedAt: $now, source: $source, createdByClient: $client}) "
    "CREATE (o)-[:REQUESTED {createdAt: $now}]->(r) "
    "CREATE (r)-[:CONCERNS]->(c) CREATE (r)-[:ADDRESSED_TO]->(s) "
    "RETURN r.id AS id"
)


def check_due_date(value: str | None, today: str) -> str | None:
    """The reason a due date is refused, or None."""
    if value is None:
        return "dueDate is required"
    try:
        due = date.fromisoformat(value)
    except ValueError:
        return f"{value!r} is not a date (YYYY-MM-DD)"
    if due.isoformat() <= today:
        return "dueDate must be after today"
    if (due - date.fromisoformat(today)).days > 3 * 366:
        return "dueDate is more than three years away"
    return None


async def request_disclosure(tx: AsyncManagedTransaction, actor: Actor, *, contract_id: str,
                             due_date: str, message: str | None) -> str:
    """A new OPEN request on one of the actor's contracts, to its contractor. The contract
    must be visible (else NOT_FOUND) and the actor's own (else FORBIDDEN), even for an
    operator: a request speaks for a buyer."""
    path = ["input", "contractId"]
    row = await (await tx.run(_CONTRACT, {"contractId": contract_id, **actor.params()})).single()
    assert row is not None
    if not row["exists"] or not row["visible"]:
        raise WriteRejected.one(NOT_FOUND, f"no contract with id {contract_id!r}", path)
    if row["owner"] != actor.org:
        raise WriteRejected.one(FORBIDDEN, "only the buyer holding a contract may request a "
                                           "disclosure on it", path)
    if not row["suppliers"]:
        raise WriteRejected.one(BAD_USER_INPUT, "the contract names no contractor "
                                                "(AWARDED_TO supplier) to ask", path)
    if row["open"]:
        raise WriteRejected.one(CONFLICT, "a disclosure request on this contract is still "
                                          "open", path)
    rid = new_id("DRQ")
    await tx.run(_CREATE, {"id": rid, "contractId": contract_id,
                           "supplierId": row["suppliers"][0], "message": message,
                           "dueDate": due_date, **actor.params()})
    return rid


_REQUEST_ACCESS: LiteralString = lit(
    "OPTIONAL MATCH (r:DisclosureRequest {id: $id}) "
    f"RETURN r IS NOT NULL AS exists, coalesce({_REQUEST_VISIBLE}, false) AS visible, "
    "r.status AS status, "
    "EXISTS { MATCH (:Organisation {id: $org})-[:REPRESENTS]->(:Supplier {id: r.supplierId}) }"
    " AS represents"
)

_DECLINE: LiteralString = (
    "MATCH (r:DisclosureRequest {id: $id}) WHERE r.status = 'OPEN' "
    "SET r.status = 'DECLINED', r.declinedAt = $now, r.declineReason = $reason, "
    "r.answeredBy = $org, r.answeredByClient = $client, r.updatedAt = $now "
    "RETURN r.id AS id"
)


async def decline_disclosure(tx: AsyncManagedTransaction, actor: Actor, *, request_id: str,
                             reason: str) -> None:
    path = ["input", "requestId"]
    row = await (await tx.run(_REQUEST_ACCESS, {"id": request_id, **actor.params()})).single()
    assert row is not None
    if not row["exists"] or not row["visible"]:
        raise WriteRejected.one(NOT_FOUND, f"no disclosure request with id {request_id!r}",
                                path)
    if not row["represents"]:
        raise WriteRejected.one(FORBIDDEN, "only an organisation representing the addressed "
                                           "supplier may decline this request", path)
    if row["status"] != OPEN:
        raise WriteRejected.one(CONFLICT, f"the request is already {row['status']}", path)
    await tx.run(_DECLINE, {"id": request_id, "reason": reason, **actor.params()})


# ----- answering through discloseContractSites ------------------------------------------------
_DISCLOSER: LiteralString = (
    "MATCH (c:Contract {id: $contractId}) "
    "RETURN EXISTS { MATCH (c)<-[:CONCERNS]-(r:DisclosureRequest {status: 'OPEN'}) "
    "  MATCH (:Organisation {id: $org})-[:REPRESENTS]->(:Supplier {id: r.supplierId}) } AS ok"
)


async def may_answer(tx: AsyncManagedTransaction, actor: Actor, contract_id: str) -> bool:
    """True when the actor represents the supplier an OPEN request on the contract is
    addressed to: it may then disclose the contract's sites, whoever owns the contract."""
    row = await (await tx.run(_DISCLOSER, {"contractId": contract_id,
                                           **actor.params()})).single()
    return bool(row and row["ok"])


_ANSWER: LiteralString = (
    "MATCH (:Contract {id: $contractId})<-[:CONCERNS]-(r:DisclosureRequest {status: 'OPEN'}) "
    "SET r.status = 'ANSWERED', r.answeredAt = $now, r.answeredBy = $org, "
    "r.answeredByClient = $client, r.onTime = substring($now, 0, 10) <= r.dueDate, "
    "r.updatedAt = $now "
    "RETURN r.id AS id"
)


async def answer_open_requests(tx: AsyncManagedTransaction, actor: Actor,
                               contract_id: str) -> list[str]:
    """Marks every OPEN request on the contract ANSWERED (on time when answered on or before
    its due date, UTC). Called by `discloseContractSites` in its own transaction."""
    result = await tx.run(_ANSWER, {"contractId": contract_id, **actor.params()})
    return [r["id"] for r in await result.data()]


# ----- reads ----------------------------------------------------------------------------------
# The contractor's id is told only to viewers who may see that supplier (or speak for it):
# a request on a contract you may read can still be addressed to a supplier kept PRIVATE by
# another member. The `supplierId` filter matches the id as shown, so it cannot confirm a
# guess at a hidden contractor either (found by the adversarial suite).
_SHOWN_SUPPLIER = lit(
    "CASE WHEN EXISTS { MATCH (rs:Supplier {id: r.supplierId}) "
    f"WHERE {visible('rs')} }} "
    "OR EXISTS { MATCH (:Organisation {id: $viewerOrg})"
    "-[:REPRESENTS]->(:Supplier {id: r.supplierId}) } THEN r.supplierId END"
)
REQUEST_FIELDS = lit(
    "r {.id, .contractId, supplierId: shownSupplier, .message, .dueDate, .requestedAt, "
    ".answeredAt, .declinedAt, .declineReason, .onTime, .contributedBy, .answeredBy, "
    "status: effective}"
)

_LIST: LiteralString = lit(
    "MATCH (r:DisclosureRequest) "
    f"WHERE {_REQUEST_VISIBLE} "
    "AND ($requestId IS NULL OR r.id = $requestId) "
    "AND ($contractId IS NULL OR r.contractId = $contractId) "
    f"WITH r, {_EFFECTIVE} AS effective, {_SHOWN_SUPPLIER} AS shownSupplier "
    "WHERE ($status IS NULL OR effective IN $status) "
    "AND ($supplierId IS NULL OR shownSupplier = $supplierId) "
    f"RETURN {REQUEST_FIELDS} AS request ORDER BY r.requestedAt DESC, r.id"
)


async def list_requests(graph: Any, viewer: dict[str, Any], *, contract_id: str | None = None,
                        supplier_id: str | None = None, status: list[str] | None = None,
                        request_id: str | None = None) -> list[dict[str, Any]]:
    """Requests the viewer may see (its consortium's, and those addressed to a supplier it
    represents), newest first, with the effective status (OVERDUE computed)."""
    rows = await graph.query(_LIST, {**viewer, "requestId": request_id,
                                     "contractId": contract_id,
                                     "supplierId": supplier_id, "status": status,
                                     "today": today_utc()}, name="disclosure_requests")
    return [r["request"] for r in rows]


# Counts only requests made by the viewer or its consortium peers: the rest of the world's
# requests to this supplier (and how they ended) are not the viewer's to know.
ACCOUNTABILITY: LiteralString = lit(
    "UNWIND $ids AS sid "
    "OPTIONAL MATCH (r:DisclosureRequest {supplierId: sid}) "
    f"WHERE {by_peer('r')} AND {_ON_VISIBLE_CONTRACT} "
    f"WITH sid, r, {_EFFECTIVE} AS effective "
    "RETURN sid, count(r) AS received, "
    "count(CASE WHEN effective = 'ANSWERED' AND r.onTime THEN 1 END) AS answeredOnTime, "
    "count(CASE WHEN effective = 'ANSWERED' AND NOT r.onTime THEN 1 END) AS answeredLate, "
    "count(CASE WHEN effective = 'OVERDUE' THEN 1 END) AS overdue, "
    "count(CASE WHEN effective = 'DECLINED' THEN 1 END) AS declined, "
    "count(CASE WHEN effective = 'OPEN' THEN 1 END) AS open"
)


async def accountability(graph: Any, viewer: dict[str, Any],
                         supplier_ids: list[str]) -> list[dict[str, Any]]:
    """One row per supplier id, in order."""
    rows = await graph.query(ACCOUNTABILITY, {**viewer, "ids": supplier_ids,
                                              "today": today_utc()},
                             name="supplier_accountability")
    by_id = {r["sid"]: r for r in rows}
    return [by_id[s] for s in supplier_ids]
