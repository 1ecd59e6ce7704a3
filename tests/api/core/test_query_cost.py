"""Query cost (schema/core/cost.py): what a member's query is estimated to cost, the ceiling
that refuses it before anything runs, and the figure reported back.

Costs here are worked out by hand from the rules in the module's docstring, so that a
change of the rules shows up as a failing expectation rather than a silently new figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import parse

from auth.viewer import Viewer
from graph.core.db import Graph
from resolvers.core.context import Context
from resolvers.core.loaders import Loaders, RequestGraph
from schema import build_schema
from schema.core.cost import MUTATION_WEIGHT, WEIGHTS, QueryCost, estimate
from seeds import sample as s
from supplygraph.settings import Settings
from tests.support.reads import viewer_for

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def cost_of(query: str, variables: dict[str, Any] | None = None,
            settings: Settings = SETTINGS) -> int:
    schema = build_schema(settings)
    return estimate(schema._schema, settings, parse(query), None, variables).cost


async def execute(graph: Graph, viewer: Viewer, query: str, settings: Settings,
                  ) -> tuple[Any, int]:
    runner = RequestGraph(graph)
    ctx = Context(viewer=viewer, graph=runner, loaders=Loaders(runner, viewer.cypher_params()),
                  settings=settings, request_id="cost-test")
    return await build_schema(settings).execute(query, None, ctx), runner.round_trips


@pytest.fixture
async def trust(story_graph: Graph) -> Viewer:
    return await viewer_for(story_graph, s.NW_HEALTH)


def test_a_page_multiplies_what_is_selected_in_it_and_scalars_are_free() -> None:
    # productionSites (1) + 7 sites x (edge 1 + node 1; id and name free)
    assert cost_of("{ productionSites(first: 7) { edges { node { id name } } } }") == 15
    # the same page size through a variable; the default page size without one
    assert cost_of("query($n: Int) { productionSites(first: $n) { edges { node { id } } } }",
                   {"n": 7}) == 15
    default = SETTINGS.default_page_size
    assert cost_of("{ productionSites { edges { node { id } } } }") == 1 + default * 2


def test_nested_pages_multiply_and_a_page_is_capped_as_the_resolvers_cap_it() -> None:
    # 3 sites x (2 + reports + 4 reports x (edge + node + findings + 10 x 0))
    q = "{ productionSites(first: 3) { edges { node { id reports(first: 4) { edges { node { " \
        "id findings { id } } } } } } } }"
    assert cost_of(q) == 1 + 3 * (2 + WEIGHTS["reports"] + 4 * (2 + WEIGHTS["findings"]))
    huge = "{ productionSites(first: 100000) { edges { node { id } } } }"
    assert cost_of(huge) == 1 + SETTINGS.max_page_size * 2


def test_analytics_cost_their_weight_and_every_alias_counts() -> None:
    one = cost_of("{ myExposure(first: 1) { totalCount } }")
    assert one == WEIGHTS["myExposure"]
    thirty = "{ " + " ".join(f"a{i}: myExposure(first: 1) {{ totalCount }}"
                             for i in range(30)) + " }"
    assert cost_of(thirty) == 30 * one
    # a contract's exposure is a walk per contract of the page
    per_contract = "{ contracts(first: 10) { edges { node { exposure(first: 1) { " \
                   "totalCount } } } } }"
    assert cost_of(per_contract) == 1 + 10 * (2 + WEIGHTS["exposure"])
    assert cost_of("mutation { createBrand(input: {name: \"x\", countryCode: \"GB\"}) "
                   "{ brand { id } } }") == MUTATION_WEIGHT + 1


def test_a_fragment_costs_what_its_fields_cost_at_every_spread() -> None:
    inline = "{ a: productionSites(first: 5) { edges { node { id operators { id } } } } " \
             "b: productionSites(first: 5) { edges { node { id operators { id } } } } }"
    spread = "fragment S on ProductionSite { id operators { id } } " \
             "{ a: productionSites(first: 5) { edges { node { ...S } } } " \
             "b: productionSites(first: 5) { edges { node { ...S } } } }"
    assert cost_of(spread) == cost_of(inline) == 2 * (1 + 5 * (2 + 1 + 10 * 0))


async def test_a_member_over_the_ceiling_is_refused_with_the_cost_before_anything_runs(
        story_graph: Graph, trust: Viewer) -> None:
    # thirty aliases of ten contracts' exposure: three hundred walks
    q = "{ " + " ".join(f"a{i}: contracts(first: 10) {{ edges {{ node {{ exposure {{ "
                        f"totalCount }} }} }} }}" for i in range(30)) + " }"
    result, round_trips = await execute(story_graph, trust, q, SETTINGS)
    assert result.data is None
    [error] = result.errors
    ext = error.extensions
    assert ext["code"] == "QUERY_TOO_COSTLY"
    assert ext["cost"] == 30 * (1 + 10 * (2 + WEIGHTS["exposure"]))
    assert ext["maxCost"] == SETTINGS.max_query_cost < ext["cost"]
    assert str(ext["cost"]) in error.message
    assert round_trips == 0


async def test_thirty_aliases_of_a_site_page_with_per_site_counts_are_refused_before_running(
        story_graph: Graph, trust: Viewer) -> None:
    # issue 15's hostile run: each site loads all its findings and all its reports, per
    # alias; this ran as long as a hundred exposure walks and grew the process by 376 MB
    q = "{ " + " ".join(f"a{i}: productionSites(first: 100) {{ edges {{ node {{ "
                        f"openFindingCount reports(first: 100) {{ totalCount }} }} }} }}"
                        for i in range(30)) + " }"
    result, round_trips = await execute(story_graph, trust, q, SETTINGS)
    assert result.data is None
    [error] = result.errors
    assert error.extensions["code"] == "QUERY_TOO_COSTLY"
    per_site = 2 + WEIGHTS["openFindingCount"] + WEIGHTS["reports"]
    assert error.extensions["cost"] == 30 * (1 + 100 * per_site) > SETTINGS.max_query_cost
    assert round_trips == 0


def _project_documents() -> list[tuple[str, str, str | None, dict[str, Any]]]:
    """(label, document, operation, variables): what the project itself sends, the benches'
    and the web app's pages (at their largest page)."""
    from bench import exposure, read_api
    from bench.peer.cases import SG_SUBMIT
    from supplygraph.web.pages import EXPOSURE_PAGE_SIZE

    docs: list[tuple[str, str, str | None, dict[str, Any]]] = [
        (name, getattr(read_api, name), None, {})
        for name in ("GQL_SITE", "GQL_SITES", "GQL_CHAIN", "GQL_CONTRACTS", "GQL_TEXT")]
    docs += [("bench.exposure.GQL", exposure.GQL, None, {}),
             ("bench.peer.cases.SG_SUBMIT", SG_SUBMIT, None, {})]
    path = Path(__file__).parents[3] / "supplygraph" / "web" / "documents.graphql"
    web = path.read_text()
    for definition in parse(web).definitions:
        name = definition.name.value  # type: ignore[attr-defined]
        docs.append((f"web {name}", web, name, {"first": EXPOSURE_PAGE_SIZE}))
    return docs


@pytest.mark.parametrize("label,document,operation,variables", _project_documents(),
                         ids=[d[0] for d in _project_documents()])
def test_the_projects_own_documents_pass_the_cost_check(
        label: str, document: str, operation: str | None, variables: dict[str, Any]) -> None:
    schema = build_schema(SETTINGS)
    found = estimate(schema._schema, SETTINGS, parse(document), operation, variables)
    assert found.cost > 0, label  # the operation was found and estimated
    assert QueryCost(SETTINGS)._refusal(found, None) is None, (label, found)


async def test_the_cost_of_an_answered_query_is_reported_in_extensions(
        story_graph: Graph, trust: Viewer) -> None:
    result, _ = await execute(story_graph, trust,
                              "{ productionSites(first: 7) { edges { node { id } } } }",
                              SETTINGS)
    assert result.errors is None
    assert result.extensions["cost"] == {"requested": 15, "maximum": SETTINGS.max_query_cost,
                                         "charged": 15}


async def test_fragments_fanning_out_are_refused_before_validation_walks_them(
        story_graph: Graph, trust: Viewer) -> None:
    # each fragment spreads the one before twice: 2^40 fields once spread, in 1 KB
    frags = ["fragment F0 on ProductionSite { id name }"] + [
        f"fragment F{i} on ProductionSite {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 41)]
    q = "{ productionSites(first: 1) { edges { node { ...F40 } } } } " + " ".join(frags)
    result, round_trips = await execute(story_graph, trust, q, SETTINGS)
    [error] = result.errors
    assert error.extensions["code"] == "QUERY_TOO_COMPLEX"
    assert error.extensions["fields"] > error.extensions["maxFields"]
    assert round_trips == 0


def test_settings_refuse_a_budget_smaller_than_the_largest_request() -> None:
    with pytest.raises(ValueError, match="max_query_cost"):
        Settings(_env_file=None, max_query_cost=1000,  # type: ignore[call-arg]
                 rate_limit_cost_per_minute=999)
