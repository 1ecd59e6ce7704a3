"""The importSites mutation: created, matched and rejected rows, with the path of each error."""

from __future__ import annotations

import pytest

from graph.core.db import Graph
from tests.support.imports import ORG
from tests.support.writes import (
    TEST_BRAND,
    call,
    ensure_test_orgs,
    fresh,
    writer,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


# ----- the importSites mutation -----------------------------------------------------------------
IMPORT_SITES = """
mutation($input: ImportSitesInput!) { importSites(input: $input) {
  created matched needsConfirmation rejected
  results { row outcome siteId errors { code message path } } errors { code message } } }"""


async def test_import_sites_mutation(sample_graph: Graph) -> None:
    viewer = await writer(sample_graph, ORG)
    w = fresh()
    rows = [{"name": f"{w} Power Factory", "countryCode": "TH", "address": "7 Amata Nakorn Road",
             "products": ["32420000-3"], "brandId": TEST_BRAND},
            {"name": f"{w.upper()} POWER CO., LTD.", "countryCode": "TH",
             "address": "7 Amata Nakorn Rd."},
            {"name": f"{fresh()} Plant", "countryCode": "XX"}]
    answer = await call(sample_graph, viewer, IMPORT_SITES, {"input": {"rows": rows}})
    payload = answer.data["importSites"]
    assert (payload["created"], payload["matched"], payload["rejected"]) == (1, 1, 1)
    results = payload["results"]
    assert results[1]["siteId"] == results[0]["siteId"]
    assert results[2]["errors"][0]["path"][:4] == ["input", "rows", "2", "countryCode"]
