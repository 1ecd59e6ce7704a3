"""`--only memory`: what holds the API's memory under a bad-input storm (issue 15, item 3).

The hostile generator's requests (seed, 8 at a time, no canary) in rounds, e.g.
`--memory-rounds 3300 6700`: the first 3,300 are the `hostile` scenario's own, then 6,700
more of the same stream (10,000 in all). After the warm-up and after each round the serve
process's RSS is read; with `--trace N` it also writes a tracemalloc snapshot (N frames,
SIGUSR1 to supplygraph/memdebug.py) and the lines that grew most between snapshots are
printed. At the end, SIGUSR2: RSS after a full collection and after glibc's malloc_trim(0).
Memory the trim gives back was free memory the allocator kept (high-water mark,
fragmentation), not live objects; what tracemalloc sees grow between rounds is live.

`--memory-categories costly oversized` sends only those categories (hostile.py's names).
One worker only: the snapshots are of the one serve process. RSS is read from untraced runs
(tracing itself takes memory); a traced run is for the attribution.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx

from bench.reliability.env import Stack
from bench.reliability.hostile import generate, problems
from bench.reliability.stats import Recorder

CLIENT_TIMEOUT = 30.0
TOP = 15
# Frames that are the measurement's own, or Python's importing: not the service's memory.
IGNORE = (tracemalloc.Filter(False, tracemalloc.__file__),
          tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
          tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
          tracemalloc.Filter(False, "*/supplygraph/memdebug.py"))


def memory_env(stack_root: Path, frames: int) -> dict[str, str]:
    """The API settings this scenario needs (bench/reliability/__main__.py adds them)."""
    return {"SUPPLYGRAPH_DEBUG_MEMORY_DIR": str(stack_root / "memory"),
            "SUPPLYGRAPH_DEBUG_TRACEMALLOC_FRAMES": str(frames)}


def _folder(stack: Stack) -> Path:
    return Path(stack.extra_env["SUPPLYGRAPH_DEBUG_MEMORY_DIR"])


async def _signal_and_wait(stack: Stack, sig: int, pattern: str, before: int) -> list[Path]:
    """Sends `sig` to the serve process and waits (at most 120 s: a large snapshot takes a
    while on a loaded machine) for a new file matching `pattern` in the memory folder."""
    assert stack.serve_proc is not None
    os.kill(stack.serve_proc.pid, sig)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = sorted(_folder(stack).glob(pattern))
        if len(found) > before:
            return found
        await asyncio.sleep(0.2)
    raise RuntimeError(f"no {pattern} from the serve process within 120 s")


async def _snapshot(stack: Stack) -> Path:
    before = len(list(_folder(stack).glob("*.tracemalloc")))
    return (await _signal_and_wait(stack, signal.SIGUSR1, "*.tracemalloc", before))[-1]


async def _trim(stack: Stack) -> dict[str, Any]:
    path = _folder(stack) / f"{stack.serve_proc.pid}-trim.jsonl"  # type: ignore[union-attr]
    lines = path.read_text().splitlines() if path.exists() else []
    os.kill(stack.serve_proc.pid, signal.SIGUSR2)  # type: ignore[union-attr]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        now = path.read_text().splitlines() if path.exists() else []
        if len(now) > len(lines):
            return dict(json.loads(now[-1]))
        await asyncio.sleep(0.2)
    raise RuntimeError("no malloc_trim report from the serve process within 120 s")


def growth(old: Path, new: Path, top: int = TOP, key: str = "lineno") -> list[str]:
    """The `top` lines (or files, or tracebacks) whose live memory grew most from `old` to
    `new`, as printable lines, and the total first."""
    a = tracemalloc.Snapshot.load(str(old)).filter_traces(IGNORE)
    b = tracemalloc.Snapshot.load(str(new)).filter_traces(IGNORE)
    total_a = sum(s.size for s in a.statistics("filename"))
    total_b = sum(s.size for s in b.statistics("filename"))
    out = [f"traced: {total_a / 2**20:.1f} -> {total_b / 2**20:.1f} MB"]
    for stat in b.compare_to(a, key)[:top]:
        where = stat.traceback.format(limit=4 if key == "traceback" else 1)
        out.append(f"{stat.size_diff / 1024:+10.1f} KiB {stat.count_diff:+7d} blocks "
                   f"(now {stat.size / 1024:.1f} KiB)  " + " <- ".join(w.strip() for w in where))
    return out


def largest(path: Path, top: int = TOP) -> list[str]:
    """What the snapshot holds most of, by line."""
    snap = tracemalloc.Snapshot.load(str(path)).filter_traces(IGNORE)
    return [f"{s.size / 1024:10.1f} KiB {s.count:7d} blocks  {s.traceback.format(limit=1)[0]}"
            for s in snap.statistics("lineno")[:top]]


async def memory(stack: Stack, rounds: list[int], seed: int = 15, trace: bool = False,
                 categories: list[str] | None = None, concurrency: int = 8) -> Recorder:
    if stack.workers != 1:
        # The signals go to the serve process; with N workers that is uvicorn's supervisor,
        # which SIGUSR1 would end.
        raise SystemExit("--only memory runs with --workers 1")
    rec = Recorder("memory")
    # Drawn lazily: the stream holds megabyte bodies (`oversized`) that a filter drops.
    wanted = (h for h in generate(seed, sum(rounds) * (30 if categories else 1))
              if not categories or h.category in categories)
    requests = list(itertools.islice(wanted, sum(rounds)))
    rss = [stack.api_rss_mb()]
    snaps = [await _snapshot(stack)] if trace else []
    bad: list[str] = []
    done = 0
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=CLIENT_TIMEOUT) as http:
        for count in rounds:
            chunk = requests[done:done + count]

            async def worker(w: int, chunk: list[Any] = chunk, base: int = done) -> None:
                for n in range(w, len(chunk), concurrency):
                    h = chunk[n]
                    start = time.monotonic()
                    try:
                        r = await http.request(h.method, "/graphql?" + h.query_string,
                                               content=h.body,
                                               headers={**h.headers, **stack.auth(base + n)})
                    except httpx.TimeoutException:
                        rec.timed_out(time.monotonic() - start)
                        continue
                    rec.answer(time.monotonic() - start, r.status_code, r.content)
                    if problems(r.status_code, r.headers, r.content):
                        bad.append(h.category)

            await asyncio.gather(*(worker(w) for w in range(concurrency)))
            done += len(chunk)
            rss.append(stack.api_rss_mb())
            print(f"memory: {done} requests, RSS {rss[-1]} MB", flush=True)
            if trace:
                snaps.append(await _snapshot(stack))
    rec.stop()
    trimmed = await _trim(stack)
    rec.extra.update({
        "RSS before MB": rss[0], "RSS after MB": rss[-1],
        "RSS by round MB": " / ".join(str(x) for x in rss),
        "after gc MB": round(trimmed["after_gc_kb"] / 1024, 1),
        "after malloc_trim MB": round(trimmed["after_trim_kb"] / 1024, 1),
        "bad answers": len(bad)})
    arenas = trimmed.get("pymalloc") or {}
    if arenas:
        # CPython's own allocator after the collection: 1 MiB arenas it holds (and held at
        # most), and how much of them is live blocks against free blocks and empty pools.
        rec.extra["pymalloc arenas now/peak"] = (f"{arenas.get('arenas')}/"
                                                 f"{arenas.get('arenas_peak')}")
        rec.extra["pymalloc live/free MB"] = (
            f"{arenas.get('live', 0) / 2**20:.1f}/"
            f"{(arenas.get('free_blocks', 0) + arenas.get('unused_pool_bytes', 0)) / 2**20:.1f}")
    if trace:
        rec.extra["traced MB (peak)"] = (f"{trimmed['traced_kb'] / 1024:.1f} "
                                         f"({trimmed['traced_peak_kb'] / 1024:.1f})")
        for old, new in zip(snaps, snaps[1:], strict=False):
            print(f"\n--- grew from {old.name} to {new.name}")
            print("\n".join(growth(old, new)))
        print(f"\n--- grew from {snaps[0].name} to {snaps[-1].name}, by traceback")
        print("\n".join(growth(snaps[0], snaps[-1], top=8, key="traceback")))
        print(f"\n--- held most at {snaps[-1].name}")
        print("\n".join(largest(snaps[-1])))
    return rec
