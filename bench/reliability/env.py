"""The stack the suite runs against, all of it its own and on 127.0.0.1: a managed Neo4j in
a temporary folder on a free port (migrated, with the sample data), `supplygraph serve
--workers N` as a subprocess in its own process group, OAuth clients and their tokens.
Everything it starts it stops (`Stack.close`), the Neo4j included, also on Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from auth.client_secrets import hash_secret, new_client_secret
from graph.core.db import Graph
from graph.core.migrate import migrate
from graph.orgs.clients import create_client
from graph.server.managed import ManagedNeo4j
from seeds import sample as s
from seeds.sample import load_sample
from supplygraph.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SCOPES = ["sites:read", "sites:write", "reports:read", "reports:write", "contracts:read"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


@dataclass
class Stack:
    workers: int
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sg-rel-")))
    settings: Settings = field(init=False)
    neo4j: ManagedNeo4j = field(init=False)
    graph: Graph | None = None
    serve_proc: subprocess.Popen[bytes] | None = None
    port: int = field(default_factory=free_port)
    tokens: list[str] = field(default_factory=list)
    site_ids: list[str] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.settings = Settings(data_dir=self.root / "data", neo4j_bolt_port=free_port(),
                                 neo4j_heap="1g", neo4j_pagecache="512m",
                                 _env_file=None)  # type: ignore[call-arg]
        self.neo4j = ManagedNeo4j(self.settings)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ----- Neo4j ---------------------------------------------------------------------------
    async def start(self, clients: int = 16) -> None:
        await asyncio.to_thread(self.neo4j.start)
        self.graph = Graph.from_settings(self.settings)
        await migrate(self.graph)
        await load_sample(self.graph)
        self.secrets = []
        for _ in range(clients):
            cid, secret = f"sgc_rel_{secrets.token_hex(4)}", new_client_secret()
            await create_client(self.graph, client_id=cid, org_id=s.NW_HEALTH,
                                secret_hash=hash_secret(secret), scopes=SCOPES)
            self.secrets.append((cid, secret))
        await self.start_api()
        async with httpx.AsyncClient(base_url=self.base_url, timeout=60) as http:
            for cid, secret in self.secrets:
                r = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                                    auth=(cid, secret))
                r.raise_for_status()
                self.tokens.append(r.json()["access_token"])
            r = await http.post("/graphql", headers=self.auth(0), json={
                "query": "{ productionSites(first: 100) { edges { node { id } } } }"})
            self.site_ids = [e["node"]["id"]
                             for e in r.json()["data"]["productionSites"]["edges"]]

    def kill_neo4j(self) -> None:
        pid = int(self.neo4j.pid_file.read_text())
        os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, 0)
        self.neo4j.pid_file.unlink(missing_ok=True)

    def bolt_answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(
                ("127.0.0.1", self.settings.neo4j_bolt_port), timeout=1):
            return True
        return False

    async def cypher(self, query: Any, **params: Any) -> list[dict[str, Any]]:
        assert self.graph is not None
        return await self.graph.query(query, params, name="bench_reliability")

    # ----- the API -------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("NEO4J_", "SUPPLYGRAPH_"))}
        env.update(SUPPLYGRAPH_DATA_DIR=str(self.settings.data_dir),
                   SUPPLYGRAPH_NEO4J_BOLT_PORT=str(self.settings.neo4j_bolt_port),
                   SUPPLYGRAPH_PUBLIC_URL=self.base_url, SUPPLYGRAPH_LOG_LEVEL="WARNING",
                   SUPPLYGRAPH_RUN_WORKER_IN_SERVE="false")
        env.update(self.extra_env)  # a scenario's own settings win (api-kill runs the worker)
        return env

    async def start_api(self) -> None:
        log = (self.root / f"serve-{self.port}.log").open("ab")
        self.serve_proc = subprocess.Popen(
            [sys.executable, "-m", "supplygraph.cli", "serve", "--port", str(self.port),
             "--workers", str(self.workers)], env=self.env(), cwd=REPO, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        async with httpx.AsyncClient(timeout=5) as http:
            while time.monotonic() < deadline:
                if self.serve_proc.poll() is not None:
                    raise RuntimeError(f"serve exited; see {self.root}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.base_url}/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise RuntimeError("serve was not ready within 180 s")

    def kill_api(self) -> None:
        if self.serve_proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.serve_proc.pid, signal.SIGKILL)
            self.serve_proc.wait(timeout=30)

    def api_pids(self) -> list[int]:
        if self.serve_proc is None:
            return []
        pids = [self.serve_proc.pid]
        children = Path(f"/proc/{self.serve_proc.pid}/task/{self.serve_proc.pid}/children")
        with contextlib.suppress(OSError):
            pids += [int(p) for p in children.read_text().split()]
        return pids

    def api_rss_mb(self) -> float:
        return rss_mb(self.api_pids())

    def auth(self, i: int) -> dict[str, str]:
        return {"authorization": f"Bearer {self.tokens[i % len(self.tokens)]}"}

    async def close(self) -> None:
        self.kill_api()
        if self.graph is not None:
            with contextlib.suppress(Exception):
                await self.graph.close()
        await asyncio.to_thread(self.neo4j.stop)
