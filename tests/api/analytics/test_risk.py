"""ProductionSite.risk through the schema: Kunshan's factors by hand, staleness, the country table
from settings, batching, and what private findings do to another viewer's score."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from graph.core.db import Graph
from seeds import sample as s
from tests.support.analytics import run_at
from tests.support.reads import viewer_for

RISK = """query($id: ID!) { productionSite(id: $id) { risk { score level lastReportAt stale
  factors { kind points explanation findingId stale } } } }"""
MANY = """{ productionSites(first: 50) { edges { node { id risk { score level } } } } }"""


async def test_kunshan_risk_explains_itself(story_graph: Graph) -> None:
    viewer = await viewer_for(story_graph, s.NW_HEALTH)
    answer = await run_at(story_graph, viewer, RISK, {"id": s.SITE_KUNSHAN})
    assert answer.errors == []
    risk = answer.data["productionSite"]["risk"]
    # FORCED_LABOUR CRITICAL OPEN 35 x 1.5 = 52.5; RECRUITMENT_FEES HIGH OPEN 20 x 1.2 = 24;
    # WORKING_HOURS HIGH OPEN 20 x 1 = 20: 96.5, capped at 80 (-16.5); CN rated 5 -> 10;
    # newest report (May 2026 monitoring) is fresh: 90, CRITICAL. The clean audit adds 0.
    findings = sorted(f["points"] for f in risk["factors"] if f["kind"] == "FINDING")
    assert findings == [20.0, 24.0, 52.5]
    by_kind = {f["kind"]: f for f in risk["factors"] if f["kind"] != "FINDING"}
    assert by_kind["FINDINGS_CAP"]["points"] == -16.5
    assert by_kind["COUNTRY"]["points"] == 10.0
    assert "illustrative placeholder" in by_kind["COUNTRY"]["explanation"]
    assert set(by_kind) == {"FINDINGS_CAP", "COUNTRY"}
    assert (risk["score"], risk["level"], risk["stale"]) == (90, "CRITICAL", False)
    assert risk["lastReportAt"].startswith("2026-")


async def test_a_year_later_open_findings_are_stale_and_reports_too(story_graph: Graph) -> None:
    viewer = await viewer_for(story_graph, s.NW_HEALTH)
    later = datetime(2028, 6, 1, tzinfo=timezone.utc)
    answer = await run_at(story_graph, viewer, RISK, {"id": s.SITE_KUNSHAN}, now=later)
    risk = answer.data["productionSite"]["risk"]
    assert risk["stale"] is True
    assert all(f["stale"] for f in risk["factors"] if f["kind"] == "FINDING")
    assert any(f["kind"] == "STALE_REPORTS" for f in risk["factors"])
    assert risk["score"] == 100


async def test_risk_override_of_the_country_table_through_settings(story_graph: Graph,
                                                                   tmp_path: Path) -> None:
    mine = tmp_path / "ratings.csv"
    mine.write_text("country_code,rating,label,source,as_of\nCN,1,test,my source,2026-02-01\n")
    viewer = await viewer_for(story_graph, s.NW_HEALTH)
    answer = await run_at(story_graph, viewer, RISK, {"id": s.SITE_KUNSHAN},
                          country_risk_path=mine)
    risk = answer.data["productionSite"]["risk"]
    assert risk["score"] == 80
    assert [f["explanation"] for f in risk["factors"] if f["kind"] == "COUNTRY"][0].endswith(
        "source: my source, as of 2026-02-01")


async def test_risk_of_a_page_of_sites_is_one_round_trip(story_graph: Graph) -> None:
    viewer = await viewer_for(story_graph, s.LK_UNI)
    answer = await run_at(story_graph, viewer, MANY)
    assert answer.errors == []
    assert len(answer.data["productionSites"]["edges"]) == 50
    assert answer.round_trips == 2  # the list, then every risk in one batch


async def test_private_findings_do_not_move_another_viewers_score(story_graph: Graph) -> None:
    # the University of Lakeshore's PRIVATE audit of its Hosur site: only it sees it
    owner = await run_at(story_graph, await viewer_for(story_graph, s.LK_UNI), RISK,
                         {"id": s.SITE_LK_PRIVATE})
    assert any(f["kind"] == "FINDING" for f in owner.data["productionSite"]["risk"]["factors"])
    other = await run_at(story_graph, await viewer_for(story_graph, s.NW_HEALTH), RISK,
                         {"id": s.SITE_LK_PRIVATE})
    assert other.data == {"productionSite": None}
