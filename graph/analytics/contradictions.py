"""Contradictions: a clean claim (SELF_ASSESSMENT or SOCIAL_AUDIT with no finding in a
category) against an independent report (WORKER_DRIVEN_MONITORING, NGO_INVESTIGATION or
GRIEVANCE) within `$contradictionWindow` days that reports a finding in that category still
OPEN, IN_REMEDIATION or DISPUTED (a finding under remediation or disputed was still
reported; only REMEDIATED ones are left out).

Only what the viewer may see counts: both reports and the evidence finding must be visible,
and "no finding in the category" means no *visible* finding, so a contradiction never
rests on, nor is hidden by, a record the viewer cannot read. Days apart are measured
between the reports' visit dates (publication date when a visit date is missing).
"""

from __future__ import annotations

from functools import lru_cache
from typing import LiteralString

from graph.core.visibility import Shape, lit, visible

CLAIM_KINDS = ("SELF_ASSESSMENT", "SOCIAL_AUDIT")
EVIDENCE_KINDS = ("WORKER_DRIVEN_MONITORING", "NGO_INVESTIGATION", "GRIEVANCE")
EVIDENCE_STATUSES = ("OPEN", "IN_REMEDIATION", "DISPUTED")


def _day(var: str) -> str:
    return f"date(left(coalesce({var}.visitDate, {var}.publishedAt), 10))"


# The pattern of one contradiction at site `s`: usable in MATCH and in EXISTS { }.
CONTRADICTION_PATTERN: LiteralString = lit(
    "MATCH (s)<-[:ASSESSES]-(ev:AuditReport)-[:HAS_FINDING]->(f:Finding) "
    "WHERE ev.kind IN ['WORKER_DRIVEN_MONITORING', 'NGO_INVESTIGATION', 'GRIEVANCE'] "
    "AND f.status IN ['OPEN', 'IN_REMEDIATION', 'DISPUTED'] "
    f"AND {visible('ev')} AND {visible('f')} "
    "MATCH (s)<-[:ASSESSES]-(cl:AuditReport) "
    "WHERE cl.kind IN ['SELF_ASSESSMENT', 'SOCIAL_AUDIT'] "
    f"AND {visible('cl')} "
    f"AND abs(duration.inDays({_day('cl')}, {_day('ev')}).days) <= $contradictionWindow "
    "AND NOT EXISTS { MATCH (cl)-[:HAS_FINDING]->(g:Finding) "
    f"WHERE g.category = f.category AND {visible('g')} }} "
)


@lru_cache(maxsize=64)
def contradictions_query(report: Shape, finding: Shape) -> LiteralString:
    return lit(
        "UNWIND $ids AS key "
        f"MATCH (s:ProductionSite {{id: key}}) WHERE {visible('s')} "
        "CALL (s) { "
        + CONTRADICTION_PATTERN +
        f"RETURN cl, ev, f, abs(duration.inDays({_day('cl')}, {_day('ev')}).days) AS days "
        "} "
        "WITH key, f.category AS category, cl, ev, days, f "
        "ORDER BY category, cl.id, ev.id, f.severityRank DESC, f.id "
        "WITH key, category, cl, ev, days, collect(f)[0] AS f "
        f"RETURN key, collect({{category: category, claim: {report.projection('cl')}, "
        f"evidence: {report.projection('ev')}, finding: {finding.projection('f')}, "
        "daysApart: days}) AS contradictions")
