"""The API tests' actors, one fixture each, cast from one of two sets of organisations:

- by default, the write tests' own (tests/support/writes.py), so that their records never
  touch the sample's story: the owner (`nrht`), a member of its consortium (`eastmere`), a
  member outside it (`ulake`), a monitor, an operator, and the owner's token without write
  scopes (`read_only`); `actors` names them owner, peer, other, monitor, operator, no_scope;
- in a module marked `pytestmark = pytest.mark.sample_actors` (the read tests), the sample's
  own (seeds/sample.py) with read scopes: the health trust NRHT and the City of Eastmere (both
  Northwind), the University of Lakeshore and the monitor Workers' Voice; `actors` names
  them nrht, eastmere, ulake, monitor.
"""

from __future__ import annotations

import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import READ_SCOPES, viewer_for
from tests.support.writes import ALL, MONITOR, OUTSIDER, OWNER, PEER, writer

# actor -> (the sample's organisation, the write tests' organisation)
_CAST = {"nrht": (s.NW_HEALTH, OWNER), "eastmere": (s.NW_CITY, PEER),
         "ulake": (s.LK_UNI, OUTSIDER), "monitor": (s.MONITOR_WORKERS, MONITOR)}


def _sample(request: pytest.FixtureRequest) -> bool:
    return request.node.get_closest_marker("sample_actors") is not None


async def _cast(request: pytest.FixtureRequest, graph: Graph, actor: str) -> Viewer:
    sample_org, test_org = _CAST[actor]
    if _sample(request):
        return await viewer_for(graph, sample_org)
    return await writer(graph, test_org, kind="MONITOR" if actor == "monitor" else "PUBLIC_BUYER")


@pytest.fixture
async def nrht(request: pytest.FixtureRequest, sample_graph: Graph) -> Viewer:
    return await _cast(request, sample_graph, "nrht")


@pytest.fixture
async def eastmere(request: pytest.FixtureRequest, sample_graph: Graph) -> Viewer:
    return await _cast(request, sample_graph, "eastmere")


@pytest.fixture
async def ulake(request: pytest.FixtureRequest, sample_graph: Graph) -> Viewer:
    return await _cast(request, sample_graph, "ulake")


@pytest.fixture
async def monitor(request: pytest.FixtureRequest, sample_graph: Graph) -> Viewer:
    return await _cast(request, sample_graph, "monitor")


@pytest.fixture
async def operator(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, s.OPERATOR, ALL | {Scope.ADMIN}, kind="OPERATOR")


@pytest.fixture
async def read_only(request: pytest.FixtureRequest, sample_graph: Graph) -> Viewer:
    # The sample's casting has its own organisations only (the write tests' may not exist yet).
    org = s.NW_HEALTH if _sample(request) else OWNER
    return await writer(sample_graph, org, READ_SCOPES)


@pytest.fixture
async def actors(request: pytest.FixtureRequest, nrht: Viewer, eastmere: Viewer, ulake: Viewer,
                 monitor: Viewer, operator: Viewer, read_only: Viewer) -> dict[str, Viewer]:
    if _sample(request):
        return {"nrht": nrht, "eastmere": eastmere, "ulake": ulake, "monitor": monitor}
    return {"owner": nrht, "peer": eastmere, "other": ulake, "monitor": monitor,
            "operator": operator, "no_scope": read_only}
