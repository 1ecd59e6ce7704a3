"""How the circuit comes back after an outage (graph/core/db.py), against the real server:
the probe closes it only on a read of the configured database that answered with data (an
error of a server that is there but not serving that database is no answer), and just after
it closes, a bounded number of new requests' transactions run at once while Neo4j is cold,
the others waiting for a turn and answered GraphBusy (503 OVERLOADED) when none comes, and a
request that had a turn goes on. Nothing here
measures time; the suite (bench/reliability) measures the recovery."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from graph.core.circuit import State
from graph.core.db import Bookmarks, Graph, GraphBusy, open_driver
from supplygraph.settings import Settings


@pytest.fixture
async def own_graph(neo4j_settings: Settings, graph: Graph) -> AsyncIterator[Graph]:
    # (`graph`: the shared server is up.) A Graph of its own: its circuit and its bound
    # must not touch other tests' requests.
    own = Graph(open_driver(neo4j_settings), neo4j_settings.neo4j_database,
                warm_in_flight=1, warm_transactions=3,
                probe_timeout=120)  # generous: this machine may be slow
    try:
        yield own
    finally:
        await own.close()


async def test_the_probe_counts_only_a_read_of_the_configured_database_as_an_answer(
        neo4j_settings: Settings, own_graph: Graph) -> None:
    assert await own_graph._ping()
    # the same server, a database it does not serve: it answers, with an error, and that
    # must not close the circuit (a starting Neo4j answers so before its database is up)
    elsewhere = Graph(open_driver(neo4j_settings), "nosuchdatabase", probe_timeout=120)
    try:
        assert not await elsewhere._ping()
    finally:
        await elsewhere.close()


async def test_after_the_probe_closes_the_circuit_transactions_take_turns_until_warm(
        own_graph: Graph) -> None:
    # given an outage the probe sees end
    own_graph.circuit.unreachable()
    await own_graph._probe()
    assert own_graph.circuit.state is State.CLOSED
    warming = own_graph._warming
    assert warming is not None
    # a request's first transaction takes a turn
    chain = Bookmarks()
    assert await own_graph.query("RETURN 1 AS one", bookmarks=chain) == [{"one": 1}]
    # when the only turn is taken, a new request's transaction gets GraphBusy, not a wait,
    # while the request that had a turn goes on
    await warming.acquire()
    try:
        with pytest.raises(GraphBusy):
            await own_graph.query("RETURN 1 AS one")
        assert await own_graph.query("RETURN 1 AS one", bookmarks=chain) == [{"one": 1}]
    finally:
        warming.release()
    # and once warm_transactions (3) have had turns, transactions are no longer bounded
    for _ in range(2):
        assert await own_graph.query("RETURN 1 AS one") == [{"one": 1}]
    assert own_graph._warming is None
