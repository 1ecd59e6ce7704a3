"""Graph.query's records are what the driver's own `Record.data()` gives (graph/core/db.py
reads them without its copying exporter): nodes, relationships and paths, at any depth in
maps and lists, temporal values, nulls and numbers alike. Against the real Neo4j."""

from __future__ import annotations

from graph.core.db import Graph

MIXED = (
    "MATCH p = (x:Supplier)-[r:OPERATES]->(s:ProductionSite) WITH p, s, r, x "
    "ORDER BY s.id LIMIT 3 "
    "RETURN s, r, x {.id, tags: [1, 'a', {n: s, rels: [r], deeper: [[x]]}]} AS m, "
    "[s, null, 2.5] AS l, date('2026-12-07') AS d, datetime('2026-12-07T10:00:00Z') AS t, "
    "1.5 AS f, null AS z, true AS b, p, [p] AS ps, {} AS empty, [] AS none"
)


async def test_any_statement_reads_as_record_data_would(sample_graph: Graph) -> None:
    rows = await sample_graph.query(MIXED)
    async with sample_graph.driver.session(database=sample_graph.database) as session:
        expected = [record.data() async for record in await session.run(MIXED)]
    assert len(rows) == 3
    assert rows == expected
    # nodes are property dicts at every depth, as Record.data() makes them
    assert rows[0]["m"]["tags"][2]["n"]["id"] == rows[0]["s"]["id"]
    assert isinstance(rows[0]["m"]["tags"][2]["deeper"][0][0], dict)
