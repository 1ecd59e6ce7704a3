"""A relation marked `site_on_path` (graph/core/nodes.py) checks its targets with `visible`
alone, because its path joins each target to a site its parent's check proves visible. For
every such relation, every actor and every parent (the sample's, what other tests added, and
records made here to be awkward: a public report on a private site, a report about two
sites, a finding shared more widely than its report, an action under a hidden finding), the
targets are exactly those of its fully checked twin (`visible_as`, the site walked again).
Against the real Neo4j."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from auth.scopes import Scope
from graph.core import nodes as rel
from graph.core.derived import structure_changed_outside
from graph.core.db import Graph
from graph.core.model import Label
from graph.core.visibility import viewer_params
from graph.reports.fields import FINDING_SHAPE, REMEDIATION_SHAPE, REPORT_SHAPE
from seeds import sample as s
from tests.support.reads import viewer_for

ON_PATH = [r for r in vars(rel).values() if isinstance(r, rel.Relation) and r.site_on_path]
SHAPES = {Label.AUDIT_REPORT: REPORT_SHAPE, Label.FINDING: FINDING_SHAPE,
          Label.REMEDIATION_ACTION: REMEDIATION_SHAPE}
ACTORS = [s.OPERATOR, s.NW_HEALTH, s.NW_CITY, s.LK_UNI, s.LK_TECH, s.MONITOR_WORKERS,
          s.AUDITOR, s.CIVITAS]

AWKWARD = """
MATCH (a:ProductionSite) WHERE a.sharing = 'PUBLIC' WITH a ORDER BY a.id LIMIT 1
CREATE (hidden:ProductionSite {id: 'SOP-SITE-PRIVATE', name: 'Hidden works', sharing: 'PRIVATE',
  sharedWith: [], contributedBy: $owner, countryCode: 'VN'})
CREATE (r1:AuditReport {id: 'SOP-RPT-ON-HIDDEN', title: 'public on private', sharing: 'PUBLIC',
  sharedWith: [], contributedBy: $monitor})-[:ASSESSES]->(hidden)
CREATE (r2:AuditReport {id: 'SOP-RPT-TWO-SITES', title: 'about two', sharing: 'PUBLIC',
  sharedWith: [], contributedBy: $monitor})-[:ASSESSES]->(hidden)
CREATE (r2)-[:ASSESSES]->(a)
CREATE (r3:AuditReport {id: 'SOP-RPT-CONSORTIUM', title: 'consortium', sharing: 'CONSORTIUM',
  sharedWith: [], contributedBy: $owner})-[:ASSESSES]->(a)
CREATE (r1)-[:HAS_FINDING]->(:Finding {id: 'SOP-FND-1', category: 'WAGES', status: 'OPEN',
  sharing: 'PUBLIC', sharedWith: [], contributedBy: $monitor})
CREATE (r2)-[:HAS_FINDING]->(f2:Finding {id: 'SOP-FND-2', category: 'WAGES', status: 'OPEN',
  sharing: 'PUBLIC', sharedWith: [], contributedBy: $monitor})
CREATE (r3)-[:HAS_FINDING]->(f3:Finding {id: 'SOP-FND-3', category: 'WAGES', status: 'OPEN',
  sharing: 'PUBLIC', sharedWith: [], contributedBy: $owner})
CREATE (r3)-[:HAS_FINDING]->(f4:Finding {id: 'SOP-FND-4', category: 'WAGES', status: 'OPEN',
  sharing: 'RESTRICTED', sharedWith: [$peer], contributedBy: $owner})
CREATE (f2)-[:REMEDIATED_BY]->(:RemediationAction {id: 'SOP-RMA-1', sharing: 'PUBLIC',
  sharedWith: [], contributedBy: $monitor})
CREATE (f4)-[:REMEDIATED_BY]->(:RemediationAction {id: 'SOP-RMA-2', sharing: 'PUBLIC',
  sharedWith: [], contributedBy: $owner})
"""
CLEAN = "MATCH (n) WHERE n.id STARTS WITH 'SOP-' DETACH DELETE n"


@pytest.fixture(scope="module")
async def awkward(sample_graph: Graph) -> AsyncIterator[None]:
    await sample_graph.query(CLEAN, write=True)
    await sample_graph.query(AWKWARD, {"owner": s.NW_HEALTH, "monitor": s.MONITOR_WORKERS,
                                       "peer": s.LK_UNI}, write=True)
    await structure_changed_outside(sample_graph)  # written around the commands
    yield
    await sample_graph.query(CLEAN, write=True)
    await structure_changed_outside(sample_graph)


def test_operator_relations_on_the_path_are_the_ones_argued_for() -> None:
    assert {r.name for r in ON_PATH} == {"site_reports", "site_findings", "report_findings",
                                         "finding_remediation"}


@pytest.mark.parametrize("relation", ON_PATH, ids=lambda r: r.name)
@pytest.mark.parametrize("org", ACTORS)
async def test_every_actor_gets_the_targets_the_full_check_gives(
        sample_graph: Graph, awkward: None, relation: rel.Relation, org: str) -> None:
    viewer = await viewer_for(sample_graph, org, frozenset(Scope))
    params = viewer_params(viewer.org_id, viewer.peers, operator=viewer.is_operator)
    parents = [r["id"] for r in await sample_graph.query(
        "MATCH (p) WHERE $label IN labels(p) RETURN p.id AS id",
        {"label": relation.start.value})]
    assert len(parents) > 3
    shape = SHAPES[_target_label(relation)].only(frozenset({"id"}))
    twin = dataclasses.replace(relation, site_on_path=False)

    async def targets(r: rel.Relation) -> dict[str, list[str]]:
        rows = await sample_graph.query(rel.related_by_id(r, shape),
                                        {"ids": parents, **params})
        return {row["key"]: [n["id"] for n in row["nodes"]] for row in rows}

    fast, full = await targets(relation), await targets(twin)
    assert fast == full
    assert any(fast.values()), "some targets are visible to every actor here"


def _target_label(relation: rel.Relation) -> Label:
    return next(label for label in SHAPES if f"(n:{label.value})" in relation.path)
