"""Changing who may see a record (`setSharing`): one command for every kind of record.

A report's findings and remediation actions follow the report's sharing (they are read
through it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, LiteralString

from graph.core.errors import FORBIDDEN, NOT_FOUND, WriteRejected
from graph.core.model import Label
from graph.core.records import Actor, access, require_owned, update_record, what

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

# ----- sharing ----------------------------------------------------------------------------------
SHARING_LABELS = (Label.PRODUCTION_SITE, Label.BRAND, Label.SUPPLIER, Label.CONTRACT,
                  Label.AUDIT_REPORT, Label.FINDING, Label.REMEDIATION_ACTION)

# The write scope each label's sharing needs (scope names as plain text: graph/ does not
# import auth/).
SHARING_SCOPE = {
    Label.PRODUCTION_SITE: "sites:write", Label.BRAND: "sites:write",
    Label.SUPPLIER: "sites:write", Label.CONTRACT: "contracts:write",
    Label.AUDIT_REPORT: "reports:write", Label.FINDING: "reports:write",
    Label.REMEDIATION_ACTION: "reports:write",
}

_FIND_LABEL: LiteralString = (
    "MATCH (n {id: $id}) WHERE n:ProductionSite OR n:Brand OR n:Supplier OR n:Contract "
    "OR n:AuditReport OR n:Finding OR n:RemediationAction "
    "RETURN [l IN labels(n) WHERE l IN $labels][0] AS label LIMIT 1"
)

# A report's findings and their actions are read through the report: they follow its sharing.
_REPORT_PARTS: LiteralString = (
    "MATCH (:AuditReport {id: $id})-[:HAS_FINDING]->(f:Finding) "
    "OPTIONAL MATCH (f)-[:REMEDIATED_BY]->(a:RemediationAction) "
    "RETURN collect(DISTINCT f.id) AS findings, collect(DISTINCT a.id) AS actions"
)


async def set_sharing(tx: AsyncManagedTransaction, record_id: str, sharing: str,
                      shared_with: list[str], actor: Actor,
                      allowed: dict[Label, str] | None = None) -> str:
    """Returns the record's label; a report's findings and actions follow it. `allowed`
    maps the labels the caller's scopes may write to; any other label is FORBIDDEN (after
    the ownership check, so that nothing is revealed about records it may not see)."""
    result = await tx.run(_FIND_LABEL, {"id": record_id,
                                        "labels": [lbl.value for lbl in SHARING_LABELS]})
    row = await result.single()
    if row is None or row["label"] is None:
        raise WriteRejected.one(NOT_FOUND, f"no record with id {record_id!r}", ["id"])
    label = Label(row["label"])
    # A record the actor may not see is answered as an unknown one, word for word: the label
    # found above must not show through the message.
    found = (await access(tx, label, [record_id], actor))[record_id]
    if not (found["visible"] or actor.operator):
        raise WriteRejected.one(NOT_FOUND, f"no record with id {record_id!r}", ["id"])
    await require_owned(tx, label, record_id, actor, ["id"])
    if allowed is not None and label not in allowed:
        raise WriteRejected.one(FORBIDDEN, f"changing the sharing of a {what(label)} needs "
                                           f"the {SHARING_SCOPE[label]} scope", ["id"])
    props = {"sharing": sharing, "sharedWith": shared_with}
    await update_record(tx, label, record_id, props, actor, change="SHARING")
    if label is Label.AUDIT_REPORT:
        parts = await (await tx.run(_REPORT_PARTS, {"id": record_id})).single()
        assert parts is not None
        for fid in parts["findings"]:
            await update_record(tx, Label.FINDING, fid, props, actor, change="SHARING")
        for aid in parts["actions"]:
            await update_record(tx, Label.REMEDIATION_ACTION, aid, props, actor,
                                change="SHARING")
    return label.value


