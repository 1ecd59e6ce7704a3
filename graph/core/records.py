"""Records: create, update and link, each inside the caller's managed transaction.

Every command of graph/<domain>/commands.py writes through these functions, so that
provenance and history are spelled once. Each takes the transaction (`graph.write(fn)` gives
one) and an `Actor`, and raises `WriteRejected` (graph/core/errors.py) to roll everything
back: a command either writes all it says or nothing. Who may change a record:
- its owner (`contributedBy`) or an operator;
- a record the actor may not see is reported as NOT_FOUND, never FORBIDDEN, so that a
  refusal reveals nothing; a visible record of another organisation is FORBIDDEN.

Provenance: records get `contributedBy`, `createdAt`, `updatedAt`, `source`, and the OAuth
client (`createdByClient`, `updatedByClient`, `updatedBy`); relationships get
`contributedBy`, `createdAt`, `source`, `client`. Each write appends a `:Version`
(`graph.core.history`); a created record gets its first version in the same statement.

Labels and relationship types reach query text only from the model's enums, through the
cached builders below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core import derived
from graph.core.errors import CONFLICT, FORBIDDEN, NOT_FOUND, FieldError, WriteRejected
from graph.core.history import INITIAL, record_version
from graph.core.model import Label, Rel
from graph.core.visibility import lit, viewer_params, visible_as

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction


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
        return {**viewer_params(self.org, self.peers, operator=self.operator),
                "org": self.org, "client": self.client, "source": self.source,
                "now": self.now, "operator": self.operator}


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ----- query builders (labels from the model only) -------------------------------------------
@cache
def _access(label: Label) -> LiteralString:
    # visible_as, not visible: a report, finding or action on a site the actor may not see
    # is refused as an unknown id, even to its own author, as the reads answer it.
    name = lit(Label(label).value)
    return lit(
        f"UNWIND $ids AS key OPTIONAL MATCH (n:{name} {{id: key}}) "
        f"RETURN key, n IS NOT NULL AS exists, n.contributedBy AS owner, "
        f"coalesce({visible_as(label, 'n')}, false) AS visible"
    )


def _link_provenance(r: str) -> str:
    """Who recorded link `r`: spelled once for links made by `link_many` and by
    `create_records`."""
    return f"{r}.contributedBy = $org, {r}.createdAt = $now, {r}.source = $source, " \
           f"{r}.client = $client"


@cache
def _create(label: Label, attach: tuple[tuple[Rel, Label, bool, bool], ...] = (),
            then: LiteralString = "") -> LiteralString:
    """Creates `$rows` ({props, lat, lon, note}) with provenance and each its first version;
    with `attach` ((rel, other label, inbound, checked), ...), links each to the records
    `$attach` names, matched first, so that a missing one (or, when checked, one the actor
    may not see, as `require_visible` decides) creates nothing, and makes the bumps those
    links ask for (`derived.bump_in_link`); then runs `then` for each new record `n`."""
    name = lit(Label(label).value)
    ends = lit("".join(
        f"MATCH (o{i}:{lit(Label(other).value)} {{id: $attach[{i}]}}) "
        + (f"WHERE ($operator OR coalesce({visible_as(other, f'o{i}')}, false)) "
           if checked else "")
        for i, (_, other, _, checked) in enumerate(attach)))
    bumps = lit("".join(b for i, (rel, other, inbound, _) in enumerate(attach)
                        if (b := derived.bump_in_link(rel, other, inbound, lit(f"o{i}")))))
    if bumps:
        bumps = lit(bumps + "WITH * ")
    if then:
        then = lit("WITH * " + then)
    links = lit("".join(
        (f"CREATE (o{i})-[r{i}:{lit(Rel(rel).value)}]->(n) " if inbound
         else f"CREATE (n)-[r{i}:{lit(Rel(rel).value)}]->(o{i}) ")
        + f"SET {_link_provenance(f'r{i}')}, r{i}.updatedAt = $now "
        for i, (rel, _, inbound, _) in enumerate(attach)))
    return lit(
        f"{ends}{bumps}UNWIND $rows AS row CREATE (n:{name}) SET n = row.props, "
        "n.contributedBy = $org, "
        "n.createdAt = $now, n.updatedAt = $now, n.source = $source, "
        "n.createdByClient = $client, n.updatedByClient = $client, n.updatedBy = $org "
        "SET n.location = CASE WHEN row.lat IS NULL THEN null "
        "ELSE point({latitude: row.lat, longitude: row.lon}) END "
        "CREATE (n)-[:HAS_VERSION]->(v:Version) "
        f"SET v += properties(n), v.recordId = n.id, v.recordLabel = '{name}', "
        "v.versionNumber = 1, v.versionId = n.id + '@1', v.change = 'CREATE', "
        "v.versionAt = $now, v.versionBy = $org, v.versionClient = $client, "
        f"v.versionSource = $source, v.versionNote = row.note {links}{then}"
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
    """Links `$links` ({start, end, props}); a link made twice is one relationship."""
    a, t, b = lit(Label(start).value), lit(Rel(rel).value), lit(Label(end).value)
    return lit(
        f"UNWIND $links AS l MATCH (a:{a} {{id: l.start}}) MATCH (b:{b} {{id: l.end}}) "
        f"MERGE (a)-[r:{t}]->(b) "
        f"ON CREATE SET {_link_provenance('r')} "
        # Properties of a link belong to whoever recorded it: another organisation's link
        # keeps its own (they may be confidential volumes and prices).
        "SET r += CASE WHEN r.contributedBy = $org THEN coalesce(l.props, {}) ELSE {} END, "
        "r.updatedAt = $now "
        "RETURN count(r) AS n"
    )


@cache
def _link_contributor(start: Label, rel: Rel, end: Label) -> LiteralString:
    a, t, b = lit(Label(start).value), lit(Rel(rel).value), lit(Label(end).value)
    return lit(
        f"OPTIONAL MATCH (:{a} {{id: $start}})-[r:{t}]->(:{b} {{id: $end}}) "
        "RETURN r.contributedBy AS owner LIMIT 1"
    )


# ----- access checks ----------------------------------------------------------------------------
async def access(tx: AsyncManagedTransaction, label: Label, ids: Sequence[str],
                 actor: Actor) -> dict[str, dict[str, Any]]:
    result = await tx.run(_access(label), {"ids": list(ids), **actor.params()})
    return {r["key"]: dict(r) for r in await result.data()}


def what(label: Label) -> str:
    """The record kind as error messages name it."""
    return {Label.PRODUCTION_SITE: "production site", Label.AUDIT_REPORT: "report",
            Label.REMEDIATION_ACTION: "remediation action"}.get(label, label.value.lower())


async def require_visible(tx: AsyncManagedTransaction, label: Label,
                          ids: Sequence[tuple[str, Sequence[str | int]]],
                          actor: Actor) -> None:
    """Every (id, input path) must name a record the actor may see; else NOT_FOUND each."""
    if not ids:
        return
    found = await access(tx, label, [i for i, _ in ids], actor)
    errors = [FieldError(NOT_FOUND, f"no {what(label)} with id {i!r}", tuple(path))
              for i, path in ids
              if not found[i]["exists"] or not (found[i]["visible"] or actor.operator)]
    if errors:
        raise WriteRejected(errors)


async def require_owned(tx: AsyncManagedTransaction, label: Label, record_id: str,
                        actor: Actor, path: Sequence[str | int]) -> None:
    """The record exists, is visible, and the actor owns it (or is an operator)."""
    row = (await access(tx, label, [record_id], actor))[record_id]
    if not row["exists"] or not (row["visible"] or actor.operator):
        raise WriteRejected.one(NOT_FOUND, f"no {what(label)} with id {record_id!r}", path)
    if row["owner"] != actor.org and not actor.operator:
        raise WriteRejected.one(
            FORBIDDEN, f"only the organisation that contributed this {what(label)} "
                       "(or an operator) may change it", path)


async def check_orgs(tx: AsyncManagedTransaction, actor: Actor, ids: Sequence[str],
                     path: Sequence[str | int]) -> None:
    """Organisations named for sharing or reading must exist (every organisation is
    visible)."""
    await require_visible(tx, Label.ORGANISATION,
                          [(o, [*path, i]) for i, o in enumerate(ids)], actor)


# ----- records ----------------------------------------------------------------------------------
def _split_location(props: dict[str, Any]) -> tuple[dict[str, Any], Any, Any, bool]:
    props = dict(props)
    has = "latitude" in props or "longitude" in props
    lat, lon = props.pop("latitude", None), props.pop("longitude", None)
    return props, lat, lon, has


def new_row(props: dict[str, Any], note: str | None = None) -> dict[str, Any]:
    """One record for `create_records`: its properties (with `id`; None values dropped;
    `latitude`/`longitude` become the point `location`)."""
    clean, lat, lon, _ = _split_location({k: v for k, v in props.items() if v is not None})
    return {"props": clean, "lat": lat, "lon": lon, "note": note}


@dataclass(frozen=True)
class Attach:
    """A link from every record `create_records` makes to one existing record, made in the
    same statement: `(new)-[rel]->(other)`, or `(other)-[rel]->(new)` when `inbound`."""

    rel: Rel
    other: Label
    other_id: str
    inbound: bool = False
    # The input path naming `other_id`, when the actor must be able to see it: checked in
    # the same statement as `require_visible` checks it (NOT_FOUND at this path, nothing
    # created), instead of a statement of its own before.
    visible_at: tuple[str | int, ...] | None = None


@dataclass(frozen=True)
class Then:
    """What `create_records` writes for each new record `n` in its own statement, after the
    record is made and linked: a unit subquery (`CALL { WITH n ... }`) with its parameters,
    such as the alerts a new finding raises (graph/alerts/outbox.py)."""

    cypher: LiteralString
    params: dict[str, Any] = field(default_factory=dict)


async def create_records(tx: AsyncManagedTransaction, label: Label,
                         rows: Sequence[dict[str, Any]], actor: Actor,
                         attach: Sequence[Attach] = (), then: Then | None = None) -> list[str]:
    """New records owned by the actor, each with its first version (and its `attach`
    links, with provenance, and what `then` writes for it), in one statement. `rows` are
    `new_row(...)` values. The attached records must exist; their visibility is the
    caller's to check first, or this statement's for those with `visible_at`."""
    if not rows:
        return []
    shape = tuple((a.rel, a.other, a.inbound, a.visible_at is not None) for a in attach)
    result = await tx.run(_create(label, shape, then.cypher if then else ""), {
        **(then.params if then else {}),
        "rows": list(rows), "attach": [a.other_id for a in attach], **actor.params()})
    ids = [str(r["id"]) for r in await result.data()]
    if len(ids) < len(rows):
        # Nothing was created. A checked record the actor may not see (or that does not
        # exist) is NOT_FOUND at its path, worded as `require_visible` words it; otherwise an
        # attached record was deleted since the caller checked it.
        for a in attach:
            if a.visible_at is not None:
                await require_visible(tx, a.other, [(a.other_id, a.visible_at)], actor)
        raise WriteRejected.one(CONFLICT, "a record this one links to was deleted meanwhile; "
                                          "nothing was written, try again")
    for a in attach:
        if derived.bump_in_link(a.rel, a.other, a.inbound, "o") is None:
            await derived.after_link(tx, a.rel, [(a.other_id, i) if a.inbound
                                                 else (i, a.other_id) for i in ids])
    return ids


async def create_record(tx: AsyncManagedTransaction, label: Label, props: dict[str, Any],
                        actor: Actor, *, note: str | None = None) -> str:
    """A new record owned by the actor; `props` must carry its `id`."""
    return (await create_records(tx, label, [new_row(props, note)], actor))[0]


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
    await derived.after_record_write(tx, label, [record_id], props)


async def link_many(tx: AsyncManagedTransaction, start: Label, rel: Rel, end: Label,
                    pairs: Sequence[tuple[str, str]], actor: Actor,
                    props: dict[str, Any] | None = None) -> None:
    """`(start id)-[rel]->(end id)` for each pair, with provenance, in one statement."""
    if pairs:
        await tx.run(_link(start, rel, end), {
            "links": [{"start": a, "end": b, "props": props or {}} for a, b in pairs],
            **actor.params()})
        await derived.after_link(tx, rel, pairs)


async def link_contributor(tx: AsyncManagedTransaction, start: Label, start_id: str, rel: Rel,
                           end: Label, end_id: str) -> str | None:
    """The organisation that recorded this link, or None when there is none."""
    row = await (await tx.run(_link_contributor(start, rel, end),
                              {"start": start_id, "end": end_id})).single()
    return row["owner"] if row else None


async def link(tx: AsyncManagedTransaction, start: Label, start_id: str, rel: Rel, end: Label,
               end_id: str, actor: Actor, props: dict[str, Any] | None = None) -> None:
    await link_many(tx, start, rel, end, [(start_id, end_id)], actor, props)
