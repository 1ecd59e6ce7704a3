"""Contradictions: Kunshan's clean audit against worker-driven monitoring, visibility of
both reports, the window, and the hasContradictions filter."""

from __future__ import annotations

from typing import Any

import pytest

from graph.core.db import Graph
from seeds import sample as s
from tests.support.analytics import run_at
from tests.support.reads import nodes, viewer_for

CONTRADICTIONS = """query($id: ID!) { productionSite(id: $id) { contradictions {
  category daysApart claim { id kind } evidence { id kind } finding { severity status } } } }"""
FILTERED = """query($flag: Boolean) { productionSites(first: 100,
  filter: {hasContradictions: $flag}) { totalCount edges { node { id } } } }"""

T7_SITE = "CN2026001T7CTRA"
T7_AUDIT = "RPT-T7-AUDIT"
T7_MONITORING = "RPT-T7-WDM"


async def test_kunshan_clean_audit_is_contradicted_by_worker_driven_monitoring(
        story_graph: Graph) -> None:
    viewer = await viewer_for(story_graph, s.NW_HEALTH)
    answer = await run_at(story_graph, viewer, CONTRADICTIONS, {"id": s.SITE_KUNSHAN})
    assert answer.errors == []
    items = answer.data["productionSite"]["contradictions"]
    # March 10 audit, May 20 monitoring: 71 days apart, within 180
    assert [(c["category"], c["daysApart"], c["claim"]["id"], c["evidence"]["id"])
            for c in items] == [
        (cat, 71, s.REPORT_CLEAN_AUDIT, s.REPORT_WORKER_MONITORING)
        for cat in ("FORCED_LABOUR", "RECRUITMENT_FEES", "WORKING_HOURS")]
    assert items[0]["finding"] == {"severity": "CRITICAL", "status": "OPEN"}
    assert items[0]["claim"]["kind"] == "SOCIAL_AUDIT"
    assert items[0]["evidence"]["kind"] == "WORKER_DRIVEN_MONITORING"


async def test_a_narrower_window_drops_the_kunshan_contradiction(story_graph: Graph) -> None:
    viewer = await viewer_for(story_graph, s.NW_HEALTH)
    answer = await run_at(story_graph, viewer, CONTRADICTIONS, {"id": s.SITE_KUNSHAN},
                          contradiction_window_days=60)
    assert answer.data["productionSite"]["contradictions"] == []


async def test_has_contradictions_filter_lists_kunshan_and_its_negation_does_not(
        story_graph: Graph) -> None:
    viewer = await viewer_for(story_graph, s.NW_HEALTH)
    yes = await run_at(story_graph, viewer, FILTERED, {"flag": True})
    no = await run_at(story_graph, viewer, FILTERED, {"flag": False})
    every = await run_at(story_graph, viewer, FILTERED, {"flag": None})
    yes_ids = {n["id"] for n in nodes(yes.data["productionSites"])}
    assert s.SITE_KUNSHAN in yes_ids
    assert s.SITE_KUNSHAN not in {n["id"] for n in nodes(no.data["productionSites"])}
    assert (yes.data["productionSites"]["totalCount"] + no.data["productionSites"]["totalCount"]
            == every.data["productionSites"]["totalCount"])
    # the filter agrees with the field on every site it lists
    for site in sorted(yes_ids):
        answer = await run_at(story_graph, viewer, CONTRADICTIONS, {"id": site})
        assert answer.data["productionSite"]["contradictions"]


@pytest.fixture
async def private_monitoring(story_graph: Graph) -> Any:
    """A PUBLIC site with a PUBLIC clean audit, and monitoring that is RESTRICTED to the
    health trust (an OPEN CHILD_LABOUR finding) 30 days later."""
    await story_graph.query(
        "CREATE (site:ProductionSite {id: $site, name: 'T7 Contradiction Plant', "
        "countryCode: 'CN', sharing: 'PUBLIC', contributedBy: $op, sharedWith: [], aliases: []}) "
        "CREATE (a:AuditReport {id: $audit, kind: 'SOCIAL_AUDIT', visitDate: '2026-01-10', "
        "sharing: 'PUBLIC', contributedBy: $auditor, sharedWith: []})-[:ASSESSES]->(site) "
        "CREATE (m:AuditReport {id: $wdm, kind: 'WORKER_DRIVEN_MONITORING', "
        "visitDate: '2026-02-09', sharing: 'RESTRICTED', contributedBy: $monitor, "
        "sharedWith: [$trust]})-[:ASSESSES]->(site) "
        "CREATE (m)-[:HAS_FINDING]->(:Finding {id: $wdm + '-F1', category: 'CHILD_LABOUR', "
        "severity: 'HIGH', severityRank: 3, status: 'OPEN', sharing: 'RESTRICTED', "
        "contributedBy: $monitor, sharedWith: [$trust]})",
        {"site": T7_SITE, "audit": T7_AUDIT, "wdm": T7_MONITORING, "op": s.OPERATOR,
         "auditor": s.AUDITOR, "monitor": s.MONITOR_WORKERS, "trust": s.NW_HEALTH}, write=True)
    yield
    await story_graph.query(
        "MATCH (n) WHERE n.id IN [$site, $audit, $wdm, $wdm + '-F1'] DETACH DELETE n",
        {"site": T7_SITE, "audit": T7_AUDIT, "wdm": T7_MONITORING}, write=True)


async def test_a_contradiction_resting_on_a_report_the_viewer_cannot_see_is_not_shown(
        story_graph: Graph, private_monitoring: Any) -> None:
    trust = await viewer_for(story_graph, s.NW_HEALTH)
    seen = await run_at(story_graph, trust, CONTRADICTIONS, {"id": T7_SITE})
    assert [(c["category"], c["daysApart"]) for c in
            seen.data["productionSite"]["contradictions"]] == [("CHILD_LABOUR", 30)]
    city = await viewer_for(story_graph, s.NW_CITY)  # not named by the monitor
    hidden = await run_at(story_graph, city, CONTRADICTIONS, {"id": T7_SITE})
    assert hidden.data["productionSite"]["contradictions"] == []
    listed = await run_at(story_graph, city, FILTERED, {"flag": True})
    assert T7_SITE not in {n["id"] for n in nodes(listed.data["productionSites"])}
    listed = await run_at(story_graph, trust, FILTERED, {"flag": True})
    assert T7_SITE in {n["id"] for n in nodes(listed.data["productionSites"])}
