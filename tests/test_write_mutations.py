"""Every mutation per actor: the owner, another member of its consortium, a member of another
consortium, a monitor, an operator, and a token without the write scope. Each test creates its
own records (fresh ids) so the sample's story stays as it is.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import READ_SCOPES
from tests.support.writes import (
    ALL,
    MONITOR,
    OUTSIDER,
    OWNER,
    PEER,
    TEST_BRAND,
    TEST_SUPPLIER,
    call,
    codes,
    ensure_test_orgs,
    seeded_site,
    writer,
)
from tests.support.writes import fresh


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


CREATE_SITE = """
mutation($input: CreateProductionSiteInput!) {
  createProductionSite(input: $input) {
    outcome site { id name countryCode contributedBy source sharing workerCount }
    candidates { siteId name score }
    errors { code message path }
  }
}"""
UPDATE_SITE = """
mutation($id: ID!, $input: UpdateProductionSiteInput!) {
  updateProductionSite(id: $id, input: $input) {
    site { id name workerCount updatedAt } errors { code message path }
  }
}"""
SITE_HISTORY = """
query($id: ID!) { productionSite(id: $id) { id name
  history { number change organisationId clientId source note record { name workerCount } } } }"""
CREATE_BRAND = """
mutation($input: CreateBrandInput!) { createBrand(input: $input) {
  brand { id name contributedBy } errors { code message path } } }"""
CREATE_SUPPLIER = """
mutation($input: CreateSupplierInput!) { createSupplier(input: $input) {
  supplier { id name roles } errors { code message path } } }"""
LINK = """
mutation($input: RecordSupplyLinkInput!) { recordSupplyLink(input: $input) {
  recorded errors { code message path } } }"""
CREATE_CONTRACT = """
mutation($input: CreateContractInput!) { createContract(input: $input) {
  contract { id reference value { amount currency } quantity supplier { id } }
  errors { code message path } } }"""
UPDATE_CONTRACT = """
mutation($id: ID!, $input: UpdateContractInput!) { updateContract(id: $id, input: $input) {
  contract { id title value { amount currency } } errors { code message path } } }"""
DISCLOSE = """
mutation($input: DiscloseContractSitesInput!) { discloseContractSites(input: $input) {
  contract { id sites { id } brands { id } } errors { code message path } } }"""
CONTRACT_HISTORY = """
query($id: ID!) { contract(id: $id) { id
  history { number change record { title value { amount } } } } }"""
SUBMIT_REPORT = """
mutation($input: SubmitReportInput!) { submitReport(input: $input) {
  report { id title sensitiveNotes findings { id category status } site { id } }
  errors { code message path } } }"""
UPDATE_FINDING = """
mutation($input: UpdateFindingInput!) { updateFinding(input: $input) {
  finding { id status } errors { code message path } } }"""
FINDING_HISTORY = """
query($id: ID!) { report(id: $id) { findings { id status
  history { number change note record { status } } } } }"""
ADD_ACTION = """
mutation($input: AddRemediationActionInput!) { addRemediationAction(input: $input) {
  remediationAction { id description status sharing } errors { code message path } } }"""
SET_SHARING = """
mutation($input: SetSharingInput!) { setSharing(input: $input) {
  id sharing errors { code message path } } }"""
SITE = "query($id: ID!) { productionSite(id: $id) { id name } }"


@pytest.fixture
async def nrht(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, OWNER)


@pytest.fixture
async def eastmere(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, PEER)


@pytest.fixture
async def ulake(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, OUTSIDER)


@pytest.fixture
async def monitor(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, MONITOR, kind="MONITOR")


@pytest.fixture
async def operator(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, s.OPERATOR, ALL | {Scope.ADMIN}, kind="OPERATOR")


@pytest.fixture
async def read_only(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, OWNER, READ_SCOPES)


@pytest.fixture
async def actors(nrht: Viewer, eastmere: Viewer, ulake: Viewer, monitor: Viewer,
                 operator: Viewer, read_only: Viewer) -> dict[str, Viewer]:
    return {"owner": nrht, "peer": eastmere, "other": ulake, "monitor": monitor,
            "operator": operator, "no_scope": read_only}


async def new_site(graph: Graph, viewer: Viewer, **over: Any) -> str:
    name = over.pop("name", None) or f"{fresh()} Electronics Plant"
    inp = {"name": name, "countryCode": "VN", "address": f"Lot {secrets.randbelow(900) + 1}, "
           f"{fresh()} Industrial Zone", "city": "Bac Ninh", "workerCount": 500,
           "createAnyway": True, **over}
    answer = await call(graph, viewer, CREATE_SITE, {"input": inp})
    payload = answer.data["createProductionSite"]
    assert payload["errors"] == [], payload
    return str(payload["site"]["id"])


# ----- createProductionSite ---------------------------------------------------------------------
async def test_member_creates_site_with_provenance_and_first_version(sample_graph: Graph,
                                                                     nrht: Viewer) -> None:
    # given a fresh name; when the health trust creates the site
    name = f"{fresh()} Circuit Factory"
    answer = await call(sample_graph, nrht, CREATE_SITE, {"input": {
        "name": name, "countryCode": "vn", "city": "Bac Ninh", "workerCount": 1200,
        "source": "Contractor disclosure, March 2026", "sharing": "CONSORTIUM"}})
    # then it exists, owned by the trust, with its source, and one CREATE version
    payload = answer.data["createProductionSite"]
    assert payload["outcome"] == "CREATED" and payload["errors"] == []
    site = payload["site"]
    assert site["countryCode"] == "VN" and site["contributedBy"] == OWNER
    assert site["source"] == "Contractor disclosure, March 2026"
    assert site["sharing"] == "CONSORTIUM"
    history = (await call(sample_graph, nrht, SITE_HISTORY, {"id": site["id"]})).data
    versions = history["productionSite"]["history"]
    assert [(v["number"], v["change"]) for v in versions] == [(1, "CREATE")]
    assert versions[0]["organisationId"] == OWNER
    assert versions[0]["clientId"] == f"test-{OWNER}"


async def test_missing_write_scope_is_forbidden_and_writes_nothing(sample_graph: Graph,
                                                                   read_only: Viewer) -> None:
    name = f"{fresh()} Display Works"
    answer = await call(sample_graph, read_only, CREATE_SITE, {"input": {
        "name": name, "countryCode": "VN"}})
    assert answer.data["createProductionSite"] is None
    assert answer.codes() == ["FORBIDDEN"]
    rows = await sample_graph.query("MATCH (n:ProductionSite {name: $n}) RETURN count(n) AS c",
                                    {"n": name})
    assert rows[0]["c"] == 0


@pytest.mark.parametrize(("field", "value", "path"), [
    ("countryCode", "XX", ["input", "countryCode"]),
    ("workerCount", -5, ["input", "workerCount"]),
    ("latitude", 123.0, ["input", "latitude"]),
    ("products", ["99999999-9"], ["input", "products", "0"]),
    ("sharedWith", ["ORG-NOPE"], ["input", "sharedWith"]),
])
async def test_invalid_site_input_gives_error_at_input_path(sample_graph: Graph, nrht: Viewer,
                                                            field: str, value: Any,
                                                            path: list[str]) -> None:
    name = f"{fresh()} Battery Plant"
    inp: dict[str, Any] = {"name": name, "countryCode": "VN", field: value}
    if field == "latitude":
        inp["longitude"] = 10.0
    answer = await call(sample_graph, nrht, CREATE_SITE, {"input": inp})
    payload = answer.data["createProductionSite"]
    assert payload["site"] is None and payload["outcome"] == "REJECTED"
    assert payload["errors"][0]["code"] == "BAD_USER_INPUT"
    assert payload["errors"][0]["path"][:len(path)] == path
    rows = await sample_graph.query("MATCH (n:ProductionSite {name: $n}) RETURN count(n) AS c",
                                    {"n": name})
    assert rows[0]["c"] == 0


async def test_unknown_shared_with_org_is_not_found_and_nothing_written(
        sample_graph: Graph, nrht: Viewer) -> None:
    name = f"{fresh()} Optics Plant"
    answer = await call(sample_graph, nrht, CREATE_SITE, {"input": {
        "name": name, "countryCode": "VN", "sharing": "RESTRICTED",
        "sharedWith": ["ORG-DOES-NOT-EXIST"]}})
    payload = answer.data["createProductionSite"]
    assert codes(payload) == ["NOT_FOUND"]
    assert payload["errors"][0]["path"] == ["input", "sharedWith", "0"]
    rows = await sample_graph.query("MATCH (n:ProductionSite {name: $n}) RETURN count(n) AS c",
                                    {"n": name})
    assert rows[0]["c"] == 0


# ----- matching through the mutation ----------------------------------------------------------
async def test_same_site_again_is_matched_not_duplicated(sample_graph: Graph, nrht: Viewer,
                                                         eastmere: Viewer) -> None:
    word = fresh()
    sid = await new_site(sample_graph, nrht, name=f"{word} Precision (Bac Ninh) Co., Ltd.",
                         address="Lot 42, Que Vo Industrial Zone")
    # when a peer submits the same factory with noise (legal form, diacritics, suite number)
    answer = await call(sample_graph, eastmere, CREATE_SITE, {"input": {
        "name": f"{word.upper()} PRECISION BẮC NINH", "countryCode": "VN",
        "address": "Building 3, Lô 42, Quế Võ Industrial Zone", "city": "Bắc Ninh"}})
    payload = answer.data["createProductionSite"]
    assert payload["outcome"] == "MATCHED", payload
    assert payload["site"]["id"] == sid
    assert payload["candidates"][0]["siteId"] == sid


async def test_similar_site_needs_confirmation_then_confirm_or_create(
        sample_graph: Graph, nrht: Viewer) -> None:
    word = fresh()
    sid = await new_site(sample_graph, nrht, name=f"{word} Cable Plant",
                         address="Lot 7, Yen Phong Industrial Park")
    similar = {"name": f"{word} Cables", "countryCode": "VN",
               "address": "Lot 9, Yen Phong Industrial Park"}
    first = (await call(sample_graph, nrht, CREATE_SITE, {"input": similar})).data
    payload = first["createProductionSite"]
    assert payload["outcome"] == "NEEDS_CONFIRMATION", payload
    assert payload["site"] is None and payload["candidates"][0]["siteId"] == sid
    confirmed = (await call(sample_graph, nrht, CREATE_SITE, {"input": {
        **similar, "confirmMatch": sid}})).data["createProductionSite"]
    assert confirmed["outcome"] == "CONFIRMED" and confirmed["site"]["id"] == sid
    created = (await call(sample_graph, nrht, CREATE_SITE, {"input": {
        **similar, "createAnyway": True}})).data["createProductionSite"]
    assert created["outcome"] == "CREATED" and created["site"]["id"] != sid


async def test_private_site_of_another_org_is_never_a_candidate(sample_graph: Graph,
                                                               ulake: Viewer,
                                                               nrht: Viewer) -> None:
    word = fresh()
    private = await new_site(sample_graph, ulake, name=f"{word} Metal Works",
                             address="Lot 3, Dinh Vu Road", sharing="PRIVATE")
    answer = await call(sample_graph, nrht, CREATE_SITE, {"input": {
        "name": f"{word} Metal Works", "countryCode": "VN", "address": "Lot 3, Dinh Vu Road",
        "city": "Bac Ninh"}})
    payload = answer.data["createProductionSite"]
    assert payload["outcome"] == "CREATED"
    assert private not in {c["siteId"] for c in payload["candidates"]}


# ----- updateProductionSite per actor ---------------------------------------------------------
@pytest.mark.parametrize(("actor", "expected"), [
    ("owner", None), ("peer", "FORBIDDEN"), ("other", "NOT_FOUND"),
    ("monitor", "NOT_FOUND"), ("operator", None), ("no_scope", "SCOPE"),
])
async def test_update_consortium_site_per_actor(sample_graph: Graph, actors: dict[str, Viewer],
                                                actor: str, expected: str | None) -> None:
    sid = await new_site(sample_graph, actors["owner"], sharing="CONSORTIUM")
    answer = await call(sample_graph, actors[actor], UPDATE_SITE,
                        {"id": sid, "input": {"workerCount": 2222, "note": "headcount"}})
    after = await sample_graph.query("MATCH (n:ProductionSite {id: $id}) "
                                     "RETURN n.workerCount AS w", {"id": sid})
    if expected == "SCOPE":
        assert answer.codes() == ["FORBIDDEN"] and answer.data["updateProductionSite"] is None
        assert after[0]["w"] == 500
        return
    payload = answer.data["updateProductionSite"]
    if expected is None:
        # (the operator may change the site but, like anyone outside the consortium, does
        # not read it back)
        assert payload["errors"] == []
        assert payload["site"] is None if actor == "operator" else \
            payload["site"]["workerCount"] == 2222
        assert after[0]["w"] == 2222
    else:
        assert codes(payload) == [expected] and payload["errors"][0]["path"] == ["id"]
        assert after[0]["w"] == 500


async def test_update_public_site_by_monitor_is_forbidden(sample_graph: Graph, nrht: Viewer,
                                                          monitor: Viewer) -> None:
    sid = await new_site(sample_graph, nrht)
    payload = (await call(sample_graph, monitor, UPDATE_SITE, {
        "id": sid, "input": {"name": "Renamed"}})).data["updateProductionSite"]
    assert codes(payload) == ["FORBIDDEN"]


async def test_history_keeps_every_earlier_version(sample_graph: Graph, nrht: Viewer,
                                                   eastmere: Viewer, ulake: Viewer) -> None:
    sid = await new_site(sample_graph, nrht, name=f"{fresh()} Assembly", sharing="CONSORTIUM")
    await call(sample_graph, nrht, UPDATE_SITE, {"id": sid, "input": {"workerCount": 900}})
    await call(sample_graph, nrht, UPDATE_SITE, {"id": sid, "input": {
        "workerCount": 1000, "note": "second visit", "source": "Site visit 2026-10"}})
    versions = (await call(sample_graph, eastmere, SITE_HISTORY, {"id": sid})
                ).data["productionSite"]["history"]
    assert [v["record"]["workerCount"] for v in versions] == [500, 900, 1000]
    assert [v["change"] for v in versions] == ["CREATE", "UPDATE", "UPDATE"]
    assert versions[-1]["note"] == "second visit"
    assert versions[-1]["source"] == "Site visit 2026-10"
    # a member outside the consortium sees neither the site nor its history
    assert (await call(sample_graph, ulake, SITE_HISTORY, {"id": sid})
            ).data["productionSite"] is None


async def test_first_update_of_seeded_record_keeps_the_seeded_state(sample_graph: Graph,
                                                                    operator: Viewer) -> None:
    # given a site loaded directly (as seeds are), never written through the API
    sid = await seeded_site(sample_graph)
    # when the operator updates it
    payload = (await call(sample_graph, operator, UPDATE_SITE, {
        "id": sid, "input": {"workerCount": 150}})).data["updateProductionSite"]
    assert payload["errors"] == []
    versions = (await call(sample_graph, operator, SITE_HISTORY, {"id": sid})
                ).data["productionSite"]["history"]
    # then its earlier state is the first version, with its own source
    assert [(v["change"], v["record"]["workerCount"]) for v in versions] == \
        [("INITIAL", 100), ("UPDATE", 150)]
    assert versions[0]["source"] == "seeded for write tests"
    assert versions[1]["organisationId"] == s.OPERATOR


# ----- brands, suppliers, links ---------------------------------------------------------------
@pytest.mark.parametrize(("actor", "ok"), [("owner", True), ("monitor", True),
                                           ("operator", True), ("no_scope", False)])
async def test_create_brand_and_supplier_per_actor(sample_graph: Graph, actors: dict[str, Viewer],
                                                   actor: str, ok: bool) -> None:
    viewer = actors[actor]
    brand = await call(sample_graph, viewer, CREATE_BRAND, {"input": {
        "name": fresh("Brand "), "countryCode": "DE", "website": "https://example.org"}})
    supplier = await call(sample_graph, viewer, CREATE_SUPPLIER, {"input": {
        "name": fresh("Supplier "), "countryCode": "TW", "roles": ["CONTRACT_MANUFACTURER"]}})
    if not ok:
        assert brand.codes() == ["FORBIDDEN"] and supplier.codes() == ["FORBIDDEN"]
        return
    assert brand.data["createBrand"]["brand"]["contributedBy"] == viewer.org_id
    assert supplier.data["createSupplier"]["supplier"]["roles"] == ["CONTRACT_MANUFACTURER"]


async def test_bad_brand_input(sample_graph: Graph, nrht: Viewer) -> None:
    payload = (await call(sample_graph, nrht, CREATE_BRAND, {"input": {
        "name": " ", "countryCode": "ZZ", "website": "javascript:alert(1)"}})).data["createBrand"]
    assert sorted(e["path"][-1] for e in payload["errors"]) == ["countryCode", "name", "website"]
    assert payload["brand"] is None


async def test_record_supply_links(sample_graph: Graph, nrht: Viewer, ulake: Viewer) -> None:
    supplier = (await call(sample_graph, nrht, CREATE_SUPPLIER, {"input": {
        "name": fresh("Supplier ")}})).data["createSupplier"]["supplier"]["id"]
    sid = await new_site(sample_graph, nrht, sharing="CONSORTIUM")
    ok = (await call(sample_graph, nrht, LINK, {"input": {
        "kind": "OPERATES", "fromId": supplier, "toId": sid}})).data["recordSupplyLink"]
    assert ok == {"recorded": True, "errors": []}
    tier = (await call(sample_graph, nrht, LINK, {"input": {
        "kind": "SOURCES_FROM", "fromId": TEST_BRAND, "toId": supplier, "volume": 10,
        "unitPrice": 2.5}})).data["recordSupplyLink"]
    assert tier["recorded"]
    # a site the caller may not see is unknown to it
    hidden = (await call(sample_graph, ulake, LINK, {"input": {
        "kind": "OPERATES", "fromId": supplier, "toId": sid}})).data["recordSupplyLink"]
    assert codes(hidden) == ["NOT_FOUND"] and hidden["errors"][0]["path"] == ["input", "toId"]
    negative = (await call(sample_graph, nrht, LINK, {"input": {
        "kind": "SOURCES_FROM", "fromId": TEST_BRAND, "toId": supplier, "volume": -1}})
    ).data["recordSupplyLink"]
    assert negative["errors"][0]["path"] == ["input", "volume"]
    rows = await sample_graph.query(
        "MATCH (:Supplier {id: $s})-[r:OPERATES]->(:ProductionSite {id: $site}) "
        "RETURN r.contributedBy AS by, r.source AS source", {"s": supplier, "site": sid})
    assert rows[0]["by"] == OWNER and rows[0]["source"]


# ----- contracts ------------------------------------------------------------------------------
async def _contract(graph: Graph, viewer: Viewer, **over: Any) -> dict[str, Any]:
    inp = {"reference": fresh("ocds-test-"), "title": "Laptops", "supplierId": TEST_SUPPLIER,
           "startDate": "2026-01-01", "endDate": "2028-12-31", "cpvCodes": ["30213100-6"],
           "value": {"amount": 120000, "currency": "eur"}, "quantity": 100,
           "sharing": "CONSORTIUM", **over}
    payload = (await call(graph, viewer, CREATE_CONTRACT, {"input": inp})).data["createContract"]
    assert payload["errors"] == [], payload
    return dict(payload["contract"])


async def test_create_contract_owner_sees_value(sample_graph: Graph, nrht: Viewer) -> None:
    contract = await _contract(sample_graph, nrht)
    assert contract["value"] == {"amount": 120000.0, "currency": "EUR"}
    assert contract["supplier"] == {"id": TEST_SUPPLIER}
    rows = await sample_graph.query("MATCH (:Organisation {id: $o})-[:HOLDS]->(c:Contract "
                                    "{id: $id}) RETURN count(c) AS n",
                                    {"o": OWNER, "id": contract["id"]})
    assert rows[0]["n"] == 1


@pytest.mark.parametrize(("inp", "path"), [
    ({"startDate": "2026-02-30"}, ["input", "startDate"]),
    ({"startDate": "2027-01-01", "endDate": "2026-01-01"}, ["input", "endDate"]),
    ({"value": {"amount": -1, "currency": "EUR"}}, ["input", "value", "amount"]),
    ({"value": {"amount": 1, "currency": "EURO"}}, ["input", "value", "currency"]),
    ({"quantity": -3}, ["input", "quantity"]),
    ({"supplierId": "SUP-NOPE"}, ["input", "supplierId"]),
])
async def test_bad_contract_input(sample_graph: Graph, nrht: Viewer, inp: dict[str, Any],
                                  path: list[str]) -> None:
    ref = fresh("ocds-bad-")
    payload = (await call(sample_graph, nrht, CREATE_CONTRACT, {"input": {
        "reference": ref, **inp}})).data["createContract"]
    assert payload["contract"] is None
    assert payload["errors"][0]["path"] == path
    rows = await sample_graph.query("MATCH (c:Contract {reference: $r}) RETURN count(c) AS n",
                                    {"r": ref})
    assert rows[0]["n"] == 0


@pytest.mark.parametrize(("actor", "expected"), [
    ("owner", None), ("peer", "FORBIDDEN"), ("other", "NOT_FOUND"), ("monitor", "NOT_FOUND"),
    ("operator", None), ("no_scope", "SCOPE"),
])
async def test_update_contract_per_actor(sample_graph: Graph, actors: dict[str, Viewer],
                                         actor: str, expected: str | None) -> None:
    contract = await _contract(sample_graph, actors["owner"])
    answer = await call(sample_graph, actors[actor], UPDATE_CONTRACT, {
        "id": contract["id"], "input": {"title": "Laptops, amended",
                                        "value": {"amount": 130000, "currency": "EUR"}}})
    if expected == "SCOPE":
        assert answer.codes() == ["FORBIDDEN"]
        return
    payload = answer.data["updateContract"]
    if expected is None:
        assert payload["errors"] == []
    else:
        assert codes(payload) == [expected]


async def test_contract_history_hides_value_from_peers(sample_graph: Graph, nrht: Viewer,
                                                       eastmere: Viewer) -> None:
    contract = await _contract(sample_graph, nrht)
    await call(sample_graph, nrht, UPDATE_CONTRACT, {"id": contract["id"], "input": {
        "value": {"amount": 150000, "currency": "EUR"}, "note": "price review"}})
    own = (await call(sample_graph, nrht, CONTRACT_HISTORY, {"id": contract["id"]})).data
    assert [v["record"]["value"]["amount"] for v in own["contract"]["history"]] == \
        [120000.0, 150000.0]
    peer = await call(sample_graph, eastmere, CONTRACT_HISTORY, {"id": contract["id"]})
    assert [v["record"]["value"] for v in peer.data["contract"]["history"]] == [None, None]
    assert set(peer.codes()) == {"FORBIDDEN"}


async def test_disclose_contract_sites(sample_graph: Graph, nrht: Viewer, eastmere: Viewer,
                                       ulake: Viewer) -> None:
    contract = await _contract(sample_graph, nrht)
    sid = await new_site(sample_graph, nrht)
    other_site = await seeded_site(sample_graph, MONITOR)
    payload = (await call(sample_graph, nrht, DISCLOSE, {"input": {
        "contractId": contract["id"], "siteIds": [sid, other_site],
        "brandIds": [TEST_BRAND]}})).data["discloseContractSites"]
    assert payload["errors"] == []
    assert {x["id"] for x in payload["contract"]["sites"]} == {sid, other_site}
    # another member's contract: forbidden to a peer, unknown outside the consortium
    peer = (await call(sample_graph, eastmere, DISCLOSE, {"input": {
        "contractId": contract["id"], "siteIds": [sid]}})).data["discloseContractSites"]
    assert codes(peer) == ["FORBIDDEN"]
    other = (await call(sample_graph, ulake, DISCLOSE, {"input": {
        "contractId": contract["id"], "siteIds": [sid]}})).data["discloseContractSites"]
    assert codes(other) == ["NOT_FOUND"]
    # a site the buyer may not see (Lakeshore's private site): NOT_FOUND, nothing written
    hidden = (await call(sample_graph, nrht, DISCLOSE, {"input": {
        "contractId": contract["id"], "siteIds": [other_site, s.SITE_LK_PRIVATE]}})
    ).data["discloseContractSites"]
    assert hidden["errors"][0]["path"] == ["input", "siteIds", "1"]
    rows = await sample_graph.query("MATCH (:Contract {id: $id})-[:SOURCED_FROM]->(p) "
                                    "RETURN collect(p.id) AS ids", {"id": contract["id"]})
    assert set(rows[0]["ids"]) == {sid, other_site}


# ----- reports and findings ---------------------------------------------------------------------
async def _report(graph: Graph, viewer: Viewer, site: str, **over: Any) -> dict[str, Any]:
    inp = {"siteId": site, "kind": "WORKER_DRIVEN_MONITORING", "title": fresh("Report "),
           "visitDate": "2026-06-01", "sensitiveNotes": "testimony", "findings": [
               {"category": "WAGES", "severity": "HIGH", "dueDate": "2026-09-01"},
               {"category": "WORKING_HOURS", "severity": "MEDIUM"}], **over}
    payload = (await call(graph, viewer, SUBMIT_REPORT, {"input": inp})).data["submitReport"]
    assert payload["errors"] == [], payload
    return dict(payload["report"])


async def test_monitor_submits_report_with_findings(sample_graph: Graph, nrht: Viewer,
                                                    monitor: Viewer) -> None:
    sid = await new_site(sample_graph, nrht)
    report = await _report(sample_graph, monitor, sid)
    assert {f["category"] for f in report["findings"]} == {"WAGES", "WORKING_HOURS"}
    assert report["site"] == {"id": sid} and report["sensitiveNotes"] == "testimony"


async def test_report_with_one_bad_finding_writes_nothing(sample_graph: Graph, nrht: Viewer,
                                                          monitor: Viewer) -> None:
    sid = await new_site(sample_graph, nrht)
    title = fresh("Report ")
    payload = (await call(sample_graph, monitor, SUBMIT_REPORT, {"input": {
        "siteId": sid, "kind": "GRIEVANCE", "title": title, "findings": [
            {"category": "WAGES", "severity": "HIGH"},
            {"category": "WAGES", "severity": "LOW", "dueDate": "2026-13-01"}]}})
    ).data["submitReport"]
    assert payload["errors"][0]["path"] == ["input", "findings", "1", "dueDate"]
    rows = await sample_graph.query("MATCH (r:AuditReport {title: $t}) RETURN count(r) AS n",
                                    {"t": title})
    assert rows[0]["n"] == 0


async def test_report_on_invisible_site_is_not_found(sample_graph: Graph,
                                                     monitor: Viewer) -> None:
    payload = (await call(sample_graph, monitor, SUBMIT_REPORT, {"input": {
        "siteId": s.SITE_LK_PRIVATE, "kind": "GRIEVANCE", "title": "x"}})).data["submitReport"]
    assert codes(payload) == ["NOT_FOUND"] and payload["errors"][0]["path"] == ["input", "siteId"]


@pytest.mark.parametrize(("actor", "expected"), [
    ("monitor", None), ("owner", "FORBIDDEN"), ("operator", None), ("no_scope", "SCOPE"),
])
async def test_update_finding_per_actor(sample_graph: Graph, actors: dict[str, Viewer],
                                        actor: str, expected: str | None) -> None:
    sid = await new_site(sample_graph, actors["owner"])
    report = await _report(sample_graph, actors["monitor"], sid)
    fid = report["findings"][0]["id"]
    answer = await call(sample_graph, actors[actor], UPDATE_FINDING, {"input": {
        "id": fid, "status": "IN_REMEDIATION", "note": "plan agreed"}})
    if expected == "SCOPE":
        assert answer.codes() == ["FORBIDDEN"]
        return
    payload = answer.data["updateFinding"]
    if expected is None:
        assert payload["finding"]["status"] == "IN_REMEDIATION"
    else:
        assert codes(payload) == [expected]


async def test_finding_history_and_remediation(sample_graph: Graph, nrht: Viewer,
                                               monitor: Viewer, ulake: Viewer) -> None:
    sid = await new_site(sample_graph, nrht)
    report = await _report(sample_graph, monitor, sid, sharing="RESTRICTED",
                           sharedWith=[OWNER])
    fid = report["findings"][0]["id"]
    await call(sample_graph, monitor, UPDATE_FINDING, {"input": {
        "id": fid, "status": "IN_REMEDIATION", "note": "plan agreed"}})
    action = (await call(sample_graph, monitor, ADD_ACTION, {"input": {
        "findingId": fid, "description": "Back pay", "dueDate": "2026-12-01"}})
    ).data["addRemediationAction"]
    assert action["remediationAction"]["sharing"] == "RESTRICTED"
    # others may not add actions to the monitor's finding
    denied = (await call(sample_graph, nrht, ADD_ACTION, {"input": {
        "findingId": fid, "description": "x"}})).data["addRemediationAction"]
    assert codes(denied) == ["FORBIDDEN"]
    hidden = (await call(sample_graph, ulake, ADD_ACTION, {"input": {
        "findingId": fid, "description": "x"}})).data["addRemediationAction"]
    assert codes(hidden) == ["NOT_FOUND"]
    found = (await call(sample_graph, nrht, FINDING_HISTORY, {"id": report["id"]})).data
    finding = next(f for f in found["report"]["findings"] if f["id"] == fid)
    history = finding["history"]
    assert [h["record"]["status"] for h in history[:2]] == ["OPEN", "IN_REMEDIATION"]
    assert history[1]["note"] == "plan agreed" and history[-1]["change"] == "REMEDIATION"
    assert (await call(sample_graph, ulake, FINDING_HISTORY, {"id": report["id"]})
            ).data["report"] is None


# ----- sharing --------------------------------------------------------------------------------
@pytest.mark.parametrize(("actor", "expected"), [
    ("owner", None), ("peer", "FORBIDDEN"), ("other", "NOT_FOUND"), ("operator", None),
    ("no_scope", "SCOPE"),
])
async def test_set_sharing_per_actor(sample_graph: Graph, actors: dict[str, Viewer], actor: str,
                                     expected: str | None) -> None:
    sid = await new_site(sample_graph, actors["owner"], sharing="CONSORTIUM")
    answer = await call(sample_graph, actors[actor], SET_SHARING, {"input": {
        "id": sid, "sharing": "PRIVATE"}})
    if expected == "SCOPE":
        assert answer.codes() == ["FORBIDDEN"]
        return
    payload = answer.data["setSharing"]
    if expected is None:
        assert payload["sharing"] == "PRIVATE"
        seen = await call(sample_graph, actors["peer"], SITE, {"id": sid})
        assert seen.data["productionSite"] is None
    else:
        assert codes(payload) == [expected]


async def test_report_sharing_carries_its_findings(sample_graph: Graph, nrht: Viewer,
                                                   monitor: Viewer, eastmere: Viewer) -> None:
    sid = await new_site(sample_graph, nrht)
    report = await _report(sample_graph, monitor, sid)
    payload = (await call(sample_graph, monitor, SET_SHARING, {"input": {
        "id": report["id"], "sharing": "RESTRICTED", "sharedWith": [PEER]}})
    ).data["setSharing"]
    assert payload["errors"] == []
    rows = await sample_graph.query(
        "MATCH (:AuditReport {id: $id})-[:HAS_FINDING]->(f) RETURN collect(f.sharing) AS s",
        {"id": report["id"]})
    assert set(rows[0]["s"]) == {"RESTRICTED"}
    assert (await call(sample_graph, nrht, "query($id: ID!) { report(id: $id) { id } }",
                       {"id": report["id"]})).data["report"] is None
    assert (await call(sample_graph, eastmere, "query($id: ID!) { report(id: $id) { id } }",
                       {"id": report["id"]})).data["report"] == {"id": report["id"]}


async def test_set_sharing_needs_the_scope_of_the_records_kind(sample_graph: Graph,
                                                               nrht: Viewer) -> None:
    sid = await new_site(sample_graph, nrht, sharing="CONSORTIUM")
    contracts_only = await writer(sample_graph, OWNER,
                                  READ_SCOPES | {Scope.CONTRACTS_WRITE})
    payload = (await call(sample_graph, contracts_only, SET_SHARING, {"input": {
        "id": sid, "sharing": "PUBLIC"}})).data["setSharing"]
    assert codes(payload) == ["FORBIDDEN"] and "sites:write" in payload["errors"][0]["message"]
    rows = await sample_graph.query("MATCH (n:ProductionSite {id: $id}) RETURN n.sharing AS s",
                                    {"id": sid})
    assert rows[0]["s"] == "CONSORTIUM"
