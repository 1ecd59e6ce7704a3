"""Helpers for the write tests: actors with write scopes, running a mutation as one of them
(optionally with an Idempotency-Key), the write tests' own organisations, and the mutations
several domains' tests use to make their records (sites, brands, contracts, reports)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.derived import structure_changed_outside
from graph.core.db import Graph
from resolvers.core.loaders import Loaders, RequestGraph
from resolvers.core.context import Context
from supplygraph.settings import Settings
from tests.support.reads import PEERS, Answer, schema

ALL = frozenset({Scope.SITES_READ, Scope.REPORTS_READ, Scope.CONTRACTS_READ,
                 Scope.SITES_WRITE, Scope.REPORTS_WRITE, Scope.CONTRACTS_WRITE})


async def writer(graph: Graph, org: str, scopes: frozenset[Scope] = ALL,
                 kind: str = "PUBLIC_BUYER", client: str | None = None) -> Viewer:
    rows = await graph.query(PEERS, {"org": org})
    return Viewer(org_id=org, client_id=client or f"test-{org}", scopes=scopes, org_kind=kind,
                  peers=frozenset(rows[0]["peers"]) | {org})


async def call(graph: Graph, viewer: Viewer, query: str, variables: dict[str, Any] | None = None,
               *, key: str | None = None, now: datetime | None = None) -> Answer:
    """The answer to `query` as `viewer`; `now` pins the clock that staleness reads."""
    runner = RequestGraph(graph)
    extra: dict[str, Any] = {"idempotency_key": key} if key else {}
    if now is not None:
        extra["now"] = now
    ctx = Context(viewer=viewer, graph=runner, loaders=Loaders(runner, viewer.cypher_params()),
                  settings=Settings(_env_file=None),  # type: ignore[call-arg]
                  request_id="test", extra=extra)
    result = await schema().execute(query, variables, ctx)
    return Answer(result.data, [e.formatted for e in result.errors or []], runner.round_trips)


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]


# The write tests' own organisations, so that their records never touch the sample's story:
# a consortium of two members (owner and peer), a member outside it, and a monitor.
TEST_CONSORTIUM = "ORG-TW-CONS"
OWNER = "ORG-TW-OWNER"
PEER = "ORG-TW-PEER"
OUTSIDER = "ORG-TW-OUTSIDER"
MONITOR = "ORG-TW-MONITOR"

_ORGS = """
UNWIND $orgs AS o
MERGE (n:Organisation {id: o.id})
SET n.name = o.name, n.kind = o.kind, n.countryCode = 'GB', n.sharing = 'PUBLIC',
    n.sharedWith = [], n.contributedBy = 'ORG-OPERATOR', n.source = 'write tests',
    n.createdAt = '2026-01-01T00:00:00Z', n.updatedAt = '2026-01-01T00:00:00Z'
WITH n, o WHERE o.consortium IS NOT NULL
MATCH (c:Organisation {id: o.consortium}) MERGE (n)-[:MEMBER_OF]->(c)
"""


async def ensure_test_orgs(graph: Graph) -> None:
    orgs = [
        {"id": TEST_CONSORTIUM, "name": "Test Writers Consortium", "kind": "CONSORTIUM",
         "consortium": None},
        {"id": OWNER, "name": "Test Owner Trust", "kind": "PUBLIC_BUYER",
         "consortium": TEST_CONSORTIUM},
        {"id": PEER, "name": "Test Peer City", "kind": "PUBLIC_BUYER",
         "consortium": TEST_CONSORTIUM},
        {"id": OUTSIDER, "name": "Test Outsider University", "kind": "PUBLIC_BUYER",
         "consortium": None},
        {"id": MONITOR, "name": "Test Monitor Network", "kind": "MONITOR", "consortium": None},
    ]
    await graph.query(_ORGS, {"orgs": orgs}, write=True)
    await graph.query(_COMPANIES, {"owner": OWNER}, write=True)
    await structure_changed_outside(graph)  # written around the commands


TEST_BRAND = "BRD-TW-ACME"
TEST_BRAND_NAME = "Test Acme Devices"
TEST_SUPPLIER = "SUP-TW-RESELLER"
_COMPANIES = """
MERGE (b:Brand {id: 'BRD-TW-ACME'})
SET b.name = 'Test Acme Devices', b.countryCode = 'GB', b.sharing = 'PUBLIC', b.sharedWith = [],
    b.contributedBy = $owner, b.source = 'write tests'
MERGE (s:Supplier {id: 'SUP-TW-RESELLER'})
SET s.name = 'Test Reseller Ltd', s.countryCode = 'GB', s.roles = ['CONTRACTOR'],
    s.identifiers = [], s.sharing = 'PUBLIC', s.sharedWith = [], s.contributedBy = $owner,
    s.source = 'write tests'
"""


async def seeded_site(graph: Graph, owner: str = OWNER) -> str:
    """A PUBLIC site written directly, as seeds and older data are (no versions yet)."""
    sid = "TW-" + secrets.token_hex(6).upper()
    await graph.query("CREATE (n:ProductionSite {id: $id, name: $name, countryCode: 'VN', "
                      "aliases: [], aliasesText: '', workerCount: 100, status: 'ACTIVE', "
                      "sharing: 'PUBLIC', sharedWith: [], contributedBy: $owner, "
                      "source: 'seeded for write tests', createdAt: '2025-01-01T00:00:00Z', "
                      "updatedAt: '2025-01-01T00:00:00Z'})",
                      {"id": sid, "name": f"Seeded {sid}", "owner": owner}, write=True)
    return sid


def fresh(prefix: str = "") -> str:
    # Letters only, so that a fresh name shares no fuzzy-matchable words with others.
    return prefix + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(9)).title()


def fresh_site_name() -> str:
    """A site name of fresh words only: a test that creates several expects CREATED each
    time, and names sharing words ("<fresh> Outage Works" twice) can score at the matching
    threshold and be asked about instead (NEEDS_CONFIRMATION)."""
    return f"{fresh()} {fresh()}"


# ----- the mutations several domains use, and records made through them --------------------
CREATE_SITE = """
mutation($input: CreateProductionSiteInput!) {
  createProductionSite(input: $input) {
    outcome site { id name countryCode contributedBy source sharing workerCount }
    candidates { siteId name score }
    errors { code message path }
  }
}"""
SITE_HISTORY = """
query($id: ID!) { productionSite(id: $id) { id name
  history { number change organisationId clientId source note record { name workerCount } } } }"""


async def new_site(graph: Graph, viewer: Viewer, **over: Any) -> str:
    name = over.pop("name", None) or f"{fresh()} Electronics Plant"
    inp = {"name": name, "countryCode": "VN", "address": f"Lot {secrets.randbelow(900) + 1}, "
           f"{fresh()} Industrial Zone", "city": "Bac Ninh", "workerCount": 500,
           "createAnyway": True, **over}
    answer = await call(graph, viewer, CREATE_SITE, {"input": inp})
    payload = answer.data["createProductionSite"]
    assert payload["errors"] == [], payload
    return str(payload["site"]["id"])


CREATE_BRAND = """
mutation($input: CreateBrandInput!) { createBrand(input: $input) {
  brand { id name contributedBy } errors { code message path } } }"""
CREATE_CONTRACT = """
mutation($input: CreateContractInput!) { createContract(input: $input) {
  contract { id reference value { amount currency } quantity supplier { id } }
  errors { code message path } } }"""


async def new_contract(graph: Graph, viewer: Viewer, **over: Any) -> dict[str, Any]:
    inp = {"reference": fresh("ocds-test-"), "title": "Laptops", "supplierId": TEST_SUPPLIER,
           "startDate": "2026-01-01", "endDate": "2028-12-31", "cpvCodes": ["30213100-6"],
           "value": {"amount": 120000, "currency": "eur"}, "quantity": 100,
           "sharing": "CONSORTIUM", **over}
    payload = (await call(graph, viewer, CREATE_CONTRACT, {"input": inp})).data["createContract"]
    assert payload["errors"] == [], payload
    return dict(payload["contract"])


SET_SHARING = """
mutation($input: SetSharingInput!) { setSharing(input: $input) {
  id sharing errors { code message path } } }"""
SUBMIT_REPORT = """
mutation($input: SubmitReportInput!) { submitReport(input: $input) {
  report { id title sensitiveNotes findings { id category status } site { id } }
  errors { code message path } } }"""


async def new_report(graph: Graph, viewer: Viewer, site: str, **over: Any) -> dict[str, Any]:
    inp = {"siteId": site, "kind": "WORKER_DRIVEN_MONITORING", "title": fresh("Report "),
           "visitDate": "2026-06-01", "sensitiveNotes": "testimony", "findings": [
               {"category": "WAGES", "severity": "HIGH", "dueDate": "2026-09-01"},
               {"category": "WORKING_HOURS", "severity": "MEDIUM"}], **over}
    payload = (await call(graph, viewer, SUBMIT_REPORT, {"input": inp})).data["submitReport"]
    assert payload["errors"] == [], payload
    return dict(payload["report"])


SITE = "query($id: ID!) { productionSite(id: $id) { id name } }"
