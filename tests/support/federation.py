"""Starts and stops tests/federation/gateway.mjs (used by the federation test and bench)."""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from tests.support.oauth import free_port
from tests.support.paths import TESTS

FEDERATION = TESTS / "federation"


@dataclass(frozen=True)
class Gateway:
    url: str
    risk_url: str


@contextlib.contextmanager
def run_gateway(supplygraph_url: str, client_id: str, client_secret: str,
                timeout: float = 60) -> Iterator[Gateway]:
    """The gateway and the risk subgraph on free 127.0.0.1 ports, composed and listening."""
    env = {**os.environ, "SUPPLYGRAPH_URL": supplygraph_url,
           "SUPPLYGRAPH_GATEWAY_CLIENT_ID": client_id,
           "SUPPLYGRAPH_GATEWAY_CLIENT_SECRET": client_secret,
           "GATEWAY_PORT": str(free_port()), "RISK_PORT": str(free_port())}
    proc = subprocess.Popen(["node", "gateway.mjs"], cwd=FEDERATION, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: queue.Queue[str] = queue.Queue()
    stderr: list[str] = []
    assert proc.stdout is not None and proc.stderr is not None
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout],  # type: ignore[union-attr]
                     daemon=True).start()
    threading.Thread(target=lambda: stderr.extend(proc.stderr),  # type: ignore[arg-type]
                     daemon=True).start()
    try:
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                raise RuntimeError("gateway did not start: " + "".join(stderr)) from None
            if line.startswith("READY "):
                _, url, risk = line.split()
                break
        yield Gateway(url.rstrip("/"), risk.rstrip("/"))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
