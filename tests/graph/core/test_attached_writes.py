"""A monitor's report and its findings are written in a few statements (records made with
their links, the derived bumps batched: graph/core/records.py `Attach`, graph/core/derived.py
`batched`), and nothing of what one write per record and link left behind is lost: the same
link provenance, a version per record, one new findings version for the site. Against the
real Neo4j, with fresh ids in the shared graph."""

from __future__ import annotations

from typing import Any

import pytest

from graph.core import derived
from graph.core.db import Graph
from graph.core.errors import WriteRejected
from graph.core.ids import new_id
from graph.core.model import Label, Rel
from graph.core.records import Actor, Attach, create_records, link, new_row
from graph.reports import commands
from tests.support.writes import OWNER, PEER, ensure_test_orgs, seeded_site


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


def _actor() -> Actor:
    return Actor(org=OWNER, client="test-attached", peers=(OWNER,), source="attach tests")


_VERSION = "MATCH (s:ProductionSite {id: $id}) RETURN s.findingsVersion AS version"


async def _site_state(graph: Graph, site: str) -> dict[str, Any]:
    return (await graph.query("MATCH (s:ProductionSite {id: $id}) RETURN "
                              "s.findingsVersion AS version, s.findingsChangedAt AS at",
                              {"id": site}))[0]


async def test_monitor_link_made_with_the_record_carries_what_link_records(
        sample_graph: Graph) -> None:
    site, actor = await seeded_site(sample_graph), _actor()
    attached, linked = new_id("RPT"), new_id("RPT")

    async def write(tx: Any) -> None:
        await create_records(tx, Label.AUDIT_REPORT, [new_row({"id": attached, "title": "a"})],
                             actor, attach=[Attach(Rel.ASSESSES, Label.PRODUCTION_SITE, site)])
        await create_records(tx, Label.AUDIT_REPORT, [new_row({"id": linked, "title": "b"})],
                             actor)
        await link(tx, Label.AUDIT_REPORT, linked, Rel.ASSESSES, Label.PRODUCTION_SITE, site,
                   actor)

    await sample_graph.write(write)
    rows = await sample_graph.query(
        "MATCH (r:AuditReport)-[a:ASSESSES]->(:ProductionSite {id: $site}) "
        "RETURN r.id AS id, properties(a) AS props", {"site": site})
    props = {r["id"]: r["props"] for r in rows}
    assert set(props) == {attached, linked}
    assert props[attached] == props[linked]
    assert props[attached]["contributedBy"] == OWNER
    assert props[attached]["client"] == "test-attached"


async def test_monitor_attaching_to_a_deleted_record_writes_nothing(
        sample_graph: Graph) -> None:
    rid = new_id("RPT")

    async def write(tx: Any) -> None:
        await create_records(tx, Label.AUDIT_REPORT, [new_row({"id": rid, "title": "x"})],
                             _actor(),
                             attach=[Attach(Rel.ASSESSES, Label.PRODUCTION_SITE, "PS-GONE")])

    with pytest.raises(WriteRejected) as refused:
        await sample_graph.write(write)
    assert [e.code for e in refused.value.errors] == ["CONFLICT"]
    assert not await sample_graph.query("MATCH (n {id: $id}) RETURN n.id AS id", {"id": rid})


async def _private_site(graph: Graph, owner: str) -> str:
    site = await seeded_site(graph, owner)
    await graph.query("MATCH (s:ProductionSite {id: $id}) SET s.sharing = 'PRIVATE'",
                      {"id": site}, write=True)
    return site


async def _attach_checked(graph: Graph, actor: Actor, site: str) -> tuple[str, list[Any]]:
    """A report attached to `site` with the site's visibility checked by the CREATE: its
    id, and the errors of the refusal (none when written)."""
    rid = new_id("RPT")

    async def write(tx: Any) -> None:
        await create_records(tx, Label.AUDIT_REPORT, [new_row({"id": rid, "title": "x"})],
                             actor, attach=[Attach(Rel.ASSESSES, Label.PRODUCTION_SITE, site,
                                                   visible_at=("input", "siteId"))])

    try:
        await graph.write(write)
    except WriteRejected as refused:
        return rid, [(e.code, e.message, e.path) for e in refused.errors]
    return rid, []


async def test_monitor_checked_attach_refuses_a_site_it_may_not_see_as_unknown(
        sample_graph: Graph) -> None:
    # given a private site of another organisation, and an id no site holds
    hidden = await _private_site(sample_graph, PEER)
    for site in (hidden, "TW-NO-SUCH-SITE"):
        # when a report is attached to it with the site checked in the same statement
        rid, errors = await _attach_checked(sample_graph, _actor(), site)
        # then it is NOT_FOUND at the input path, worded as for any unknown id, and nothing
        # is written
        assert errors == [("NOT_FOUND", f"no production site with id {site!r}",
                           ("input", "siteId"))]
        assert not await sample_graph.query("MATCH (n {id: $id}) RETURN n.id AS id",
                                            {"id": rid})


async def test_checked_attach_writes_for_the_owner_and_an_operator(
        sample_graph: Graph) -> None:
    # given a private site of the test owner
    site = await _private_site(sample_graph, OWNER)
    operator = Actor(org="ORG-OPERATOR", client="test-attached", peers=(), source="ops",
                     operator=True)
    # when its owner, then an operator (who may write where it cannot see), attach to it
    for actor in (_actor(), operator):
        rid, errors = await _attach_checked(sample_graph, actor, site)
        # then the report is written and linked
        assert errors == []
        linked = await sample_graph.query(
            "MATCH (:AuditReport {id: $rid})-[:ASSESSES]->(s:ProductionSite) RETURN s.id AS s",
            {"rid": rid})
        assert linked == [{"s": site}]


class _Counted:
    """A transaction that counts the statements run through it."""

    def __init__(self, tx: Any) -> None:
        self.tx, self.statements = tx, 0

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        self.statements += 1
        return await self.tx.run(*args, **kwargs)


async def test_monitor_report_with_findings_is_linked_versioned_and_bumped_in_two_statements(
        sample_graph: Graph) -> None:
    site, actor = await seeded_site(sample_graph), _actor()
    before = await _site_state(sample_graph, site)
    counted: list[_Counted] = []

    async def write(tx: Any) -> tuple[str, list[str]]:
        counted.append(_Counted(tx))
        return await commands.submit_report(
            counted[-1], actor, site_id=site,
            report={"title": "t", "kind": "WORKER_DRIVEN_MONITORING"},
            findings=[{"category": "WAGES", "severity": "HIGH", "severityRank": 3},
                      {"category": "WORKING_HOURS", "severity": "LOW", "severityRank": 1}])

    rid, fids = await sample_graph.write(write)
    # the report's statement (the site checked and bumped), the findings' (their alerts)
    assert counted[-1].statements == 2
    after = await _site_state(sample_graph, site)
    assert (after["version"] or 0) > (before["version"] or 0)
    assert after["at"] is not None
    rows = await sample_graph.query(
        "MATCH (o:Organisation)-[au:AUTHORED]->(r:AuditReport {id: $rid})-[ab:ASSESSES]->"
        "(s:ProductionSite) MATCH (r)-[h:HAS_FINDING]->(f:Finding) "
        "MATCH (f)-[:HAS_VERSION]->(fv:Version) MATCH (r)-[:HAS_VERSION]->(rv:Version) "
        "RETURN o.id AS org, s.id AS site, r.findingCount AS count, "
        "collect(DISTINCT f.id) AS findings, collect(DISTINCT fv.versionId) AS versions, "
        "collect(DISTINCT rv.versionId) AS reportVersions, "
        "[x IN collect(DISTINCT h) | x.contributedBy] + "
        "collect(DISTINCT au.contributedBy) + collect(DISTINCT ab.contributedBy) AS linkedBy",
        {"rid": rid})
    assert len(rows) == 1
    row = rows[0]
    assert (row["org"], row["site"], row["count"]) == (OWNER, site, 2)
    assert sorted(row["findings"]) == sorted(fids)
    assert sorted(row["versions"]) == sorted(f"{f}@1" for f in fids)
    assert row["reportVersions"] == [f"{rid}@1"]
    assert row["linkedBy"] == [OWNER] * 4


async def test_monitor_bumps_asked_for_in_a_block_are_resolved_as_it_ends(
        sample_graph: Graph) -> None:
    # The finding's bump is asked for before its report is about the site: the block
    # resolves it at its end, when the report is.
    site, actor = await seeded_site(sample_graph), _actor()
    before = await _site_state(sample_graph, site)
    rid, fid = new_id("RPT"), new_id("FND")

    async def write(tx: Any) -> None:
        async with derived.batched(tx):
            await create_records(tx, Label.FINDING, [new_row({"id": fid, "category": "WAGES"})],
                                 actor)
            await derived.findings_changed(tx, Label.FINDING, [fid])
            await create_records(tx, Label.AUDIT_REPORT, [new_row({"id": rid, "title": "r"})],
                                 actor, attach=[Attach(Rel.HAS_FINDING, Label.FINDING, fid)])
            await link(tx, Label.AUDIT_REPORT, rid, Rel.ASSESSES, Label.PRODUCTION_SITE, site,
                       actor)
            inside = await (await tx.run(_VERSION, {"id": site})).single()
            assert inside["version"] == before["version"]  # not yet: at the block's end


    await sample_graph.write(write)
    after = await _site_state(sample_graph, site)
    assert (after["version"] or 0) == (before["version"] or 0) + 1
