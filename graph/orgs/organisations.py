"""Organisations and consortium membership.

An organisation belongs to consortia through `(o)-[:MEMBER_OF]->(c:Organisation
{kind: 'CONSORTIUM'})`. Organisations are PUBLIC records (every authenticated caller may
see that they exist); their provenance is the operator who registered them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, LiteralString

from graph.core import derived
from graph.core.db import Graph
from graph.core.ids import new_id
from graph.core.model import OrganisationKind


class OrganisationError(ValueError):
    """An organisation cannot be created as asked (unknown consortium, duplicate id, ...)."""


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    kind: str
    country_code: str | None
    consortia: tuple[str, ...]


CREATE_ORGANISATION: LiteralString = """
CREATE (o:Organisation {
  id: $id, name: $name, kind: $kind, countryCode: $countryCode,
  contributedBy: $contributedBy, sharing: 'PUBLIC',
  createdAt: $now, updatedAt: $now, source: $source
})
WITH o
UNWIND $consortia AS cid
MATCH (c:Organisation {id: cid, kind: 'CONSORTIUM'})
MERGE (o)-[:MEMBER_OF]->(c)
RETURN count(c) AS linked
"""

FIND_CONSORTIA: LiteralString = """
UNWIND $ids AS cid
OPTIONAL MATCH (c:Organisation {id: cid})
RETURN cid AS id, c.kind AS kind
"""

ORGANISATION_EXISTS: LiteralString = """
OPTIONAL MATCH (o:Organisation {id: $id})
RETURN o IS NOT NULL AS exists, o.kind AS kind, o.name AS name
"""

LIST_ORGANISATIONS: LiteralString = """
MATCH (o:Organisation)
OPTIONAL MATCH (o)-[:MEMBER_OF]->(c:Organisation {kind: 'CONSORTIUM'})
WITH o, c ORDER BY c.id
RETURN o.id AS id, o.name AS name, o.kind AS kind, o.countryCode AS countryCode,
       [x IN collect(c.id) WHERE x IS NOT NULL] AS consortia
ORDER BY o.id
"""


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def create_organisation(graph: Graph, *, name: str, kind: str,
                              consortia: list[str] | None = None,
                              country_code: str | None = None, org_id: str | None = None,
                              contributed_by: str | None = None,
                              source: str = "cli") -> Organisation:
    """Create an organisation; raises `OrganisationError` for an unknown kind or consortium."""
    try:
        kind = OrganisationKind(kind.upper()).value
    except ValueError:
        allowed = ", ".join(k.value for k in OrganisationKind)
        raise OrganisationError(f"unknown organisation kind {kind!r} (one of {allowed})") from None
    if not name.strip():
        raise OrganisationError("an organisation needs a name")
    consortia = list(dict.fromkeys(consortia or []))
    if consortia:
        rows = await graph.query(FIND_CONSORTIA, {"ids": consortia}, name="find_consortia")
        for row in rows:
            if row["kind"] is None:
                raise OrganisationError(f"unknown consortium {row['id']!r}")
            if row["kind"] != OrganisationKind.CONSORTIUM.value:
                raise OrganisationError(f"{row['id']!r} is a {row['kind']}, not a CONSORTIUM")
    org_id = org_id or new_id("ORG")
    if (await organisation_info(graph, org_id=org_id)) is not None:
        raise OrganisationError(f"organisation {org_id!r} already exists")
    await graph.query(CREATE_ORGANISATION, {
        "id": org_id, "name": name.strip(), "kind": kind,
        "countryCode": country_code.upper() if country_code else None,
        "contributedBy": contributed_by or org_id, "now": _now(), "source": source,
        "consortia": consortia,
    }, write=True, name="create_organisation")
    if consortia:
        # New members are new peers of every member: what each sees may change.
        await derived.structure_changed_outside(graph)
    return Organisation(org_id, name.strip(), kind,
                        country_code.upper() if country_code else None, tuple(consortia))


async def organisation_info(graph: Graph, *, org_id: str) -> dict[str, Any] | None:
    rows = await graph.query(ORGANISATION_EXISTS, {"id": org_id}, name="organisation_exists")
    if not rows or not rows[0]["exists"]:
        return None
    return {"id": org_id, "kind": rows[0]["kind"], "name": rows[0]["name"]}


async def list_organisations(graph: Graph) -> list[Organisation]:
    rows = await graph.query(LIST_ORGANISATIONS, name="list_organisations")
    return [Organisation(r["id"], r["name"], r["kind"], r["countryCode"],
                         tuple(r["consortia"])) for r in rows]
