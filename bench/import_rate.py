"""Import throughput: rows per second of `supplygraph import sites`, matching included
(not a test).

    .venv/bin/python bench/import_rate.py [ROWS] [EXISTING_SITES]

Starts a throwaway Neo4j (its own data folder and port), migrates it, loads EXISTING_SITES
generated sites (`seeds.scale`, default 20,000, so that rows are matched against a real
candidate pool), writes a CSV of ROWS disclosure rows (default 100,000; about 10% are noisy
repeats of earlier rows, which must come out MATCHED), imports it with the default batch size
and prints rows/s and the outcome counts. The server is stopped and its folder removed at the
end.
"""

from __future__ import annotations

import asyncio
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.core.db import Graph  # noqa: E402
from seeds.matching_set import base_site, noisy  # noqa: E402
from graph.core.migrate import migrate  # noqa: E402
from graph.server.managed import ManagedNeo4j, free_port  # noqa: E402
from seeds.sample import NW_HEALTH, load_sample  # noqa: E402
from seeds.scale import load_scale  # noqa: E402
from supplygraph.imports.sites import import_sites  # noqa: E402
from supplygraph.settings import Settings  # noqa: E402

_SYLLABLES = ["ka", "lo", "mi", "ren", "tu", "sha", "vin", "do", "pe", "qua", "zor", "ti",
              "ban", "hu", "nee", "ra"]


def make_csv(path: Path, rows: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    made: list[dict[str, str]] = []
    repeats = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Factory name", "Address", "City", "Country", "Workers"])
        for i in range(rows):
            if made and rng.random() < 0.1:
                row, _ = noisy(rng, rng.choice(made))
                repeats += 1
            else:
                row = base_site(rng, i)
                tag = "".join(rng.choice(_SYLLABLES) for _ in range(3)).title()
                row = {**row, "name": f"{tag} {row['name']}"}
                made.append(row)
            w.writerow([row["name"], row["address"], row["city"], row["country"],
                        rng.choice([120, 800, 3000])])
    return repeats


async def bench(rows: int, existing: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp) / "data",  # type: ignore[call-arg]
                            neo4j_bolt_port=free_port(), neo4j_heap="2g",
                            neo4j_pagecache="1g")
        server = ManagedNeo4j(settings)
        server.start()
        graph = Graph.from_settings(settings)
        try:
            await migrate(graph)
            await load_sample(graph)
            if existing:
                await load_scale(graph, sites=existing, progress=False)
            path = Path(tmp) / "sites.csv"
            repeats = make_csv(path, rows)
            t0 = time.perf_counter()
            summary = await import_sites(graph, path, org=NW_HEALTH, settings=settings)
            took = time.perf_counter() - t0
            out = summary.as_dict()
            print(f"{rows} rows ({repeats} noisy repeats) into {existing} existing sites: "
                  f"{took:.1f}s, {rows / took:.0f} rows/s (batch {settings.import_batch_size})")
            print(f"created {out['created']}, matched {out['matched']}, needs confirmation "
                  f"{out['needsConfirmation']}, rejected {out['rejected']}")
        finally:
            await graph.close()
            server.stop()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    existing = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    asyncio.run(bench(rows, existing))


if __name__ == "__main__":
    main()
