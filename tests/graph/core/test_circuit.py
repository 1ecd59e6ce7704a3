"""The circuit in front of Neo4j (graph/core/circuit.py), on a clock the test moves. Its
probe, a query of its own, is tested with a real Neo4j stopped and started again
(tests/reliability/test_neo4j_outage.py)."""

from __future__ import annotations

from graph.core.circuit import Circuit, State


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_closed_circuit_lets_everything_through() -> None:
    circuit = Circuit(retry_seconds=0.5, clock=Clock())
    assert circuit.state is State.CLOSED
    assert circuit.admit()


def test_an_open_circuit_fails_fast_until_neo4j_is_reached() -> None:
    clock = Clock()
    circuit = Circuit(retry_seconds=0.5, clock=clock)
    assert circuit.unreachable()  # this one opened it: a probe starts
    assert circuit.state is State.OPEN and circuit.opened == 1
    clock.now += 60
    assert not circuit.admit()  # no request is let through to find out: the probe does
    circuit.reached()
    assert circuit.state is State.CLOSED and circuit.admit()


def test_failures_while_open_are_one_outage() -> None:
    circuit = Circuit(retry_seconds=0.5, clock=Clock())
    assert circuit.unreachable()
    assert not circuit.unreachable()
    assert circuit.opened == 1
    circuit.reached()
    assert circuit.unreachable()
    assert circuit.opened == 2
