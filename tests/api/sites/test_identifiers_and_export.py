"""Site identifiers through the API (stored, checked, searchable, counted by matching) and
`siteExport` (what the caller may see, in OSH columns)."""

from __future__ import annotations

import csv
import io
import json
import secrets

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from graph.sites.export import OSH_COLUMNS
from tests.support.writes import call, ensure_test_orgs, fresh


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


CREATE = """
mutation($input: CreateProductionSiteInput!) { createProductionSite(input: $input) {
  outcome site { id osId lei duns sector facilityType }
  candidates { siteId parts { identifiers reasons } } errors { code message path } } }"""
BY_IDENTIFIER = """
query($i: String) { productionSites(filter: {identifier: $i}, first: 5) {
  edges { node { id } } } }"""
EXPORT = """
query($f: SiteExportFormat!, $a: String) { siteExport(format: $f, countryCode: ["MY"],
  after: $a, first: 5000) { content count hasNextPage endCursor } }"""


def _os_id() -> str:
    return "MY2025" + str(secrets.randbelow(900) + 100) + secrets.token_hex(3).upper()


async def test_identifiers_are_stored_in_one_spelling_and_found_by_the_filter(
        sample_graph: Graph, nrht: Viewer, ulake: Viewer) -> None:
    os_id, duns = _os_id(), str(secrets.randbelow(10**9)).zfill(9)
    payload = (await call(sample_graph, nrht, CREATE, {"input": {
        "name": f"{fresh()} Optics Sdn Bhd", "countryCode": "MY", "osId": os_id.lower(),
        "duns": f"{duns[:2]}-{duns[2:5]}-{duns[5:]}", "sector": "Electronics",
        "facilityType": "Final Product Assembly", "sharing": "PRIVATE"}})).data[
        "createProductionSite"]
    assert payload["errors"] == [], payload
    site = payload["site"]
    assert (site["osId"], site["duns"], site["sector"]) == (os_id, duns, "Electronics")
    for identifier in (os_id, os_id.lower(), duns):
        found = (await call(sample_graph, nrht, BY_IDENTIFIER, {"i": identifier})).data
        assert [e["node"]["id"] for e in found["productionSites"]["edges"]] == [site["id"]]
    # a private site is not found by another organisation, by its identifier either
    theirs = (await call(sample_graph, ulake, BY_IDENTIFIER, {"i": os_id})).data
    assert theirs["productionSites"]["edges"] == []


@pytest.mark.parametrize(("field", "value"), [
    ("lei", "NOT-AN-LEI"), ("duns", "12345"), ("osId", "Kulim 5")])
async def test_a_malformed_identifier_is_refused_with_its_path(
        sample_graph: Graph, nrht: Viewer, field: str, value: str) -> None:
    payload = (await call(sample_graph, nrht, CREATE, {"input": {
        "name": f"{fresh()} Optics", "countryCode": "MY", field: value}})).data[
        "createProductionSite"]
    assert [(e["code"], e["path"]) for e in payload["errors"]] == [
        ("BAD_USER_INPUT", ["input", field])]


async def test_a_shared_os_id_matches_a_site_submitted_without_an_address(
        sample_graph: Graph, nrht: Viewer) -> None:
    name, os_id = f"{fresh()} Precision", _os_id()
    first = (await call(sample_graph, nrht, CREATE, {"input": {
        "name": f"{name} (Penang) Sdn Bhd", "countryCode": "MY", "osId": os_id,
        "address": f"9 Jalan {fresh()}", "city": "Penang"}})).data["createProductionSite"]
    again = (await call(sample_graph, nrht, CREATE, {"input": {
        "name": f"{name.upper()} SDN. BHD.", "countryCode": "MY", "osId": os_id}})).data[
        "createProductionSite"]
    assert again["outcome"] == "MATCHED"
    assert again["site"]["id"] == first["site"]["id"]
    assert again["candidates"][0]["parts"] == {"identifiers": "SAME", "reasons": []}


async def test_site_export_has_what_the_caller_may_see_in_osh_columns(
        sample_graph: Graph, nrht: Viewer, ulake: Viewer) -> None:
    name, os_id = f"{fresh()} Cable Sdn Bhd", _os_id()
    await call(sample_graph, nrht, CREATE, {"input": {
        "name": name, "countryCode": "MY", "osId": os_id, "address": f"3 Jalan {fresh()}",
        "latitude": 5.41, "longitude": 100.33, "workerCount": 640, "sharing": "PRIVATE",
        "createAnyway": True}})

    async def rows(viewer: Viewer) -> list[dict[str, str]]:
        out, after = [], None
        while True:
            page = (await call(sample_graph, viewer, EXPORT, {"f": "CSV", "a": after})).data[
                "siteExport"]
            # the header comes with the first page only
            out += list(csv.DictReader(io.StringIO(page["content"]),
                                       fieldnames=None if after is None else OSH_COLUMNS))
            if not page["hasNextPage"]:
                return out
            after = page["endCursor"]

    mine = [r for r in await rows(nrht) if r["name"] == name]
    assert len(mine) == 1
    assert (mine[0]["os_id"], mine[0]["lat"], mine[0]["lng"], mine[0]["number_of_workers"]) \
        == (os_id, "5.41", "100.33", "640")
    assert all(r["name"] != name for r in await rows(ulake))
    geo = (await call(sample_graph, nrht, EXPORT, {"f": "GEOJSON", "a": None})).data[
        "siteExport"]
    features = json.loads(geo["content"])["features"]
    ours = [f for f in features if f["properties"]["name"] == name]
    assert ours[0]["geometry"] == {"type": "Point", "coordinates": [100.33, 5.41]}


def _lei() -> str:
    return secrets.token_hex(9).upper() + f"{secrets.randbelow(90) + 10}"


async def test_an_lei_of_a_site_in_another_country_is_a_question_with_the_reason(
        sample_graph: Graph, nrht: Viewer) -> None:
    lei = _lei()
    await call(sample_graph, nrht, CREATE, {"input": {
        "name": f"{fresh()} Display Sdn Bhd", "countryCode": "MY", "lei": lei,
        "address": f"4 Jalan {fresh()}", "createAnyway": True}})
    payload = (await call(sample_graph, nrht, CREATE, {"input": {
        "name": f"{fresh()} Displays SA de CV", "countryCode": "MX", "lei": lei,
        "address": f"40 Calle {fresh()}"}})).data["createProductionSite"]
    assert payload["outcome"] == "NEEDS_CONFIRMATION" and payload["site"] is None
    parts = payload["candidates"][0]["parts"]
    assert parts["identifiers"] == "CONFLICT"
    assert parts["reasons"] == [f"LEI:{lei} shared, but countries differ (MX, MY)"]


async def test_an_os_id_a_visible_site_holds_never_makes_a_second_holder(
        sample_graph: Graph, nrht: Viewer) -> None:
    os_id = _os_id()
    await call(sample_graph, nrht, CREATE, {"input": {
        "name": f"{fresh()} Cable Sdn Bhd", "countryCode": "MY", "osId": os_id,
        "address": f"8 Jalan {fresh()}", "createAnyway": True}})
    # another name altogether: no word in common for the text search to find
    payload = (await call(sample_graph, nrht, CREATE, {"input": {
        "name": f"{fresh()} Wire Sdn Bhd", "countryCode": "MY", "osId": os_id}})).data[
        "createProductionSite"]
    assert payload["outcome"] == "NEEDS_CONFIRMATION"
    assert f"OSH:{os_id} shared" in payload["candidates"][0]["parts"]["reasons"]
