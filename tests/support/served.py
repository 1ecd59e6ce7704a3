"""`supplygraph serve` as operators run it: a subprocess on a free 127.0.0.1 port against a
test Neo4j, in its own process group (so that `--workers` children go with it), waited for on
/readyz; and a Neo4j write lock a test holds to keep a request of it in flight."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from graph.core.db import Graph
from supplygraph.settings import Settings
from tests.support.cli import cli_env
from tests.support.oauth import Actor, free_port
from tests.support.paths import REPO

# Generous bounds on waiting for a condition; never a measure of speed.
START_TIMEOUT = 180.0
CONDITION_TIMEOUT = 120.0


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def terminate(self) -> None:
        """SIGTERM to the `serve` process (the supervisor under --workers)."""
        os.kill(self.proc.pid, signal.SIGTERM)

    async def exit_code(self, timeout: float = CONDITION_TIMEOUT) -> int:
        return await asyncio.to_thread(self.proc.wait, timeout)

    def workers(self) -> list[int]:
        """The pids of uvicorn's worker processes (multiprocessing's spawned children; its
        resource tracker is a child too, and not a worker)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        found = []
        for pid in path.read_text().split() if path.exists() else ():
            with contextlib.suppress(OSError):
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(int(pid))
        return found

    def refuses_connections(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5):
                return False
        except ConnectionRefusedError:
            return True


@contextlib.contextmanager
def serve(settings: Settings, log_dir: Path, *args: str, public_url: str | None = None,
          **env: str) -> Iterator[Served]:
    """`supplygraph serve --port <free> ARGS` until the block ends (then killed, with its
    group, if it is still running). The outbox worker is off unless `env` turns it on."""
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    environment = cli_env(settings, **{
        "SUPPLYGRAPH_PUBLIC_URL": public_url or f"http://127.0.0.1:{port}",
        "SUPPLYGRAPH_RUN_WORKER_IN_SERVE": "false", **env})
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "supplygraph.cli", "serve", "--port", str(port), *args],
            env=environment, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
    served = Served(proc, port, log)
    try:
        _wait_ready(served)
        yield served
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # its own group: the workers too
        proc.wait(timeout=30)


def _wait_ready(served: Served) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if served.proc.poll() is not None:
            raise AssertionError(f"serve exited ({served.proc.returncode}) during start:\n"
                                 + served.output())
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{served.base_url}/readyz", timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"serve was not ready within {START_TIMEOUT} s:\n" + served.output())


async def wait_until(condition: Callable[[], Awaitable[bool]], what: str,
                     timeout: float = CONDITION_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.1)


async def token(http: httpx.AsyncClient, actor: Actor) -> dict[str, str]:
    r = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                        auth=(actor.client_id, actor.client_secret))
    r.raise_for_status()
    return {"authorization": f"Bearer {r.json()['access_token']}"}


_HOLDER = "tests.support.served:held_site"
_HOLD = "MATCH (n:ProductionSite {id: $id}) SET n._held = true RETURN count(n) AS held"
_TRANSACTIONS = "SHOW TRANSACTIONS YIELD transactionId AS id, status, metaData"


@contextlib.asynccontextmanager
async def held_site(graph: Graph, site_id: str) -> AsyncIterator[Callable[[], Awaitable[bool]]]:
    """Holds the write lock of a site in an open transaction (rolled back at the end);
    yields a check: is another transaction waiting for that lock?"""
    async with graph.driver.session(database=graph.database) as session:
        tx = await session.begin_transaction(metadata={"holder": _HOLDER})
        try:
            record = await (await tx.run(_HOLD, id=site_id)).single()
            assert record is not None and record["held"] == 1, site_id

            async def someone_waits() -> bool:
                rows = await graph.query(_TRANSACTIONS, name="test_transactions")
                mine = {r["id"] for r in rows if (r["metaData"] or {}).get("holder") == _HOLDER}
                # "Blocked by: [neo4j-transaction-13, ...]"
                return any(mine & set(re.findall(r"[\w-]+-transaction-\d+", r["status"]))
                           for r in rows if r["status"].startswith("Blocked"))

            yield someone_waits
        finally:
            await tx.rollback()
