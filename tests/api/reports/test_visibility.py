"""Who sees which reports of the sample data: sensitive notes, restricted records, and the open
findings a site counts.

Actors: two Northwind members (the health trust NRHT and the City of Eastmere), a Lakeshore
member (University of Lakeshore) and a monitor (Workers' Voice).
"""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import nodes, run

# The sample's own organisations as actors (tests/api/conftest.py).
pytestmark = pytest.mark.sample_actors

REPORT = """query($id: ID!) { report(id: $id) { id title sharing sensitiveNotes
  findings { id category } site { id } author { id } } }"""
SITE = """query($id: ID!) { productionSite(id: $id) { id name sharing
  reports(first: 50) { totalCount edges { node { id sensitiveNotes } } }
  findings { id status } openFindingCount } }"""


# ----- reports: sensitive notes and restricted records --------------------------------------
@pytest.mark.parametrize(("actor", "readable"), [
    ("nrht", True), ("monitor", True), ("eastmere", False), ("ulake", False)])
async def test_sensitive_notes_of_the_kunshan_monitoring_for_author_and_named_reader_only(
        sample_graph: Graph, actors: dict[str, Viewer], actor: str,
        readable: bool) -> None:
    viewer = actors[actor]
    answer = await run(sample_graph, viewer, REPORT, {"id": s.REPORT_WORKER_MONITORING})
    report = answer.data["report"]
    assert report["id"] == s.REPORT_WORKER_MONITORING  # PUBLIC report
    if readable:
        assert report["sensitiveNotes"].startswith("Testimony of 14 workers")
        assert answer.errors == []
    else:
        assert report["sensitiveNotes"] is None
        assert [e["extensions"]["code"] for e in answer.errors_at("report", "sensitiveNotes")] \
            == ["FORBIDDEN"]
        assert "Testimony" not in str(answer.errors)


@pytest.mark.parametrize(("actor", "sees", "notes"), [
    ("nrht", True, True), ("eastmere", True, True), ("ulake", False, False),
    ("monitor", False, False)])
async def test_restricted_red_delta_investigation_only_for_the_named_members(
        sample_graph: Graph, actors: dict[str, Viewer], actor: str, sees: bool,
        notes: bool) -> None:
    viewer = actors[actor]
    answer = await run(sample_graph, viewer, REPORT, {"id": s.REPORT_RED_DELTA_NGO})
    if not sees:
        assert answer.data == {"report": None} and answer.errors == []
        site = await run(sample_graph, viewer, SITE, {"id": s.SITE_RED_DELTA})
        ids = {n["id"] for n in nodes(site.data["productionSite"]["reports"])}
        assert s.REPORT_RED_DELTA_NGO not in ids
        return
    report = answer.data["report"]
    assert len(report["findings"]) == 2
    assert (report["sensitiveNotes"] is not None) is notes


async def test_open_finding_count_counts_only_visible_findings(
        sample_graph: Graph, nrht: Viewer, ulake: Viewer) -> None:
    nw = await run(sample_graph, nrht, SITE, {"id": s.SITE_RED_DELTA})
    lk = await run(sample_graph, ulake, SITE, {"id": s.SITE_RED_DELTA})
    nw_site, lk_site = nw.data["productionSite"], lk.data["productionSite"]
    # The restricted investigation's OPEN wages finding counts for Northwind only.
    assert nw_site["openFindingCount"] == lk_site["openFindingCount"] + 1
    assert len(nw_site["findings"]) >= len(lk_site["findings"]) + 2
    assert nw_site["openFindingCount"] == sum(f["status"] == "OPEN" for f in nw_site["findings"])
