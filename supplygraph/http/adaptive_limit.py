"""How many requests one API process admits at once, adjusted by how long they take (AIMD, as
in Netflix's concurrency-limits and TCP congestion avoidance; issue 15).

A fixed count cannot know what Neo4j can take: with two processes on two cores each admitting
16, served requests waited up to 6 s. Here a finished request slower than `target` seconds
halves the limit (down to `floor`), and one that finished in time while the limit was in use
raises it by 1/limit, about one per round of requests (up to `ceiling`). Neo4j's queue is
then kept short enough that an admitted request finishes near the target, and what is over
it is refused at once with 503 OVERLOADED, where a client can see it and come back.

- One halving per round: the requests admitted before a halving were let in under the old
  limit and will finish slow too; counting each of them would drop the limit to the floor on
  one burst. Only a slow request that started after the last halving halves it again (TCP's
  one reduction per round trip).
- No growth while the limit is not in use (fewer than half of it in flight): a quiet process
  has no evidence that more would be fast, and would meet the next burst with a limit nobody
  tested.

Pure arithmetic: the caller passes every time and count (tests/api/http/test_adaptive_limit.py
drives it with given latencies). The middleware (supplygraph/http/admission.py) owns the clock.
"""

from __future__ import annotations

import math

BACKOFF = 0.5  # the factor a slow request applies to the limit


def process_share(per_host: int, workers: int) -> int:
    """A process's part of a bound set for the host: `serve --workers N` runs N processes on
    the same Neo4j, so each admits 1/N of it (at least one)."""
    return max(1, per_host // max(1, workers))


class AdaptiveLimit:
    def __init__(self, ceiling: int, floor: int, target: float) -> None:
        """`target` in seconds; 0 keeps the limit at `ceiling` (a fixed bound)."""
        if ceiling < 1:
            raise ValueError("ceiling must be at least 1")
        self.ceiling = ceiling
        self.floor = max(1, min(floor, ceiling))
        self.target = target
        self._limit = float(ceiling)
        self._halved_at = -math.inf  # when the last slow request halved the limit
        self.decreases = 0  # halvings since the start (exposed in /metrics)

    @property
    def limit(self) -> int:
        """Requests that may be in flight now."""
        return max(self.floor, int(self._limit))

    def admits(self, in_flight: int) -> bool:
        return in_flight < self.limit

    def finished(self, started: float, ended: float, in_flight: int) -> None:
        """A request admitted at `started` finished at `ended` (monotonic seconds), with
        `in_flight` requests in flight just before it finished (itself included)."""
        if self.target <= 0:
            return
        if ended - started > self.target:
            if started >= self._halved_at:
                self._limit = max(float(self.floor), self._limit * BACKOFF)
                self._halved_at = ended
                self.decreases += 1
        elif in_flight * 2 >= self.limit:
            self._limit = min(float(self.ceiling), self._limit + 1.0 / self._limit)
