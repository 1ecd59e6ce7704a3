"""setSharing per actor, and the write scope of the record's kind it needs. Each test creates its
own records (fresh ids) so the sample's story stays as it is."""

from __future__ import annotations

import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from tests.support.reads import READ_SCOPES
from tests.support.writes import (
    OWNER,
    SET_SHARING,
    SITE,
    call,
    codes,
    ensure_test_orgs,
    new_contract,
    new_report,
    new_site,
    writer,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


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


# ----- a hidden record is answered as an unknown one -------------------------------------------
@pytest.mark.parametrize("kind", ["site", "contract", "report"])
async def test_set_sharing_answers_a_hidden_record_word_for_word_as_an_unknown_id(
        sample_graph: Graph, actors: dict[str, Viewer], kind: str) -> None:
    # given a record the other member may not see (PRIVATE to its owner)
    owner, other = actors["owner"], actors["other"]
    if kind == "site":
        hidden = await new_site(sample_graph, owner, sharing="PRIVATE")
    elif kind == "contract":
        hidden = (await new_contract(sample_graph, owner, sharing="PRIVATE"))["id"]
    else:
        site = await new_site(sample_graph, owner)
        hidden = (await new_report(sample_graph, owner, site, sharing="PRIVATE"))["id"]
    unknown = hidden[:4] + "0000000000"
    # when the other member tries to change their sharing
    answers = [await call(sample_graph, other, SET_SHARING, {"input": {
        "id": rid, "sharing": "PUBLIC"}}) for rid in (hidden, unknown)]
    # then both answers are the same but for the id itself
    errors = [a.data["setSharing"]["errors"] for a in answers]
    assert [e[0]["code"] for e in errors] == ["NOT_FOUND", "NOT_FOUND"]
    assert errors[0][0]["message"].replace(hidden, "ID") == \
        errors[1][0]["message"].replace(unknown, "ID")
    assert errors[0][0]["path"] == errors[1][0]["path"]
