"""Risk scoring called directly (graph.analytics.risk): remediation, severity, no report, and the
shipped country table (the schema's view of it: tests/api/analytics/test_risk.py)."""

from __future__ import annotations

from pathlib import Path

from graph.analytics.risk import DEFAULT_COUNTRY_TABLE, country_table, score_site
from tests.support.analytics import NOW


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
