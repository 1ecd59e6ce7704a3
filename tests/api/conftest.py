"""The write tests' actors, on the write tests' own organisations (tests/support/writes.py): the
owner, a member of its consortium (peer), a member outside it (other), a monitor, an operator,
and the owner's token without write scopes. Modules that need other actors under these names
(the read tests: the sample's own organisations) define their own, which take precedence."""

from __future__ import annotations

import pytest

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import READ_SCOPES
from tests.support.writes import ALL, MONITOR, OUTSIDER, OWNER, PEER, writer


@pytest.fixture
async def nrht(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, OWNER)


@pytest.fixture
async def eastmere(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, PEER)


@pytest.fixture
async def ulake(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, OUTSIDER)


@pytest.fixture
async def monitor(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, MONITOR, kind="MONITOR")


@pytest.fixture
async def operator(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, s.OPERATOR, ALL | {Scope.ADMIN}, kind="OPERATOR")


@pytest.fixture
async def read_only(sample_graph: Graph) -> Viewer:
    return await writer(sample_graph, OWNER, READ_SCOPES)


@pytest.fixture
async def actors(nrht: Viewer, eastmere: Viewer, ulake: Viewer, monitor: Viewer,
                 operator: Viewer, read_only: Viewer) -> dict[str, Viewer]:
    return {"owner": nrht, "peer": eastmere, "other": ulake, "monitor": monitor,
            "operator": operator, "no_scope": read_only}
