"""Micro-benchmark: median cost of validating one access token (not a test).

    .venv/bin/python bench/token_validation.py [N]

Needs a running managed Neo4j (`supplygraph neo4j start`) for the second figure; it creates
one throwaway organisation and client there. Keys go to a temporary folder.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auth.backend import resolve_viewer  # noqa: E402
from graph.core.db import Graph  # noqa: E402
from graph.core.migrate import migrate  # noqa: E402
from supplygraph.app import create_app  # noqa: E402
from supplygraph.settings import get_settings  # noqa: E402
from tests.support.oauth import get_token, make_actor  # noqa: E402


def _median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


async def main(n: int) -> None:
    settings = get_settings().model_copy(update={"keys_dir": Path(tempfile.mkdtemp()) / "k"})
    graph = Graph.from_settings(settings)
    try:
        await migrate(graph)
        actor = await make_actor(graph)
        app = create_app(settings, graph)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://bench") as c:
            token = (await get_token(c, actor)).json()["access_token"]
        validator = app.state.token_validator
        for _ in range(50):  # warm up
            await resolve_viewer(graph, await validator.validate(token))

        crypto: list[float] = []
        for _ in range(n):
            t0 = time.perf_counter()
            await validator.validate(token)
            crypto.append(time.perf_counter() - t0)
        full: list[float] = []
        for _ in range(n):
            t0 = time.perf_counter()
            await resolve_viewer(graph, await validator.validate(token))
            full.append(time.perf_counter() - t0)
        print(f"tokens validated: {n} each")
        print(f"signature + claims (ES256, joserfc):        median {_median_us(crypto):8.1f} us")
        print(f"+ Neo4j revocation/viewer query (1 trip):  median {_median_us(full):8.1f} us")
    finally:
        await graph.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
