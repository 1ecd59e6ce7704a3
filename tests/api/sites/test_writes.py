"""createProductionSite and updateProductionSite per actor: the owner, another member of its
consortium, a member of another consortium, a monitor, an operator, and a token without the write
scope; matching through the mutation, and the history of versions. Each test creates its own
records (fresh ids) so the sample's story stays as it is."""

from __future__ import annotations

from typing import Any

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.writes import (
    CREATE_SITE,
    OWNER,
    SITE_HISTORY,
    call,
    codes,
    ensure_test_orgs,
    fresh,
    new_site,
    seeded_site,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


UPDATE_SITE = """
mutation($id: ID!, $input: UpdateProductionSiteInput!) {
  updateProductionSite(id: $id, input: $input) {
    site { id name workerCount updatedAt } errors { code message path }
  }
}"""


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


async def test_history_names_the_writing_client_only_to_its_organisation_and_the_operator(
        sample_graph: Graph, nrht: Viewer, eastmere: Viewer, operator: Viewer) -> None:
    # given a public site that the trust wrote through its own client
    sid = await new_site(sample_graph, nrht, name=f"{fresh()} Assembly", sharing="PUBLIC")

    def clients(viewer_answer: Any) -> list[Any]:
        return [v["clientId"] for v in viewer_answer.data["productionSite"]["history"]]

    # then the trust and the operator see which client wrote it
    assert clients(await call(sample_graph, nrht, SITE_HISTORY, {"id": sid})) == \
        [nrht.client_id]
    assert clients(await call(sample_graph, operator, SITE_HISTORY, {"id": sid})) == \
        [nrht.client_id]
    # and another member reads the history, who wrote it and when, but not the client id,
    # which names another member's integration
    peer = await call(sample_graph, eastmere, SITE_HISTORY, {"id": sid})
    assert [v["organisationId"] for v in peer.data["productionSite"]["history"]] == \
        [nrht.org_id]
    assert clients(peer) == [None]


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
