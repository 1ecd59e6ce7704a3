"""How the circuit comes back after an outage (graph/core/recovery.py), against the real server:
the probe closes it only on a read of the configured database that answered with data (an
error of a server that is there but not serving that database is no answer), and just after
it closes, a bounded number of new requests' transactions run at once while Neo4j is cold,
the others waiting for a turn and answered GraphBusy (503 OVERLOADED) when none comes, and a
request that had a turn goes on; before closing it, the probe runs the reads the process
runs most (graph/core/warm.py). Nothing here measures time; the suite (bench/reliability)
measures the recovery."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import LiteralString

import pytest
from neo4j.exceptions import ClientError

from graph.core.circuit import State
from graph.core.db import Bookmarks, Graph, open_driver
from graph.core.transactions import GraphBusy
from graph.core.warm import RecentReads
from supplygraph.settings import Settings


@pytest.fixture
async def own_graph(neo4j_settings: Settings, graph: Graph) -> AsyncIterator[Graph]:
    # (`graph`: the shared server is up.) A Graph of its own: its circuit and its bound
    # must not touch other tests' requests.
    own = Graph(open_driver(neo4j_settings), neo4j_settings.neo4j_database,
                warm_in_flight=1, warm_transactions=3,
                # generous: this machine may be slow
                probe_timeout=120, warm_statements=24, warm_seconds=300)
    try:
        yield own
    finally:
        await own.close()


async def test_the_probe_counts_only_a_read_of_the_configured_database_as_an_answer(
        neo4j_settings: Settings, own_graph: Graph) -> None:
    assert await own_graph.recovery.ping()
    # the same server, a database it does not serve: it answers, with an error, and that
    # must not close the circuit (a starting Neo4j answers so before its database is up)
    elsewhere = Graph(open_driver(neo4j_settings), "nosuchdatabase", probe_timeout=120)
    try:
        assert not await elsewhere.recovery.ping()
    finally:
        await elsewhere.close()


async def test_after_the_probe_closes_the_circuit_transactions_take_turns_until_warm(
        own_graph: Graph) -> None:
    # given an outage the probe sees end
    own_graph.circuit.unreachable()
    await own_graph.recovery.probe()
    assert own_graph.circuit.state is State.CLOSED
    warming = own_graph.recovery.warming
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
    assert own_graph.recovery.warming is None


async def test_before_closing_the_probe_runs_the_reads_this_process_runs_most(
        own_graph: Graph) -> None:
    # given a process that read one statement three times, another once, and wrote
    often: LiteralString = "MATCH (n:WarmProbeOften) RETURN count(n) AS n"
    once: LiteralString = "MATCH (n:WarmProbeOnce {id: $id}) RETURN n.id AS id"
    failing: LiteralString = "RETURN 1 / $zero AS boom"
    for _ in range(3):
        await own_graph.query(often)
    await own_graph.query(once, {"id": "warm-probe-1"})
    with pytest.raises(ClientError):
        await own_graph.query(failing, {"zero": 0})
    await own_graph.query("CREATE (n:WarmProbeWrite) DELETE n", write=True)
    # when an outage ends
    own_graph.circuit.unreachable()
    await own_graph.recovery.probe()
    # then the reads ran again before the circuit closed, the most run first; the write
    # did not; and a read failing on its own did not keep the circuit open
    assert own_graph.circuit.state is State.CLOSED
    assert own_graph.recovery.warmed[:2] == [often, once]
    assert failing not in own_graph.recovery.warmed
    assert not any("WarmProbeWrite" in c for c in own_graph.recovery.warmed)


def test_the_reads_remembered_for_warming_are_bounded() -> None:
    reads = RecentReads()
    # parameters of a bulk statement (an import's batch) are not kept
    reads.add("UNWIND $rows AS r RETURN r", {"rows": list(range(10_000))})
    reads.add("RETURN $s AS s", {"s": "x" * 100_000})
    assert len(reads) == 0
    # nor more statements than MAX_STATEMENTS; the counts go on
    for i in range(RecentReads.MAX_STATEMENTS + 10):
        reads.add(f"RETURN {i} AS n", {})
    reads.add("RETURN 5 AS n", {})
    assert len(reads) == RecentReads.MAX_STATEMENTS
    assert reads.most_run(1) == [("RETURN 5 AS n", {})]
