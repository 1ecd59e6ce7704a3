"""Where an API process's memory goes: a debug switch for the reliability suite, off by default.

With `SUPPLYGRAPH_DEBUG_MEMORY_DIR` set, each `serve` process answers two signals by writing
into that folder (there is no endpoint: only the process's own user, or root, can send it a
signal); with `SUPPLYGRAPH_DEBUG_TRACEMALLOC_FRAMES` above 0 as well, it traces its Python
allocations (tracemalloc, that many frames deep) from the moment its app is built:

- SIGUSR1: `<pid>-<n>.tracemalloc`, a snapshot of every live traced allocation (read it with
  `tracemalloc.Snapshot.load`; bench/reliability/memory.py compares them); nothing when not
  tracing;
- SIGUSR2: one JSON line in `<pid>-trim.jsonl`: the RSS, then again after a full garbage
  collection, then after glibc's `malloc_trim(0)` (free pages handed back to the system).
  What the trim gives back was free memory the allocator kept (its high-water mark or
  fragmentation), not live objects.

Tracing costs time and memory (some 30-60% more RSS): RSS figures are read from runs without
it; a traced run is for the attribution (which lines hold what has grown).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import itertools
import json
import os
import signal
import tracemalloc
from pathlib import Path
from types import FrameType

_counter = itertools.count()


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def malloc_trim() -> bool:
    """glibc's malloc_trim(0); False where there is no glibc (macOS, musl without it)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.malloc_trim(0))
    except (OSError, AttributeError, TypeError):
        return False


def pymalloc_stats() -> dict[str, int]:
    """The summary of `sys._debugmallocstats()` (CPython's small-object allocator): arenas
    held, bytes in live blocks and in free blocks of those arenas. Free blocks in held arenas
    are memory neither malloc_trim nor the garbage collector gives back: fragmentation.
    Empty while tracemalloc traces (it wraps the allocator, and CPython then reports none)."""
    import sys
    import tempfile

    with tempfile.TemporaryFile("w+") as out:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(out.fileno(), 2)
            sys._debugmallocstats()  # noqa: SLF001 - writes to the C stderr
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read()
    wanted = {"# arenas allocated current": "arenas", "# arenas highwater mark": "arenas_peak",
              "# bytes in allocated blocks": "live",
              "# bytes in available blocks": "free_blocks", "unused pools": "unused_pool_bytes",
              "# bytes lost to pool headers": "pool_headers"}
    found: dict[str, int] = {}
    for line in text.splitlines():
        name, _, value = line.partition("=")
        for prefix, key in wanted.items():
            if prefix in name and value.strip().replace(",", "").isdigit():
                found[key] = int(value.strip().replace(",", ""))
    return found


def install(folder: Path | None, frames: int = 0) -> None:
    """Installs the two signal handlers, and starts tracing if `frames` > 0; nothing when
    `folder` is None. Called from the main thread while the app is built (signal handlers
    must be installed from it)."""
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    if frames > 0 and not tracemalloc.is_tracing():
        tracemalloc.start(frames)

    def snapshot(signum: int, frame: FrameType | None) -> None:
        if not tracemalloc.is_tracing():
            return
        path = folder / f"{os.getpid()}-{next(_counter):03d}.tracemalloc"
        tracemalloc.take_snapshot().dump(str(path.with_suffix(".tmp")))
        path.with_suffix(".tmp").replace(path)  # whole, or not there: the reader polls

    def trim(signum: int, frame: FrameType | None) -> None:
        line: dict[str, object] = {"pid": os.getpid(), "rss_kb": rss_kb()}
        gc.collect()
        line["after_gc_kb"] = rss_kb()
        line["pymalloc"] = pymalloc_stats()
        line["trimmed"] = malloc_trim()
        line["after_trim_kb"] = rss_kb()
        traced, peak = tracemalloc.get_traced_memory()
        line.update(traced_kb=traced // 1024, traced_peak_kb=peak // 1024)
        with (folder / f"{os.getpid()}-trim.jsonl").open("a") as fh:
            fh.write(json.dumps(line) + "\n")

    signal.signal(signal.SIGUSR1, snapshot)
    signal.signal(signal.SIGUSR2, trim)
