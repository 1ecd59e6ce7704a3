"""Finding brands and suppliers the viewer may see: by id, by exact name, by identifier."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.model import Label
from graph.core.records import Actor, access
from graph.core.visibility import lit, visible

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph

FIND_BY_NAME: LiteralString = lit(
    "UNWIND $names AS name "
    "CALL (name) { "
    f"  MATCH (n:Brand) WHERE toLower(n.name) = toLower(name) AND {visible('n')} "
    "  RETURN n, 'Brand' AS label "
    "  UNION "
    f"  MATCH (n:Supplier) WHERE toLower(n.name) = toLower(name) AND {visible('n')} "
    "  RETURN n, 'Supplier' AS label } "
    "WITH name, n, label ORDER BY n.id "
    "RETURN name, collect({id: n.id, label: label}) AS found"
)

# A contract's supplier as OCDS names it: by identifier, else by exact name.
SUPPLIER_BY_KEY: LiteralString = lit(
    "MATCH (s:Supplier) WHERE ($sid IS NOT NULL AND $sid IN coalesce(s.identifiers, [])) "
    "OR toLower(s.name) = toLower($name) "
    f"WITH s WHERE {visible('s')} "
    "RETURN s.id AS id ORDER BY s.id LIMIT 1"
)


@dataclass
class Lookups:
    """Brand and supplier cells resolved to visible records: value -> (label, id)."""

    found: dict[str, tuple[str, str]] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)


async def resolve_companies(graph: Graph, actor: Actor, values: set[str]) -> Lookups:
    """Each value, an id (BRD-..., SUP-...) or an exact name, resolved to a brand or
    supplier the actor may see; a name that fits several is ambiguous."""
    out = Lookups()
    ids = [x for x in values if x.startswith(("BRD-", "SUP-"))]
    names = [x for x in values if x not in ids]
    for label, prefix in ((Label.BRAND, "BRD-"), (Label.SUPPLIER, "SUP-")):
        wanted = [i for i in ids if i.startswith(prefix)]
        if wanted:
            async def check(tx: AsyncManagedTransaction, lbl: Label = label,
                            w: list[str] = wanted) -> dict[str, dict[str, Any]]:
                return await access(tx, lbl, w, actor)

            for key, row in (await graph.read(check)).items():
                if row["exists"] and (row["visible"] or actor.operator):
                    out.found[key] = (label.value, key)
    if names:
        rows = await graph.query(FIND_BY_NAME, {"names": names, **actor.params()},
                                 name="import_names")
        for r in rows:
            if len(r["found"]) == 1:
                out.found[r["name"]] = (r["found"][0]["label"], r["found"][0]["id"])
            elif len(r["found"]) > 1:
                out.ambiguous.add(r["name"])
    return out


async def supplier_by_key(tx: AsyncManagedTransaction, actor: Actor, *,
                          identifier: str | None, name: str) -> str | None:
    """A visible supplier with this identifier or exact name (the lowest id), if any."""
    row = await (await tx.run(SUPPLIER_BY_KEY, {"sid": identifier, "name": name or "\x00",
                                                **actor.params()})).single()
    return row["id"] if row else None
