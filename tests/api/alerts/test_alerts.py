"""Alerts: webhooks registered per member, outbox entries written with the change, a worker
delivering them signed to a real local HTTP receiver, retried, filtered by severity and by
what the recipient may read, and delivered once by two concurrent workers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.alerts import outbox
from graph.core.db import Graph
from graph.alerts.webhooks import verify
from seeds import sample as s
from supplygraph.readpaths import WEBHOOK_BODY
from supplygraph.settings import Settings
from supplygraph.worker import Worker
from tests.support.alerts import (
    DELETE,
    REGISTER,
    SUBMIT,
    Hooks,
    Receiver,
    alert_settings,
    call_with,
    new_secret,
    receiver,
    report,
)
from tests.support.viewers import api_viewer
from tests.support.writes import writer

WEBHOOKS = """
query { webhooks { id url filter { minSeverity } deliveries { id event status dropReason
  attempts { number statusCode error } } } }"""
UPDATE_FINDING = """
mutation($input: UpdateFindingInput!) { updateFinding(input: $input) {
  finding { id status } errors { code message path } } }"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return alert_settings(tmp_path)


@pytest.fixture
async def nrht(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, s.NW_HEALTH)


@pytest.fixture
async def ulake(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, s.LK_UNI)


@pytest.fixture
async def monitor(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, s.MONITOR_WORKERS, kind="MONITOR")


@pytest.fixture
async def clean_outbox(sample_graph: Graph) -> AsyncIterator[None]:
    """Entries left by other tests must not be delivered by this test's workers."""
    await sample_graph.query("MATCH (e:OutboxEntry {status: 'PENDING'}) "
                             "SET e.status = 'CANCELLED'", write=True)
    yield


@pytest.fixture
async def hooks(sample_graph: Graph, settings: Settings,
                clean_outbox: None) -> AsyncIterator[Hooks]:
    h = Hooks(sample_graph, settings)
    yield h
    for viewer, hid in h.created:
        await call_with(sample_graph, viewer, settings, DELETE, {"id": hid})


def bodies(rec: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in rec.requests]


# ----- registration ---------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["ftp://example.org/hook", "file:///etc/passwd",
                                 "javascript:alert(1)", "not a url"])
async def test_member_registering_non_http_url_is_refused_at_url(
        sample_graph: Graph, nrht: Viewer, tmp_path: Path, url: str) -> None:
    settings = alert_settings(tmp_path, webhook_allow_hosts=[])
    answer = await call_with(sample_graph, nrht, settings, REGISTER,
                             {"input": {"url": url, "secret": new_secret()}})
    payload = answer.data["registerWebhook"]
    assert payload["webhook"] is None
    assert [(e["code"], e["path"]) for e in payload["errors"]] == [
        ("BAD_USER_INPUT", ["input", "url"])]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://localhost/hook",
                                 "http://10.1.2.3/hook", "https://192.168.0.10/hook",
                                 "http://169.254.169.254/latest/meta-data",
                                 "http://[::1]/hook", "http://0.0.0.0/hook",
                                 "http://[::ffff:127.0.0.1]/hook"])
async def test_member_registering_internal_address_is_refused_unless_allowed(
        sample_graph: Graph, nrht: Viewer, tmp_path: Path, url: str) -> None:
    strict = alert_settings(tmp_path, webhook_allow_hosts=[])
    answer = await call_with(sample_graph, nrht, strict, REGISTER,
                             {"input": {"url": url, "secret": new_secret()}})
    errors = answer.data["registerWebhook"]["errors"]
    assert [(e["code"], e["path"]) for e in errors] == [("BAD_USER_INPUT", ["input", "url"])]
    assert "address" in errors[0]["message"]


async def test_operator_setting_allows_private_addresses(
        sample_graph: Graph, nrht: Viewer, tmp_path: Path) -> None:
    settings = alert_settings(tmp_path, webhook_allow_hosts=[], webhook_allow_private=True)
    hooks = Hooks(sample_graph, settings)
    payload = await hooks.register(nrht, "http://10.1.2.3/hook", new_secret())
    assert payload["errors"] == [] and payload["webhook"]["url"] == "http://10.1.2.3/hook"
    for viewer, hid in hooks.created:
        await call_with(sample_graph, viewer, settings, DELETE, {"id": hid})


async def test_member_registering_bad_secret_and_low_severity_gets_paths(
        sample_graph: Graph, nrht: Viewer, settings: Settings) -> None:
    answer = await call_with(sample_graph, nrht, settings, REGISTER, {"input": {
        "url": "http://127.0.0.1:9/hook", "secret": "short",
        "filter": {"minSeverity": "LOW"}}})
    errors = answer.data["registerWebhook"]["errors"]
    assert {tuple(e["path"]) for e in errors} == {("input", "secret"),
                                                  ("input", "filter", "minSeverity")}


async def test_webhook_secret_is_never_returned_and_stored_encrypted(
        sample_graph: Graph, nrht: Viewer, ulake: Viewer, settings: Settings,
        hooks: Hooks) -> None:
    secret = new_secret()
    payload = await hooks.register(nrht, "http://127.0.0.1:9/hook", secret,
                                   minSeverity="CRITICAL", categories=["FORCED_LABOUR"])
    hook = payload["webhook"]
    assert hook["filter"] == {"minSeverity": "CRITICAL", "categories": ["FORCED_LABOUR"],
                              "onlyMyExposure": False}
    rows = await sample_graph.query("MATCH (w:Webhook {id: $id}) RETURN properties(w) AS p",
                                    {"id": hook["id"]})
    assert secret not in json.dumps(rows[0]["p"])
    mine = await call_with(sample_graph, nrht, settings, WEBHOOKS)
    assert hook["id"] in [w["id"] for w in mine.data["webhooks"]]
    assert secret not in json.dumps(mine.data)
    # Another member neither lists nor deletes it.
    theirs = await call_with(sample_graph, ulake, settings, WEBHOOKS)
    assert hook["id"] not in [w["id"] for w in theirs.data["webhooks"]]
    gone = await call_with(sample_graph, ulake, settings, DELETE, {"id": hook["id"]})
    assert [(e["code"], e["path"]) for e in gone.data["deleteWebhook"]["errors"]] == [
        ("NOT_FOUND", ["id"])]


async def test_token_without_reports_read_cannot_register(
        sample_graph: Graph, settings: Settings) -> None:
    viewer = await writer(sample_graph, s.NW_HEALTH, frozenset({Scope.SITES_READ}))
    answer = await call_with(sample_graph, viewer, settings, REGISTER,
                             {"input": {"url": "http://127.0.0.1:9/", "secret": new_secret()}})
    assert answer.data["registerWebhook"] is None
    assert answer.codes() == ["FORBIDDEN"]


# ----- enqueue and delivery -------------------------------------------------------------------
async def test_high_finding_is_delivered_signed_and_low_is_not(
        sample_graph: Graph, nrht: Viewer, monitor: Viewer, settings: Settings,
        hooks: Hooks) -> None:
    secret = new_secret()
    with receiver() as rec:
        # given a webhook of the health trust
        hook = (await hooks.register(nrht, rec.url, secret))["webhook"]
        # when a monitor reports one HIGH and one LOW finding, and the worker runs
        rpt = await report(sample_graph, monitor, settings, ("FORCED_LABOUR", "HIGH"),
                           ("WAGES", "LOW"))
        await Worker(sample_graph, settings).drain()
    # then exactly the HIGH finding arrives, signed
    high = next(f["id"] for f in rpt["findings"] if f["severity"] == "HIGH")
    assert len(rec.requests) == 1
    req = rec.requests[0]
    assert verify(secret, req.headers["x-supplygraph-signature"], req.body)
    assert not verify("another secret of some length", req.headers["x-supplygraph-signature"],
                      req.body)
    body = json.loads(req.body)
    assert body["event"] == "finding.created" and body["finding"]["id"] == high
    assert body["finding"]["severity"] == "HIGH"
    assert body["report"]["id"] == rpt["id"] and body["site"]["id"] == s.SITE_KUNSHAN
    assert req.headers["x-supplygraph-delivery"] == body["id"]
    assert body["webhookId"] == hook["id"]
    # nothing leaves in a delivery that the read-path registry does not declare
    assert set(body) == set(WEBHOOK_BODY)
    listed = await call_with(sample_graph, nrht, settings, WEBHOOKS)
    mine = next(w for w in listed.data["webhooks"] if w["id"] == hook["id"])
    assert [(d["status"], [a["statusCode"] for a in d["attempts"]])
            for d in mine["deliveries"]] == [("DELIVERED", [200])]


async def test_receiver_500_then_200_is_retried_and_every_attempt_recorded(
        sample_graph: Graph, nrht: Viewer, monitor: Viewer, settings: Settings,
        hooks: Hooks) -> None:
    with receiver(script=[500, 503]) as rec:
        hook = (await hooks.register(nrht, rec.url, new_secret()))["webhook"]
        await report(sample_graph, monitor, settings, ("CHILD_LABOUR", "CRITICAL"))
        worker = Worker(sample_graph, settings)
        for _ in range(50):
            await worker.drain()
            if len(rec.requests) >= 3:
                break
            await asyncio.sleep(0.05)
        await worker.close()
    assert len(rec.requests) == 3
    ids = {r.headers["x-supplygraph-delivery"] for r in rec.requests}
    assert len(ids) == 1  # the same delivery id on every attempt
    listed = await call_with(sample_graph, nrht, settings, WEBHOOKS)
    mine = next(w for w in listed.data["webhooks"] if w["id"] == hook["id"])
    (delivery,) = mine["deliveries"]
    assert delivery["status"] == "DELIVERED"
    assert [a["statusCode"] for a in delivery["attempts"]] == [500, 503, 200]


async def test_receiver_always_failing_ends_failed_after_max_attempts(
        sample_graph: Graph, nrht: Viewer, monitor: Viewer, settings: Settings,
        hooks: Hooks) -> None:
    with receiver(script=[500] * 10) as rec:
        hook = (await hooks.register(nrht, rec.url, new_secret()))["webhook"]
        await report(sample_graph, monitor, settings, ("CHILD_LABOUR", "CRITICAL"))
        worker = Worker(sample_graph, settings)
        for _ in range(50):
            await worker.drain()
            if len(rec.requests) >= settings.webhook_max_attempts:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.1)
        await worker.drain()
        await worker.close()
    assert len(rec.requests) == settings.webhook_max_attempts
    listed = await call_with(sample_graph, nrht, settings, WEBHOOKS)
    (delivery,) = next(w for w in listed.data["webhooks"] if w["id"] == hook["id"])["deliveries"]
    assert delivery["status"] == "FAILED"
    assert len(delivery["attempts"]) == settings.webhook_max_attempts


async def test_member_who_cannot_see_the_finding_gets_nothing(
        sample_graph: Graph, nrht: Viewer, ulake: Viewer, monitor: Viewer,
        settings: Settings, hooks: Hooks) -> None:
    with receiver() as nrht_rec, receiver() as ulake_rec:
        nrht_hook = (await hooks.register(nrht, nrht_rec.url, new_secret()))["webhook"]
        await hooks.register(ulake, ulake_rec.url, new_secret())
        # a report shared with the University of Lakeshore only
        rpt = await report(sample_graph, monitor, settings, ("FORCED_LABOUR", "CRITICAL"),
                           sharing="RESTRICTED", shared_with=[s.LK_UNI])
        await Worker(sample_graph, settings).drain()
    assert nrht_rec.requests == []
    assert [b["finding"]["id"] for b in bodies(ulake_rec)] == [rpt["findings"][0]["id"]]
    # and its webhook lists no delivery of that finding: an entry (its time, and with one
    # webhook per filter the finding's category and severity) would tell the finding exists
    listed = await call_with(sample_graph, nrht, settings, WEBHOOKS)
    assert next(w for w in listed.data["webhooks"]
                if w["id"] == nrht_hook["id"])["deliveries"] == []
    rows = await sample_graph.query(
        "MATCH (e:OutboxEntry {webhookId: $w}) RETURN e.status AS status, "
        "e.dropReason AS why", {"w": nrht_hook["id"]})
    assert [r["status"] for r in rows] == ["DROPPED"] and "may not read" in rows[0]["why"]


async def test_category_and_exposure_filters(
        sample_graph: Graph, nrht: Viewer, monitor: Viewer, settings: Settings,
        hooks: Hooks) -> None:
    with receiver() as forced, receiver() as exposed:
        await hooks.register(nrht, forced.url, new_secret(), categories=["FORCED_LABOUR"])
        await hooks.register(nrht, exposed.url, new_secret(), onlyMyExposure=True)
        # Kunshan is disclosed on the trust's laptop contract; no contract of the trust
        # reaches Chao Phraya Displays (only Auralux, contracted by Lakeshore, sources there).
        rows = await sample_graph.query(
            "MATCH (:Supplier {id: 'SUP-CHAOPHRAYA'})-[:OPERATES]->(x:ProductionSite "
            "{sharing: 'PUBLIC'}) RETURN x.id AS id ORDER BY id LIMIT 1")
        await report(sample_graph, monitor, settings, ("WAGES", "HIGH"), site=s.SITE_KUNSHAN)
        await report(sample_graph, monitor, settings, ("FORCED_LABOUR", "HIGH"),
                     site=rows[0]["id"])
        await Worker(sample_graph, settings).drain()
    assert [b["finding"]["category"] for b in bodies(forced)] == ["FORCED_LABOUR"]
    assert [(b["site"]["id"], b["finding"]["category"]) for b in bodies(exposed)] == [
        (s.SITE_KUNSHAN, "WAGES")]


async def test_update_finding_status_change_alerts_once(
        sample_graph: Graph, nrht: Viewer, monitor: Viewer, settings: Settings,
        hooks: Hooks) -> None:
    with receiver() as rec:
        rpt = await report(sample_graph, monitor, settings, ("HARSH_TREATMENT", "HIGH"))
        await Worker(sample_graph, settings).drain()  # nothing registered yet
        await hooks.register(nrht, rec.url, new_secret())
        fid = rpt["findings"][0]["id"]
        for status in ("IN_REMEDIATION", "IN_REMEDIATION"):
            answer = await call_with(sample_graph, monitor, settings, UPDATE_FINDING,
                                     {"input": {"id": fid, "status": status}})
            assert answer.data["updateFinding"]["errors"] == []
        await Worker(sample_graph, settings).drain()
    assert [(b["event"], b["finding"]["status"]) for b in bodies(rec)] == [
        ("finding.updated", "IN_REMEDIATION")]


async def test_rejected_change_writes_no_outbox_entry(
        sample_graph: Graph, nrht: Viewer, monitor: Viewer, settings: Settings,
        hooks: Hooks) -> None:
    await hooks.register(nrht, "http://127.0.0.1:9/hook", new_secret())
    before = await outbox.counts(sample_graph)
    answer = await call_with(sample_graph, monitor, settings, SUBMIT, {"input": {
        "siteId": s.SITE_KUNSHAN, "kind": "GRIEVANCE", "title": "Rolled back",
        "sharing": "RESTRICTED", "sharedWith": ["ORG-DOES-NOT-EXIST"],
        "findings": [{"category": "FORCED_LABOUR", "severity": "CRITICAL"}]}})
    assert [e["code"] for e in answer.data["submitReport"]["errors"]] == ["NOT_FOUND"]
    assert await outbox.counts(sample_graph) == before


# ----- concurrency and crashes ----------------------------------------------------------------
async def test_two_concurrent_workers_deliver_each_alert_once(
        sample_graph: Graph, nrht: Viewer, monitor: Viewer, settings: Settings,
        hooks: Hooks) -> None:
    with receiver() as rec:
        hook = (await hooks.register(nrht, rec.url, new_secret()))["webhook"]["id"]
        for _ in range(6):
            await report(sample_graph, monitor, settings, ("FORCED_LABOUR", "HIGH"),
                         ("CHILD_LABOUR", "CRITICAL"))
        small = settings.model_copy(update={"worker_batch_size": 3})
        w1, w2 = Worker(sample_graph, small, name="w1"), Worker(sample_graph, small, name="w2")
        await asyncio.gather(w1.drain(), w2.drain(), w1.drain(), w2.drain())
        await w1.drain()  # a worker that lost every race in a round stops early
        await w1.close()
        await w2.close()
    # Exactly once: the 12 alerts enqueued for the webhook (6 reports x 2 findings) each reached
    # the receiver once (none twice, none lost) and each is DELIVERED. Which worker delivered
    # which is up to scheduling and is not asserted.
    entries = await sample_graph.query(
        "MATCH (e:OutboxEntry {webhookId: $hook}) RETURN e.id AS id, e.status AS status",
        {"hook": hook})
    assert len(entries) == 12
    ids = [r.headers["x-supplygraph-delivery"] for r in rec.requests]
    assert sorted(ids) == sorted(e["id"] for e in entries)
    assert len(set(ids)) == len(ids) == 12
    assert {e["status"] for e in entries} == {outbox.DELIVERED}


async def test_crashed_worker_lease_expires_and_alert_is_delivered_by_another(
        sample_graph: Graph, nrht: Viewer, monitor: Viewer, settings: Settings,
        hooks: Hooks) -> None:
    with receiver() as rec:
        await hooks.register(nrht, rec.url, new_secret())
        await report(sample_graph, monitor, settings, ("FORCED_LABOUR", "HIGH"))
        now = Worker(sample_graph, settings).clock()
        # a worker leases the entry and dies before delivering
        leased = await outbox.lease(sample_graph, owner="crashed", now_ms=now,
                                    lease_ms=60_000, limit=100)
        assert len(leased) == 1
        # while the lease holds, nobody else takes it
        assert await Worker(sample_graph, settings).drain() == 0
        # after it expires, another worker delivers it
        later = Worker(sample_graph, settings, clock=lambda: now + 61_000)
        assert await later.drain() == 1
        await later.close()
        # the crashed worker's late completion changes nothing
        assert not await outbox.finish(sample_graph, leased[0], status=outbox.FAILED,
                                       now="2030-01-01T00:00:00Z", attempted=True)
    assert len(rec.requests) == 1
    assert rec.requests[0].headers["x-supplygraph-delivery"] == leased[0]["id"]


async def test_url_rechecked_at_delivery(
        sample_graph: Graph, nrht: Viewer, monitor: Viewer, settings: Settings,
        hooks: Hooks, tmp_path: Path) -> None:
    with receiver() as rec:
        hook = (await hooks.register(nrht, rec.url, new_secret()))["webhook"]
        await report(sample_graph, monitor, settings, ("FORCED_LABOUR", "HIGH"))
        # the operator withdraws the allowance before delivery
        strict = settings.model_copy(update={"webhook_allow_hosts": [],
                                             "webhook_max_attempts": 1})
        await Worker(sample_graph, strict).drain()
    assert rec.requests == []
    listed = await call_with(sample_graph, nrht, settings, WEBHOOKS)
    (delivery,) = next(w for w in listed.data["webhooks"] if w["id"] == hook["id"])["deliveries"]
    assert delivery["status"] == "FAILED"
    assert "address" in delivery["attempts"][0]["error"]


async def test_deleted_webhook_cancels_pending_deliveries(
        sample_graph: Graph, nrht: Viewer, monitor: Viewer, settings: Settings,
        hooks: Hooks) -> None:
    with receiver() as rec:
        hook = (await hooks.register(nrht, rec.url, new_secret()))["webhook"]
        await report(sample_graph, monitor, settings, ("FORCED_LABOUR", "HIGH"))
        gone = await call_with(sample_graph, nrht, settings, DELETE, {"id": hook["id"]})
        assert gone.data["deleteWebhook"] == {"deleted": True, "errors": []}
        await Worker(sample_graph, settings).drain()
    assert rec.requests == []



async def test_bulk_report_import_enqueues_alerts_in_its_batch(
        sample_graph: Graph, nrht: Viewer, settings: Settings, hooks: Hooks,
        tmp_path: Path) -> None:
    from supplygraph.imports.reports import import_reports

    path = tmp_path / "reports.json"
    path.write_text(json.dumps({"reports": [{
        "siteId": s.SITE_KUNSHAN, "kind": "NGO_INVESTIGATION", "title": "Imported visit",
        "findings": [{"category": "RECRUITMENT_FEES", "severity": "CRITICAL"},
                     {"category": "WAGES", "severity": "MEDIUM"}]}]}))
    with receiver() as rec:
        await hooks.register(nrht, rec.url, new_secret())
        summary = await import_reports(sample_graph, path, org=s.MONITOR_NGO, settings=settings)
        assert [r.outcome for r in summary.results] == ["CREATED"]
        await Worker(sample_graph, settings).drain()
    assert [(b["finding"]["category"], b["report"]["title"]) for b in bodies(rec)] == [
        ("RECRUITMENT_FEES", "Imported visit")]


REPORT = """query($id: ID!) { report(id: $id) { id findings { id } } }"""


async def test_member_receives_what_its_consortium_shares_as_the_api_shows_it(
        sample_graph: Graph, settings: Settings, hooks: Hooks) -> None:
    # given a member's webhook, and a report its consortium itself shares CONSORTIUM-wide
    member = await api_viewer(sample_graph, s.NW_HEALTH)
    consortium = await writer(sample_graph, s.NORTHWIND, kind="CONSORTIUM")
    with receiver() as rec:
        await hooks.register(member, rec.url, new_secret())
        rpt = await report(sample_graph, consortium, settings, ("FORCED_LABOUR", "CRITICAL"),
                           sharing="CONSORTIUM")
        # when the worker delivers, reading the finding as the webhook's owner
        await Worker(sample_graph, settings).drain()
    # then the member receives it, as the API shows the member that report
    seen = await call_with(sample_graph, member, settings, REPORT, {"id": rpt["id"]})
    assert seen.data["report"]["findings"] == [{"id": rpt["findings"][0]["id"]}]
    assert [b["finding"]["id"] for b in bodies(rec)] == [rpt["findings"][0]["id"]]


async def test_pending_delivery_of_a_finding_the_owner_may_not_read_is_not_listed(
        sample_graph: Graph, nrht: Viewer, ulake: Viewer, monitor: Viewer,
        settings: Settings, hooks: Hooks) -> None:
    # given two members' webhooks and a finding shared with one of them only, not delivered
    with receiver() as nrht_rec, receiver() as ulake_rec:
        nrht_hook = (await hooks.register(nrht, nrht_rec.url, new_secret()))["webhook"]
        ulake_hook = (await hooks.register(ulake, ulake_rec.url, new_secret()))["webhook"]
        await report(sample_graph, monitor, settings, ("CHILD_LABOUR", "CRITICAL"),
                     sharing="RESTRICTED", shared_with=[s.LK_UNI])

        # when each lists its webhook's deliveries before any worker ran
        def of(answer: Any, hook: dict[str, Any]) -> list[dict[str, Any]]:
            return next(w for w in answer.data["webhooks"] if w["id"] == hook["id"])[
                "deliveries"]

        mine = of(await call_with(sample_graph, nrht, settings, WEBHOOKS), nrht_hook)
        theirs = of(await call_with(sample_graph, ulake, settings, WEBHOOKS), ulake_hook)
    # then the member who may read it sees it pending; the other sees nothing at all
    assert [d["status"] for d in theirs] == ["PENDING"]
    assert mine == []
