"""The queries of the side-by-side bench: supplygraph's, the peer's and the floor's.

Each case is one question asked three ways, with the ids each answer should agree on. The
five reads are bench/read_api.py's, `myExposure` is bench/exposure.py's, and the mutation
submits a report with two findings. Where the peer cannot ask the same question, the case
pairs the closest fair one and `note` says what differs (bench/README.md repeats it).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, LiteralString

from bench import exposure, read_api
from graph.core import derived
from graph.core.model import Label
from graph.core.visibility import visible

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph

Body = dict[str, Any]


@dataclass
class Case:
    name: str
    sg: Callable[[], Body]  # a GraphQL request body for supplygraph
    peer: Callable[[], Body]  # the same question for the peer
    floor: Callable[[], tuple[LiteralString, dict[str, Any]]]  # Cypher and its parameters
    sg_ids: Callable[[Body], list[str]]
    peer_ids: Callable[[Body], list[str]]
    floor_ids: Callable[[list[dict[str, Any]]], list[str]]
    write: bool = False
    note: str = ""
    # When the peer can only answer in another order, the statement its ids are checked
    # against (timing still compares with `floor`).
    peer_floor: Callable[[], tuple[LiteralString, dict[str, Any]]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _edges(conn: Body) -> list[str]:
    return [e["node"]["id"] for e in conn["edges"]]


def _body(query: str, variables: dict[str, Any] | None = None) -> Callable[[], Body]:
    body = {"query": query, "variables": variables or {}}
    return lambda: body


def _fixed(cypher: LiteralString, params: dict[str, Any]) -> Callable[[], tuple[
        LiteralString, dict[str, Any]]]:
    return lambda: (cypher, params)


PEER_SITE = """query Site($id: ID!) { productionSites(where: {id: {eq: $id}}) { id name
  reportsConnection(first: 20, sort: [{node: {id: ASC}}]) { totalCount edges { node { id title
    findings { id category status } } } } openFindingCount } }"""
PEER_SITES = """query Sites($cpv: String!) { productionSitesConnection(first: 50,
  where: {countryCode: {in: ["CN"]}, makes: {some: {cpvCode: {eq: $cpv}}}},
  sort: [{id: ASC}]) { totalCount edges { node { id name city siteType } } } }"""
# The peer has no tiers: its users ask for the nested tree, three levels deep.
PEER_CHAIN = """query Chain($id: ID!) { brands(where: {id: {eq: $id}}) { id
  sourcesFrom { id name operates { id name }
    sourcesFrom { id name operates { id name }
      sourcesFrom { id name operates { id name } } } } } }"""
# "Every contract I may see, with values where readable" fails whole on the peer (validate):
# the fair pair is "my own contracts by value", asked of all three (bench/read_api.py keeps
# supplygraph's wider question, every visible contract).
SG_CONTRACTS = """query Contracts($org: ID!) { contracts(first: 50, filter: {buyerId: $org},
  orderBy: [{field: VALUE, direction: DESC}]) { totalCount
  edges { node { id reference value { amount currency } } } } }"""
FLOOR_CONTRACTS: LiteralString = (
    "MATCH (c:Contract) WHERE c.contributedBy = $viewerOrg AND " + visible("c") + " "
    "WITH collect(c) AS matched CALL { WITH matched UNWIND matched AS c "
    + read_api.CONTRACTS_PAGE + " } RETURN size(matched) AS total, page")
PEER_CONTRACTS = """query Contracts($org: String!) { contractsConnection(first: 50,
  where: {contributedBy: {eq: $org}}, sort: [{valueAmount: DESC}, {id: ASC}]) { totalCount
  edges { node { id reference valueAmount valueCurrency } } } }"""
PEER_TEXT = """query Search($text: String!) { siteSearch(phrase: $text, first: 20,
  sort: [{score: DESC}, {node: {id: ASC}}]) { totalCount edges { node { id name city } } } }"""
PEER_EXPOSURE = """query Exposure { myExposure { totalCount rows { siteId name countryCode
  tier findings { id category severity status } } } }"""

SG_SUBMIT = """mutation Submit($input: SubmitReportInput!) { submitReport(input: $input) {
  report { id findings { id } } errors { code message } } }"""
PEER_SUBMIT = """mutation Submit($input: [AuditReportCreateInput!]!) {
  createAuditReports(input: $input) { auditReports { id findings { id } } } }"""
FLOOR_SUBMIT: LiteralString = (
    "MATCH (s:ProductionSite {id: $site}) WHERE " + visible("s") + " "
    "MATCH (o:Organisation {id: $viewerOrg}) "
    "CREATE (o)-[:AUTHORED]->(r:AuditReport {id: $id, title: $title, kind: $kind, "
    "sharing: 'PUBLIC', sharedWith: [], contributedBy: $viewerOrg, createdAt: $now, "
    "updatedAt: $now, publishedAt: $now, findingCount: size($findings)})-[:ASSESSES]->(s) "
    "WITH r UNWIND $findings AS f "
    "CREATE (r)-[:HAS_FINDING]->(x:Finding) SET x = f, x.sharing = 'PUBLIC', "
    "x.sharedWith = [], x.contributedBy = $viewerOrg, x.createdAt = $now, x.updatedAt = $now "
    "RETURN r.id AS id, collect(x.id) AS findings"
)
_FINDINGS = [("WAGES", "HIGH", 3), ("WORKING_HOURS", "MEDIUM", 2)]

# What the mutation case wrote, on every side: reports titled "bench <tag>". Removed before
# and after a run, so that runs measure the same graph: left in, they piled up on the write
# sites, one of which the next run's `_pick` took as the site with most reports (410
# reports after some runs, where the data has at most 3).
WRITTEN_TITLE = "bench "
_WRITTEN: LiteralString = (
    "MATCH (r:AuditReport) WHERE r.title STARTS WITH $title "
    "OPTIONAL MATCH (r)-[:ASSESSES]->(s:ProductionSite) RETURN r.id AS id, s.id AS site")
_REMOVE: LiteralString = (
    "UNWIND $ids AS rid MATCH (r:AuditReport {id: rid}) "
    "OPTIONAL MATCH (r)-[:HAS_FINDING]->(f:Finding) WITH r, collect(f) AS fs "
    "CALL { WITH r, fs UNWIND [r] + fs AS x MATCH (x)-[:HAS_VERSION]->(v:Version) "
    "  DETACH DELETE v } "
    "FOREACH (f IN fs | DETACH DELETE f) DETACH DELETE r")


async def remove_written(graph: Graph, batch: int = 2000) -> int:
    """Deletes what the mutation case wrote (reports, findings, their versions) and gives
    their sites a new findings version, as a write through the API would. Returns how many
    reports went."""
    rows = await graph.query(_WRITTEN, {"title": WRITTEN_TITLE}, name="bench_written")
    for i in range(0, len(rows), batch):
        part = rows[i:i + batch]

        async def remove(tx: AsyncManagedTransaction) -> None:
            await tx.run(_REMOVE, {"ids": [r["id"] for r in part]})
            await derived.findings_changed(tx, Label.PRODUCTION_SITE,
                                           sorted({r["site"] for r in part if r["site"]}))

        await graph.write(remove)
    return len(rows)


def _chain_ids(d: Body) -> list[str]:
    seen: set[str] = set()

    def walk(suppliers: list[Body]) -> None:
        for s in suppliers:
            seen.add(s["id"])
            walk(s.get("sourcesFrom") or [])

    for b in d["brands"]:
        walk(b["sourcesFrom"])
    return sorted(seen)


def cases(*, org: str, site: str, brand: str, text: str, write_sites: list[str],
          now: str) -> list[Case]:
    """The bench's cases for viewer `org`; `write_sites` are visible sites the mutation
    cycles through (so no one site piles up the reports the reads then page over)."""
    cpv = read_api.CPV
    sites = itertools.cycle(write_sites)

    def submission() -> tuple[str, str]:
        return next(sites), uuid.uuid4().hex[:12]

    def sg_submit() -> Body:
        site_id, tag = submission()
        return {"query": SG_SUBMIT, "variables": {"input": {
            "siteId": site_id, "kind": "WORKER_DRIVEN_MONITORING", "title": WRITTEN_TITLE + tag,
            "findings": [{"category": c, "severity": s} for c, s, _ in _FINDINGS]}}}

    def peer_submit() -> Body:
        site_id, tag = submission()
        findings = [{"node": {"id": f"FND-B{tag}{i}", "category": c, "severity": s,
                              "severityRank": r, "status": "OPEN", "sharing": "PUBLIC",
                              "sharedWith": [], "contributedBy": org, "createdAt": now,
                              "updatedAt": now}}
                    for i, (c, s, r) in enumerate(_FINDINGS)]
        return {"query": PEER_SUBMIT, "variables": {"input": [{
            "id": f"RPT-B{tag}", "title": WRITTEN_TITLE + tag, "kind": "WORKER_DRIVEN_MONITORING",
            "sharing": "PUBLIC", "sharedWith": [], "contributedBy": org, "createdAt": now,
            "updatedAt": now, "publishedAt": now,
            "site": {"connect": [{"where": {"node": {"id": {"eq": site_id}}}}]},
            "findings": {"create": findings}}]}}

    def floor_submit() -> tuple[LiteralString, dict[str, Any]]:
        site_id, tag = submission()
        return FLOOR_SUBMIT, {
            "site": site_id, "id": f"RPT-F{tag}", "title": WRITTEN_TITLE + tag,
            "kind": "WORKER_DRIVEN_MONITORING", "now": now,
            "findings": [{"id": f"FND-F{tag}{i}", "category": c, "severity": s,
                          "severityRank": r, "status": "OPEN"}
                         for i, (c, s, r) in enumerate(_FINDINGS)]}

    def submitted(ids: list[str]) -> list[str]:
        # Ids differ by design: what must agree is one report with two findings.
        return [f"report with {len(ids)} findings"]

    return [
        Case("site with reports and findings", _body(read_api.GQL_SITE, {"id": site}),
             _body(PEER_SITE, {"id": site}), _fixed(read_api.FLOOR_SITE, {"id": site}),
             lambda d: [e["node"]["id"] for e in d["productionSite"]["reports"]["edges"]],
             lambda d: [e["node"]["id"] for e in d["productionSites"][0]["reportsConnection"]
                        ["edges"]],
             lambda rows: [r["id"] for r in rows[0]["page"] if r["id"]]),
        Case("sites by country+category, 50", _body(read_api.GQL_SITES, {"cpv": cpv}),
             _body(PEER_SITES, {"cpv": cpv}),
             _fixed(read_api.FLOOR_SITES, {"countries": ["CN"], "cpv": cpv}),
             lambda d: _edges(d["productionSites"]),
             lambda d: _edges(d["productionSitesConnection"]),
             lambda rows: [r["id"] for r in rows[0]["page"]]),
        Case("brand supply chain, tier 3", _body(read_api.GQL_CHAIN, {"id": brand}),
             _body(PEER_CHAIN, {"id": brand}), _fixed(read_api.FLOOR_CHAIN, {"id": brand}),
             lambda d: sorted({e["supplier"]["id"] for e in d["brand"]["supplyChain"]}),
             _chain_ids,
             lambda rows: sorted({r["supplier"] for r in rows}),
             note="the peer returns the nested tree (a supplier once per path), supplygraph "
                  "and the floor one row per supplier and site at its lowest tier"),
        Case("own contracts by value, 50", _body(SG_CONTRACTS, {"org": org}),
             _body(PEER_CONTRACTS, {"org": org}), _fixed(FLOOR_CONTRACTS, {}),
             lambda d: _edges(d["contracts"]),
             lambda d: _edges(d["contractsConnection"]),
             lambda rows: [r["id"] for r in rows[0]["page"]],
             note="the viewer's own contracts by value, the one list the peer can answer (it "
                  "cannot list others' with values where readable, which supplygraph's "
                  "`contracts` does unfiltered: bench/read_api.py)"),
        Case(f"text search {text!r}", _body(read_api.GQL_TEXT, {"text": text}),
             _body(PEER_TEXT, {"text": text}),
             _fixed(read_api.FLOOR_TEXT, {"text": text, "phrase": text.lower()}),
             lambda d: _edges(d["productionSites"]),
             lambda d: _edges(d["siteSearch"]),
             lambda rows: [r["id"] for r in rows[0]["page"]],
             peer_floor=_fixed(read_api.FLOOR_TEXT_BY_SCORE, {"text": text}),
             note="the peer orders hits by Lucene's score, which counts hidden records "
                  "(a ranking leak supplygraph closed); its ids are checked against a floor "
                  "in that order"),
        Case("myExposure, first 50, tier <= 3", _body(exposure.GQL), _body(PEER_EXPOSURE),
             _fixed(exposure.FLOOR, {}),
             lambda d: [e["node"]["site"]["id"] for e in d["myExposure"]["edges"]],
             lambda d: [r["siteId"] for r in d["myExposure"]["rows"]],
             lambda rows: [r["id"] for r in rows[0]["page"]],
             note="the peer has no exposure: its users write the floor's statement as a "
                  "@cypher field over $jwt"),
        Case("submit a report with 2 findings", sg_submit, peer_submit, floor_submit,
             lambda d: submitted(d["submitReport"]["report"]["findings"]),
             lambda d: submitted(d["createAuditReports"]["auditReports"][0]["findings"]),
             lambda rows: submitted(rows[0]["findings"]), write=True,
             note="supplygraph also checks the site, writes history, provenance and the "
                  "alert outbox, and generates ids; the peer and the floor create the nodes "
                  "with client-made ids"),
    ]
