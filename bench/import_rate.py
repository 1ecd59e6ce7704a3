"""Import throughput: rows per second of `supplygraph import sites`, matching included
(not a test).

    .venv/bin/python bench/import_rate.py [ROWS] [EXISTING_SITES] [--variants]
        [--decisions FILE] [--profile FILE]

Starts a throwaway Neo4j (its own data folder and port), migrates it, loads EXISTING_SITES
generated sites (`seeds.scale`, default 20,000, so that rows are matched against a real
candidate pool), writes a CSV of ROWS disclosure rows (default 100,000), imports it with the
default batch size and prints rows/s and the outcome counts. The server is stopped and its
folder removed at the end.

Rows are new sites of `seeds.matching_set`, about 10% of them noisy repeats of earlier rows
(which must come out MATCHED); with `--variants`, they are what a supplier sends about a
registry that already holds its sites: 90% noisy variants (typos, abbreviations, reordered
or missing addresses, ...) of existing sites the importer may see, 10% new ones.
`--decisions FILE` writes every row's outcome, matched id and candidates (ids and scores) as
JSON lines, so two runs on the same seed can be compared (a created site's id, drawn at
random, is written as the row that created it). Set PYTHONHASHSEED: blocking iterates a set
of strings, so ties at the pool's edge depend on the hash seed. `--profile FILE` writes a
cProfile of the import.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.core.db import Graph  # noqa: E402
from graph.core.migrate import migrate  # noqa: E402
from graph.server.managed import ManagedNeo4j, free_port  # noqa: E402
from seeds.matching_set import base_site, noisy  # noqa: E402
from seeds.sample import NW_HEALTH, load_sample  # noqa: E402
from seeds.scale import load_scale  # noqa: E402
from supplygraph.imports.sites import import_sites  # noqa: E402
from supplygraph.settings import Settings  # noqa: E402

_SYLLABLES = ["ka", "lo", "mi", "ren", "tu", "sha", "vin", "do", "pe", "qua", "zor", "ti",
              "ban", "hu", "nee", "ra"]


_SITES: str = (
    "MATCH (s:ProductionSite {sharing: 'PUBLIC'}) "
    "RETURN s.id AS id, s.name AS name, s.address AS address, s.city AS city, "
    "s.countryCode AS country ORDER BY s.id"
)


def make_variants_csv(path: Path, rows: int, existing: list[dict[str, str]],
                      seed: int = 7) -> int:
    """90% noisy variants of `existing` sites, 10% new sites; returns how many variants."""
    rng = random.Random(seed)
    variants = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Factory name", "Address", "City", "Country", "Workers"])
        for i in range(rows):
            if existing and rng.random() < 0.9:
                site = rng.choice(existing)
                row, _ = noisy(rng, {**site, "plain": site["address"], "legal": ""})
                variants += 1
            else:
                row = base_site(rng, i)
                tag = "".join(rng.choice(_SYLLABLES) for _ in range(3)).title()
                row = {**row, "name": f"{tag} {row['name']}"}
            w.writerow([row["name"], row["address"], row["city"], row["country"],
                        rng.choice([120, 800, 3000])])
    return variants


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


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a process so far (Linux /proc), 0 when unknown."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def bench(rows: int, existing: int, *, variants: bool, decisions: Path | None,
                profile: Path | None) -> None:
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
            if variants:
                records, _, _ = await graph.driver.execute_query(  # no query timeout
                    _SITES, database_=graph.database)
                pool = [r.data() for r in records]
                repeats = make_variants_csv(path, rows, pool)
                what = "noisy variants of existing sites"
            else:
                repeats = make_csv(path, rows)
                what = "noisy repeats"
            prof = cProfile.Profile() if profile else None
            neo4j_cpu, py_cpu = _cpu_seconds(server._pid()), time.process_time()
            t0 = time.perf_counter()
            if prof:
                prof.enable()
            summary = await import_sites(graph, path, org=NW_HEALTH, settings=settings)
            if prof:
                prof.disable()
                prof.dump_stats(profile)
            took = time.perf_counter() - t0
            neo4j_cpu = _cpu_seconds(server._pid()) - neo4j_cpu
            py_cpu = time.process_time() - py_cpu
            out = summary.as_dict()
            print(f"{rows} rows ({repeats} {what}) into {existing} existing sites: "
                  f"{took:.1f}s, {rows / took:.0f} rows/s (batch {settings.import_batch_size})")
            print(f"CPU s: Neo4j {neo4j_cpu:.1f}, Python {py_cpu:.1f} "
                  f"({1000 * neo4j_cpu / rows:.2f} + {1000 * py_cpu / rows:.2f} ms a row)")
            print(f"created {out['created']}, matched {out['matched']}, needs confirmation "
                  f"{out['needsConfirmation']}, rejected {out['rejected']}")
            if decisions:
                # A created site's id is drawn at random: name it by the row that made it.
                made = {r.record_id: f"row {r.row}" for r in summary.results
                        if r.outcome == "CREATED"}
                with decisions.open("w", encoding="utf-8") as fh:
                    for r in summary.results:
                        fh.write(json.dumps({
                            "row": r.row, "outcome": r.outcome,
                            "id": made.get(r.record_id, r.record_id),
                            "candidates": [[made.get(c["id"], c["id"]), c["score"]]
                                           for c in r.candidates]}) + "\n")
        finally:
            await graph.close()
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("existing", type=int, nargs="?", default=20_000)
    parser.add_argument("--variants", action="store_true",
                        help="rows are noisy variants of existing sites (90%%) and new ones")
    parser.add_argument("--decisions", type=Path, help="write each row's decision here")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the import here")
    args = parser.parse_args()
    asyncio.run(bench(args.rows, args.existing, variants=args.variants,
                      decisions=args.decisions, profile=args.profile))


if __name__ == "__main__":
    main()
