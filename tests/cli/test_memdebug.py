"""The memory debug switch (supplygraph/memdebug.py) as an operator uses it: set, a process
answers SIGUSR1 with a tracemalloc snapshot and SIGUSR2 with its RSS around malloc_trim;
unset, it installs nothing."""

from __future__ import annotations

import json
import os
import signal
import tracemalloc
from pathlib import Path

from supplygraph import memdebug


def test_unset_the_switch_installs_no_handler_and_traces_nothing() -> None:
    before = signal.getsignal(signal.SIGUSR1), signal.getsignal(signal.SIGUSR2)
    memdebug.install(None, 8)
    assert (signal.getsignal(signal.SIGUSR1), signal.getsignal(signal.SIGUSR2)) == before
    assert not tracemalloc.is_tracing()


def test_an_operator_signalling_the_process_gets_a_snapshot_and_the_trim_figures(
        tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGUSR1), signal.getsignal(signal.SIGUSR2)
    try:
        memdebug.install(tmp_path / "memory", 2)
        os.kill(os.getpid(), signal.SIGUSR1)  # handled in this thread before kill returns
        # CPython reports its allocator's arenas only while tracemalloc does not wrap it.
        tracemalloc.stop()
        os.kill(os.getpid(), signal.SIGUSR2)
    finally:
        tracemalloc.stop()
        signal.signal(signal.SIGUSR1, before[0])
        signal.signal(signal.SIGUSR2, before[1])
    (snapshot,) = (tmp_path / "memory").glob(f"{os.getpid()}-*.tracemalloc")
    assert tracemalloc.Snapshot.load(str(snapshot)).traces is not None
    (line,) = (tmp_path / "memory" / f"{os.getpid()}-trim.jsonl").read_text().splitlines()
    figures = json.loads(line)
    assert figures["rss_kb"] > 0 and figures["after_trim_kb"] > 0
    assert figures["pymalloc"]["arenas"] >= 1 and figures["pymalloc"]["live"] > 0
