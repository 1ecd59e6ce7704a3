"""submitReport, updateFinding, addRemediationAction and a report's sharing per actor. Each test
creates its own records (fresh ids) so the sample's story stays as it is."""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.writes import (
    OWNER,
    PEER,
    SET_SHARING,
    SUBMIT_REPORT,
    call,
    codes,
    ensure_test_orgs,
    fresh,
    new_report,
    new_site,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


UPDATE_FINDING = """
mutation($input: UpdateFindingInput!) { updateFinding(input: $input) {
  finding { id status } errors { code message path } } }"""
FINDING_HISTORY = """
query($id: ID!) { report(id: $id) { findings { id status
  history { number change note record { status } } } } }"""
ADD_ACTION = """
mutation($input: AddRemediationActionInput!) { addRemediationAction(input: $input) {
  remediationAction { id description status sharing } errors { code message path } } }"""


# ----- reports and findings ---------------------------------------------------------------------
async def test_monitor_submits_report_with_findings(sample_graph: Graph, nrht: Viewer,
                                                    monitor: Viewer) -> None:
    sid = await new_site(sample_graph, nrht)
    report = await new_report(sample_graph, monitor, sid)
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
    report = await new_report(sample_graph, actors["monitor"], sid)
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
    report = await new_report(sample_graph, monitor, sid, sharing="RESTRICTED",
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


async def test_report_sharing_carries_its_findings(sample_graph: Graph, nrht: Viewer,
                                                   monitor: Viewer, eastmere: Viewer) -> None:
    sid = await new_site(sample_graph, nrht)
    report = await new_report(sample_graph, monitor, sid)
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
