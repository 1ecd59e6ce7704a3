"""A site's reports bring their findings in the same round trip (graph/core/nodes.py
`related_page`): the findings a reader gets that way are exactly those the report's own
`findings` field gives, under the same visibility, and selecting them costs no round trip."""

from __future__ import annotations

from typing import Any

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import nodes, run, viewer_for

SITE = """query($id: ID!) { productionSite(id: $id) { id
  reports(first: 20) { edges { node { id %s } } } } }"""
WITH_FINDINGS = SITE % "findings { id category status severity }"
REPORT = """query($id: ID!) { report(id: $id) { findings { id category status severity } } }"""

# A site with several reports of mixed sharing in the sample data, read by a member of the
# consortium and by an outsider.
FIND_SITE = """
MATCH (p:ProductionSite)<-[:ASSESSES]-(r:AuditReport)-[:HAS_FINDING]->(:Finding)
WITH p, count(DISTINCT r) AS reports ORDER BY reports DESC, p.id LIMIT 1 RETURN p.id AS id
"""


@pytest.fixture
async def site_id(sample_graph: Graph) -> str:
    return (await sample_graph.query(FIND_SITE))[0]["id"]


async def _by_report(graph: Graph, viewer: Viewer, report_ids: list[str]) -> dict[str, Any]:
    out = {}
    for rid in report_ids:
        answer = await run(graph, viewer, REPORT, {"id": rid})
        assert answer.errors == []
        out[rid] = answer.data["report"]["findings"]
    return out


@pytest.mark.parametrize("org", [s.NW_HEALTH, s.LK_UNI])
async def test_a_reader_gets_the_same_findings_through_the_site_as_through_each_report(
        sample_graph: Graph, site_id: str, org: str) -> None:
    viewer = await viewer_for(sample_graph, org)
    answer = await run(sample_graph, viewer, WITH_FINDINGS, {"id": site_id})
    assert answer.errors == []
    reports = nodes(answer.data["productionSite"]["reports"])
    assert reports, "the sample site has reports this reader may see"
    through_site = {r["id"]: r["findings"] for r in reports}
    assert through_site == await _by_report(sample_graph, viewer, list(through_site))


async def test_selecting_the_findings_of_a_sites_reports_costs_no_round_trip(
        sample_graph: Graph, site_id: str) -> None:
    viewer = await viewer_for(sample_graph, s.NW_HEALTH)
    without = await run(sample_graph, viewer, SITE % "title", {"id": site_id})
    with_findings = await run(sample_graph, viewer, WITH_FINDINGS, {"id": site_id})
    # one: the site's own statement reads its reports (and their findings) too
    # (schema/sites/types.py `site_prefetch`)
    assert with_findings.round_trips == without.round_trips == 1


HIDE = "MATCH (f:Finding {id: $id}) SET f.sharing = $sharing, f.contributedBy = $owner"


async def test_a_finding_the_reader_may_not_see_stays_hidden_under_a_report_it_may_see(
        sample_graph: Graph, site_id: str) -> None:
    # The API writes a finding with its report's sharing; a finding narrowed by hand (or by
    # a later moderation) must still be filtered on its own, as `report.findings` does.
    viewer = await viewer_for(sample_graph, s.LK_UNI)
    before = await run(sample_graph, viewer, WITH_FINDINGS, {"id": site_id})
    report = next(r for r in nodes(before.data["productionSite"]["reports"]) if r["findings"])
    finding = report["findings"][0]["id"]
    row = (await sample_graph.query(
        "MATCH (f:Finding {id: $id}) RETURN f.sharing AS sharing, f.contributedBy AS owner",
        {"id": finding}))[0]
    await sample_graph.query(HIDE, {"id": finding, "sharing": "PRIVATE", "owner": s.NW_HEALTH},
                             write=True)
    try:
        after = await run(sample_graph, viewer, WITH_FINDINGS, {"id": site_id})
        shown = {f["id"] for r in nodes(after.data["productionSite"]["reports"])
                 for f in r["findings"]}
        assert finding not in shown
        assert shown == {f["id"] for r in nodes(before.data["productionSite"]["reports"])
                         for f in r["findings"]} - {finding}
    finally:
        await sample_graph.query(HIDE, {"id": finding, **row}, write=True)
