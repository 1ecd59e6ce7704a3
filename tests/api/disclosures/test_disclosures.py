"""Disclosure requests: a buyer asks the contractor of its own contract; the organisation an
operator links to that supplier (REPRESENTS) answers with discloseContractSites or declines;
open requests past their date read as OVERDUE; Supplier.accountability counts what the
viewer's consortium asked. Each test makes its own supplier and contract so counts start at 0.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from graph.orgs.organisations import create_organisation
from seeds import sample as s
from supplygraph.settings import Settings
from tests.support.alerts import alert_settings, call_with
from tests.support.writes import ALL, writer

REQUEST = """
mutation($input: RequestDisclosureInput!) { requestDisclosure(input: $input) {
  request { id contractId supplierId requestedBy dueDate status message answeredAt
            answeredOnTime declineReason }
  errors { code message path } } }"""
DECLINE = """
mutation($input: DeclineDisclosureInput!) { declineDisclosure(input: $input) {
  request { id status declineReason } errors { code message path } } }"""
REPRESENT = """
mutation($input: SetSupplierRepresentativeInput!) { setSupplierRepresentative(input: $input) {
  organisationId supplierId represents errors { code message path } } }"""
DISCLOSE = """
mutation($input: DiscloseContractSitesInput!) { discloseContractSites(input: $input) {
  contract { id } errors { code message path } } }"""
CREATE_CONTRACT = """
mutation($input: CreateContractInput!) { createContract(input: $input) {
  contract { id } errors { code message path } } }"""
CREATE_SUPPLIER = """
mutation($input: CreateSupplierInput!) { createSupplier(input: $input) {
  supplier { id } errors { code message path } } }"""
REQUESTS = """
query($contractId: ID, $supplierId: ID, $status: [DisclosureRequestStatus!]) {
  disclosureRequests(contractId: $contractId, supplierId: $supplierId, status: $status) {
    id status answeredOnTime } }"""
ACCOUNTABILITY = """
query($id: ID!) { supplier(id: $id) { id accountability {
  requestsReceived answeredOnTime answeredLate overdue declined open } } }"""
REPRESENTED = "query { representedSuppliers }"


def in_days(n: int) -> str:
    return (datetime.now(timezone.utc).date() + timedelta(days=n)).isoformat()


@dataclass
class World:
    graph: Graph
    settings: Settings
    nrht: Viewer  # the buyer
    eastmere: Viewer  # same consortium (Northwind)
    ulake: Viewer  # the other consortium (Lakeshore)
    contractor: Viewer  # the organisation representing the supplier
    operator: Viewer
    supplier: str
    contract: str

    async def call(self, viewer: Viewer, query: str, variables: dict[str, Any] | None = None,
                   ) -> Any:
        answer = await call_with(self.graph, viewer, self.settings, query, variables)
        assert not answer.errors, answer.errors
        return answer.data

    async def request(self, viewer: Viewer | None = None, contract: str | None = None,
                      due: str | None = None, message: str | None = "Please disclose",
                      ) -> dict[str, Any]:
        data = await self.call(viewer or self.nrht, REQUEST, {"input": {
            "contractId": contract or self.contract, "dueDate": due or in_days(30),
            "message": message}})
        return data["requestDisclosure"]

    async def accountability(self, viewer: Viewer) -> dict[str, int]:
        data = await self.call(viewer, ACCOUNTABILITY, {"id": self.supplier})
        return data["supplier"]["accountability"]


@pytest.fixture
async def world(sample_graph: Graph, tmp_path: Path) -> World:
    settings = alert_settings(tmp_path)
    nrht = await writer(sample_graph, s.NW_HEALTH)
    operator = await writer(sample_graph, s.OPERATOR, ALL | {Scope.ADMIN}, kind="OPERATOR")
    org = await create_organisation(sample_graph, name=f"Contractor {secrets.token_hex(3)}",
                                    kind="SUPPLIER")
    contractor = await writer(sample_graph, org.id, kind="SUPPLIER")
    w = World(sample_graph, settings, nrht, await writer(sample_graph, s.NW_CITY),
              await writer(sample_graph, s.LK_UNI), contractor, operator, "", "")
    sup = await w.call(operator, CREATE_SUPPLIER, {"input": {
        "name": f"Contractor Supplies {secrets.token_hex(3)}", "roles": ["CONTRACTOR"]}})
    w.supplier = sup["createSupplier"]["supplier"]["id"]
    ctr = await w.call(nrht, CREATE_CONTRACT, {"input": {
        "reference": f"ocds-test-{secrets.token_hex(4)}", "supplierId": w.supplier,
        "sharing": "CONSORTIUM"}})
    w.contract = ctr["createContract"]["contract"]["id"]
    linked = await w.call(operator, REPRESENT, {"input": {"organisationId": org.id,
                                                          "supplierId": w.supplier}})
    assert linked["setSupplierRepresentative"]["errors"] == []
    return w


def errs(payload: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(e["code"], e["path"]) for e in payload["errors"]]


async def backdate(w: World, request_id: str, days: int) -> None:
    """Time passes: the request's due date is `days` ago."""
    await w.graph.query("MATCH (r:DisclosureRequest {id: $id}) SET r.dueDate = $due",
                        {"id": request_id, "due": in_days(-days)}, write=True)


# ----- requesting ------------------------------------------------------------------------------
async def test_buyer_requests_disclosure_from_its_contractor(world: World) -> None:
    payload = await world.request()
    assert payload["errors"] == []
    req = payload["request"]
    assert (req["contractId"], req["supplierId"], req["requestedBy"], req["status"]) == (
        world.contract, world.supplier, s.NW_HEALTH, "OPEN")
    # seen by the consortium and the contractor, not by the other consortium
    for viewer, seen in ((world.nrht, True), (world.eastmere, True),
                         (world.contractor, True), (world.ulake, False)):
        data = await world.call(viewer, REQUESTS, {"contractId": world.contract})
        assert [r["id"] for r in data["disclosureRequests"]] == ([req["id"]] if seen else [])
    data = await world.call(world.contractor, REPRESENTED)
    assert data["representedSuppliers"] == [world.supplier]


@pytest.mark.parametrize("due, why", [(in_days(-1), "after today"), (in_days(0), "after today"),
                                      ("2027-02-30", "not a date"), ("tomorrow", "not a date"),
                                      (in_days(5000), "three years")])
async def test_buyer_with_bad_due_date_gets_bad_user_input_at_due_date(
        world: World, due: str, why: str) -> None:
    payload = await world.request(due=due)
    assert payload["request"] is None
    assert errs(payload) == [("BAD_USER_INPUT", ["input", "dueDate"])]
    assert why in payload["errors"][0]["message"]


async def test_request_on_unknown_invisible_or_foreign_contract_is_refused(
        world: World) -> None:
    unknown = await world.request(contract="CTR-DOES-NOT-EXIST")
    assert errs(unknown) == [("NOT_FOUND", ["input", "contractId"])]
    # a peer sees the trust's CONSORTIUM contract but does not hold it
    peer = await world.request(viewer=world.eastmere)
    assert errs(peer) == [("FORBIDDEN", ["input", "contractId"])]
    # the other consortium does not see it at all: the same answer as an unknown id
    other = await world.request(viewer=world.ulake)
    assert errs(other) == [("NOT_FOUND", ["input", "contractId"])]
    assert other["errors"][0]["message"] == (
        f"no contract with id {world.contract!r}")
    # a PRIVATE contract of the trust, for its peer
    private = await world.request(viewer=world.eastmere, contract=s.CONTRACT_NW_HEALTH_DESKTOPS)
    assert errs(private) == [("NOT_FOUND", ["input", "contractId"])]


async def test_second_open_request_conflicts_and_contract_without_contractor_is_refused(
        world: World) -> None:
    assert (await world.request())["errors"] == []
    assert errs(await world.request()) == [("CONFLICT", ["input", "contractId"])]
    bare = await world.call(world.nrht, CREATE_CONTRACT, {"input": {
        "reference": f"ocds-bare-{secrets.token_hex(4)}"}})
    payload = await world.request(contract=bare["createContract"]["contract"]["id"])
    assert errs(payload) == [("BAD_USER_INPUT", ["input", "contractId"])]


async def test_member_without_contracts_write_cannot_request(world: World) -> None:
    reader = await writer(world.graph, s.NW_HEALTH, frozenset({Scope.CONTRACTS_READ}))
    answer = await call_with(world.graph, reader, world.settings, REQUEST, {"input": {
        "contractId": world.contract, "dueDate": in_days(3)}})
    assert answer.data["requestDisclosure"] is None and answer.codes() == ["FORBIDDEN"]


# ----- answering -------------------------------------------------------------------------------
async def test_contractor_answers_on_time_with_disclose_contract_sites(world: World) -> None:
    req = (await world.request())["request"]
    data = await world.call(world.contractor, DISCLOSE, {"input": {
        "contractId": world.contract, "siteIds": [s.SITE_KUNSHAN]}})
    assert data["discloseContractSites"]["errors"] == []
    seen = await world.call(world.nrht, REQUESTS, {"contractId": world.contract})
    assert seen["disclosureRequests"] == [{"id": req["id"], "status": "ANSWERED",
                                          "answeredOnTime": True}]
    sites = await world.graph.query(
        "MATCH (:Contract {id: $id})-[r:SOURCED_FROM]->(s) RETURN s.id AS id, "
        "r.contributedBy AS by", {"id": world.contract})
    assert sites == [{"id": s.SITE_KUNSHAN, "by": world.contractor.org_id}]
    assert await world.accountability(world.nrht) == {
        "requestsReceived": 1, "answeredOnTime": 1, "answeredLate": 0, "overdue": 0,
        "declined": 0, "open": 0}


async def test_open_request_past_due_reads_overdue_then_late_answer(world: World) -> None:
    req = (await world.request())["request"]
    await backdate(world, req["id"], 2)
    overdue = await world.call(world.eastmere, REQUESTS, {"supplierId": world.supplier,
                                                          "status": ["OVERDUE"]})
    assert [r["id"] for r in overdue["disclosureRequests"]] == [req["id"]]
    assert (await world.accountability(world.eastmere))["overdue"] == 1
    await world.call(world.contractor, DISCLOSE, {"input": {
        "contractId": world.contract, "siteIds": [s.SITE_KUNSHAN]}})
    assert await world.accountability(world.eastmere) == {
        "requestsReceived": 1, "answeredOnTime": 0, "answeredLate": 1, "overdue": 0,
        "declined": 0, "open": 0}


async def test_contractor_declines_with_reason_and_others_may_not(world: World) -> None:
    req = (await world.request())["request"]
    variables = {"input": {"requestId": req["id"], "reason": "Commercially confidential"}}
    # the buyer, a peer, and the other consortium may not decline it
    for viewer, code in ((world.nrht, "FORBIDDEN"), (world.eastmere, "FORBIDDEN"),
                         (world.ulake, "NOT_FOUND")):
        data = await world.call(viewer, DECLINE, variables)
        assert errs(data["declineDisclosure"]) == [(code, ["input", "requestId"])]
    empty = await world.call(world.contractor, DECLINE, {"input": {"requestId": req["id"],
                                                                   "reason": "  "}})
    assert errs(empty["declineDisclosure"]) == [("BAD_USER_INPUT", ["input", "reason"])]
    done = await world.call(world.contractor, DECLINE, variables)
    assert done["declineDisclosure"]["errors"] == []
    assert done["declineDisclosure"]["request"]["status"] == "DECLINED"
    again = await world.call(world.contractor, DECLINE, variables)
    assert errs(again["declineDisclosure"]) == [("CONFLICT", ["input", "requestId"])]
    assert (await world.accountability(world.nrht))["declined"] == 1


async def test_organisation_not_representing_the_supplier_cannot_disclose(world: World) -> None:
    await world.request()
    stranger_org = await create_organisation(world.graph, name="Unlinked contractor",
                                             kind="SUPPLIER")
    stranger = await writer(world.graph, stranger_org.id, kind="SUPPLIER")
    data = await world.call(stranger, DISCLOSE, {"input": {
        "contractId": world.contract, "siteIds": [s.SITE_KUNSHAN]}})
    assert errs(data["discloseContractSites"]) == [("NOT_FOUND", ["input", "contractId"])]
    # without an open request the representative is no exception either
    req = (await world.call(world.nrht, REQUESTS, {"contractId": world.contract}))
    await world.call(world.contractor, DECLINE, {"input": {
        "requestId": req["disclosureRequests"][0]["id"], "reason": "no"}})
    data = await world.call(world.contractor, DISCLOSE, {"input": {
        "contractId": world.contract, "siteIds": [s.SITE_KUNSHAN]}})
    assert errs(data["discloseContractSites"]) == [("NOT_FOUND", ["input", "contractId"])]


# ----- accountability --------------------------------------------------------------------------
async def test_accountability_counts_only_the_viewers_consortium(world: World) -> None:
    # the trust asks twice (one answered on time, one overdue); Lakeshore asks once
    first = (await world.request())["request"]
    await world.call(world.contractor, DISCLOSE, {"input": {
        "contractId": world.contract, "siteIds": [s.SITE_KUNSHAN]}})
    second = (await world.request())["request"]
    await backdate(world, second["id"], 1)
    lk = await world.call(world.ulake, CREATE_CONTRACT, {"input": {
        "reference": f"ocds-lk-{secrets.token_hex(4)}", "supplierId": world.supplier,
        "sharing": "PRIVATE"}})
    lk_req = await world.request(viewer=world.ulake,
                                 contract=lk["createContract"]["contract"]["id"])
    assert lk_req["errors"] == [] and first["id"] != second["id"]
    northwind = {"requestsReceived": 2, "answeredOnTime": 1, "answeredLate": 0, "overdue": 1,
                 "declined": 0, "open": 0}
    assert await world.accountability(world.nrht) == northwind
    assert await world.accountability(world.eastmere) == northwind
    assert await world.accountability(world.ulake) == {
        "requestsReceived": 1, "answeredOnTime": 0, "answeredLate": 0, "overdue": 0,
        "declined": 0, "open": 1}
    monitor = await writer(world.graph, s.MONITOR_WORKERS, kind="MONITOR")
    assert (await world.accountability(monitor))["requestsReceived"] == 0


async def test_only_an_operator_sets_representatives(world: World) -> None:
    answer = await call_with(world.graph, world.nrht, world.settings, REPRESENT, {"input": {
        "organisationId": s.NW_HEALTH, "supplierId": world.supplier}})
    assert answer.data["setSupplierRepresentative"] is None
    assert answer.codes() == ["FORBIDDEN"]
    unknown = await world.call(world.operator, REPRESENT, {"input": {
        "organisationId": "ORG-NOPE", "supplierId": "SUP-NOPE"}})
    assert sorted(errs(unknown["setSupplierRepresentative"])) == [
        ("NOT_FOUND", ["input", "organisationId"]), ("NOT_FOUND", ["input", "supplierId"])]
    removed = await world.call(world.operator, REPRESENT, {"input": {
        "organisationId": world.contractor.org_id, "supplierId": world.supplier,
        "remove": True}})
    assert removed["setSupplierRepresentative"]["represents"] is False
    assert (await world.call(world.contractor, REPRESENTED))["representedSuppliers"] == []


async def test_request_on_a_private_contract_is_the_buyers_and_the_contractors_only(
        world: World) -> None:
    # given a PRIVATE contract of the buyer with an open disclosure request
    ctr = await world.call(world.nrht, CREATE_CONTRACT, {"input": {
        "reference": f"ocds-test-{secrets.token_hex(4)}", "supplierId": world.supplier,
        "sharing": "PRIVATE"}})
    private = ctr["createContract"]["contract"]["id"]
    before = await world.accountability(world.eastmere)
    req = (await world.request(contract=private))["request"]
    # then its consortium peer neither lists it nor counts it; the buyer and the contractor do
    for viewer, seen in ((world.nrht, True), (world.contractor, True),
                         (world.eastmere, False), (world.ulake, False)):
        data = await world.call(viewer, REQUESTS, {"supplierId": world.supplier})
        assert (req["id"] in [r["id"] for r in data["disclosureRequests"]]) is seen
    assert await world.accountability(world.eastmere) == before
    assert (await world.accountability(world.nrht))["open"] >= 1


async def test_peer_sees_a_request_but_not_a_contractor_kept_private(world: World) -> None:
    # given the buyer's own PRIVATE supplier on a contract it shares with its consortium
    sup = await world.call(world.nrht, CREATE_SUPPLIER, {"input": {
        "name": f"Quiet Contractor {secrets.token_hex(3)}", "roles": ["CONTRACTOR"],
        "sharing": "PRIVATE"}})
    quiet = sup["createSupplier"]["supplier"]["id"]
    ctr = await world.call(world.nrht, CREATE_CONTRACT, {"input": {
        "reference": f"ocds-test-{secrets.token_hex(4)}", "supplierId": quiet,
        "sharing": "CONSORTIUM"}})
    shared = ctr["createContract"]["contract"]["id"]
    req = (await world.request(contract=shared))["request"]
    listing = """query($c: ID, $s: ID) { disclosureRequests(contractId: $c, supplierId: $s) {
      id supplierId } }"""
    # then the peer lists the request without the contractor, and cannot confirm a guess at it
    peer = await world.call(world.eastmere, listing, {"c": shared})
    assert peer["disclosureRequests"] == [{"id": req["id"], "supplierId": None}]
    guessed = await world.call(world.eastmere, listing, {"c": shared, "s": quiet})
    assert guessed["disclosureRequests"] == []
    # while the buyer sees its own supplier
    own = await world.call(world.nrht, listing, {"c": shared, "s": quiet})
    assert own["disclosureRequests"] == [{"id": req["id"], "supplierId": quiet}]


ONE_REQUEST = """query($id: ID!) { disclosureRequest(id: $id) {
  id contractId supplierId requestedBy dueDate status message } }"""


async def test_one_request_by_id_for_its_buyer_peer_and_contractor_null_for_others(
        world: World) -> None:
    # given a request on the buyer's consortium-shared contract
    req = (await world.request(message="Which factories?"))["request"]
    # then the buyer, its consortium peer and the supplier's representative read it by id
    for viewer in (world.nrht, world.eastmere, world.contractor):
        one = (await world.call(viewer, ONE_REQUEST, {"id": req["id"]}))["disclosureRequest"]
        assert one["id"] == req["id"] and one["message"] == "Which factories?"
    # and another consortium's member gets exactly what an unknown id gets: null, no error
    hidden = await call_with(world.graph, world.ulake, world.settings, ONE_REQUEST,
                             {"id": req["id"]})
    unknown = await call_with(world.graph, world.ulake, world.settings, ONE_REQUEST,
                              {"id": "DRQ-NO-SUCH-REQUEST"})
    assert hidden.data == unknown.data == {"disclosureRequest": None}
    assert not hidden.errors and not unknown.errors


async def test_one_request_of_a_private_contract_is_null_for_the_consortium_peer(
        world: World) -> None:
    ctr = await world.call(world.nrht, CREATE_CONTRACT, {"input": {
        "reference": f"ocds-test-{secrets.token_hex(4)}", "supplierId": world.supplier,
        "sharing": "PRIVATE"}})
    req = (await world.request(contract=ctr["createContract"]["contract"]["id"]))["request"]
    peer = await world.call(world.eastmere, ONE_REQUEST, {"id": req["id"]})
    assert peer == {"disclosureRequest": None}
    own = await world.call(world.contractor, ONE_REQUEST, {"id": req["id"]})
    assert own["disclosureRequest"]["id"] == req["id"]
