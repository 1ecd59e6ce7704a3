"""State derived from the graph that writes must keep current (the stored exposure).

`myExposure` reads a per-organisation store of what its contracts reach
(graph/analytics/exposure_store.py). Two counters keep that store exact, each bumped in the
same transaction as the write that changes what it stands for:

- the **structure generation** (one `:ExposureState` node): bumped by any write that may
  change who reaches which site through what, or who sees which part of it: contracts,
  brands, suppliers and their links, a site's sharing or links, merges, memberships. A
  store built at an older generation is rebuilt before it is read.
- a site's **findings version** (`ProductionSite.findingsVersion`, with the time of the
  change on Neo4j's clock in `findingsChangedAt`, indexed): bumped by any write to a report
  or finding about the site. A stored order key (most severe, most recent) whose site's
  version has moved since is computed afresh at read time; the index finds those sites
  among the ones changed since the store was built (less a margin longer than any
  transaction may last), so that a read touches no other site.

Writes through the application (graph/core/records.py, sharing, merges, memberships, the
bulk loaders) bump them here, a report or its findings made with their links in the very
statement that makes them (`bump_in_link`); anything that writes Neo4j by other means (a
Cypher shell, a test fixture) must call `structure_changed_outside` after it, as after
restoring a backup.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, LiteralString

from graph.core.model import Label, Rel
from graph.core.visibility import lit

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph

# Records and links whose change may change a reach, a tier, a path or its visibility.
STRUCTURAL_LABELS = frozenset({Label.CONTRACT, Label.BRAND, Label.SUPPLIER,
                               Label.PRODUCTION_SITE, Label.ORGANISATION})
STRUCTURAL_RELS = frozenset({Rel.HOLDS, Rel.AWARDED_TO, Rel.COVERS, Rel.SOURCED_FROM,
                             Rel.PRODUCED_AT, Rel.SOURCES_FROM, Rel.OPERATES, Rel.MEMBER_OF,
                             Rel.SAME_AS})
# A site's own properties that the store depends on: who may see it and its country (a
# filter). Its name is read live, so renaming or correcting a site costs no rebuild.
SITE_STORED_PROPS = frozenset({"sharing", "sharedWith", "contributedBy", "countryCode"})
FINDING_LABELS = frozenset({Label.AUDIT_REPORT, Label.FINDING})

BUMP_STRUCTURE: LiteralString = (
    "MERGE (g:ExposureState {id: 'exposure'}) "
    "SET g.generation = coalesce(g.generation, 0) + 1"
)


def _new_findings_version(s: LiteralString) -> LiteralString:
    """The SET items that give site `s` a new findings version."""
    return lit(f"{s}.findingsVersion = coalesce({s}.findingsVersion, 0) + 1, "
               f"{s}.findingsChangedAt = timestamp()")


# One statement for any mix of sites, reports and findings: the UNION keeps each site once.
_BUMP_FINDINGS: LiteralString = lit(
    "CALL { UNWIND $sites AS sid MATCH (s:ProductionSite {id: sid}) RETURN s "
    "UNION UNWIND $reports AS rid "
    "MATCH (:AuditReport {id: rid})-[:ASSESSES]->(s:ProductionSite) RETURN s "
    "UNION UNWIND $findings AS fid "
    "MATCH (:Finding {id: fid})<-[:HAS_FINDING]-(:AuditReport)-[:ASSESSES]->(s:ProductionSite) "
    f"RETURN s }} SET {_new_findings_version('s')}"
)
_FINDINGS_KEY = {Label.PRODUCTION_SITE: "sites", Label.AUDIT_REPORT: "reports",
                 Label.FINDING: "findings"}


@dataclass
class _Pending:
    """The bumps a `batched` block has asked for so far."""

    structure: bool = False
    ids: dict[str, set[str]] = field(
        default_factory=lambda: {k: set() for k in _FINDINGS_KEY.values()})


_PENDING: ContextVar[_Pending | None] = ContextVar("derived_pending", default=None)


@asynccontextmanager
async def batched(tx: AsyncManagedTransaction) -> AsyncIterator[None]:
    """Within the block, the bumps of every write are gathered and made at its end, in at
    most two statements, inside the same transaction (a command of many writes, such as
    submitting a report with its findings, pays for one). They are resolved against the
    graph as the block leaves it: a site is bumped if the block's reports or findings are
    about it then. A block that raises bumps nothing; its transaction rolls back."""
    pending = _Pending()
    token = _PENDING.set(pending)
    try:
        yield
    finally:
        _PENDING.reset(token)
    if pending.structure:
        await tx.run(BUMP_STRUCTURE)
    if any(pending.ids.values()):
        await tx.run(_BUMP_FINDINGS, {k: list(v) for k, v in pending.ids.items()})


def structural_update(label: Label, props: Iterable[str]) -> bool:
    """Whether setting `props` on a record of `label` may change a stored exposure."""
    if label not in STRUCTURAL_LABELS:
        return False
    if label is Label.PRODUCTION_SITE:
        return not SITE_STORED_PROPS.isdisjoint(props)
    return True


async def structure_changed(tx: AsyncManagedTransaction) -> None:
    pending = _PENDING.get()
    if pending is not None:
        pending.structure = True
    else:
        await tx.run(BUMP_STRUCTURE)


async def findings_changed(tx: AsyncManagedTransaction, label: Label,
                           ids: Sequence[str]) -> None:
    """Reports or findings `ids` (or sites, for `label` ProductionSite) changed: the sites
    they are about get a new findings version."""
    if not ids:
        return
    pending = _PENDING.get()
    if pending is not None:
        pending.ids[_FINDINGS_KEY[label]].update(ids)
        return
    params: dict[str, list[str]] = {k: [] for k in _FINDINGS_KEY.values()}
    params[_FINDINGS_KEY[label]] = list(ids)
    await tx.run(_BUMP_FINDINGS, params)


async def after_record_write(tx: AsyncManagedTransaction, label: Label, ids: Sequence[str],
                             props: Iterable[str]) -> None:
    """What a create or update of records of `label` setting `props` bumps."""
    if structural_update(label, props):
        await structure_changed(tx)
    elif label in FINDING_LABELS:
        await findings_changed(tx, label, ids)


async def after_link(tx: AsyncManagedTransaction, rel: Rel,
                     pairs: Sequence[tuple[str, str]]) -> None:
    """What linking `pairs` (start id, end id) with `rel` bumps."""
    if rel in STRUCTURAL_RELS:
        await structure_changed(tx)
    elif rel is Rel.ASSESSES:
        await findings_changed(tx, Label.PRODUCTION_SITE, [b for _, b in pairs])
    elif rel is Rel.HAS_FINDING:
        await findings_changed(tx, Label.AUDIT_REPORT, [a for a, _ in pairs])


def bump_in_link(rel: Rel, other: Label, inbound: bool, var: LiteralString
                 ) -> LiteralString | None:
    """The bump that linking new records to record `var` (already matched) asks for, as
    Cypher for the linking statement itself, to run once before the records are made: a
    round trip less than `after_link` after it. For the links a report and its findings are
    made with: a report that ASSESSES site `var`, findings a report `var` HAS. None for any
    other link (`after_link` bumps those)."""
    if rel is Rel.ASSESSES and other is Label.PRODUCTION_SITE and not inbound:
        return lit(f"SET {_new_findings_version(var)} ")
    if rel is Rel.HAS_FINDING and other is Label.AUDIT_REPORT and inbound:
        return lit(f"CALL {{ WITH {var} MATCH ({var})-[:ASSESSES]->(s:ProductionSite) "
                   f"SET {_new_findings_version('s')} }} ")
    return None


async def structure_changed_outside(graph: Graph) -> None:
    """After writes that did not go through the application (bulk loads, a Cypher shell,
    test fixtures): every stored exposure is rebuilt before it is read again."""
    await graph.query(BUMP_STRUCTURE, write=True, name="exposure_invalidate")
