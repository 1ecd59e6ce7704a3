"""Read scopes on the sample data: a token without scopes is refused per root field, and the sites
scope alone cannot read reports nested in a site."""

from __future__ import annotations

import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import run, viewer_for


@pytest.fixture
async def no_scope(sample_graph: Graph) -> Viewer:
    return await viewer_for(sample_graph, s.NW_HEALTH, frozenset())


# ----- scopes -------------------------------------------------------------------------------
async def test_token_without_scopes_gets_forbidden_per_root_field(
        sample_graph: Graph, no_scope: Viewer) -> None:
    answer = await run(sample_graph, no_scope, """{
      productionSite(id: "%s") { id }
      contracts { totalCount }
      report(id: "%s") { id }
    }""" % (s.SITE_KUNSHAN, s.REPORT_CLEAN_AUDIT))
    assert sorted(answer.codes()) == ["FORBIDDEN"] * 3
    assert answer.round_trips == 0


async def test_sites_scope_alone_cannot_read_reports_nested_in_a_site(
        sample_graph: Graph, sample_graph_viewer_sites_only: Viewer) -> None:
    answer = await run(sample_graph, sample_graph_viewer_sites_only,
                       '{ productionSite(id: "%s") { id name openFindingCount } }'
                       % s.SITE_KUNSHAN)
    assert answer.data is None or answer.data["productionSite"] is None \
        or answer.data["productionSite"].get("openFindingCount") is None
    assert "FORBIDDEN" in answer.codes()
    assert answer.errors[0]["extensions"]["scope"] == Scope.REPORTS_READ.value


@pytest.fixture
async def sample_graph_viewer_sites_only(sample_graph: Graph) -> Viewer:
    return await viewer_for(sample_graph, s.NW_CITY, frozenset({Scope.SITES_READ}))


# A site filter on findings or contradicting reports tells which sites have them: with
# sites:read alone it is refused, as myExposure refuses its finding filters.
REPORT_FILTERS = [
    "{hasOpenFindings: true}", "{hasOpenFindings: false}", "{findingCategory: FORCED_LABOUR}",
    "{minSeverity: HIGH}", "{hasContradictions: true}",
]


@pytest.mark.parametrize("flt", REPORT_FILTERS)
async def test_sites_scope_alone_cannot_filter_sites_by_report_data(
        sample_graph: Graph, sample_graph_viewer_sites_only: Viewer, flt: str) -> None:
    answer = await run(sample_graph, sample_graph_viewer_sites_only,
                       "{ productionSites(filter: %s) { totalCount edges { node { id } } } }"
                       % flt)
    assert answer.data is None or answer.data["productionSites"] is None
    assert answer.codes() == ["FORBIDDEN"]
    assert answer.errors[0]["extensions"]["scope"] == Scope.REPORTS_READ.value
    assert answer.round_trips == 0


@pytest.mark.parametrize("flt", REPORT_FILTERS)
async def test_reports_scope_may_filter_sites_by_report_data(
        sample_graph: Graph, flt: str) -> None:
    reader = await viewer_for(sample_graph, s.NW_CITY,
                              frozenset({Scope.SITES_READ, Scope.REPORTS_READ}))
    answer = await run(sample_graph, reader,
                       "{ productionSites(filter: %s) { totalCount } }" % flt)
    assert answer.errors == [] and answer.data["productionSites"]["totalCount"] >= 0
