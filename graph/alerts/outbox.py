"""The alert outbox: entries written in the same transaction as the change, leased by workers.

`enqueue_finding_alerts` runs inside a write's own managed transaction (submitReport,
updateFinding): for each HIGH or CRITICAL finding and each active webhook whose filter
(severity, categories) matches, it creates one `(:OutboxEntry)`. The change and its alerts
commit together or not at all. An entry holds references only (`payload` is the finding id and
the event), never the finding's data: the data is read when the entry is delivered, through
the visibility predicate **as the webhook's owner** (`RECIPIENT_VIEW`), so a member never
receives what it may not read at that moment; an entry whose finding it may not read (or that
is outside its exposure, for `onlyMyExposure`) is DROPPED without any request.

Leasing (`lease`) is one Cypher statement that locks each candidate (`SET e._lock`) before
re-reading its state, so two workers never lease the same entry at once (Neo4j reads are
read-committed; taking the write lock first makes the second reader see the first's
commit). Completion (`finish`) is conditional on the lease token: a worker whose lease
expired cannot overwrite a newer attempt. Timestamps for leases and retries are epoch
milliseconds from the worker's clock.

Statuses: PENDING -> DELIVERED | FAILED (after `webhook_max_attempts`) | DROPPED (not
readable by the recipient) | CANCELLED (webhook deleted).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.records import Then
from graph.core.visibility import all_visible, lit, peers_of, viewer_params, visible

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph

PENDING, DELIVERED, FAILED, DROPPED, CANCELLED = (
    "PENDING", "DELIVERED", "FAILED", "DROPPED", "CANCELLED")
ALERT_MIN_RANK = 3  # HIGH

FINDING_CREATED = "finding.created"
FINDING_UPDATED = "finding.updated"

# Finding `f`'s entries: one per matching active webhook.
_ENTRIES_OF_F: LiteralString = (
    "WHERE f.severityRank >= $minRank "
    "MATCH (w:Webhook {active: true}) "
    "WHERE w.minRank <= f.severityRank "
    "AND (size(coalesce(w.categories, [])) = 0 OR f.category IN w.categories) "
    "CREATE (e:OutboxEntry {id: 'DLV-' + randomUUID(), event: $event, webhookId: w.id, "
    "  owner: w.contributedBy, subjectId: f.id, "
    "  payload: '{\"event\": \"' + $event + '\", \"findingId\": \"' + f.id + '\"}', "
    "  createdAt: $now, status: 'PENDING', attempts: 0, leaseUntil: 0, "
    "  nextAttemptAt: $nowMs, causedBy: $org}) "
)
_ENQUEUE: LiteralString = (
    "UNWIND $findingIds AS fid MATCH (f:Finding {id: fid}) " + _ENTRIES_OF_F
    + "RETURN count(e) AS n"
)


def _params(event: str, now: str) -> dict[str, Any]:
    now_ms = int(datetime.fromisoformat(now.replace("Z", "+00:00")).timestamp() * 1000)
    return {"event": event, "nowMs": now_ms, "minRank": ALERT_MIN_RANK}


async def enqueue_finding_alerts(tx: AsyncManagedTransaction, *, finding_ids: list[str],
                                 event: str, now: str, org: str) -> int:
    """Inside the change's transaction: one entry per (alerting finding, matching webhook).
    Returns how many were written."""
    if not finding_ids:
        return 0
    row = await (await tx.run(_ENQUEUE, {"findingIds": finding_ids, "now": now, "org": org,
                                         **_params(event, now)})).single()
    return int(row["n"]) if row else 0


def alerts_of_new_findings(*, now: str) -> Then:
    """`enqueue_finding_alerts` for findings as `create_records` makes them, in the same
    statement (a round trip less): their entries are those it would write. `$now` and
    `$org` are the creating actor's."""
    return Then(lit("CALL { WITH n WITH n AS f " + _ENTRIES_OF_F + "} "),
                _params(FINDING_CREATED, now))


_FINDING_STATE: LiteralString = (
    "MATCH (f:Finding {id: $id}) RETURN f.status AS status, f.severityRank AS rank"
)


async def finding_state(tx: AsyncManagedTransaction, finding_id: str) -> dict[str, Any] | None:
    """The status and severity rank of a finding before a change (to alert on changes only)."""
    row = await (await tx.run(_FINDING_STATE, {"id": finding_id})).single()
    return dict(row) if row else None


# ----- leasing and completing -----------------------------------------------------------------
_LEASE: LiteralString = (
    "MATCH (e:OutboxEntry) "
    "WHERE e.status = 'PENDING' AND e.nextAttemptAt <= $nowMs AND e.leaseUntil < $nowMs "
    # The oldest due entries, shuffled, so concurrent workers rarely contend for the same.
    "WITH e ORDER BY e.nextAttemptAt, e.id LIMIT $limit * 4 "
    "WITH e ORDER BY rand() LIMIT $limit "
    # Take the write lock, then re-read: another worker may have leased it meanwhile.
    "SET e._lock = true "
    "WITH e, (e.status = 'PENDING' AND e.leaseUntil < $nowMs) AS free "
    "REMOVE e._lock "
    "WITH e WHERE free "
    "SET e.leaseUntil = $nowMs + $leaseMs, e.leaseOwner = $owner, "
    "e.leaseToken = $owner + ':' + randomUUID() "
    "RETURN e {.id, .event, .webhookId, .owner, .subjectId, .payload, .createdAt, "
    ".attempts, .leaseToken} AS entry"
)


async def lease(graph: Graph, *, owner: str, now_ms: int, lease_ms: int,
                limit: int) -> list[dict[str, Any]]:
    """Entries due now and not leased by anyone else, now leased by `owner`."""
    rows = await graph.query(_LEASE, {"owner": owner, "nowMs": now_ms, "leaseMs": lease_ms,
                                      "limit": limit}, write=True, name="outbox_lease")
    return [r["entry"] for r in rows]


_FINISH: LiteralString = (
    "MATCH (e:OutboxEntry {id: $id}) WHERE e.leaseToken = $token AND e.status = 'PENDING' "
    "SET e.status = $status, e.attempts = e.attempts + $attempted, e.leaseUntil = 0, "
    "e.nextAttemptAt = $nextAttemptAt, e.lastStatusCode = $statusCode, "
    "e.finishedAt = CASE WHEN $status = 'PENDING' THEN null ELSE $now END, "
    "e.dropReason = $dropReason "
    "FOREACH (_ IN CASE WHEN $attempted = 1 THEN [1] ELSE [] END | "
    "  CREATE (e)-[:ATTEMPT]->(:DeliveryAttempt {entryId: e.id, number: e.attempts, at: $now, "
    "    statusCode: $statusCode, error: $error, durationMs: $durationMs, worker: $worker})) "
    "RETURN e.id AS id"
)


async def finish(graph: Graph, entry: dict[str, Any], *, status: str, now: str,
                 attempted: bool, next_attempt_ms: int = 0, status_code: int | None = None,
                 error: str | None = None, duration_ms: int | None = None,
                 drop_reason: str | None = None, worker: str = "") -> bool:
    """Record the outcome of one lease; False when the lease was lost (nothing written)."""
    rows = await graph.query(_FINISH, {
        "id": entry["id"], "token": entry["leaseToken"], "status": status, "now": now,
        "attempted": 1 if attempted else 0, "nextAttemptAt": next_attempt_ms,
        "statusCode": status_code, "error": error, "durationMs": duration_ms,
        "dropReason": drop_reason, "worker": worker}, write=True, name="outbox_finish")
    return bool(rows)


# ----- what the recipient may read ------------------------------------------------------------
_WEBHOOK: LiteralString = lit(
    "MATCH (w:Webhook {id: $id}) "
    "OPTIONAL MATCH (o:Organisation {id: w.contributedBy}) "
    + peers_of("o")
    + "RETURN w {.id, .url, .secretEnc, .active, .onlyMyExposure, .contributedBy} AS webhook, "
    "peers"
)


async def webhook_for_delivery(graph: Graph, webhook_id: str) -> dict[str, Any] | None:
    """The webhook (with its encrypted secret) and its owner's visibility parameters: the
    owner's peers as the API computes them (`peers_of`)."""
    rows = await graph.query(_WEBHOOK, {"id": webhook_id}, name="outbox_webhook")
    if not rows:
        return None
    hook = rows[0]["webhook"]
    hook["viewer"] = viewer_params(hook["contributedBy"], rows[0]["peers"])
    return hook


# A site is in the owner's exposure when one of its contracts names it (SOURCED_FROM), or a
# contracted brand is produced there, or a contracted brand or supplier reaches, through at
# most five SOURCES_FROM tiers of suppliers it may see, a supplier operating it.
_EXPOSED = lit(
    "(EXISTS { MATCH (c:Contract {contributedBy: $viewerOrg})-[:SOURCED_FROM]->(s) } "
    "OR EXISTS { MATCH (c:Contract {contributedBy: $viewerOrg})-[:COVERS]->(b:Brand)"
    f"-[:PRODUCED_AT]->(s) WHERE {visible('b')} }} "
    "OR EXISTS { MATCH p = (c:Contract {contributedBy: $viewerOrg})-[:COVERS|AWARDED_TO]->"
    "(:Brand|Supplier)-[:SOURCES_FROM*0..5]->(:Supplier)-[:OPERATES]->(s) "
    f"WHERE {all_visible('nodes(p)[1..-1]', 'n')} }})"
)

RECIPIENT_VIEW: LiteralString = lit(
    "MATCH (f:Finding {id: $findingId})<-[:HAS_FINDING]-(r:AuditReport)"
    "-[:ASSESSES]->(s:ProductionSite) "
    f"WHERE {visible('f')} AND {visible('r')} AND {visible('s')} "
    "RETURN f {.id, .category, .severity, .status, .description, .dueDate, .schemeRating} "
    "  AS finding, "
    "r {.id, .kind, .title, .visitDate, .publishedAt, author: r.contributedBy} AS report, "
    "s {.id, .name, .countryCode, .city, .siteType} AS site, "
    f"(NOT $onlyMyExposure OR {_EXPOSED}) AS inScope "
    "LIMIT 1"
)


async def recipient_view(graph: Graph, viewer: dict[str, Any], *, finding_id: str,
                         only_my_exposure: bool) -> tuple[dict[str, Any] | None, str | None]:
    """(the alert's data as the recipient may read it, None) or (None, why it is dropped)."""
    rows = await graph.query(RECIPIENT_VIEW, {**viewer, "findingId": finding_id,
                                              "onlyMyExposure": only_my_exposure},
                             name="outbox_recipient_view")
    if not rows:
        return None, "the recipient may not read the finding"
    if not rows[0]["inScope"]:
        return None, "the finding's site is not in the recipient's exposure"
    return {k: rows[0][k] for k in ("finding", "report", "site")}, None


def reference(entry: dict[str, Any]) -> dict[str, Any]:
    return json.loads(entry["payload"]) if entry.get("payload") else {}


_COUNTS: LiteralString = (
    "MATCH (e:OutboxEntry) RETURN e.status AS status, count(*) AS n"
)


async def counts(graph: Graph) -> dict[str, int]:
    rows = await graph.query(_COUNTS, name="outbox_counts")
    return {r["status"]: r["n"] for r in rows}
