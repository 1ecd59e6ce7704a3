"""ProductionSite.risk: Kunshan's factors by hand, staleness, the country table, batching."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from graph.core.db import Graph
from graph.analytics.risk import DEFAULT_COUNTRY_TABLE, country_table, score_site
from seeds import sample as s
from tests.support.analytics import NOW, run_at
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


def test_untouched_remediation_counts_as_open_and_remediated_counts_little() -> None:
    old = "2025-01-01T00:00:00Z"
    risk = score_site(findings=[
        {"id": "a", "category": "WAGES", "severity": "HIGH", "status": "IN_REMEDIATION",
         "updatedAt": old},
        {"id": "b", "category": "WAGES", "severity": "HIGH", "status": "REMEDIATED",
         "updatedAt": old},
        {"id": "c", "category": "WAGES", "severity": "HIGH", "status": "IN_REMEDIATION",
         "updatedAt": "2026-10-01T00:00:00Z"},
    ], country=None, last_report_at="2026-10-01T00:00:00Z", now=NOW, stale_after_days=548)
    points = {f.finding_id: (f.points, f.stale) for f in risk.factors}
    assert points == {"a": (20.0, True), "b": (2.0, False), "c": (10.0, False)}
    assert risk.score == 32 and risk.level == "MEDIUM"


def test_an_open_critical_finding_is_at_least_high() -> None:
    risk = score_site(findings=[{"id": "x", "category": "ENVIRONMENT", "severity": "CRITICAL",
                                 "status": "OPEN", "updatedAt": "2026-10-01T00:00:00Z"}],
                      country=None, last_report_at="2026-10-01T00:00:00Z", now=NOW,
                      stale_after_days=548)
    assert risk.score == 28 and risk.level == "HIGH"


def test_no_visible_report_is_stale_and_scored() -> None:
    risk = score_site(findings=[], country=None, last_report_at=None, now=NOW,
                      stale_after_days=548)
    assert (risk.score, risk.level, risk.stale) == (10, "LOW", True)


def test_shipped_country_table_says_it_is_a_placeholder_and_can_be_overridden(
        tmp_path: Path) -> None:
    table = country_table(DEFAULT_COUNTRY_TABLE)
    assert {"CN", "VN", "MY", "TH", "PH", "MX", "CZ", "IN"} <= set(table)
    assert all("illustrative placeholder" in c.source and c.as_of for c in table.values())
    mine = tmp_path / "ratings.csv"
    mine.write_text("country_code,rating,label,source,as_of\ncn,1,test,my source,2026-02-01\n")
    assert country_table(mine)["CN"].rating == 1


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
