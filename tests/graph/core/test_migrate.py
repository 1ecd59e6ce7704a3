"""Migrations (graph.core.migrate) against the real Neo4j: idempotent, and the constraints hold."""

from __future__ import annotations

import pytest
from neo4j.exceptions import ConstraintError

from graph.core.db import Graph
from graph.core.migrate import CONSTRAINTS, INDEXES, is_migrated, migrate
from graph.core.model import Label
from seeds import sample


# ----- migrations --------------------------------------------------------------------------
async def test_migrate_twice_leaves_the_same_schema(sample_graph: Graph):
    before = await sample_graph.query("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS c")
    await migrate(sample_graph)
    await migrate(sample_graph)
    after = await sample_graph.query("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS c")
    assert sorted(before[0]["c"]) == sorted(after[0]["c"])
    assert len(after[0]["c"]) == len(CONSTRAINTS)
    idx = await sample_graph.query(
        "SHOW INDEXES YIELD name, type, state WHERE type IN ['RANGE', 'FULLTEXT'] "
        "AND NOT name ENDS WITH '_id' AND NOT name IN ['revoked_token_jti'] "
        "RETURN collect(name) AS names, collect(DISTINCT state) AS states")
    assert set(idx[0]["names"]) >= {"site_country", "site_type", "finding_status",
                                     "finding_severity", "contract_buyer", "site_text",
                                     "company_text"}
    assert idx[0]["states"] == ["ONLINE"]
    assert await is_migrated(sample_graph)
    assert len(INDEXES) >= 10


async def test_constraint_rejects_a_second_site_with_the_same_id(sample_graph: Graph):
    with pytest.raises(ConstraintError):
        await sample_graph.query("CREATE (:ProductionSite {id: $id, name: 'Duplicate'})",
                                 {"id": sample.SITE_KUNSHAN}, write=True)
    for label in (Label.CONTRACT, Label.ORGANISATION):
        with pytest.raises(ConstraintError):
            await sample_graph.query(
                "MATCH (n) WHERE $label IN labels(n) WITH n LIMIT 1 "
                "CALL (n) { CREATE (m:$($label) {id: n.id}) }",
                {"label": label.value}, write=True)


async def test_migrate_gives_a_batch_committed_before_version_9_its_rows_outcomes(
        sample_graph: Graph):
    # given a batch as an importer before version 9 committed it: its rows, no outcomes
    key = "sites:ORG-MIGRATE-9:2:cafe:0"
    await sample_graph.query(
        "CREATE (:ImportBatch {key: $key, run: 'sites:ORG-MIGRATE-9:2:cafe', number: 0, "
        "org: 'ORG-MIGRATE-9', results: $results})",
        {"key": key, "results": '[{"row": 2, "outcome": "CREATED"}, '
                                '{"row": 3, "outcome": "REJECTED"}]'}, write=True)
    # when the schema is migrated (twice: safe to run again)
    await migrate(sample_graph)
    await migrate(sample_graph)
    # then it has them, in row order, as a batch written since keeps them
    rows = await sample_graph.query("MATCH (b:ImportBatch {key: $key}) RETURN b.outcomes AS o",
                                    {"key": key})
    assert rows[0]["o"] == ["CREATED", "REJECTED"]
