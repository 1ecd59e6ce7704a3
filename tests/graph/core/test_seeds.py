"""Sample and generated data, against the real Neo4j: the sample's story on the story server
(which holds only the sample), and the scale generator on the scratch server."""

from __future__ import annotations

import hashlib
import json

import pytest

import seeds.shapes

from graph.core.db import Graph
from graph.core.ids import is_valid_site_id
from graph.core.migrate import migrate
from graph.core.model import RECORD_LABELS
from seeds import sample
from seeds.sample import load_sample
from seeds.scale import load_scale
from tests.support.database import wipe

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


# Every property of every node and relationship: what generated data must repeat exactly
# (benchmarks and tests name its ids and pin its figures).
# Bookkeeping is not data: the schema version, and the generation counter every load bumps so
# that stored exposures are rebuilt (graph/core/derived.py).
FULL_NODES = """
MATCH (n) WHERE NOT n:SchemaMigration AND NOT n:ExposureState
WITH n ORDER BY labels(n)[0], n.id
RETURN collect([labels(n), properties(n)]) AS rows
"""
FULL_RELS = """
MATCH (a)-[r]->(b)
WITH a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p ORDER BY a, t, b
RETURN collect([a, t, b, p]) AS rows
"""


async def _full_fingerprint(graph: Graph) -> str:
    rows = [(await graph.query(q))[0]["rows"] for q in (FULL_NODES, FULL_RELS)]
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()


async def _fingerprint(graph: Graph) -> str:
    rows = await graph.query(FINGERPRINT)
    return hashlib.sha256(json.dumps(rows[0]["rows"], default=str).encode()).hexdigest()


# ----- sample data -------------------------------------------------------------------------
async def test_sample_loaded_twice_leaves_the_same_graph(story_graph: Graph):
    counts_1 = await story_graph.query(COUNTS)
    print_1 = await _fingerprint(story_graph)
    await load_sample(story_graph)
    counts_2 = await story_graph.query(COUNTS)
    assert counts_1 == counts_2
    assert print_1 == await _fingerprint(story_graph)


async def test_sample_tells_the_story_a_buyer_recognises(story_graph: Graph):
    q = story_graph.query
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


async def test_every_record_has_an_owner_a_sharing_level_and_provenance(story_graph: Graph):
    for label in RECORD_LABELS:
        rows = await story_graph.query(
            "MATCH (n:$($label)) WHERE n.contributedBy IS NULL OR n.sharing IS NULL "
            "OR n.createdAt IS NULL OR n.source IS NULL OR NOT n.sharing IN "
            "['PUBLIC', 'CONSORTIUM', 'RESTRICTED', 'PRIVATE'] RETURN count(n) AS bad",
            {"label": label.value})
        assert rows[0]["bad"] == 0, label
    bad_ids = await story_graph.query("MATCH (s:ProductionSite) RETURN collect(s.id) AS ids")
    assert all(is_valid_site_id(i) for i in bad_ids[0]["ids"])


async def test_scale_seed_has_the_sample_shapes_and_is_deterministic(scratch_graph: Graph):
    await migrate(scratch_graph)
    await wipe(scratch_graph)
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
    first = await _full_fingerprint(scratch_graph)

    await wipe(scratch_graph)
    await load_scale(scratch_graph, sites=3000, random_seed=7, progress=False)
    assert await _full_fingerprint(scratch_graph) == first, "same seed, same graph"
    # Loading the same seed again on top changes nothing.
    await load_scale(scratch_graph, sites=3000, random_seed=7, progress=False)
    assert await _full_fingerprint(scratch_graph) == first

    await wipe(scratch_graph)
    await load_scale(scratch_graph, sites=3000, random_seed=8, progress=False)
    assert await _full_fingerprint(scratch_graph) != first


async def test_scale_seed_created_equals_the_seed_merged(scratch_graph: Graph,
                                                        monkeypatch: pytest.MonkeyPatch):
    """The seed CREATEs chunks whose ids are all new (graph/core/bulk.py): the graph must be
    the one MERGE makes, every node, relationship and property."""
    await migrate(scratch_graph)
    await wipe(scratch_graph)
    await load_scale(scratch_graph, sites=2000, random_seed=7, progress=False)
    created = await _full_fingerprint(scratch_graph)

    async def never_absent(*_: object) -> bool:
        return False

    monkeypatch.setattr(seeds.shapes, "absent", never_absent)
    await wipe(scratch_graph)
    await load_scale(scratch_graph, sites=2000, random_seed=7, progress=False)
    assert await _full_fingerprint(scratch_graph) == created
