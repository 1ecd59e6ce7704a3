"""A circuit breaker in front of Neo4j: fail fast while it is gone, find out soon when it is back.

States (docs/operations.md, "When Neo4j goes away"):

- closed: every transaction goes to Neo4j;
- open: an attempt could not reach Neo4j; every transaction fails at once with
  `GraphUnavailable` (the API answers 503 SERVICE_UNAVAILABLE), and a probe in the
  background (`graph.core.recovery.Recovery`) asks Neo4j every `retry_seconds`; the first answer
  closes the circuit.

No client request is ever the probe: a probe may wait for a connect to time out (a server
that is starting accepts connections before it answers them), and no request should.

Only failures to reach the server open it (refused or dropped connections, the database not
available): a query error, a timeout or a full connection pool says the server is there.

Why our own and not `purgatory` or `pybreaker`: they count failures of the calls they wrap
and let a call through as the probe, while here a transaction's failure means several things
(graph.core.recovery decides what counts) and the probe is a query of its own. What is left is the
state below, on an injectable clock for the tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum


class State(Enum):
    CLOSED = "closed"
    OPEN = "open"


class Circuit:
    def __init__(self, retry_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.opened_at: float | None = None  # the last failure to reach Neo4j
        self.since: float | None = None  # the first one of this outage
        self.opened = 0  # times the circuit opened (outages seen)

    @property
    def state(self) -> State:
        return State.CLOSED if self.opened_at is None else State.OPEN

    def admit(self) -> bool:
        """May a transaction go to Neo4j now? False: fail fast."""
        return self.opened_at is None

    def reached(self) -> None:
        """Neo4j answered (with data or with an error of its own)."""
        self.opened_at = None

    def unreachable(self) -> bool:
        """Neo4j could not be reached: open (again) from now. True when this opened it (a
        probe should start)."""
        opening = self.opened_at is None
        self.opened_at = self.clock()
        if opening:
            self.opened += 1
            self.since = self.opened_at
        return opening
