"""Reading contracts: paging by value is stable and complete."""

from __future__ import annotations

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from seeds import sample as s
from tests.support.reads import nodes, run

# The sample's own organisations as actors (tests/api/conftest.py).
pytestmark = pytest.mark.sample_actors


async def test_paging_contracts_by_value_is_stable_and_complete(sample_graph: Graph,
                                                               nrht: Viewer) -> None:
    query = """query($after: String) { contracts(first: 1, after: $after,
      orderBy: [{field: VALUE, direction: DESC}]) { edges { node { id } }
      pageInfo { hasNextPage endCursor } } }"""
    ids, after = [], None
    for _ in range(200):
        conn = (await run(sample_graph, nrht, query, {"after": after})).data["contracts"]
        ids += [n["id"] for n in nodes(conn)]
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert len(ids) == len(set(ids))
    # Other test modules may add contracts to the shared graph: judge the sample's own.
    sample = [i for i in ids if i in (s.CONTRACT_NW_HEALTH_LAPTOPS, s.CONTRACT_NW_HEALTH_DESKTOPS,
                                      s.CONTRACT_NW_CITY_PHONES, s.CONTRACT_NW_MINISTRY_LAPTOPS)]
    assert sample == [s.CONTRACT_NW_HEALTH_LAPTOPS, s.CONTRACT_NW_HEALTH_DESKTOPS,
                      s.CONTRACT_NW_CITY_PHONES, s.CONTRACT_NW_MINISTRY_LAPTOPS]
    all_ids = (await run(sample_graph, nrht, "{ contracts(first: 100) { totalCount } }"))
    assert len(ids) == all_ids.data["contracts"]["totalCount"]
