"""Batched, idempotent writes of nodes and relationships (`UNWIND $rows`).

Loading the same rows twice leaves the same graph: nodes are MERGEd on `id` and their
properties replaced; relationships are MERGEd between the two ids and their properties
replaced. Labels and types come from the model's enums through `_node_query` and
`_rel_query`, the one place where they enter query text.
"""

from __future__ import annotations

from functools import cache
from typing import Any, LiteralString, cast

from graph.core.db import Graph
from graph.core.model import Label, Rel


@cache
def _node_query(label: Label) -> LiteralString:
    name = Label(label).value  # only the model's labels get here
    query = (
        "UNWIND $rows AS row "
        f"MERGE (n:{name} {{id: row.props.id}}) "
        "SET n = row.props "
        "SET n.location = CASE WHEN row.lat IS NULL THEN null "
        "ELSE point({latitude: row.lat, longitude: row.lon}) END "
        "RETURN count(n) AS n"
    )
    return cast(LiteralString, query)


@cache
def _rel_query(start: Label, rel: Rel, end: Label) -> LiteralString:
    a, t, b = Label(start).value, Rel(rel).value, Label(end).value
    query = (
        "UNWIND $rows AS row "
        f"MATCH (a:{a} {{id: row.start}}) "
        f"MATCH (b:{b} {{id: row.end}}) "
        f"MERGE (a)-[r:{t}]->(b) "
        "SET r = row.props "
        "RETURN count(r) AS n"
    )
    return cast(LiteralString, query)


async def write_nodes(graph: Graph, label: Label, rows: list[dict[str, Any]]) -> int:
    """Each row: the node's properties; sites may carry `lat`/`lon` for `location`."""
    payload = []
    for row in rows:
        props = {k: v for k, v in row.items() if k not in ("lat", "lon") and v is not None}
        payload.append({"props": props, "lat": row.get("lat"), "lon": row.get("lon")})
    out = await graph.query(_node_query(label), {"rows": payload}, write=True, name="bulk_nodes")
    return int(out[0]["n"]) if out else 0


async def write_rels(graph: Graph, start: Label, rel: Rel, end: Label,
                     rows: list[tuple[str, str, dict[str, Any]]]) -> int:
    """Each row: (start id, end id, relationship properties)."""
    payload = [{"start": s, "end": e, "props": p} for s, e, p in rows]
    out = await graph.query(_rel_query(start, rel, end), {"rows": payload}, write=True,
                            name="bulk_rels")
    return int(out[0]["n"]) if out else 0
