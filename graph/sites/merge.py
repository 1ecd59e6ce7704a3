"""Merging duplicate production sites (`mergeProductionSites`, operators only)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core import derived
from graph.core.errors import BAD_USER_INPUT, CONFLICT, FORBIDDEN, WriteRejected
from graph.core.history import INITIAL, record_version
from graph.core.model import Label, Rel
from graph.core.records import Actor, require_visible
from graph.core.visibility import lit, visible

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

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


# The duplicate leaves every stored exposure (graph/core/derived.py): those are rebuilt.
_DROP_EXPOSED: LiteralString = (
    "MATCH (:ProductionSite {id: $dup})<-[e:EXPOSED]-(:Organisation) DELETE e")

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
    await _require_no_narrower(tx, keep, duplicates)
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
        await tx.run(_DROP_EXPOSED, params)
        left = await (await tx.run(_LEFTOVER, params)).single()
        if left and left["types"]:
            raise WriteRejected.one(
                CONFLICT, f"site {dup!r} has relationships a merge does not know how to move: "
                          f"{', '.join(left['types'])}", ["duplicateIds", i])
        await record_version(tx, Label.PRODUCTION_SITE, dup, actor, change="MERGED_INTO",
                             note=f"merged into {keep}")
        await tx.run(_FINISH_MERGE, params)
    await derived.structure_changed(tx)
    await record_version(tx, Label.PRODUCTION_SITE, keep, actor, change="MERGE",
                         note="merged " + ", ".join(duplicates))
    await tx.run("MATCH (k:ProductionSite {id: $keep}) SET k.updatedAt = $now, "
                 "k.updatedBy = $org, k.updatedByClient = $client",
                 {"keep": keep, **actor.params()})
    return moved


# A merged duplicate's id resolves (to the kept site) only for those who could see it.
MERGED_TARGET: LiteralString = lit(
    "UNWIND $ids AS key MATCH (d:MergedProductionSite {id: key})-[:SAME_AS]->(k:ProductionSite) "
    f"WHERE {visible('d')} RETURN key, k.id AS target"
)

_SHARING: LiteralString = (
    "UNWIND $ids AS key MATCH (n:ProductionSite {id: key}) "
    "RETURN key, n.sharing AS sharing, coalesce(n.sharedWith, []) AS sharedWith, "
    "n.contributedBy AS owner"
)


def _seen_by_all_who_see(dup: dict[str, Any], keep: dict[str, Any]) -> bool:
    """Everyone who may see `keep` may see `dup` too (so merging shows nobody anything new)."""
    if dup["sharing"] in (None, "PUBLIC"):
        return True
    if dup["owner"] != keep["owner"]:
        return False
    if keep["sharing"] == "PRIVATE":
        return True
    if dup["sharing"] == keep["sharing"] == "CONSORTIUM":
        return True
    return (dup["sharing"] == keep["sharing"] == "RESTRICTED"
            and set(keep["sharedWith"]) <= set(dup["sharedWith"]))


async def _require_no_narrower(tx: AsyncManagedTransaction, keep: str,
                               duplicates: Sequence[str]) -> None:
    """A merge puts a duplicate's name and aliases on the kept site and makes its id resolve
    there: a duplicate shared more narrowly than the kept site would be published to those
    who may see the kept site only. Such a merge is refused (CONFLICT); widen the duplicate's
    sharing first, or keep both."""
    rows = await (await tx.run(_SHARING, {"ids": [keep, *duplicates]})).data()
    by_id = {r["key"]: r for r in rows}
    for i, dup in enumerate(duplicates):
        if not _seen_by_all_who_see(by_id[dup], by_id[keep]):
            raise WriteRejected.one(
                CONFLICT, "a duplicate shared more narrowly than the kept site cannot be "
                          "merged into it (its names would reach organisations that may not "
                          "see it): widen its sharing first, or keep both", ["duplicateIds", i])
