"""The read API's mechanics on the sample data: bad input, unknown ids, round trips that do not
grow with rows, and federation entities under the same visibility as root fields."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import nodes, run

# The sample's own organisations as actors (tests/api/conftest.py).
pytestmark = pytest.mark.sample_actors

SITES_PAGE = """query($first: Int, $after: String, $filter: ProductionSiteFilter) {
  productionSites(first: $first, after: $after, filter: $filter) {
    totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor }
  }
}"""
DEEP = """query($first: Int) {
  productionSites(first: $first) { edges { node {
    id name operators { id name sites { id } }
    brands { id suppliers { id } }
    products { cpvCode }
    reports(first: 5) { totalCount edges { node { id sensitiveNotes author { id }
      findings { id remediation { id status } } } } }
    openFindingCount
  } } }
}"""


# ----- bad input ----------------------------------------------------------------------------
@pytest.mark.parametrize(("variables", "path"), [
    ({"first": -1}, ["first"]),
    ({"first": 101}, ["first"]),
    ({"after": "not-a-cursor"}, ["after"]),
    ({"after": base64.urlsafe_b64encode(b"sg1:-4").decode()}, ["after"]),
    ({"after": base64.urlsafe_b64encode(b"{'offset': 3}").decode()}, ["after"]),
    ({"filter": {"countryCode": ["CN", "XX"]}}, ["filter", "countryCode", 1]),
])
async def test_bad_page_arguments_are_bad_user_input_with_the_argument_path(
        sample_graph: Graph, nrht: Viewer, variables: dict[str, Any], path: list[Any]) -> None:
    answer = await run(sample_graph, nrht, SITES_PAGE, variables)
    assert answer.codes() == ["BAD_USER_INPUT"]
    assert answer.errors[0]["extensions"]["inputPath"] == path
    assert answer.errors[0]["path"] == ["productionSites"]
    assert answer.round_trips == 0


@pytest.mark.parametrize(("query", "code"), [
    ("{ productionSites(filter: {siteType: [NOPE]}) { totalCount } }",
     "GRAPHQL_VALIDATION_FAILED"),
    ("{ productionSites { nope } }", "GRAPHQL_VALIDATION_FAILED"),
    ("{ productionSites( ", "GRAPHQL_PARSE_FAILED"),
    ("{ " + " ".join(f"a{i}: me {{ clientId }}" for i in range(31)) + " }",
     "GRAPHQL_VALIDATION_FAILED"),
    # Aliases hidden in fragments count too (the 0.315.7 fix).
    ("{ ...F } fragment F on Query { "
     + " ".join(f"a{i}: me {{ clientId }}" for i in range(31)) + " }",
     "GRAPHQL_VALIDATION_FAILED"),
    # Too deep but cheap (pages of one): the depth limit refuses it.
    ('{ report(id: "x") { ' + "site { reports(first: 1) { edges { node { " * 4
     + "id" + " } } } }" * 4 + " } }", "GRAPHQL_VALIDATION_FAILED"),
    # Too deep and fanning out: the cost estimate refuses it first, before
    # any validator walks it.
    ("{ productionSites { edges { node { " + "operators { sites { " * 6 + "id"
     + " } }" * 6 + " } } } }", "QUERY_TOO_COSTLY"),
])
async def test_malformed_or_oversized_documents_are_refused_with_a_code(
        sample_graph: Graph, nrht: Viewer, query: str, code: str) -> None:
    answer = await run(sample_graph, nrht, query)
    assert answer.data is None
    assert set(answer.codes()) == {code}
    assert answer.round_trips == 0


async def test_variable_of_the_wrong_type_is_bad_user_input(sample_graph: Graph,
                                                            nrht: Viewer) -> None:
    answer = await run(sample_graph, nrht, SITES_PAGE, {"first": "ten"})
    assert answer.codes() == ["BAD_USER_INPUT"]


async def test_unknown_id_is_null_without_error(sample_graph: Graph, nrht: Viewer) -> None:
    answer = await run(sample_graph, nrht, '{ productionSite(id: "CN2000001AAAAAA") { id } }')
    assert answer.data == {"productionSite": None} and answer.errors == []


# ----- round trips --------------------------------------------------------------------------
async def test_round_trips_of_a_deep_query_do_not_grow_with_rows(sample_graph: Graph,
                                                                 nrht: Viewer) -> None:
    few = await run(sample_graph, nrht, DEEP, {"first": 5})
    many = await run(sample_graph, nrht, DEEP, {"first": 50})
    assert few.errors == [e for e in few.errors if e["extensions"]["code"] == "FORBIDDEN"]
    assert len(nodes(many.data["productionSites"])) == 50
    # One per root field and one per relation level: 1 + operators, sites, brands,
    # suppliers, products, reports, author, findings, remediation, open findings.
    assert few.round_trips == many.round_trips
    assert many.round_trips <= 11


# ----- federation -------------------------------------------------------------------------
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Contract { id value { amount } }
  ... on ProductionSite { id name }
  ... on AuditReport { id sensitiveNotes } } }"""


async def test_entities_apply_the_same_visibility_and_field_protection(
        sample_graph: Graph, ulake: Viewer) -> None:
    answer = await run(sample_graph, ulake, ENTITIES, {"r": [
        {"__typename": "Contract", "id": s.CONTRACT_NW_MINISTRY_LAPTOPS},
        {"__typename": "Contract", "id": s.CONTRACT_NW_HEALTH_DESKTOPS},
        {"__typename": "ProductionSite", "id": s.SITE_NW_PRIVATE_DISCLOSURE},
        {"__typename": "AuditReport", "id": s.REPORT_RED_DELTA_NGO},
        {"__typename": "AuditReport", "id": s.REPORT_WORKER_MONITORING},
    ]})
    ents = answer.data["_entities"]
    assert ents[0] == {"id": s.CONTRACT_NW_MINISTRY_LAPTOPS, "value": None}
    assert ents[1:4] == [None, None, None]
    assert ents[4] == {"id": s.REPORT_WORKER_MONITORING, "sensitiveNotes": None}
    assert sorted(answer.codes()) == ["FORBIDDEN", "FORBIDDEN"]
    assert "9800000" not in str(answer.errors) and "Testimony" not in str(answer.errors)
