"""Benchmark (not a test): one query through the Apollo gateway vs the same query direct.

    make test-deps   # npm ci in tests/federation
    .venv/bin/python bench/federation.py [N]

Starts its own throwaway Neo4j (free port, temporary folder) with the sample data, the API
under uvicorn, and tests/federation/gateway.mjs (gateway + risk subgraph). Then N rounds,
alternating, of `productionSite(id) { id name countryCode }`:
- direct: POST /graphql on supplygraph;
- gateway: the same fields plus `internalRiskNote` (a second subgraph hop) through the gateway;
- gateway-only-supplygraph: the same fields as direct, through the gateway (one hop).
Prints medians and the gateway/direct median ratios.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auth.client_secrets import hash_secret, new_client_secret  # noqa: E402
from graph.orgs.clients import create_client  # noqa: E402
from graph.core.db import Graph  # noqa: E402
from graph.core.migrate import migrate  # noqa: E402
from graph.server.managed import ManagedNeo4j, free_port  # noqa: E402
from seeds import sample as s  # noqa: E402
from seeds.sample import load_sample  # noqa: E402
from supplygraph.app import create_app  # noqa: E402
from supplygraph.settings import Settings  # noqa: E402
from tests.support.federation import run_gateway  # noqa: E402
from tests.support.oauth import serve_in_thread  # noqa: E402

DIRECT = '{ productionSite(id: "%s") { id name countryCode } }' % s.SITE_KUNSHAN
BOTH = '{ productionSite(id: "%s") { id name countryCode internalRiskNote } }' % s.SITE_KUNSHAN


async def _setup(settings: Settings) -> dict[str, tuple[str, str]]:
    graph = Graph.from_settings(settings)
    try:
        await migrate(graph)
        await load_sample(graph)
        creds = {}
        for who, org in (("member", s.NW_HEALTH), ("gateway", s.OPERATOR)):
            cid, secret = f"sgc_bench_{who}_{secrets.token_hex(4)}", new_client_secret()
            await create_client(graph, client_id=cid, org_id=org,
                                secret_hash=hash_secret(secret), scopes=["sites:read"])
            creds[who] = (cid, secret)
        return creds
    finally:
        await graph.close()


def _time(client: httpx.Client, url: str, query: str, headers: dict[str, str]) -> float:
    t0 = time.perf_counter()
    r = client.post(url, json={"query": query}, headers=headers)
    elapsed = time.perf_counter() - t0
    body = r.json()
    if r.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"{url}: {r.status_code} {body}")
    return elapsed


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        settings = Settings(data_dir=Path(tmp) / "data", keys_dir=Path(tmp) / "keys",
                            neo4j_bolt_port=free_port(), neo4j_heap="1g",
                            neo4j_pagecache="512m", public_url=f"http://127.0.0.1:{port}",
                            _env_file=None)  # type: ignore[call-arg]
        server = ManagedNeo4j(settings)
        server.start()
        try:
            creds = asyncio.run(_setup(settings))
            with serve_in_thread(create_app(settings), port) as base, \
                    run_gateway(base, *creds["gateway"]) as gw, \
                    httpx.Client(timeout=30) as c:
                r = c.post(f"{base}/oauth/token", data={"grant_type": "client_credentials"},
                           auth=creds["member"])
                headers = {"authorization": f"Bearer {r.json()['access_token']}"}
                runs: dict[str, list[float]] = {"direct": [], "gateway": [],
                                                "gateway-only-supplygraph": []}
                for _ in range(20):  # warm-up: caches, JIT, connection pools
                    _time(c, f"{base}/graphql", DIRECT, headers)
                    _time(c, gw.url, BOTH, headers)
                    _time(c, gw.url, DIRECT, headers)
                for _ in range(n):
                    runs["direct"].append(_time(c, f"{base}/graphql", DIRECT, headers))
                    runs["gateway"].append(_time(c, gw.url, BOTH, headers))
                    runs["gateway-only-supplygraph"].append(_time(c, gw.url, DIRECT, headers))
        finally:
            server.stop()
    med = {k: statistics.median(v) * 1000 for k, v in runs.items()}
    for k, v in med.items():
        print(f"{k:26s} median {v:7.2f} ms  (n={n})")
    print(f"ratio gateway (2 subgraphs) / direct       : {med['gateway'] / med['direct']:.2f}")
    print(f"ratio gateway (supplygraph only) / direct  : "
          f"{med['gateway-only-supplygraph'] / med['direct']:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
