"""A live supplygraph for the ecosystem tests: uvicorn on a free 127.0.0.1 port over the
sample data, with OAuth clients for two members and a gateway, and their tokens.

Also `node_tool(dir)`: the Node pieces (`npm ci` by `make test`); missing ones fail the run
under CI (`CI` set) and skip elsewhere, with the command that installs them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from auth.client_secrets import hash_secret, new_client_secret
from graph.orgs.clients import create_client
from graph.core.db import Graph
from seeds import sample as s
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.oauth import free_port, serve_in_thread
from tests.support.paths import REPO

READ_SCOPES = ["sites:read", "reports:read", "contracts:read"]


@dataclass
class Client:
    client_id: str
    client_secret: str
    org_id: str
    token: str = ""


@dataclass
class LiveApi:
    base_url: str
    clients: dict[str, Client] = field(default_factory=dict)

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    def token(self, who: str) -> str:
        return self.clients[who].token

    def headers(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token(who)}"}


def missing(what: str, how: str) -> None:
    """Fails under CI, skips elsewhere: CI must never pass with a piece left out."""
    message = f"{what} is missing: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def node_tool(directory: Path) -> Path:
    """The Node project in `directory`, checked to be installed (`npm ci` there)."""
    if shutil.which("node") is None:
        missing("node", "apt-get install -y nodejs npm")
    if not (directory / "node_modules").is_dir():
        missing(f"{directory.relative_to(REPO)}/node_modules",
                f"run `npm ci --prefix {directory.relative_to(REPO)}` (make test does)")
    return directory


# (name, organisation): Northwind's health trust and the University of Lakeshore are members
# of different consortia; the gateway's client belongs to the operator.
_ACTORS = {"northwind": s.NW_HEALTH, "lakeshore": s.LK_UNI, "gateway": s.OPERATOR}


@pytest.fixture(scope="session")
async def live(sample_graph: Graph, neo4j_settings: Settings,
               tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveApi]:
    clients: dict[str, Client] = {}
    for who, org in _ACTORS.items():
        client_id = f"sgc_live_{who}_{secrets.token_hex(4)}"
        secret = new_client_secret()
        scopes = ["sites:read"] if who == "gateway" else READ_SCOPES
        await create_client(sample_graph, client_id=client_id, org_id=org,
                            secret_hash=hash_secret(secret), scopes=scopes)
        clients[who] = Client(client_id, secret, org)
    port = free_port()
    # The ecosystem suites check the protocol, not load: the graphql-http audit fires its ~60
    # requests at once, and on a slow machine the default bound on requests in flight shed
    # some with 503 OVERLOADED (tests/reliability tests the shedding itself).
    settings = neo4j_settings.model_copy(update={
        "keys_dir": tmp_path_factory.mktemp("live-keys"),
        "public_url": f"http://127.0.0.1:{port}", "max_in_flight": 1000})
    # No graph passed: the app opens its own driver on uvicorn's event loop.
    with serve_in_thread(create_app(settings), port) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for c in clients.values():
                r = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                                    auth=(c.client_id, c.client_secret))
                r.raise_for_status()
                c.token = r.json()["access_token"]
        yield LiveApi(base, clients)


def run_node(args: list[str], cwd: Path, env: dict[str, str] | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", *args], cwd=cwd, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout, check=False)
