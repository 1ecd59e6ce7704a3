"""The stored exposure (graph/analytics/exposure_store.py) stays exact: after random writes
through the API (supply links, sharing changes, reports, finding updates, disclosures,
merges) and removed links, every buyer's `myExposure` equals the walk's answer
(graph/analytics/exposure.py), for every tier bound, with and without filters, in the
default order and in the order URGENCY (whose flags the store keeps too)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auth.scopes import Scope
from graph.analytics import exposure_store as store
from graph.analytics.exposure import exposure as walk
from graph.core.db import Graph
from graph.core.derived import structure_changed_outside
from graph.core.migrate import migrate
from graph.sites.fields import SITE_SHAPE
from graph.reports.fields import FINDING_SHAPE
from seeds import sample as s
from seeds.sample import load_sample
from tests.support.database import wipe
from tests.support.writes import call, writer

BUYERS = (s.NW_HEALTH, s.NW_CITY, s.NW_MINISTRY, s.LK_UNI, s.LK_TECH, s.LK_COLLEGE)
EXAMPLES = int(os.environ.get("SUPPLYGRAPH_EXPOSURE_EXAMPLES", "6"))

EXPOSURE = """query($filter: ExposureFilter, $first: Int, $after: String,
  $order: ExposureOrder) {
  myExposure(filter: $filter, first: $first, after: $after, orderBy: $order) { totalCount
    edges { node { tier path { kind id name } site { id name countryCode }
      findings { id category severity status } } } } }"""

LINK = """mutation($i: RecordSupplyLinkInput!) { recordSupplyLink(input: $i) {
  errors { code } } }"""
SHARING = """mutation($i: SetSharingInput!) { setSharing(input: $i) { errors { code } } }"""
REPORT = """mutation($i: SubmitReportInput!) { submitReport(input: $i) { errors { code } } }"""
FINDING = """mutation($i: UpdateFindingInput!) { updateFinding(input: $i) { errors { code } } }"""
DISCLOSE = """mutation($i: DiscloseContractSitesInput!) { discloseContractSites(input: $i) {
  errors { code } } }"""
MERGE = """mutation($i: MergeProductionSitesInput!) { mergeProductionSites(input: $i) {
  errors { code } } }"""

_IDS = {
    "brand": "MATCH (n:Brand) RETURN n.id AS id, n.contributedBy AS owner ORDER BY id",
    "supplier": "MATCH (n:Supplier) RETURN n.id AS id, n.contributedBy AS owner ORDER BY id",
    "site": "MATCH (n:ProductionSite) RETURN n.id AS id, n.contributedBy AS owner ORDER BY id",
    "report": "MATCH (n:AuditReport) RETURN n.id AS id, n.contributedBy AS owner ORDER BY id",
    "finding": "MATCH (n:Finding) RETURN n.id AS id, n.contributedBy AS owner ORDER BY id",
    "contract": "MATCH (n:Contract) RETURN n.id AS id, n.contributedBy AS owner ORDER BY id",
    "sourcing": "MATCH (a)-[r:SOURCES_FROM|OPERATES]->(b) "
                "RETURN elementId(r) AS id, a.id + '>' + b.id AS owner ORDER BY owner",
}
SHARINGS = ("PUBLIC", "CONSORTIUM", "RESTRICTED", "PRIVATE")
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
CATEGORIES = ("FORCED_LABOUR", "WAGES", "WORKING_HOURS", "OCCUPATIONAL_SAFETY_AND_HEALTH")


async def _pick(graph: Graph, data: st.DataObject, kind: str) -> dict[str, Any]:
    rows = await graph.query(_IDS[kind])  # type: ignore[arg-type]
    return data.draw(st.sampled_from(rows), label=kind)


async def _as(graph: Graph, org: str | None) -> Any:
    return await writer(graph, org or s.OPERATOR, frozenset(Scope),
                        kind="OPERATOR" if org in (None, s.OPERATOR) else "PUBLIC_BUYER")


async def _random_write(graph: Graph, data: st.DataObject) -> str:
    """One write, chosen and aimed by hypothesis; refusals (another owner's record, a merge
    that would publish a duplicate) are writes too: they must change nothing."""
    kind = data.draw(st.sampled_from(
        ["link", "operates", "sharing", "report", "finding", "disclose", "merge", "unlink"]))
    if kind == "link":
        a = await _pick(graph, data, data.draw(st.sampled_from(["brand", "supplier"])))
        b = await _pick(graph, data, "supplier")
        await call(graph, await _as(graph, a["owner"]), LINK,
                   {"i": {"kind": "SOURCES_FROM", "fromId": a["id"], "toId": b["id"]}})
    elif kind == "operates":
        a, b = await _pick(graph, data, "supplier"), await _pick(graph, data, "site")
        await call(graph, await _as(graph, a["owner"]), LINK,
                   {"i": {"kind": "OPERATES", "fromId": a["id"], "toId": b["id"]}})
    elif kind == "sharing":
        rec = await _pick(graph, data, data.draw(st.sampled_from(
            ["brand", "supplier", "site", "report", "finding", "contract"])))
        sharing = data.draw(st.sampled_from(SHARINGS))
        named = data.draw(st.lists(st.sampled_from(BUYERS), max_size=2, unique=True))
        await call(graph, await _as(graph, rec["owner"]), SHARING, {"i": {
            "id": rec["id"], "sharing": sharing,
            "sharedWith": named if sharing == "RESTRICTED" else None}})
    elif kind == "report":
        site = await _pick(graph, data, "site")
        author = data.draw(st.sampled_from((s.MONITOR_WORKERS, s.MONITOR_NGO) + BUYERS))
        findings = [{"category": data.draw(st.sampled_from(CATEGORIES)),
                     "severity": data.draw(st.sampled_from(SEVERITIES))}
                    for _ in range(data.draw(st.integers(0, 2)))]
        await call(graph, await _as(graph, author), REPORT, {"i": {
            "siteId": site["id"], "kind": "WORKER_DRIVEN_MONITORING", "title": "Visit",
            "visitDate": "2026-10-01", "findings": findings,
            "sharing": data.draw(st.sampled_from(SHARINGS[:3])),
            "sharedWith": data.draw(st.lists(st.sampled_from(BUYERS), max_size=2,
                                             unique=True))}})
    elif kind == "finding":
        f = await _pick(graph, data, "finding")
        await call(graph, await _as(graph, f["owner"]), FINDING, {"i": {
            "id": f["id"], "status": data.draw(st.sampled_from(
                ["OPEN", "IN_REMEDIATION", "REMEDIATED", "DISPUTED"]))}})
    elif kind == "disclose":
        c, site = await _pick(graph, data, "contract"), await _pick(graph, data, "site")
        await call(graph, await _as(graph, c["owner"]), DISCLOSE,
                   {"i": {"contractId": c["id"], "siteIds": [site["id"]]}})
    elif kind == "merge":
        keep, dup = await _pick(graph, data, "site"), await _pick(graph, data, "site")
        if keep["id"] != dup["id"]:
            await call(graph, await _as(graph, None), MERGE,
                       {"i": {"keepId": keep["id"], "duplicateIds": [dup["id"]]}})
    else:
        # No command removes a supply link; an operator removing one by hand calls the
        # documented refresh (graph/core/derived.structure_changed_outside).
        link = await _pick(graph, data, "sourcing")
        await graph.query("MATCH ()-[r]->() WHERE elementId(r) = $id DELETE r",
                          {"id": link["id"]}, write=True)
        await structure_changed_outside(graph)
    return kind


def _walk_rows(rows: list[dict[str, Any]]) -> list[Any]:
    return [(r["tier"], [(p["kind"], p["id"], p["name"]) for p in r["path"]], r["site"]["id"],
             r["site"]["name"], [f["id"] for f in r["findings"]]) for r in rows]


def _api_rows(conn: dict[str, Any]) -> list[Any]:
    return [(n["tier"], [(p["kind"], p["id"], p["name"]) for p in n["path"]], n["site"]["id"],
             n["site"]["name"], [f["id"] for f in n["findings"]])
            for n in (e["node"] for e in conn["edges"])]


FILTERS: list[tuple[int, dict[str, Any], dict[str, Any]]] = [
    (3, {}, {"maxTier": 3}),
    (1, {}, {"maxTier": 1}),
    (5, {"countries": ["CN", "MY"]}, {"maxTier": 5, "countryCode": ["CN", "MY"]}),
    (3, {"minSeverity": 3}, {"maxTier": 3, "minSeverity": "HIGH"}),
    (3, {"statuses": ["OPEN"], "categories": ["FORCED_LABOUR", "WAGES"]},
     {"maxTier": 3, "status": ["OPEN"], "categories": ["FORCED_LABOUR", "WAGES"]}),
]


# The order URGENCY on a pinned day: the sample's reports (2024 to 2026) are on both sides
# of the stale line (548 days before), and contradictions measured over 180 days (the
# settings' defaults, which `call` uses).
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
URGENCY = {"staleBefore": (NOW.date() - timedelta(days=548)).isoformat(),
           "contradictionWindow": 180}


async def _assert_store_equals_walk(graph: Graph) -> None:
    for org in BUYERS:
        viewer = await writer(graph, org, frozenset(Scope))
        for (tier, filters, gql), urgent in [(f, False) for f in FILTERS] + [
                (f, True) for f in FILTERS[::2]]:
            found = await walk(graph, viewer=viewer.cypher_params(), head="org", keys=[org],
                               site=SITE_SHAPE.only(frozenset({"id", "name", "countryCode"})),
                               finding=FINDING_SHAPE.only(frozenset(
                                   {"id", "category", "severity", "status"})),
                               max_tier=tier, filters=filters, skip=0, limit=100,
                               urgency=URGENCY if urgent else None)
            total, rows = found.get(org, (0, []))
            answer = await call(graph, viewer, EXPOSURE, {
                "filter": gql, "first": 100, "order": "URGENCY" if urgent else "SEVERITY"}, now=NOW)
            assert answer.errors == [], answer.errors
            conn = answer.data["myExposure"]
            assert (conn["totalCount"], _api_rows(conn)) == (total, _walk_rows(rows)), \
                (org, gql, urgent)


@pytest.fixture
async def fresh_sample(scratch_graph: Graph) -> Graph:
    await migrate(scratch_graph)
    return scratch_graph


def _refresh_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every read refreshes a store with a stale key first (no margin: the tests write one
    transaction at a time)."""
    monkeypatch.setattr(store, "STALE_MARGIN_MS", 0)
    monkeypatch.setattr(store, "MAX_SETTLED", 0)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
async def test_after_random_writes_every_buyers_stored_exposure_equals_the_walk(
        fresh_sample: Graph, monkeypatch: pytest.MonkeyPatch, data: st.DataObject) -> None:
    graph = fresh_sample
    await wipe(graph)
    await load_sample(graph)
    # stale keys computed at read time, or the store refreshed before the read
    if data.draw(st.booleans(), label="refreshed"):
        _refresh_at_once(monkeypatch)
    else:
        monkeypatch.undo()
    await _assert_store_equals_walk(graph)  # every store built, then current
    for _ in range(data.draw(st.integers(3, 8), label="writes")):
        await _random_write(graph, data)
    await _assert_store_equals_walk(graph)


async def _ministry_with_store(graph: Graph) -> tuple[Any, Any]:
    """The sample, fresh, and the ministry's store built by its first read (returned)."""
    await wipe(graph)
    await load_sample(graph)
    ministry = await writer(graph, s.NW_MINISTRY, frozenset(Scope))
    return ministry, await call(graph, ministry, EXPOSURE, {"first": 5})


async def test_a_store_is_rebuilt_only_after_a_change_to_the_structure(
        fresh_sample: Graph) -> None:
    graph = fresh_sample
    ministry, first = await _ministry_with_store(graph)
    assert first.round_trips == 2  # read (stale), rebuild, read
    # a report on a reached site moves its findings version, not the structure
    site = first.data["myExposure"]["edges"][0]["node"]["site"]["id"]
    monitor = await writer(graph, s.MONITOR_NGO, frozenset(Scope), kind="MONITOR")
    await call(graph, monitor, REPORT, {"i": {
        "siteId": site, "kind": "NGO_INVESTIGATION", "title": "Visit", "sharing": "PUBLIC",
        "findings": [{"category": "FORCED_LABOUR", "severity": "CRITICAL"}]}})
    after_report = await call(graph, ministry, EXPOSURE, {"first": 5})
    assert after_report.round_trips == 1
    assert after_report.data["myExposure"]["edges"][0]["node"]["site"]["id"] == site
    # a supply link is structure: the next read rebuilds
    await call(graph, await _as(graph, s.OPERATOR), LINK, {"i": {
        "kind": "SOURCES_FROM", "fromId": "BRD-CORVID", "toId": "SUP-TINFIELD"}})
    assert (await call(graph, ministry, EXPOSURE, {"first": 5})).round_trips == 2


_STORED = ("MATCH (o:Organisation {id: $org})-[e:EXPOSED]->(s:ProductionSite) "
           "RETURN s.id AS site, elementId(e) AS rel, e.fv = coalesce(s.findingsVersion, 0) "
           "AS current, e.top AS top")


async def test_a_store_with_settled_stale_keys_is_refreshed_not_rebuilt(
        fresh_sample: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    # given the ministry's store, built
    graph = fresh_sample
    ministry, _ = await _ministry_with_store(graph)
    built = {r["site"]: r for r in await graph.query(_STORED, {"org": s.NW_MINISTRY})}
    last = min(built, key=lambda site: (built[site]["top"] or 0, site))  # least severe
    # when a monitor reports a critical finding at a reached site, and the change has
    # settled (no margin, no allowance)
    monitor = await writer(graph, s.MONITOR_NGO, frozenset(Scope), kind="MONITOR")
    await call(graph, monitor, REPORT, {"i": {
        "siteId": last, "kind": "NGO_INVESTIGATION", "title": "Visit", "sharing": "PUBLIC",
        "findings": [{"category": "FORCED_LABOUR", "severity": "CRITICAL"}]}})
    _refresh_at_once(monkeypatch)
    answer = await call(graph, ministry, EXPOSURE, {"first": 5})
    # then the read refreshed the store first: the same relationships (no rebuild), every
    # key current, the site's key now critical, and the answer the walk's
    assert answer.round_trips == 2  # the read that found it worn, and the read after
    refreshed = {r["site"]: r for r in await graph.query(_STORED, {"org": s.NW_MINISTRY})}
    assert {k: v["rel"] for k, v in refreshed.items()} == \
        {k: v["rel"] for k, v in built.items()}
    assert all(r["current"] for r in refreshed.values())
    assert built[last]["top"] != 4 and refreshed[last]["top"] == 4
    assert answer.data["myExposure"]["edges"][0]["node"]["site"]["id"] == last
    await _assert_store_equals_walk(graph)
    # and the next read, with nothing changed, is one round trip
    assert (await call(graph, ministry, EXPOSURE, {"first": 5})).round_trips == 1


async def test_a_rebuild_writes_only_what_changed_down_to_an_empty_store(
        fresh_sample: Graph) -> None:
    # given the ministry's store, built
    graph = fresh_sample
    ministry, _ = await _ministry_with_store(graph)
    built = {r["site"]: r["rel"] for r in await graph.query(_STORED, {"org": s.NW_MINISTRY})}
    assert built
    # when the structure changes where the ministry reaches nothing new, the rebuild keeps
    # every relationship it had (none deleted and made again)
    await structure_changed_outside(graph)
    again = await call(graph, ministry, EXPOSURE, {"first": 5})
    assert again.round_trips == 2  # rebuilt
    assert {r["site"]: r["rel"] for r in await graph.query(
        _STORED, {"org": s.NW_MINISTRY})} == built
    # and when the ministry holds no contract any more, the rebuild leaves no relationship
    await graph.query("MATCH (:Organisation {id: $org})-[h:HOLDS]->() DELETE h",
                      {"org": s.NW_MINISTRY}, write=True)
    await structure_changed_outside(graph)
    empty = await call(graph, ministry, EXPOSURE, {"first": 5})
    assert empty.errors == [] and empty.data["myExposure"]["totalCount"] == 0
    assert await graph.query(_STORED, {"org": s.NW_MINISTRY}) == []
    await _assert_store_equals_walk(graph)
