"""The viewer's context (organisation, consortia, peers, client and token state), kept for a
few seconds per token so that a member's burst of requests does not ask Neo4j for it each
time (bench/peer counted it as one of a site page's five round trips).

The bound is `Settings.viewer_cache_seconds` (5 s by default; 0 turns the cache off): a
revocation made elsewhere (`supplygraph clients revoke`, `/oauth/revoke` on another process)
and a change of membership or of the organisation take effect within it. `/oauth/revoke` on
this process forgets the token at once. Only contexts that admitted a viewer are kept: a
refused token is asked about again next time. Entries are bounded (`viewer_cache_entries`,
least recently used first out) and small (ids), so the cache cannot grow with traffic.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

Key = tuple[str, str, str]  # (organisation, client, token id)


class ViewerCache:
    def __init__(self, seconds: float, max_entries: int = 4096,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self.clock = clock
        self._rows: OrderedDict[Key, tuple[float, dict[str, Any]]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.seconds > 0 and self.max_entries > 0

    def get(self, key: Key) -> dict[str, Any] | None:
        hit = self._rows.get(key)
        if hit is None:
            return None
        expires, row = hit
        if self.clock() >= expires:
            del self._rows[key]
            return None
        self._rows.move_to_end(key)
        return row

    def put(self, key: Key, row: dict[str, Any]) -> None:
        if not self.enabled:
            return
        self._rows[key] = (self.clock() + self.seconds, row)
        self._rows.move_to_end(key)
        while len(self._rows) > self.max_entries:
            self._rows.popitem(last=False)

    def forget_token(self, jti: str) -> None:
        for key in [k for k in self._rows if k[2] == jti]:
            del self._rows[key]

    def __len__(self) -> int:
        return len(self._rows)
