"""The review queue (issue 13): a look-alike submitted through createProductionSite or
importSites is kept as a pending match, seen by its submitter and the operator only, and
decided once by confirmMatch or rejectMatch, each decision in the site's history."""

from __future__ import annotations

from typing import Any

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from tests.support.writes import (
    CREATE_SITE,
    OWNER,
    SITE_HISTORY,
    call,
    ensure_test_orgs,
    fresh,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


PENDING = """
query($status: PendingMatchStatus) { pendingMatches(status: $status, first: 500) {
  id status name submittedBy row decidedBy decidedAt siteId
  candidates { siteId name score parts { name address distanceM identifiers reasons } } } }"""
CONFIRM = """
mutation($input: ConfirmMatchInput!) { confirmMatch(input: $input) {
  pendingMatch { id status decidedBy siteId } site { id } errors { code message path } } }"""
REJECT = """
mutation($input: RejectMatchInput!) { rejectMatch(input: $input) {
  pendingMatch { id status siteId } site { id name } errors { code message path } } }"""
CREATE = """
mutation($input: CreateProductionSiteInput!) { createProductionSite(input: $input) {
  outcome pendingMatchId site { id }
  candidates { siteId score parts { name address identifiers reasons } }
  errors { code message } } }"""
IMPORT = """
mutation($input: ImportSitesInput!) { importSites(input: $input) {
  results { row outcome pendingMatchId candidates { siteId parts { reasons } } }
  needsConfirmation errors { code message } } }"""


async def _registered(graph: Graph, viewer: Viewer) -> tuple[str, str]:
    group = fresh()
    answer = await call(graph, viewer, CREATE_SITE, {"input": {
        "name": f"{group} Display (Kulim) Sdn Bhd", "countryCode": "MY",
        "address": "12 Jalan Hi-Tech 6", "city": "Kulim", "createAnyway": True}})
    return group, answer.data["createProductionSite"]["site"]["id"]


async def _look_alike(graph: Graph, viewer: Viewer, group: str) -> dict[str, Any]:
    answer = await call(graph, viewer, CREATE, {"input": {
        "name": f"{group} Assembly (Kulim) Sdn Bhd", "countryCode": "MY",
        "address": "12 Jalan Hi-Tech 6", "city": "Kulim", "products": ["30213100-6"]}})
    return answer.data["createProductionSite"]


async def _pending(graph: Graph, viewer: Viewer, status: str | None = "PENDING",
                   ) -> dict[str, dict[str, Any]]:
    answer = await call(graph, viewer, PENDING, {"status": status})
    assert answer.errors == [], answer.errors
    return {p["id"]: p for p in answer.data["pendingMatches"]}


async def test_another_entity_at_the_same_building_is_kept_for_review_with_its_reason(
        sample_graph: Graph, nrht: Viewer) -> None:
    # given a registered site; when the owner submits another legal entity at its address
    group, site_id = await _registered(sample_graph, nrht)
    payload = await _look_alike(sample_graph, nrht, group)
    # then nothing is matched: the submission is pending, with the candidate and why
    assert payload["outcome"] == "NEEDS_CONFIRMATION" and payload["site"] is None
    assert payload["candidates"][0]["siteId"] == site_id
    assert payload["candidates"][0]["parts"]["address"] == 100.0
    assert payload["candidates"][0]["parts"]["reasons"][0].startswith("names differ")
    pending = (await _pending(sample_graph, nrht))[payload["pendingMatchId"]]
    assert pending["submittedBy"] == OWNER and pending["status"] == "PENDING"
    assert [c["siteId"] for c in pending["candidates"]] == [site_id]


async def test_sending_the_same_input_again_keeps_one_pending_match(
        sample_graph: Graph, nrht: Viewer) -> None:
    group, _ = await _registered(sample_graph, nrht)
    first = await _look_alike(sample_graph, nrht, group)
    second = await _look_alike(sample_graph, nrht, group)
    assert first["pendingMatchId"] == second["pendingMatchId"]
    mine = await _pending(sample_graph, nrht)
    assert sum(1 for p in mine.values() if p["name"].startswith(group)) == 1


async def test_pending_matches_are_seen_by_the_submitter_and_the_operator_only(
        sample_graph: Graph, nrht: Viewer, eastmere: Viewer, ulake: Viewer,
        operator: Viewer) -> None:
    group, _ = await _registered(sample_graph, nrht)
    pid = (await _look_alike(sample_graph, nrht, group))["pendingMatchId"]
    assert pid in await _pending(sample_graph, nrht)
    assert pid in await _pending(sample_graph, operator)
    assert pid not in await _pending(sample_graph, eastmere)  # same consortium: still not
    assert pid not in await _pending(sample_graph, ulake)


async def test_confirming_links_the_submission_to_the_site_and_records_who_in_its_history(
        sample_graph: Graph, nrht: Viewer) -> None:
    group, site_id = await _registered(sample_graph, nrht)
    pid = (await _look_alike(sample_graph, nrht, group))["pendingMatchId"]
    answer = await call(sample_graph, nrht, CONFIRM, {"input": {
        "pendingMatchId": pid, "siteId": site_id, "note": "same building, same entity"}})
    payload = answer.data["confirmMatch"]
    assert payload["errors"] == []
    assert payload["pendingMatch"] == {"id": pid, "status": "CONFIRMED", "decidedBy": OWNER,
                                       "siteId": site_id}
    rows = await sample_graph.query(
        "MATCH (:ProductionSite {id: $id})-[:MAKES]->(c) RETURN collect(c.cpvCode) AS c",
        {"id": site_id})
    assert rows[0]["c"] == ["30213100-6"]
    versions = (await call(sample_graph, nrht, SITE_HISTORY, {"id": site_id})).data[
        "productionSite"]["history"]
    confirmed = [v for v in versions if v["change"] == "MATCH_CONFIRMED"]
    assert len(confirmed) == 1 and confirmed[0]["organisationId"] == OWNER
    assert pid in confirmed[0]["note"] and "same building" in confirmed[0]["note"]
    # and a second decision is refused, with a typed error
    again = await call(sample_graph, nrht, REJECT, {"input": {"pendingMatchId": pid}})
    assert [e["code"] for e in again.data["rejectMatch"]["errors"]] == ["CONFLICT"]


async def test_rejecting_creates_the_submitted_site(sample_graph: Graph, nrht: Viewer) -> None:
    group, site_id = await _registered(sample_graph, nrht)
    pid = (await _look_alike(sample_graph, nrht, group))["pendingMatchId"]
    payload = (await call(sample_graph, nrht, REJECT, {"input": {
        "pendingMatchId": pid}})).data["rejectMatch"]
    assert payload["errors"] == []
    new_id = payload["site"]["id"]
    assert new_id != site_id and payload["site"]["name"].startswith(f"{group} Assembly")
    assert payload["pendingMatch"]["status"] == "REJECTED"
    assert payload["pendingMatch"]["siteId"] == new_id
    versions = (await call(sample_graph, nrht, SITE_HISTORY, {"id": new_id})).data[
        "productionSite"]["history"]
    assert [v["change"] for v in versions] == ["CREATE", "MATCH_REJECTED"]


async def test_another_organisation_cannot_decide_a_pending_match_and_learns_nothing(
        sample_graph: Graph, nrht: Viewer, ulake: Viewer) -> None:
    group, site_id = await _registered(sample_graph, nrht)
    pid = (await _look_alike(sample_graph, nrht, group))["pendingMatchId"]
    theirs = await call(sample_graph, ulake, CONFIRM, {"input": {
        "pendingMatchId": pid, "siteId": site_id}})
    unknown = await call(sample_graph, ulake, CONFIRM, {"input": {
        "pendingMatchId": "PM-NOPE", "siteId": site_id}})
    a, b = theirs.data["confirmMatch"]["errors"], unknown.data["confirmMatch"]["errors"]
    assert [e["code"] for e in a] == [e["code"] for e in b] == ["NOT_FOUND"]
    assert a[0]["message"].replace(pid, "X") == b[0]["message"].replace("PM-NOPE", "X")
    assert pid in await _pending(sample_graph, nrht)  # still pending


async def test_confirming_with_an_unknown_site_is_a_typed_error(sample_graph: Graph,
                                                                nrht: Viewer) -> None:
    group, _ = await _registered(sample_graph, nrht)
    pid = (await _look_alike(sample_graph, nrht, group))["pendingMatchId"]
    answer = await call(sample_graph, nrht, CONFIRM, {"input": {
        "pendingMatchId": pid, "siteId": "MY-NOPE"}})
    errors = answer.data["confirmMatch"]["errors"]
    assert [e["code"] for e in errors] == ["NOT_FOUND"]
    assert errors[0]["path"] == ["input", "siteId"]


async def test_import_rows_needing_confirmation_are_kept_once_across_reimports(
        sample_graph: Graph, nrht: Viewer) -> None:
    group, _ = await _registered(sample_graph, nrht)
    rows = [{"name": f"{group} Assembly (Kulim) Sdn Bhd", "countryCode": "MY",
             "address": "12 Jalan Hi-Tech 6", "city": "Kulim"},
            {"name": f"{group} Display Plant 2 (Kulim) Sdn Bhd", "countryCode": "MY",
             "address": "12 Jalan Hi-Tech 6", "city": "Kulim"}]
    first = (await call(sample_graph, nrht, IMPORT, {"input": {"rows": rows}})).data[
        "importSites"]
    again = (await call(sample_graph, nrht, IMPORT, {"input": {"rows": rows}})).data[
        "importSites"]
    assert first["needsConfirmation"] == again["needsConfirmation"] == 2
    ids = [r["pendingMatchId"] for r in first["results"]]
    assert ids == [r["pendingMatchId"] for r in again["results"]] and None not in ids
    mine = await _pending(sample_graph, nrht)
    assert sum(1 for p in mine.values() if p["name"].startswith(group)) == 2
