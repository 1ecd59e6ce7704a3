"""What a monitor's submitReport answers: the report and its findings read back in one round
trip (schema/reports/types.py `report_prefetch`), exactly as reading the report afterwards
answers it; and every mutation of a request reads the graph as the previous one left it
(the request's loaders are cleared after each write)."""

from __future__ import annotations

import pytest

from auth.scopes import Scope
from graph.core.db import Graph
from tests.support.writes import (
    MONITOR,
    OWNER,
    call,
    ensure_test_orgs,
    fresh,
    new_report,
    seeded_site,
    writer,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


SUBMIT = """
mutation($input: SubmitReportInput!) { submitReport(input: $input) {
  report { id title ...F } errors { code } } }
fragment F on AuditReport { kind findings { id category severity status } }"""
READ = """query($id: ID!) { report(id: $id) { id title ...F } }
fragment F on AuditReport { kind findings { id category severity status } }"""
# Another selection of the findings beside it: that one is read by its own loader.
SUBMIT_ALIASED = SUBMIT.replace("{ kind ", "{ kind a: findings { category } ")
READ_ALIASED = READ.replace("{ kind ", "{ kind a: findings { category } ")


def _input(site: str) -> dict[str, object]:
    return {"siteId": site, "kind": "WORKER_DRIVEN_MONITORING", "title": fresh("Report "),
            "findings": [{"category": "WAGES", "severity": "HIGH"},
                         {"category": "FORCED_LABOUR", "severity": "CRITICAL"}]}


async def test_monitor_gets_the_report_it_submitted_in_one_round_trip(
        sample_graph: Graph) -> None:
    monitor = await writer(sample_graph, MONITOR, kind="MONITOR")
    site = await seeded_site(sample_graph)
    answer = await call(sample_graph, monitor, SUBMIT, {"input": _input(site)})
    assert answer.errors == []
    payload = answer.data["submitReport"]
    assert payload["errors"] == []
    assert answer.round_trips == 1
    report = payload["report"]
    assert sorted(f["category"] for f in report["findings"]) == ["FORCED_LABOUR", "WAGES"]
    again = await call(sample_graph, monitor, READ, {"id": report["id"]})
    assert again.data["report"] == report
    aliased = await call(sample_graph, monitor, SUBMIT_ALIASED, {"input": _input(site)})
    report = aliased.data["submitReport"]["report"]
    assert sorted(f["category"] for f in report["a"]) == ["FORCED_LABOUR", "WAGES"]
    again = await call(sample_graph, monitor, READ_ALIASED, {"id": report["id"]})
    assert again.data["report"] == report


async def test_writer_without_reports_read_is_refused_the_findings_it_wrote(
        sample_graph: Graph) -> None:
    # The prefetch reads for viewers with reports:read only; the scope check stays the field's.
    blind = await writer(sample_graph, MONITOR, kind="MONITOR",
                         scopes=frozenset({Scope.REPORTS_WRITE, Scope.SITES_READ}))
    site = await seeded_site(sample_graph)
    answer = await call(sample_graph, blind, SUBMIT, {"input": _input(site)})
    assert answer.data["submitReport"] == {"report": None, "errors": []}
    assert [(e["extensions"]["code"], e["extensions"]["scope"]) for e in answer.errors] == [
        ("FORBIDDEN", "reports:read")]
    assert answer.errors[0]["path"][:2] == ["submitReport", "report"]


UPDATE_SITE = """
mutation($site: ID!, $finding: ID!) {
  before: updateProductionSite(id: $site, input: {workerCount: 101}) { site {
    reports { edges { node { findings { id status } } } } } }
  change: updateFinding(input: {id: $finding, status: REMEDIATED}) { finding { id status } }
  after: updateProductionSite(id: $site, input: {workerCount: 102}) { site {
    reports { edges { node { findings { id status } } } } } }
}"""


async def test_owner_mutations_in_one_request_each_read_what_the_last_one_wrote(
        sample_graph: Graph) -> None:
    owner = await writer(sample_graph, OWNER)
    site = await seeded_site(sample_graph)
    report = await new_report(sample_graph, owner, site)
    finding = report["findings"][0]["id"]
    answer = await call(sample_graph, owner, UPDATE_SITE, {"site": site, "finding": finding})
    assert answer.errors == []

    def status(alias: str) -> str:
        edges = answer.data[alias]["site"]["reports"]["edges"]
        return next(f["status"] for e in edges for f in e["node"]["findings"]
                    if f["id"] == finding)

    assert status("before") == "OPEN"
    assert answer.data["change"]["finding"]["status"] == "REMEDIATED"
    assert status("after") == "REMEDIATED"
