"""Rate limits: token buckets per client and per address, held by each API process.

`Limits` (built once per app from the settings, `app.state.limits`) answers four questions,
each with 0 (go ahead) or the seconds to wait (docs/limits.md):

- `request(client)`: one more GraphQL request by this OAuth client;
- `cost(client, n)`: `n` more units of query cost (schema/core/cost.py) by this client;
- `auth_blocked(client_id, address)`: may a client authentication (the token, introspection
  and revocation endpoints) or a bearer token from this address be checked at all? Asked
  before any secret is hashed, so that wrong secrets cannot buy scrypt time;
- `auth_failed(client_id, address)`: a failed authentication, charged to both.

A bucket holds up to its per-minute figure and refills continuously, so a client may burst
to the figure and then runs at the rate. Buckets are kept for at most `max_keys` keys each
(least recently used first out), and a key longer than 128 characters is kept as its hash,
which bounds memory whatever addresses or client ids arrive; a key pushed out starts again
full.

Why not a library: `limits` (the usual choice) keeps its in-memory windows with a timer
thread restarted every 10 ms and reads the wall clock; these buckets are lazy, take an
injected monotonic clock (so tests are deterministic) and need no thread. Several API
processes each hold their own buckets: with N processes a client may get up to N times the
figures (docs/limits.md says how to share them behind a proxy).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supplygraph.settings import Settings

Clock = Callable[[], float]


class TokenBuckets:
    """Buckets of `capacity` tokens per key, refilled at `capacity` per minute."""

    def __init__(self, capacity: float, clock: Clock, max_keys: int) -> None:
        self.capacity = float(capacity)
        self.rate = self.capacity / 60.0  # tokens per second
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(_bounded(key), (self.capacity, now))
        return min(self.capacity, tokens + (now - at) * self.rate)

    def wait(self, key: str, amount: float = 1.0) -> float:
        """Seconds until `amount` tokens are there (0: they are), taking none."""
        if not self.enabled:
            return 0.0
        with self._lock:
            return self._shortfall(self._level(key, self.clock()), amount)

    def take(self, key: str, amount: float = 1.0) -> float:
        """Takes `amount` tokens and answers 0, or answers the seconds to wait and takes none."""
        if not self.enabled:
            return 0.0
        with self._lock:
            now = self.clock()
            level = self._level(key, now)
            short = self._shortfall(level, amount)
            if short == 0.0:
                level -= amount
            self._store(key, level, now)
            return short

    def _shortfall(self, level: float, amount: float) -> float:
        if level >= amount:
            return 0.0
        return (amount - level) / self.rate

    def _store(self, key: str, level: float, now: float) -> None:
        key = _bounded(key)
        self._buckets[key] = (level, now)
        self._buckets.move_to_end(key)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)


# A key is a client id or an address as presented, before anything checked it: a client id
# of a megabyte, failed ten thousand times, must not keep ten gigabytes here.
_MAX_KEY = 128


def _bounded(key: str) -> str:
    if len(key) <= _MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Refusal:
    """Over a limit: what to tell the caller."""

    what: str
    retry_after: float

    @property
    def retry_after_header(self) -> str:
        return str(max(1, math.ceil(self.retry_after)))

    @property
    def message(self) -> str:
        return f"too many {self.what}; retry after {self.retry_after_header} s"


class Limits:
    def __init__(self, settings: Settings, clock: Clock = time.monotonic) -> None:
        keys = settings.rate_limit_max_keys
        self.requests = TokenBuckets(settings.rate_limit_requests_per_minute, clock, keys)
        self.costs = TokenBuckets(settings.rate_limit_cost_per_minute, clock, keys)
        self.failures_by_client = TokenBuckets(settings.auth_failures_per_minute, clock, keys)
        self.failures_by_address = TokenBuckets(settings.auth_failures_per_minute, clock, keys)

    def request(self, client: str) -> Refusal | None:
        return _refusal("requests", self.requests.take(client))

    def cost(self, client: str, amount: int) -> Refusal | None:
        return _refusal("units of query cost", self.costs.take(client, amount))

    def auth_blocked(self, client_id: str | None, address: str | None) -> Refusal | None:
        waits = [self.failures_by_address.wait(address or "?")]
        if client_id:
            waits.append(self.failures_by_client.wait(client_id))
        return _refusal("failed authentications", max(waits))

    def auth_failed(self, client_id: str | None, address: str | None) -> None:
        self.failures_by_address.take(address or "?")
        if client_id:
            self.failures_by_client.take(client_id)


def _refusal(what: str, wait: float) -> Refusal | None:
    return Refusal(what, wait) if wait > 0 else None
