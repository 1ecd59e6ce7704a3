"""A circuit breaker in front of Neo4j: fail fast while it is gone, find out soon when it is back.

States (docs/operations.md, "When Neo4j goes away"):

- closed: every transaction goes to Neo4j;
- open: the last attempt could not reach Neo4j; every transaction fails at once with
  `GraphUnavailable` (the API answers 503 SERVICE_UNAVAILABLE) for `retry_seconds`;
- half-open: after that, exactly one transaction (the probe) is let through while the others
  keep failing fast; if it reaches Neo4j the circuit closes, if not it opens again.

Only failures to reach the server count (refused or dropped connections, the database not
available): a query error, a timeout or a full connection pool says the server is there.

Why our own and not `purgatory` or `pybreaker`: they count failures of the calls they wrap,
while here the call is a transaction whose failure means several things (see `graph.core.db`,
which decides what counts), and the state must be readable by /readyz without a call. The
whole of it is the forty lines below, on an injectable clock for the tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum


class State(Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Circuit:
    def __init__(self, retry_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.retry_seconds = retry_seconds
        self.clock = clock
        self._opened_at: float | None = None
        self._probing = False
        self.opened = 0  # times the circuit opened, for /metrics

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return State.CLOSED
        if self._probing or self.clock() - self._opened_at >= self.retry_seconds:
            return State.HALF_OPEN
        return State.OPEN

    def admit(self) -> bool | None:
        """May a transaction go to Neo4j now? True: yes, as the probe (report its outcome
        with `probed`); None: yes, the circuit is closed; False: no, fail fast."""
        if self._opened_at is None:
            return None
        if self._probing or self.clock() - self._opened_at < self.retry_seconds:
            return False
        self._probing = True
        return True

    def reached(self) -> None:
        """Neo4j answered (with data or with an error of its own)."""
        self._opened_at = None
        self._probing = False

    def unreachable(self) -> None:
        """Neo4j could not be reached: open (again) from now."""
        if self._opened_at is None:
            self.opened += 1
        self._opened_at = self.clock()
        self._probing = False

    def abandoned(self) -> None:
        """The probe ended without telling (cancelled): let the next transaction probe."""
        self._probing = False
