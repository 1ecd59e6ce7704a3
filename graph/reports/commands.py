"""Report use cases, shared by every entry point: submit a report with its findings (the API's
`submitReport` and `supplygraph import reports` alike), update a finding's status, add a
remediation action. HIGH and CRITICAL findings enqueue alerts in the same transaction
(graph/alerts/outbox.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, LiteralString

from graph.alerts import outbox
from graph.core.ids import new_id
from graph.core.model import Label, Rel, Sharing
from graph.core.records import (
    Actor,
    Attach,
    check_orgs,
    create_records,
    link,
    new_row,
    require_owned,
    require_visible,
    update_record,
)

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction


async def check_report(tx: AsyncManagedTransaction, actor: Actor, *, site_id: str,
                       report: dict[str, Any], path: Sequence[str | int] = ("input",)) -> None:
    """What `submit_report` checks (a dry run checks only this): the site is visible to the
    actor, the organisations named exist."""
    await require_visible(tx, Label.PRODUCTION_SITE, [(site_id, [*path, "siteId"])], actor)
    await _check_named_orgs(tx, actor, report=report, path=path)


async def _check_named_orgs(tx: AsyncManagedTransaction, actor: Actor, *,
                            report: dict[str, Any], path: Sequence[str | int]) -> None:
    await check_orgs(tx, actor, report.get("sharedWith") or [], [*path, "sharedWith"])
    await check_orgs(tx, actor, report.get("sensitiveReaders") or [],
                     [*path, "sensitiveReaders"])


async def submit_report(tx: AsyncManagedTransaction, actor: Actor, *, site_id: str,
                        report: dict[str, Any], findings: Sequence[dict[str, Any]],
                        path: Sequence[str | int] = ("input",)) -> tuple[str, list[str]]:
    """A report on a site the actor may see, with its findings (which follow the report's
    sharing). `report` and `findings` are validated properties (graph.reports.fields),
    the report's with `sharing` and `sharedWith`. Returns (report id, finding ids). The
    checks are `check_report`'s; the site's is made by the report's own CREATE."""
    await _check_named_orgs(tx, actor, report=report, path=path)
    rid = new_id("RPT")
    sharing = {"sharing": report.get("sharing") or Sharing.PUBLIC.value,
               "sharedWith": report.get("sharedWith") or []}
    # Two statements, not one per record, link and bump: the report's (which also checks
    # the site and gives it a new findings version) and the findings' (which also write
    # their alerts): the mutation buyers' procurement systems and monitors call most.
    await create_records(tx, Label.AUDIT_REPORT, [new_row({
        **report, "id": rid, "publishedAt": report.get("publishedAt") or actor.now,
        "findingCount": len(findings)})], actor, attach=[
        Attach(Rel.ASSESSES, Label.PRODUCTION_SITE, site_id, visible_at=(*path, "siteId")),
        Attach(Rel.AUTHORED, Label.ORGANISATION, actor.org, inbound=True)])
    finding_ids = await create_records(tx, Label.FINDING, [new_row({
        **f, **sharing, "id": new_id("FND"), "visitDate": report.get("visitDate")})
        for f in findings], actor,
        attach=[Attach(Rel.HAS_FINDING, Label.AUDIT_REPORT, rid, inbound=True)],
        then=outbox.alerts_of_new_findings(now=actor.now))
    return rid, finding_ids


async def update_finding_status(tx: AsyncManagedTransaction, actor: Actor, finding_id: str,
                                *, status: str, note: str | None) -> None:
    """A new status (and note) by the finding's author; a changed status alerts."""
    await require_owned(tx, Label.FINDING, finding_id, actor, ["input", "id"])
    before = await outbox.finding_state(tx, finding_id)
    props: dict[str, Any] = {"status": status}
    if note is not None:
        props["statusNote"] = note
    await update_record(tx, Label.FINDING, finding_id, props, actor, change="STATUS", note=note)
    if before is not None and before["status"] != status:
        await outbox.enqueue_finding_alerts(tx, finding_ids=[finding_id],
                                            event=outbox.FINDING_UPDATED, now=actor.now,
                                            org=actor.org)


_FINDING_SHARING: LiteralString = (
    "MATCH (f:Finding {id: $id}) RETURN f.sharing AS sharing, f.sharedWith AS sharedWith"
)


async def add_remediation_action(tx: AsyncManagedTransaction, actor: Actor, finding_id: str,
                                 props: dict[str, Any]) -> str:
    """An action on the actor's finding; it follows the finding's sharing."""
    await require_owned(tx, Label.FINDING, finding_id, actor, ["input", "findingId"])
    row = await (await tx.run(_FINDING_SHARING, {"id": finding_id})).single()
    assert row is not None
    aid = (await create_records(tx, Label.REMEDIATION_ACTION, [new_row({
        **props, "id": new_id("RMA"), "sharing": row["sharing"] or Sharing.PUBLIC.value,
        "sharedWith": row["sharedWith"] or []})], actor))[0]
    await link(tx, Label.FINDING, finding_id, Rel.REMEDIATED_BY, Label.REMEDIATION_ACTION, aid,
               actor)
    await update_record(tx, Label.FINDING, finding_id, {}, actor, change="REMEDIATION",
                        note=f"remediation action {aid} added")
    return aid
