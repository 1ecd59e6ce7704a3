"""A site page in one round trip (schema/sites/types.py `site_prefetch`): `productionSite`
reads the site's reports with their findings and its open findings in its own statement and
primes the loaders those fields use. Every actor gets exactly the answer the field-by-field
reads give, for every sample site, whatever the selection; a viewer without reports:read
gets no prefetch at all."""

from __future__ import annotations

import pytest

import schema.query
from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import run
from tests.support.writes import writer

pytestmark = pytest.mark.sample_actors

PAGE = """query($id: ID!) { productionSite(id: $id) { id name
  reports(first: 20) { totalCount edges { node { id title sharing
    findings { id category status severity } } } } openFindingCount } }"""
SELECTIONS = [
    PAGE,
    # reports without their findings; the count alone; the findings under a fragment
    """query($id: ID!) { productionSite(id: $id) { id reports { edges { node { id } } } } }""",
    """query($id: ID!) { productionSite(id: $id) { openFindingCount } }""",
    """query($id: ID!) { productionSite(id: $id) { ...S } } fragment S on ProductionSite {
      reports(first: 1, after: null) { edges { node { id findings { id } } } }
      openFindingCount findings { id status } }""",
    # the same field twice under aliases, with different selections
    """query($id: ID!) { productionSite(id: $id) { a: reports { edges { node { id } } }
      b: reports { edges { node { title findings { severity } } } } } }""",
]
SITES = [s.SITE_KUNSHAN, s.SITE_RED_DELTA, s.SITE_TINFIELD, s.SITE_CHONGQING,
         s.SITE_GUADALAJARA, s.SITE_NW_PRIVATE_DISCLOSURE, s.SITE_LK_PRIVATE, "CN-NO-SUCH-SITE"]


@pytest.mark.parametrize("document", SELECTIONS)
async def test_each_actor_gets_the_field_by_field_answer_for_every_site(
        sample_graph: Graph, actors: dict[str, Viewer], document: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    prefetched = {(a, site): await run(sample_graph, v, document, {"id": site})
                  for a, v in actors.items() for site in SITES}
    monkeypatch.setattr(schema.query, "site_prefetch", lambda info: ())
    for (actor, site), answer in prefetched.items():
        plain = await run(sample_graph, actors[actor], document, {"id": site})
        assert (answer.data, answer.errors) == (plain.data, plain.errors), (actor, site)
        assert answer.round_trips <= plain.round_trips


async def test_a_buyers_site_page_is_one_round_trip(sample_graph: Graph,
                                                    nrht: Viewer) -> None:
    answer = await run(sample_graph, nrht, PAGE, {"id": s.SITE_KUNSHAN})
    assert not answer.errors
    assert answer.data["productionSite"]["reports"]["edges"]
    assert answer.round_trips == 1


async def test_without_reports_read_nothing_is_prefetched_and_the_fields_are_refused(
        sample_graph: Graph) -> None:
    viewer = await writer(sample_graph, s.NW_HEALTH, frozenset({Scope.SITES_READ}))
    names: list[str] = []
    sample_graph.observers.append(lambda name, _: names.append(name))
    try:
        answer = await run(sample_graph, viewer, PAGE, {"id": s.SITE_KUNSHAN})
    finally:
        sample_graph.observers.pop()
    assert "FORBIDDEN" in answer.codes()
    assert answer.data["productionSite"] is None  # reports is non-null: the null propagates
    assert names == ["ProductionSiteById"]  # the site alone, no reports read


HIDDEN_FINDING_SITE = "CN-PREFETCH-HIDDEN-FINDING"
_HIDDEN_FINDING_STATE = (
    "MERGE (s:ProductionSite {id: $site}) SET s.name = 'Prefetch test site', "
    "s.countryCode = 'CN', s.sharing = 'PUBLIC', s.sharedWith = [], s.contributedBy = $owner "
    "MERGE (r:AuditReport {id: $site + '-RPT'}) SET r.title = 'public report', "
    "r.sharing = 'PUBLIC', r.sharedWith = [], r.contributedBy = $owner "
    "MERGE (r)-[:ASSESSES]->(s) "
    "WITH r UNWIND [['PUBLIC', 'OPEN'], ['PRIVATE', 'OPEN']] AS f "
    "MERGE (x:Finding {id: $site + '-' + f[0]}) SET x.sharing = f[0], x.sharedWith = [], "
    "x.contributedBy = $owner, x.status = f[1], x.category = 'WAGES', x.severity = 'HIGH' "
    "MERGE (r)-[:HAS_FINDING]->(x)"
)


async def test_a_finding_hidden_under_a_visible_report_stays_hidden_when_prefetched(
        sample_graph: Graph, actors: dict[str, Viewer],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A finding's sharing may be narrowed apart from its report's (setSharing on a finding):
    # the prefetch checks each finding as the findings loader does.
    await sample_graph.query(_HIDDEN_FINDING_STATE,
                             {"site": HIDDEN_FINDING_SITE, "owner": s.NW_HEALTH}, write=True)
    try:
        await _compare_hidden_finding(sample_graph, actors, monkeypatch)
    finally:  # other modules count the sample's sites, reports and findings
        await sample_graph.query("MATCH (n) WHERE n.id STARTS WITH $site DETACH DELETE n",
                                 {"site": HIDDEN_FINDING_SITE}, write=True)


async def _compare_hidden_finding(sample_graph: Graph, actors: dict[str, Viewer],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    prefetched = {a: await run(sample_graph, v, PAGE, {"id": HIDDEN_FINDING_SITE})
                  for a, v in actors.items()}
    seen = {a: [f["id"] for e in p.data["productionSite"]["reports"]["edges"]
                for f in e["node"]["findings"]] for a, p in prefetched.items()}
    assert seen["nrht"] == [f"{HIDDEN_FINDING_SITE}-PRIVATE", f"{HIDDEN_FINDING_SITE}-PUBLIC"]
    assert seen["eastmere"] == [f"{HIDDEN_FINDING_SITE}-PUBLIC"]
    assert prefetched["eastmere"].data["productionSite"]["openFindingCount"] == 1
    monkeypatch.setattr(schema.query, "site_prefetch", lambda info: ())
    for actor, answer in prefetched.items():
        plain = await run(sample_graph, actors[actor], PAGE, {"id": HIDDEN_FINDING_SITE})
        assert (answer.data, answer.errors) == (plain.data, plain.errors), actor
