"""Schema, sample data and generated data, against the real Neo4j."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from neo4j.exceptions import ConstraintError

from graph.core.db import Graph
from graph.core.ids import _B32, check_character, is_valid_site_id, new_site_id
from graph.core.migrate import CONSTRAINTS, INDEXES, is_migrated, migrate
from graph.core.model import RECORD_LABELS, Label
from seeds import sample
from seeds.sample import load_sample
from seeds.scale import load_scale
from supplygraph.settings import Settings
from tests.support.cli import run_cli

COUNTS = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN nodes, rels
"""
FINGERPRINT = """
MATCH (n) WHERE n.id IS NOT NULL
WITH n ORDER BY labels(n)[0], n.id
RETURN collect([labels(n)[0], n.id, n.name, n.valueAmount, n.severity, n.updatedAt]) AS rows
"""


async def _fingerprint(graph: Graph) -> str:
    rows = await graph.query(FINGERPRINT)
    return hashlib.sha256(json.dumps(rows[0]["rows"], default=str).encode()).hexdigest()


async def _wipe(graph: Graph) -> None:
    # CALL ... IN TRANSACTIONS needs an auto-commit transaction.
    async with graph.driver.session(database=graph.database) as session:
        result = await session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        await result.consume()


async def _drop_schema(graph: Graph) -> None:
    # Test-only: names come from the server, not from input.
    for row in await graph.query("SHOW CONSTRAINTS YIELD name RETURN name"):
        await graph.query(f"DROP CONSTRAINT {row['name']}", write=True)  # type: ignore[arg-type]
    for row in await graph.query(
            "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name"):
        await graph.query(f"DROP INDEX {row['name']}", write=True)  # type: ignore[arg-type]


# ----- site ids ----------------------------------------------------------------------------
def test_site_id_has_the_documented_shape():
    sid = new_site_id("CN")
    assert len(sid) == 15 and sid[:2] == "CN" and is_valid_site_id(sid)


@given(st.sampled_from(["CN", "VN", "MY", "TH", "PH", "MX", "CZ", "IN"]),
       st.integers(min_value=0, max_value=14), st.sampled_from(list("0123456789ABCDEFGHJKMNPQRSTVWXYZ")))
def test_a_mistyped_character_in_a_site_id_is_caught(cc: str, pos: int, ch: str):
    sid = new_site_id(cc)
    typo = sid[:pos] + ch + sid[pos + 1:]
    if typo != sid:
        assert not is_valid_site_id(typo)


@given(st.integers(min_value=2, max_value=13))
def test_swapped_neighbours_in_a_site_id_are_caught(pos: int):
    sid = new_site_id("VN")
    swapped = sid[:pos] + sid[pos + 1] + sid[pos] + sid[pos + 2:]
    if swapped != sid:
        assert not is_valid_site_id(swapped)


def test_check_character_matches_the_sample_constants():
    for sid in (sample.SITE_KUNSHAN, sample.SITE_TINFIELD, sample.SITE_RED_DELTA):
        assert check_character(sid[:-1]) == sid[-1]
        assert all(c in _B32 for c in sid[9:14])


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


# ----- sample data -------------------------------------------------------------------------
async def test_sample_loaded_twice_leaves_the_same_graph(sample_graph: Graph):
    counts_1 = await sample_graph.query(COUNTS)
    print_1 = await _fingerprint(sample_graph)
    await load_sample(sample_graph)
    counts_2 = await sample_graph.query(COUNTS)
    assert counts_1 == counts_2
    assert print_1 == await _fingerprint(sample_graph)


async def test_sample_tells_the_story_a_buyer_recognises(sample_graph: Graph):
    q = sample_graph.query
    sites = (await q("MATCH (s:ProductionSite) RETURN count(s) AS n, "
                     "collect(DISTINCT s.countryCode) AS cc, collect(DISTINCT s.siteType) AS t"))[0]
    assert 90 <= sites["n"] <= 110
    assert set(sites["cc"]) == {"CN", "VN", "MY", "TH", "PH", "MX", "CZ", "IN"}
    assert len(sites["t"]) >= 5
    consortia = await q("MATCH (m:Organisation)-[:MEMBER_OF]->(c:Organisation {kind: 'CONSORTIUM'}) "
                        "RETURN c.id AS c, count(m) AS members")
    assert len(consortia) == 2 and all(r["members"] >= 3 for r in consortia)
    kinds = await q("MATCH (r:AuditReport) RETURN collect(DISTINCT r.kind) AS k")
    assert len(kinds[0]["k"]) == 6
    sharing = await q("MATCH (c:Contract) RETURN c.sharing AS s, count(*) AS n")
    by = {r["s"]: r["n"] for r in sharing}
    assert by["CONSORTIUM"] > by["PRIVATE"] >= 1 and all(
        r["n"] > 0 for r in sharing)
    # Three tiers: Corvid -> Jadeport -> Silverbay -> Tinfield, which operates the smelter.
    path = await q("MATCH (:Brand {id: 'BRD-CORVID'})-[:SOURCES_FROM*3]->(s:Supplier)"
                   "-[:OPERATES]->(site:ProductionSite {id: $site}) RETURN count(*) AS n",
                   {"site": sample.SITE_TINFIELD})
    assert path[0]["n"] >= 1
    # The clean audit that worker-driven monitoring contradicts.
    story = await q(
        "MATCH (a:AuditReport {kind: 'SOCIAL_AUDIT'})-[:ASSESSES]->(s:ProductionSite {id: $site})"
        "<-[:ASSESSES]-(w:AuditReport {kind: 'WORKER_DRIVEN_MONITORING'})"
        "-[:HAS_FINDING]->(f:Finding {category: 'FORCED_LABOUR', status: 'OPEN'}) "
        "WHERE NOT (a)-[:HAS_FINDING]->() AND a.visitDate < w.visitDate RETURN count(*) AS n",
        {"site": sample.SITE_KUNSHAN})
    assert story[0]["n"] == 1
    severities = await q("MATCH (f:Finding) RETURN collect(DISTINCT f.severity) AS s, "
                         "collect(DISTINCT f.status) AS st, collect(DISTINCT f.category) AS c")
    assert len(severities[0]["s"]) == 4 and len(severities[0]["st"]) == 4
    assert len(severities[0]["c"]) >= 10


async def test_every_record_has_an_owner_a_sharing_level_and_provenance(sample_graph: Graph):
    for label in RECORD_LABELS:
        rows = await sample_graph.query(
            "MATCH (n:$($label)) WHERE n.contributedBy IS NULL OR n.sharing IS NULL "
            "OR n.createdAt IS NULL OR n.source IS NULL OR NOT n.sharing IN "
            "['PUBLIC', 'CONSORTIUM', 'RESTRICTED', 'PRIVATE'] RETURN count(n) AS bad",
            {"label": label.value})
        assert rows[0]["bad"] == 0, label
    bad_ids = await sample_graph.query("MATCH (s:ProductionSite) RETURN collect(s.id) AS ids")
    assert all(is_valid_site_id(i) for i in bad_ids[0]["ids"])


# ----- generated data ----------------------------------------------------------------------
async def test_seed_on_an_unmigrated_database_migrates_first(scratch_settings: Settings,
                                                             scratch_graph: Graph):
    await _wipe(scratch_graph)
    await _drop_schema(scratch_graph)
    assert not await is_migrated(scratch_graph)
    out = run_cli(scratch_settings, "seed", "--sample")
    assert out.returncode == 0, out.stderr
    assert "migrating first" in out.stderr
    assert await is_migrated(scratch_graph)


async def test_scale_seed_has_the_sample_shapes_and_is_deterministic(scratch_graph: Graph):
    await migrate(scratch_graph)
    await _wipe(scratch_graph)
    result = await load_scale(scratch_graph, sites=3000, random_seed=7, progress=False)
    assert result["sites"] == 3000 and result["sites_per_second"] > 0
    q = scratch_graph.query
    shape = (await q(
        "MATCH (s:ProductionSite) "
        "RETURN count(s) AS sites, count { MATCH (s) WHERE NOT ()-[:OPERATES]->(s) } AS orphan, "
        "collect(DISTINCT s.countryCode) AS cc, collect(DISTINCT s.sharing) AS sharing"))[0]
    assert shape["sites"] == 3000 and shape["orphan"] == 0
    assert set(shape["cc"]) == {"CN", "VN", "MY", "TH", "PH", "MX", "CZ", "IN"}
    assert {"PUBLIC", "CONSORTIUM", "PRIVATE"} <= set(shape["sharing"])
    tiers = await q("MATCH p = (:Brand)-[:SOURCES_FROM*3]->(:Supplier) RETURN count(p) > 0 AS ok")
    assert tiers[0]["ok"]
    kinds = await q("MATCH (r:AuditReport) RETURN count(DISTINCT r.kind) AS k, count(r) AS n")
    assert kinds[0]["k"] == 6 and kinds[0]["n"] > 1000
    contracts = await q("MATCH (o:Organisation)-[:HOLDS]->(c:Contract)-[:AWARDED_TO]->(:Supplier) "
                        "RETURN count(c) AS n")
    assert contracts[0]["n"] == 300
    first = await _fingerprint(scratch_graph)

    await _wipe(scratch_graph)
    await load_scale(scratch_graph, sites=3000, random_seed=7, progress=False)
    assert await _fingerprint(scratch_graph) == first, "same seed, same graph"
    # Loading the same seed again on top changes nothing.
    await load_scale(scratch_graph, sites=3000, random_seed=7, progress=False)
    assert await _fingerprint(scratch_graph) == first

    await _wipe(scratch_graph)
    await load_scale(scratch_graph, sites=3000, random_seed=8, progress=False)
    assert await _fingerprint(scratch_graph) != first


def test_seed_refuses_a_nonsense_scale(scratch_settings: Settings):
    for bad in ("0", "-5", "2000000"):
        out = run_cli(scratch_settings, "seed", "--scale", bad)
        assert out.returncode != 0
        assert out.stderr.startswith("supplygraph: seed: --scale")
