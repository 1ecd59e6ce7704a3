"""Exposure: the production sites a buyer's contracts reach, with the path, tier and findings.

Tiers (docs/leverage.md, "Tiers"): a contract reaches sites through its contracted parties
(the brands it COVERS and the contractor it is AWARDED_TO). A supplier k SOURCES_FROM hops
below a contracted party is at tier k, as in `Brand.supplyChain`; a site is at the tier of
the supplier operating it. Sites linked directly (the contract's disclosed SOURCED_FROM
sites, a covered brand's PRODUCED_AT sites, sites the contractor itself OPERATES) are tier 1.
So Corvid -> Jadeport -> Silverbay -> Tinfield puts the Tinfield smelter at tier 3.

Path visibility: every step of a path (contract, party, suppliers, site) must be visible to
the viewer; the walk never crosses an invisible node. A site reachable only through
something the viewer may not see is not listed at all, so no gap in a path tells that a
hidden record exists. Each site appears once, with its lowest tier and the first such path
(fewest steps, then the smallest contract id, then step ids: deterministic, so a page
never changes between two calls on the same data).

One round trip answers a whole request: `UNWIND $keys` (the viewer's organisation for
`myExposure`, contract ids for `Contract.exposure`) returns per key the total and the page.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, LiteralString

from graph.analytics.contradictions import CONTRADICTION_PATTERN
from graph.core.visibility import Shape, lit, visible

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from graph.core.db import QueryRunner

MAX_TIER = 5
DEFAULT_TIER = 3

# Where the contracts come from: the viewer organisation's own, or given contract ids.
_HEAD_ORG: LiteralString = (
    "UNWIND $keys AS key "
    "MATCH (:Organisation {id: key})-[:HOLDS]->(c:Contract) ")
_HEAD_CONTRACT: LiteralString = "UNWIND $keys AS key MATCH (c:Contract {id: key}) "


def _step(var: str, kind: str) -> str:
    return (f"{{kind: '{kind}', id: {var}.id, "
            f"name: coalesce({var}.name, {var}.reference, {var}.title)}}")


# The urgency of a site `s` (the order URGENCY): a clean audit contradicted by a monitoring
# report (graph/analytics/contradictions.py, within $contradictionWindow days), then stale
# evidence: its newest visible report is older than $staleBefore (a date). A site with no
# report has no evidence to be stale; it sorts by its findings (none). Only reports and
# findings the viewer may see count, as everywhere.
NEWEST_REPORT: LiteralString = lit(
    "CALL (s) { OPTIONAL MATCH (s)<-[:ASSESSES]-(ur:AuditReport) "
    f"WHERE {visible('ur')} "
    "RETURN max(left(coalesce(ur.publishedAt, ur.visitDate), 10)) AS newest } ")
CONTRADICTED: LiteralString = lit("EXISTS { " + CONTRADICTION_PATTERN + "} AS contradicted")
URGENCY_FLAGS: LiteralString = lit(
    CONTRADICTED + ", coalesce(newest < $staleBefore, false) AS stale")


@lru_cache(maxsize=256)
def exposure_query(head: str, max_tier: int, site: Shape, finding: Shape,
                   urgent: bool = False) -> LiteralString:
    start = {"org": _HEAD_ORG, "contract": _HEAD_CONTRACT}[head]
    urgency = (NEWEST_REPORT + "WITH key, s, best, fs, top, latest, " + URGENCY_FLAGS + " "
               if urgent else "WITH key, s, best, fs, top, latest, "
               "false AS contradicted, false AS stale ")
    return lit(
        start + f"WHERE {visible('c')} "
        "WITH key, c ORDER BY c.id WITH key, collect(c) AS cs "
        + reach_text(max_tier)
        + "WITH key, s, tier, path "
        "WHERE ($countries IS NULL OR s.countryCode IN $countries) "
        "WITH key, s, tier, path ORDER BY tier, size(path), [x IN path | x.id] "
        "WITH key, s, head(collect({tier: tier, path: path})) AS best "
        "CALL (s) { " + site_findings()
        + "RETURN collect(f) AS fs, max(f.severityRank) AS top, max(at) AS latest } "
        "WITH key, s, best, fs, top, latest "
        "WHERE NOT $findingFilter OR size(fs) > 0 "
        + urgency +
        "ORDER BY key, contradicted DESC, stale DESC, "
        "top IS NULL, top DESC, latest IS NULL, latest DESC, best.tier, s.id "
        "WITH key, collect({s: s, tier: best.tier, path: best.path, fs: fs}) AS matched "
        "RETURN key, size(matched) AS total, "
        "[m IN matched[$skip..($skip + $limit)] | {tier: m.tier, path: m.path, "
        f"site: {_proj(site, 'm.s')}, "
        f"findings: [f IN m.fs | {finding.projection('f')}]}}] AS rows"
    )


@lru_cache(maxsize=2)
def site_findings(filtered: bool = True) -> LiteralString:
    """Rows `f, at` (its last change) of the site `s`'s findings in visible reports, most
    severe and then most recent first; only those matching the filter parameters
    (`$minSeverity`, `$categories`, `$statuses`) when `filtered`. One OPTIONAL row of nulls
    when there is none."""
    return lit(
        "OPTIONAL MATCH (s)<-[:ASSESSES]-(r:AuditReport)-[:HAS_FINDING]->(f:Finding) "
        f"WHERE {visible('r')} AND {visible('f')} "
        + ("AND ($minSeverity IS NULL OR f.severityRank >= $minSeverity) "
           "AND ($categories IS NULL OR f.category IN $categories) "
           "AND ($statuses IS NULL OR f.status IN $statuses) " if filtered else "")
        + "WITH f, coalesce(f.updatedAt, f.createdAt) AS at "
        "ORDER BY f.severityRank DESC, at DESC, f.id ")


def _proj(shape: Shape, expr: str) -> str:
    # Shape.projection takes a variable; the page element is `m.s`, so bind it first.
    return f"head([x_s IN [{expr}] | {shape.projection('x_s')}])"


def reach_text(max_tier: int) -> LiteralString:
    """Rows (s, tier, path) for the contracts `cs` of one key, every path node visible.

    Each contracted party is walked once (with the first contract, by id, that names it),
    and each supplier keeps its lowest tier before its sites are expanded, so that many
    contracts for the same brands cost no more than one."""
    contract = _step("c", "CONTRACT")
    site = _step("s", "SITE")
    return lit(
        "CALL (cs) { "
        "UNWIND cs AS c "
        "MATCH (c)-[:SOURCED_FROM]->(s:ProductionSite) "
        f"WHERE {visible('s')} "
        f"RETURN s, 1 AS tier, [{contract}, {site}] AS path "
        "UNION "
        "UNWIND cs AS c "
        "MATCH (c)-[:COVERS]->(p:Brand)-[:PRODUCED_AT]->(s:ProductionSite) "
        f"WHERE {visible('p')} AND {visible('s')} "
        "WITH s, p, head(collect(c)) AS c "
        f"RETURN s, 1 AS tier, [{contract}, {_step('p', 'BRAND')}, {site}] AS path "
        "UNION "
        "UNWIND cs AS c "
        "MATCH (c)-[:COVERS|AWARDED_TO]->(p) WHERE (p:Brand OR p:Supplier) "
        f"AND {visible('p')} "
        "WITH p, head(collect(c)) AS c "
        "MATCH chain = ALL SHORTEST (p) (()-[:SOURCES_FROM]->"
        f"(x:Supplier WHERE {visible('x')})){{0,{_bound(max_tier)}}} (o:Supplier) "
        "WITH o, c, p, chain ORDER BY length(chain), c.id, [x IN nodes(chain) | x.id] "
        "WITH o, head(collect({c: c, p: p, chain: chain})) AS best "
        "WITH o, best.c AS c, best.p AS p, best.chain AS chain "
        "MATCH (o)-[:OPERATES]->(s:ProductionSite) "
        f"WHERE {visible('s')} "
        "RETURN s, CASE WHEN length(chain) < 1 THEN 1 ELSE length(chain) END AS tier, "
        f"[{contract}, {{kind: CASE WHEN p:Brand THEN 'BRAND' ELSE 'SUPPLIER' END, "
        "id: p.id, name: p.name}] "
        "+ [x IN tail(nodes(chain)) | {kind: 'SUPPLIER', id: x.id, name: x.name}] "
        f"+ [{site}] AS path "
        "} ")


def _bound(max_tier: int) -> int:
    if not isinstance(max_tier, int) or not 1 <= max_tier <= MAX_TIER:
        raise ValueError(f"max_tier must be an int in 1..{MAX_TIER}")
    return max_tier


async def exposure(runner: QueryRunner, *, viewer: Mapping[str, Any], head: str,
                   keys: Sequence[str], site: Shape, finding: Shape, max_tier: int,
                   filters: Mapping[str, Any], skip: int, limit: int,
                   urgency: Mapping[str, Any] | None = None,
                   ) -> dict[str, tuple[int, list[dict[str, Any]]]]:
    """key -> (total, page rows {tier, path, site, findings}); absent keys have none.
    With `urgency` ({staleBefore, contradictionWindow}) the order is URGENCY's."""
    params = {"countries": None, "minSeverity": None, "categories": None, "statuses": None,
              **filters, **viewer, **(urgency or {}), "keys": list(keys), "skip": skip,
              "limit": limit}
    params["findingFilter"] = any(params[k] is not None
                                  for k in ("minSeverity", "categories", "statuses"))
    query = exposure_query(head, max_tier, site, finding, urgency is not None)
    rows = await runner.query(query, params, name="exposure")
    return {r["key"]: (int(r["total"]), list(r["rows"])) for r in rows}


