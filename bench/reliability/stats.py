"""What each scenario counts, and the table it prints.

Per answer: its latency, HTTP status and error codes. `hangs` are requests that got no
answer within the client's timeout (30 s) or took longer than 2 s (the issue's bound; both
are listed); a 5xx other than a deliberate 503 (SERVICE_UNAVAILABLE, OVERLOADED) counts as
`5xx`, an INTERNAL_SERVER_ERROR anywhere as `internal`. The percentiles are over every
answer, 503s and 429s (answered at once) included; `served` is over the others only, what a
request the service took on waited. Nothing here asserts: figures only.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.reliability.hostile import DELIBERATE_503

SLOW = 2.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class Recorder:
    name: str
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    latencies: list[float] = field(default_factory=list)
    served: list[float] = field(default_factory=list)  # of answers that were not a 503/429
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    bad_5xx: int = 0
    internal: int = 0
    no_answer: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # (sent, answered, status, codes) of each answer, for the timelines of the outages
    events: list[tuple[float, float, int, list[str]]] = field(default_factory=list)

    def answer(self, seconds: float, status: int, body: bytes) -> list[str]:
        """Records one answer; returns its error codes."""
        self.latencies.append(seconds)
        if status not in (503, 429):
            self.served.append(seconds)
        self.statuses[status] += 1
        codes = _codes(body)
        self.codes.update(codes)
        if "INTERNAL_SERVER_ERROR" in codes:
            self.internal += 1
        if status >= 500 and not (status == 503 and set(codes) & DELIBERATE_503):
            self.bad_5xx += 1
        return codes

    def timed_out(self, seconds: float) -> None:
        self.latencies.append(seconds)
        self.no_answer += 1

    def stop(self) -> None:
        self.ended = time.monotonic()

    def row(self) -> dict[str, Any]:
        wall = (self.ended or time.monotonic()) - self.started
        n = len(self.latencies)
        return {
            "scenario": self.name, "requests": n, "req/s": round(n / wall, 1) if wall else 0,
            "p50 ms": round(percentile(self.latencies, 50) * 1000),
            "p95 ms": round(percentile(self.latencies, 95) * 1000),
            "p99 ms": round(percentile(self.latencies, 99) * 1000),
            "served p50/p99 ms": f"{round(percentile(self.served, 50) * 1000)}/"
                                 f"{round(percentile(self.served, 99) * 1000)}",
            "5xx": self.bad_5xx, "503": self.statuses.get(503, 0),
            "429": self.statuses.get(429, 0), "internal": self.internal,
            "hangs >2s": sum(1 for x in self.latencies if x > SLOW),
            "no answer": self.no_answer, **self.extra,
        }


def _codes(body: bytes) -> list[str]:
    try:
        data = json.loads(body)
    except ValueError:
        return []
    answers = data if isinstance(data, list) else [data]
    out = []
    for answer in answers:
        if isinstance(answer, dict):
            for error in answer.get("errors") or ():
                out.append(str(((error or {}).get("extensions") or {}).get("code")))
            if "code" in answer and "errors" not in answer:  # /readyz
                out.append(str(answer["code"]))
    return out


COLUMNS = ["scenario", "workers", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms",
           "served p50/p99 ms", "5xx",
           "503", "429", "internal", "hangs >2s", "no answer", "lost", "duplicated",
           "RSS before MB", "RSS after MB"]


def table(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of the rows, the common columns first, the scenario's own after."""
    own = [k for r in rows for k in r if k not in COLUMNS]
    columns = [c for c in COLUMNS if any(c in r for r in rows)] + list(dict.fromkeys(own))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(str(r.get(c, "")) for c in columns) + " |")
    return "\n".join(lines)
