"""Writes: records, links, sharing and merges, each inside the caller's managed transaction.

Every function takes the transaction (`graph.write(fn)` gives one) and an `Actor`, checks
ownership inside that same transaction, and raises `WriteRejected` to roll everything back:
a mutation either writes all it says or nothing. Who may change a record:
- its owner (`contributedBy`) or an operator;
- a record the actor may not see is reported as NOT_FOUND, never FORBIDDEN, so that a
  refusal reveals nothing; a visible record of another organisation is FORBIDDEN.

Provenance: records get `contributedBy`, `createdAt`, `updatedAt`, `source`, and the OAuth
client (`createdByClient`, `updatedByClient`, `updatedBy`); relationships get
`contributedBy`, `createdAt`, `source`, `client`. Each write appends a `:Version`
(`graph.core.history`).

Labels and relationship types reach query text only from the model's enums, through the
cached builders below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.history import INITIAL, record_version
from graph.core.model import Label, Rel
from graph.core.visibility import lit, visible

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction


@dataclass(frozen=True)
class FieldError:
    """One reason a write was refused: a code, a message and the input path."""

    code: str
    message: str
    path: tuple[str | int, ...] = ()


class WriteRejected(Exception):
    """Raised inside a write transaction to roll it back with these errors."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)

    @classmethod
    def one(cls, code: str, message: str, path: Sequence[str | int] = ()) -> WriteRejected:
        return cls([FieldError(code, message, tuple(path))])


NOT_FOUND = "NOT_FOUND"
FORBIDDEN = "FORBIDDEN"
BAD_USER_INPUT = "BAD_USER_INPUT"
CONFLICT = "CONFLICT"


@dataclass(frozen=True)
class Actor:
    """Who writes: the organisation, its OAuth client, its peers, and the source text."""

    org: str
    client: str
    peers: tuple[str, ...] = ()
    operator: bool = False
    source: str = "supplygraph API"
    now: str = field(default_factory=lambda: now_iso())

    def params(self) -> dict[str, Any]:
        return {"viewerOrg": self.org, "viewerPeers": sorted(set(self.peers) | {self.org}),
                "org": self.org, "client": self.client, "source": self.source,
                "now": self.now, "operator": self.operator}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ----- query builders (labels from the model only) -------------------------------------------
@cache
def _access(label: Label) -> LiteralString:
    name = lit(Label(label).value)
    return lit(
        f"UNWIND $ids AS key OPTIONAL MATCH (n:{name} {{id: key}}) "
        f"RETURN key, n IS NOT NULL AS exists, n.contributedBy AS owner, "
        f"coalesce({visible('n')}, false) AS visible"
    )


@cache
def _create(label: Label) -> LiteralString:
    name = lit(Label(label).value)
    return lit(
        f"CREATE (n:{name}) SET n = $props, n.contributedBy = $org, n.createdAt = $now, "
        "n.updatedAt = $now, n.source = $source, n.createdByClient = $client, "
        "n.updatedByClient = $client, n.updatedBy = $org "
        "SET n.location = CASE WHEN $lat IS NULL THEN null "
        "ELSE point({latitude: $lat, longitude: $lon}) END "
        "RETURN n.id AS id"
    )


@cache
def _update(label: Label) -> LiteralString:
    name = lit(Label(label).value)
    return lit(
        f"MATCH (n:{name} {{id: $id}}) SET n += $props, n.updatedAt = $now, "
        "n.updatedByClient = $client, n.updatedBy = $org, "
        "n.source = coalesce($explicitSource, n.source) "
        "FOREACH (_ IN CASE WHEN $setLocation THEN [1] ELSE [] END | "
        "  SET n.location = CASE WHEN $lat IS NULL THEN null "
        "  ELSE point({latitude: $lat, longitude: $lon}) END) "
        "RETURN n.id AS id"
    )


@cache
def _link(start: Label, rel: Rel, end: Label) -> LiteralString:
    a, t, b = lit(Label(start).value), lit(Rel(rel).value), lit(Label(end).value)
    return lit(
        f"MATCH (a:{a} {{id: $start}}) MATCH (b:{b} {{id: $end}}) "
        f"MERGE (a)-[r:{t}]->(b) "
        "ON CREATE SET r.contributedBy = $org, r.createdAt = $now, r.source = $source, "
        "r.client = $client "
        "SET r += $props, r.updatedAt = $now "
        "RETURN count(r) AS n"
    )


# ----- access checks ----------------------------------------------------------------------------
async def access(tx: AsyncManagedTransaction, label: Label, ids: Sequence[str],
                 actor: Actor) -> dict[str, dict[str, Any]]:
    result = await tx.run(_access(label), {"ids": list(ids), **actor.params()})
    return {r["key"]: dict(r) for r in await result.data()}


def _what(label: Label) -> str:
    return {Label.PRODUCTION_SITE: "production site", Label.AUDIT_REPORT: "report",
            Label.REMEDIATION_ACTION: "remediation action"}.get(label, label.value.lower())


async def require_visible(tx: AsyncManagedTransaction, label: Label,
                          ids: Sequence[tuple[str, Sequence[str | int]]],
                          actor: Actor) -> None:
    """Every (id, input path) must name a record the actor may see; else NOT_FOUND each."""
    if not ids:
        return
    found = await access(tx, label, [i for i, _ in ids], actor)
    errors = [FieldError(NOT_FOUND, f"no {_what(label)} with id {i!r}", tuple(path))
              for i, path in ids
              if not found[i]["exists"] or not (found[i]["visible"] or actor.operator)]
    if errors:
        raise WriteRejected(errors)


async def require_owned(tx: AsyncManagedTransaction, label: Label, record_id: str,
                        actor: Actor, path: Sequence[str | int]) -> None:
    """The record exists, is visible, and the actor owns it (or is an operator)."""
    row = (await access(tx, label, [record_id], actor))[record_id]
    if not row["exists"] or not (row["visible"] or actor.operator):
        raise WriteRejected.one(NOT_FOUND, f"no {_what(label)} with id {record_id!r}", path)
    if row["owner"] != actor.org and not actor.operator:
        raise WriteRejected.one(
            FORBIDDEN, f"only the organisation that contributed this {_what(label)} "
                       "(or an operator) may change it", path)


# ----- records ----------------------------------------------------------------------------------
def _split_location(props: dict[str, Any]) -> tuple[dict[str, Any], Any, Any, bool]:
    props = dict(props)
    has = "latitude" in props or "longitude" in props
    lat, lon = props.pop("latitude", None), props.pop("longitude", None)
    return props, lat, lon, has


async def create_record(tx: AsyncManagedTransaction, label: Label, props: dict[str, Any],
                        actor: Actor, *, note: str | None = None) -> str:
    """A new record owned by the actor; `props` must carry its `id`."""
    clean, lat, lon, _ = _split_location({k: v for k, v in props.items() if v is not None})
    result = await tx.run(_create(label), {"props": clean, "lat": lat, "lon": lon,
                                           **actor.params()})
    record = await result.single()
    assert record is not None
    await record_version(tx, label, record["id"], actor, change="CREATE", note=note)
    return str(record["id"])


async def update_record(tx: AsyncManagedTransaction, label: Label, record_id: str,
                        props: dict[str, Any], actor: Actor, *, change: str = "UPDATE",
                        note: str | None = None, source: str | None = None) -> None:
    """Set the given properties (None removes one) and append a version. Ownership must
    have been checked (`require_owned`) in the same transaction."""
    await record_version(tx, label, record_id, actor, change=INITIAL, only_if_none=True)
    clean, lat, lon, has_location = _split_location(props)
    await tx.run(_update(label), {"id": record_id, "props": clean, "lat": lat, "lon": lon,
                                  "setLocation": has_location, "explicitSource": source,
                                  **actor.params()})
    await record_version(tx, label, record_id, actor, change=change, note=note)


async def link(tx: AsyncManagedTransaction, start: Label, start_id: str, rel: Rel, end: Label,
               end_id: str, actor: Actor, props: dict[str, Any] | None = None) -> None:
    await tx.run(_link(start, rel, end), {"start": start_id, "end": end_id,
                                          "props": props or {}, **actor.params()})


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
    await require_owned(tx, label, record_id, actor, ["id"])
    if allowed is not None and label not in allowed:
        raise WriteRejected.one(FORBIDDEN, f"changing the sharing of a {_what(label)} needs "
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


# ----- merging sites ----------------------------------------------------------------------------
# Every relationship type a site takes part in, by direction. After moving these, the
# duplicate must have no relationship left but its history and SAME_AS: else the merge
# aborts, so nothing is ever lost to a type this list does not know.
_SITE_IN: tuple[tuple[Rel, Label], ...] = (
    (Rel.OPERATES, Label.SUPPLIER), (Rel.PRODUCED_AT, Label.BRAND),
    (Rel.SOURCED_FROM, Label.CONTRACT), (Rel.ASSESSES, Label.AUDIT_REPORT),
)
_SITE_OUT: tuple[tuple[Rel, Label], ...] = ((Rel.MAKES, Label.PRODUCT_CATEGORY),)

MERGED_LABEL = "MergedProductionSite"


@cache
def _move_in(rel: Rel, other: Label) -> LiteralString:
    t, o = lit(Rel(rel).value), lit(Label(other).value)
    return lit(
        f"MATCH (d:ProductionSite {{id: $dup}})<-[r:{t}]-(x:{o}) "
        "MATCH (k:ProductionSite {id: $keep}) "
        f"MERGE (x)-[r2:{t}]->(k) SET r2 += properties(r) "
        "SET r2.movedFrom = $dup, r2.movedAt = $now "
        "DELETE r RETURN count(*) AS n"
    )


@cache
def _move_out(rel: Rel, other: Label) -> LiteralString:
    t, o = lit(Rel(rel).value), lit(Label(other).value)
    return lit(
        f"MATCH (d:ProductionSite {{id: $dup}})-[r:{t}]->(x:{o}) "
        "MATCH (k:ProductionSite {id: $keep}) "
        f"MERGE (k)-[r2:{t}]->(x) SET r2 += properties(r) "
        "SET r2.movedFrom = $dup, r2.movedAt = $now "
        "DELETE r RETURN count(*) AS n"
    )


_LEFTOVER: LiteralString = (
    "MATCH (d:ProductionSite {id: $dup})-[r]-() "
    "WHERE NOT type(r) IN ['HAS_VERSION', 'SAME_AS'] RETURN collect(DISTINCT type(r)) AS types"
)
_FINISH_MERGE: LiteralString = (
    "MATCH (d:ProductionSite {id: $dup}) MATCH (k:ProductionSite {id: $keep}) "
    # Earlier duplicates of the duplicate now point at the kept site: chains stay one long.
    "OPTIONAL MATCH (older)-[old:SAME_AS]->(d) "
    "FOREACH (_ IN CASE WHEN older IS NULL THEN [] ELSE [1] END | "
    "  MERGE (older)-[moved:SAME_AS]->(k) SET moved += properties(old) "
    "  DELETE old) "
    "WITH DISTINCT d, k "
    "MERGE (d)-[s:SAME_AS]->(k) SET s.mergedAt = $now, s.mergedBy = $org, s.client = $client "
    "SET k.aliases = [a IN coalesce(k.aliases, []) + [d.name] + coalesce(d.aliases, []) "
    "  WHERE a <> k.name], "
    "    k.mergedIds = coalesce(k.mergedIds, []) + [d.id] + coalesce(d.mergedIds, []) "
    "SET k.aliases = reduce(acc = [], a IN k.aliases | "
    "  CASE WHEN a IN acc THEN acc ELSE acc + [a] END) "
    "SET k.aliasesText = reduce(t = '', a IN k.aliases | "
    "  CASE WHEN t = '' THEN a ELSE t + ' | ' + a END) "
    "SET d.mergedInto = k.id, d.mergedAt = $now "
    "REMOVE d:ProductionSite SET d:MergedProductionSite "
    "RETURN k.id AS id"
)


async def merge_sites(tx: AsyncManagedTransaction, keep: str, duplicates: Sequence[str],
                      actor: Actor) -> int:
    """Move every relationship of each duplicate to `keep`, link it with SAME_AS, and keep
    it (relabelled `MergedProductionSite`, out of lists and searches) for history and for
    its id to resolve. Returns how many relationships moved."""
    if not actor.operator:
        raise WriteRejected.one(FORBIDDEN, "only an operator may merge sites", [])
    if keep in duplicates:
        raise WriteRejected.one(BAD_USER_INPUT, "the kept site cannot also be a duplicate",
                                ["duplicateIds"])
    await require_visible(tx, Label.PRODUCTION_SITE,
                          [(keep, ["keepId"]), *((d, ["duplicateIds", i])
                                                 for i, d in enumerate(duplicates))], actor)
    moved = 0
    await record_version(tx, Label.PRODUCTION_SITE, keep, actor, change=INITIAL,
                         only_if_none=True)
    for i, dup in enumerate(duplicates):
        await record_version(tx, Label.PRODUCTION_SITE, dup, actor, change=INITIAL,
                             only_if_none=True)
        params = {"dup": dup, "keep": keep, **actor.params()}
        for rel, other in _SITE_IN:
            moved += (await (await tx.run(_move_in(rel, other), params)).single() or {"n": 0})["n"]
        for rel, other in _SITE_OUT:
            moved += (await (await tx.run(_move_out(rel, other), params)).single()
                      or {"n": 0})["n"]
        left = await (await tx.run(_LEFTOVER, params)).single()
        if left and left["types"]:
            raise WriteRejected.one(
                CONFLICT, f"site {dup!r} has relationships a merge does not know how to move: "
                          f"{', '.join(left['types'])}", ["duplicateIds", i])
        await record_version(tx, Label.PRODUCTION_SITE, dup, actor, change="MERGED_INTO",
                             note=f"merged into {keep}")
        await tx.run(_FINISH_MERGE, params)
    await record_version(tx, Label.PRODUCTION_SITE, keep, actor, change="MERGE",
                         note="merged " + ", ".join(duplicates))
    await tx.run("MATCH (k:ProductionSite {id: $keep}) SET k.updatedAt = $now, "
                 "k.updatedBy = $org, k.updatedByClient = $client",
                 {"keep": keep, **actor.params()})
    return moved


MERGED_TARGET: LiteralString = (
    "UNWIND $ids AS key MATCH (:MergedProductionSite {id: key})-[:SAME_AS]->(k:ProductionSite) "
    "RETURN key, k.id AS target"
)
