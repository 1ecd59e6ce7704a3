"""The viewer's context (organisation, consortia, peers, client and token state), kept for a
few seconds per token so that a member's burst of requests does not ask Neo4j for it each
time (bench/peer counted it as one of a site page's five round trips).

The bound is `Settings.viewer_cache_seconds` (5 s by default; 0 turns the cache off): a
revocation made elsewhere (`supplygraph clients revoke`, `/oauth/revoke` on another process)
and a change of membership or of the organisation take effect within it. `/oauth/revoke` on
this process forgets the token at once. Only contexts that admitted a viewer are kept: a
refused token is asked about again next time. Entries are bounded in number
(`viewer_cache_entries`, least recently used first out) and in bytes (`max_bytes`, estimated
from the ids a row holds: a member of a large consortium has thousands of peers), so the
cache cannot grow with traffic or with the size of consortia.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

Key = tuple[str, str, str]  # (organisation, client, token id)
# About 4,000 rows of 4 KB; a row of a hundred peers is about 3 KB.
MAX_BYTES = 16_000_000
_ROW_OVERHEAD = 400  # the dict, its tuple and the fixed fields, roughly


def _size(key: Key, row: dict[str, Any]) -> int:
    """An estimate of what a row holds: its ids, and a fixed overhead."""
    ids = [*(row.get("peers") or ()), *(row.get("consortia") or ())]
    return _ROW_OVERHEAD + sum(len(k) for k in key) + sum(len(str(i)) + 60 for i in ids)


class ViewerCache:
    def __init__(self, seconds: float, max_entries: int = 4096,
                 clock: Callable[[], float] = time.monotonic,
                 max_bytes: int = MAX_BYTES) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.clock = clock
        self.bytes = 0
        self._rows: OrderedDict[Key, tuple[float, dict[str, Any], int]] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.seconds > 0 and self.max_entries > 0

    def get(self, key: Key) -> dict[str, Any] | None:
        hit = self._rows.get(key)
        if hit is None:
            return None
        expires, row, _ = hit
        if self.clock() >= expires:
            self._drop(key)
            return None
        self._rows.move_to_end(key)
        return row

    def put(self, key: Key, row: dict[str, Any]) -> None:
        size = _size(key, row)
        if not self.enabled or size > self.max_bytes:
            return
        self._drop(key)
        self._rows[key] = (self.clock() + self.seconds, row, size)
        self.bytes += size
        while len(self._rows) > self.max_entries or self.bytes > self.max_bytes:
            self._drop(next(iter(self._rows)))

    def _drop(self, key: Key) -> None:
        hit = self._rows.pop(key, None)
        if hit is not None:
            self.bytes -= hit[2]

    def forget_token(self, jti: str) -> None:
        for key in [k for k in self._rows if k[2] == jti]:
            self._drop(key)

    def __len__(self) -> int:
        return len(self._rows)
