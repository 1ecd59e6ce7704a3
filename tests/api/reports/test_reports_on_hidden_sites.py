"""A report, its findings and its remediation actions are visible only while the site they are
about is: a PUBLIC report on a site the caller may not see is neither listed, nor found by id,
nor shown with `site: null` (which would tell the site exists)."""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from tests.support.writes import (
    MONITOR,
    OUTSIDER,
    OWNER,
    call,
    ensure_test_orgs,
    new_report,
    new_site,
    writer,
)

REPORT = """query($id: ID!) { report(id: $id) { id site { id } findings { id } } }"""
REPORTS_BY = """query($author: ID!) { reports(filter: {authorId: $author}, first: 100) {
  totalCount edges { node { id site { id } } } } }"""
FINDING_ENTITY = """query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Finding { id } } }"""


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


@pytest.fixture
async def world(sample_graph: Graph) -> dict[str, object]:
    # A site its owner shares with the monitor alone, and the monitor's PUBLIC report on it.
    owner = await writer(sample_graph, OWNER)
    monitor = await writer(sample_graph, MONITOR, kind="MONITOR")
    site = await new_site(sample_graph, owner, sharing="RESTRICTED", sharedWith=[MONITOR])
    report = await new_report(sample_graph, monitor, site, sharing="PUBLIC")
    return {"site": site, "report": report, "monitor": monitor,
            "outsider": await writer(sample_graph, OUTSIDER)}


async def test_outsider_finds_no_public_report_on_a_site_it_may_not_see(
        sample_graph: Graph, world: dict[str, object]) -> None:
    outsider, report = world["outsider"], world["report"]
    assert isinstance(outsider, Viewer) and isinstance(report, dict)
    by_id = await call(sample_graph, outsider, REPORT, {"id": report["id"]})
    assert by_id.data == {"report": None} and by_id.errors == []
    listed = (await call(sample_graph, outsider, REPORTS_BY, {"author": MONITOR})
              ).data["reports"]
    ids = [e["node"]["id"] for e in listed["edges"]]
    assert report["id"] not in ids
    assert listed["totalCount"] == len(ids)
    assert all(e["node"]["site"] is not None for e in listed["edges"])
    entity = await call(sample_graph, outsider, FINDING_ENTITY, {"reps": [
        {"__typename": "Finding", "id": f["id"]} for f in report["findings"]]})
    assert entity.data == {"_entities": [None] * len(report["findings"])}


async def test_monitor_who_may_see_the_site_reads_its_report_with_the_site(
        sample_graph: Graph, world: dict[str, object]) -> None:
    monitor, report = world["monitor"], world["report"]
    assert isinstance(monitor, Viewer) and isinstance(report, dict)
    by_id = await call(sample_graph, monitor, REPORT, {"id": report["id"]})
    assert by_id.data["report"]["site"] == {"id": world["site"]}
    assert len(by_id.data["report"]["findings"]) == len(report["findings"])


SET_SHARING = """mutation($id: ID!) { setSharing(input: {id: $id, sharing: PUBLIC}) {
  id errors { code message path } } }"""
UPDATE_FINDING = """mutation($id: ID!) { updateFinding(input: {id: $id, status: REMEDIATED}) {
  finding { id } errors { code message path } } }"""


async def test_author_cannot_write_its_report_once_the_site_is_hidden_from_it(
        sample_graph: Graph, world: dict[str, object]) -> None:
    # The site's owner withdraws it from the monitor: the monitor's own report is now about a
    # site it may not see, so writing it is refused as an unknown id would be, word for word
    # (success would tell the author the site still exists, only hidden).
    owner = await writer(sample_graph, OWNER)
    monitor, report = world["monitor"], world["report"]
    assert isinstance(monitor, Viewer) and isinstance(report, dict)
    hide = await call(sample_graph, owner, SET_SHARING.replace("PUBLIC", "PRIVATE"),
                      {"id": world["site"]})
    assert hide.data["setSharing"]["errors"] == []
    for mutation, rid, unknown in ((SET_SHARING, report["id"], "RPT-NOSUCHREPORT"),
                                   (UPDATE_FINDING, report["findings"][0]["id"],
                                    "FND-NOSUCHFINDING")):
        hidden = (await call(sample_graph, monitor, mutation, {"id": rid})).data
        missing = (await call(sample_graph, monitor, mutation, {"id": unknown})).data
        [payload] = hidden.values()
        [missing_payload] = missing.values()
        assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]
        assert payload["errors"][0]["message"].replace(rid, "X") == \
            missing_payload["errors"][0]["message"].replace(unknown, "X")
    assert (await call(sample_graph, monitor, REPORT, {"id": report["id"]})).data == \
        {"report": None}
