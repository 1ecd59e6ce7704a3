"""An import by an organisation resolves exactly the suppliers, brands and sites the API shows
the same organisation, RESTRICTED and consortium-shared ones included (issue: the importer
once computed peers with its own query, without consortia and, for a consortium, without its
members, and looked suppliers up without the RESTRICTED branch, creating duplicates).

The API's view is read through the API itself: a bearer viewer resolved as token validation
resolves it (`auth.backend.resolve_viewer`), then a GraphQL query."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from graph.core.db import Graph
from supplygraph.imports.contracts import import_contracts
from supplygraph.imports.sites import import_sites
from supplygraph.settings import Settings
from tests.support.viewers import api_viewer
from tests.support.writes import (
    OUTSIDER,
    OWNER,
    PEER,
    TEST_CONSORTIUM,
    call,
    ensure_test_orgs,
)

SUPPLIER = """query($id: ID!) { supplier(id: $id) { id name } }"""
BRAND = """query($id: ID!) { brand(id: $id) { id name } }"""


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


def _fresh() -> str:
    return "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(9)).title()


def _settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


async def _company(graph: Graph, label: str, *, owner: str, sharing: str,
                   shared_with: list[str] | None = None) -> tuple[str, str]:
    prefix = {"Supplier": "SUP", "Brand": "BRD"}[label]
    cid, name = f"{prefix}-IMPV-{_fresh().upper()}", f"{_fresh()} Holdings Ltd"
    await graph.query(
        f"CREATE (n:{label} {{id: $id, name: $name, countryCode: 'GB', roles: ['CONTRACTOR'], "
        "identifiers: [], sharing: $sharing, sharedWith: $with, contributedBy: $owner, "
        "source: 'import visibility test'})",
        {"id": cid, "name": name, "sharing": sharing, "with": shared_with or [],
         "owner": owner}, write=True)
    return cid, name


async def _import_award(graph: Graph, tmp_path: Path, org: str, supplier_name: str) -> str:
    ocid = f"ocds-impv-{_fresh()}"
    release = {"ocid": ocid, "id": "1", "date": "2026-01-10T00:00:00Z", "tag": ["contract"],
               "awards": [{"id": "1", "suppliers": [{"name": supplier_name}]}],
               "contracts": [{"id": "1", "awardID": "1", "title": "Laptops", "items": [
                   {"classification": {"scheme": "CPV", "id": "30213100-6"}}]}]}
    path = tmp_path / f"{ocid}.json"
    path.write_text(json.dumps({"releases": [release]}))
    summary = await import_contracts(graph, path, org=org, settings=_settings())
    assert [r.outcome for r in summary.results] == ["CREATED"]
    rows = await graph.query("MATCH (:Contract {reference: $r})-[:AWARDED_TO]->(s:Supplier) "
                             "RETURN s.id AS id", {"r": ocid})
    return str(rows[0]["id"])


async def _suppliers_named(graph: Graph, name: str) -> int:
    rows = await graph.query("MATCH (s:Supplier {name: $n}) RETURN count(s) AS n", {"n": name})
    return int(rows[0]["n"])


CASES = [
    # (importing org, supplier owner, sharing, shared with)
    pytest.param(OWNER, OUTSIDER, "RESTRICTED", [OWNER], id="restricted-naming-the-importer"),
    pytest.param(OWNER, TEST_CONSORTIUM, "CONSORTIUM", [], id="shared-by-my-consortium"),
    pytest.param(TEST_CONSORTIUM, OWNER, "CONSORTIUM", [], id="consortium-sees-its-member"),
    pytest.param(OWNER, PEER, "CONSORTIUM", [], id="consortium-peer"),
]


@pytest.mark.parametrize(("org", "owner", "sharing", "shared_with"), CASES)
async def test_ocds_import_awards_to_the_supplier_the_api_shows_and_creates_none(
        sample_graph: Graph, tmp_path: Path, org: str, owner: str, sharing: str,
        shared_with: list[str]) -> None:
    # given a supplier shared with the importing organisation, which the API shows it
    sid, name = await _company(sample_graph, "Supplier", owner=owner, sharing=sharing,
                               shared_with=shared_with)
    seen = await call(sample_graph, await api_viewer(sample_graph, org), SUPPLIER, {"id": sid})
    assert seen.data == {"supplier": {"id": sid, "name": name}}
    # when the organisation imports a contract awarded to it by name
    awarded = await _import_award(sample_graph, tmp_path, org, name)
    # then the contract is awarded to that supplier, and no second one is created
    assert awarded == sid
    assert await _suppliers_named(sample_graph, name) == 1


async def test_ocds_import_does_not_resolve_a_supplier_the_api_hides(
        sample_graph: Graph, tmp_path: Path) -> None:
    # given a supplier RESTRICTED to someone else: the API hides it from the importer
    sid, name = await _company(sample_graph, "Supplier", owner=OUTSIDER, sharing="RESTRICTED",
                               shared_with=[PEER])
    seen = await call(sample_graph, await api_viewer(sample_graph, OWNER), SUPPLIER,
                      {"id": sid})
    assert seen.data == {"supplier": None}
    # when the importer names it, then it gets a supplier of its own, never the hidden one
    awarded = await _import_award(sample_graph, tmp_path, OWNER, name)
    assert awarded != sid


@pytest.mark.parametrize(("org", "owner", "sharing", "shared_with"), CASES)
async def test_site_import_links_the_brand_the_api_shows(
        sample_graph: Graph, tmp_path: Path, org: str, owner: str, sharing: str,
        shared_with: list[str]) -> None:
    bid, name = await _company(sample_graph, "Brand", owner=owner, sharing=sharing,
                               shared_with=shared_with)
    seen = await call(sample_graph, await api_viewer(sample_graph, org), BRAND, {"id": bid})
    assert seen.data == {"brand": {"id": bid, "name": name}}
    site_name = f"{_fresh()} Assembly Plant"
    path = tmp_path / "sites.csv"
    path.write_text(f"name,country,brand\n{site_name},PH,{name}\n")
    summary = await import_sites(sample_graph, path, org=org, settings=_settings())
    result: Any = summary.results[0]
    assert (result.outcome, result.errors) == ("CREATED", [])
    rows = await sample_graph.query(
        "MATCH (:Brand {id: $b})-[:PRODUCED_AT]->(s:ProductionSite {name: $n}) "
        "RETURN count(s) AS n", {"b": bid, "n": site_name})
    assert rows[0]["n"] == 1
