"""createBrand, createSupplier and recordSupplyLink per actor. Each test creates its own records
(fresh ids) so the sample's story stays as it is."""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from tests.support.writes import (
    CREATE_BRAND,
    OWNER,
    TEST_BRAND,
    call,
    codes,
    ensure_test_orgs,
    fresh,
    new_site,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


CREATE_SUPPLIER = """
mutation($input: CreateSupplierInput!) { createSupplier(input: $input) {
  supplier { id name roles } errors { code message path } } }"""
LINK = """
mutation($input: RecordSupplyLinkInput!) { recordSupplyLink(input: $input) {
  recorded errors { code message path } } }"""


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


async def test_member_cannot_overwrite_the_volume_and_price_of_a_link_another_recorded(
        sample_graph: Graph, nrht: Viewer, eastmere: Viewer) -> None:
    # given a tier link with the owner's confidential volume and unit price
    supplier = (await call(sample_graph, nrht, CREATE_SUPPLIER, {"input": {
        "name": fresh("Supplier ")}})).data["createSupplier"]["supplier"]["id"]
    first = (await call(sample_graph, nrht, LINK, {"input": {
        "kind": "SOURCES_FROM", "fromId": TEST_BRAND, "toId": supplier, "volume": 100,
        "unitPrice": 5}})).data["recordSupplyLink"]
    assert first == {"recorded": True, "errors": []}
    # when another member, who sees both ends, records the same link with its own figures
    other = (await call(sample_graph, eastmere, LINK, {"input": {
        "kind": "SOURCES_FROM", "fromId": TEST_BRAND, "toId": supplier, "volume": 1,
        "unitPrice": 0.01}})).data["recordSupplyLink"]
    # then it is refused, and the owner's figures and provenance stay
    assert codes(other) == ["FORBIDDEN"] and other["errors"][0]["path"] == ["input", "volume"]
    again = (await call(sample_graph, eastmere, LINK, {"input": {
        "kind": "SOURCES_FROM", "fromId": TEST_BRAND, "toId": supplier}})
    ).data["recordSupplyLink"]
    assert again == {"recorded": True, "errors": []}
    rows = await sample_graph.query(
        "MATCH (:Brand {id: $b})-[r:SOURCES_FROM]->(:Supplier {id: $s}) "
        "RETURN r.volume AS v, r.unitPrice AS p, r.contributedBy AS by",
        {"b": TEST_BRAND, "s": supplier})
    assert rows == [{"v": 100.0, "p": 5.0, "by": OWNER}]
