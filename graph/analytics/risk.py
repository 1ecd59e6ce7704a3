"""Site risk: the Cypher that gathers a site's visible findings and reports, the country
table, and the pure scoring function (the formula is documented in docs/risk.md).

`score_site` is pure: the same inputs give the same score and factors, whoever computes
them; the viewer's visibility enters only through which findings and reports the query
returns.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, LiteralString

from graph.core.visibility import lit, visible

DEFAULT_COUNTRY_TABLE = Path(__file__).resolve().parents[2] / "seeds" / "country_risk.csv"

SEVERITY_POINTS = {"LOW": 5.0, "MEDIUM": 10.0, "HIGH": 20.0, "CRITICAL": 35.0}
CATEGORY_WEIGHT = {
    "FORCED_LABOUR": 1.5, "CHILD_LABOUR": 1.5,
    "HARSH_TREATMENT": 1.2, "OCCUPATIONAL_SAFETY_AND_HEALTH": 1.2, "RECRUITMENT_FEES": 1.2,
    "FREEDOM_OF_ASSOCIATION": 1.1,
    "DISCRIMINATION": 1.0, "WAGES": 1.0, "WORKING_HOURS": 1.0,
    "REGULAR_EMPLOYMENT": 0.8, "GRIEVANCE_MECHANISM": 0.8, "ENVIRONMENT": 0.8,
}
STATUS_FACTOR = {"OPEN": 1.0, "DISPUTED": 1.0, "IN_REMEDIATION": 0.5, "REMEDIATED": 0.1}
FINDINGS_CAP = 80.0
COUNTRY_POINTS_PER_STEP = 2.5  # rating 1..5 -> 0..10 points
NO_REPORT_POINTS = 10.0
STALE_POINTS = 10.0
UNTOUCHED_DAYS = 365
LEVELS = ((75.0, "CRITICAL"), (50.0, "HIGH"), (25.0, "MEDIUM"), (0.0, "LOW"))


@lru_cache(maxsize=4)
def site_risk_query() -> LiteralString:
    return lit(
        "UNWIND $ids AS key "
        f"MATCH (s:ProductionSite {{id: key}}) WHERE {visible('s')} "
        "CALL (s) { "
        "  OPTIONAL MATCH (s)<-[:ASSESSES]-(r:AuditReport) "
        f"  WHERE {visible('r')} "
        "  RETURN max(coalesce(r.publishedAt, r.visitDate)) AS lastReportAt, "
        "  count(r) AS reports "
        "} "
        "CALL (s) { "
        "  OPTIONAL MATCH (s)<-[:ASSESSES]-(r:AuditReport)-[:HAS_FINDING]->(f:Finding) "
        f"  WHERE {visible('r')} AND {visible('f')} "
        "  WITH f ORDER BY f.id "
        "  RETURN collect(f {.id, .category, .severity, .status, "
        "  updatedAt: coalesce(f.updatedAt, f.createdAt)}) AS findings "
        "} "
        "RETURN key, s.countryCode AS countryCode, lastReportAt, reports, findings")


@dataclass(frozen=True)
class Country:
    code: str
    rating: int
    label: str
    source: str
    as_of: str


@lru_cache(maxsize=8)
def country_table(path: Path | None = None) -> dict[str, Country]:
    """The country risk indicators (country_code, rating 1-5, label, source, as_of)."""
    with (path or DEFAULT_COUNTRY_TABLE).open(newline="", encoding="utf-8") as fh:
        out = {}
        for row in csv.DictReader(fh):
            code = row["country_code"].strip().upper()
            out[code] = Country(code, max(1, min(5, int(row["rating"]))), row["label"],
                                row["source"], row["as_of"])
        return out


@dataclass(frozen=True)
class Factor:
    kind: str  # FINDING | FINDINGS_CAP | COUNTRY | NO_REPORT | STALE_REPORTS
    points: float
    explanation: str
    finding_id: str | None = None
    stale: bool = False


@dataclass(frozen=True)
class Risk:
    score: int
    level: str
    last_report_at: str | None
    stale: bool
    factors: list[Factor] = field(default_factory=list)


def _parse(ts: str | None) -> datetime | None:
    if not ts:
        return None
    text = ts.replace("Z", "+00:00")
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def score_site(*, findings: list[dict[str, Any]], country: Country | None,
               last_report_at: str | None, now: datetime, stale_after_days: int) -> Risk:
    """Score (0-100), level and the factors that explain it (docs/risk.md)."""
    factors: list[Factor] = []
    found = 0.0
    has_open_critical = False
    for f in findings:
        sev, cat, status = f.get("severity") or "LOW", f.get("category"), f.get("status")
        updated = _parse(f.get("updatedAt"))
        untouched = updated is not None and (now - updated).days > UNTOUCHED_DAYS
        effective = status
        if untouched and status in ("IN_REMEDIATION", "DISPUTED"):
            effective = "OPEN"
        factor = STATUS_FACTOR.get(effective or "OPEN", 1.0)
        points = SEVERITY_POINTS.get(sev, 5.0) * CATEGORY_WEIGHT.get(cat or "", 1.0) * factor
        if effective in ("OPEN", "DISPUTED") and sev == "CRITICAL":
            has_open_critical = True
        stale = untouched and effective != "REMEDIATED"
        why = (f"{sev} {cat} finding, {status}"
               + (f", untouched for over {UNTOUCHED_DAYS} days: counted as open and stale"
                  if stale and effective != status else
                  (f", untouched for over {UNTOUCHED_DAYS} days (stale)" if stale else ""))
               + f": {SEVERITY_POINTS.get(sev, 5.0):g} x {CATEGORY_WEIGHT.get(cat or '', 1.0):g}"
               f" x {factor:g}")
        factors.append(Factor("FINDING", round(points, 2), why, f.get("id"), stale))
        found += points
    if found > FINDINGS_CAP:
        factors.append(Factor("FINDINGS_CAP", round(FINDINGS_CAP - found, 2),
                              f"findings capped at {FINDINGS_CAP:g} points"))
        found = FINDINGS_CAP
    total = found
    if country is not None:
        pts = (country.rating - 1) * COUNTRY_POINTS_PER_STEP
        factors.append(Factor("COUNTRY", pts,
                              f"{country.code} rated {country.rating}/5 ({country.label}); "
                              f"source: {country.source}, as of {country.as_of}"))
        total += pts
    last = _parse(last_report_at)
    stale_reports = False
    if last is None:
        stale_reports = True  # no data is as stale as it gets
        factors.append(Factor("NO_REPORT", NO_REPORT_POINTS, "no report you may see"))
        total += NO_REPORT_POINTS
    elif (now - last).days > stale_after_days:
        stale_reports = True
        factors.append(Factor("STALE_REPORTS", STALE_POINTS,
                              f"newest report {last.date().isoformat()} is older than "
                              f"{stale_after_days} days"))
        total += STALE_POINTS
    score = max(0, min(100, round(total)))
    level = next(name for floor, name in LEVELS if score >= floor)
    if has_open_critical and level in ("LOW", "MEDIUM"):
        level = "HIGH"  # an open CRITICAL finding is never less than HIGH
    return Risk(score, level, last_report_at, stale_reports, factors)
