"""The circuit in front of Neo4j (graph/core/circuit.py), on a clock the test moves."""

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
    assert circuit.admit() is None


def test_an_open_circuit_fails_fast_then_lets_one_probe_through() -> None:
    clock = Clock()
    circuit = Circuit(retry_seconds=0.5, clock=clock)
    circuit.unreachable()
    assert circuit.state is State.OPEN and circuit.opened == 1
    assert circuit.admit() is False
    clock.now += 0.5
    assert circuit.state is State.HALF_OPEN
    assert circuit.admit() is True  # the probe
    assert circuit.admit() is False  # everyone else, while it runs


def test_a_probe_that_reaches_neo4j_closes_the_circuit() -> None:
    clock = Clock()
    circuit = Circuit(retry_seconds=0.5, clock=clock)
    circuit.unreachable()
    clock.now += 1
    assert circuit.admit() is True
    circuit.reached()
    assert circuit.state is State.CLOSED and circuit.admit() is None


def test_a_probe_that_fails_opens_it_again_from_then() -> None:
    clock = Clock()
    circuit = Circuit(retry_seconds=0.5, clock=clock)
    circuit.unreachable()
    clock.now += 1
    assert circuit.admit() is True
    circuit.unreachable()
    assert circuit.state is State.OPEN and circuit.admit() is False
    assert circuit.opened == 1  # one outage, not two
    clock.now += 0.5
    assert circuit.admit() is True


def test_an_abandoned_probe_lets_the_next_request_probe() -> None:
    clock = Clock()
    circuit = Circuit(retry_seconds=0.5, clock=clock)
    circuit.unreachable()
    clock.now += 1
    assert circuit.admit() is True
    circuit.abandoned()
    assert circuit.admit() is True
