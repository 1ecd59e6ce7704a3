"""The reliability suite (issue 15): `make bench-reliability`, or

    .venv/bin/python -m bench.reliability [--workers 1 2] [--only mix hostile ...]
        [--clients 64] [--seconds 60] [--hostile 3300] [--import-rows 20000]
        [--only soak --soak-minutes 10 --soak-rate 10]
        [--only memory --memory-rounds 3300 6700 [--trace 8]]

For each worker count it starts its own stack (bench/reliability/env.py: a Neo4j in a
temporary folder, the sample data, `serve --workers N`, all on 127.0.0.1), runs the chosen
scenarios (bench/reliability/scenarios.py) one after the other, prints each one's row as it
ends and a Markdown table at the end, and stops everything it started. Every scenario is
bounded in time; nothing here asserts: figures for bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
from typing import Any

from bench.reliability import scenarios
from bench.reliability.env import Stack
from bench.reliability.imports import import_crash
from bench.reliability.memory import memory, memory_env
from bench.reliability.soak import soak
from bench.reliability.stats import table

ALL = ["mix", "neo4j-kill", "api-kill", "hostile", "import-crash"]
# Not part of a default run: `--only soak` (ten minutes), `--only memory` (issue 15's
# memory under a bad-input storm, bench/reliability/memory.py).
CHOICES = [*ALL, "soak", "memory"]


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for workers in args.workers:
        stack = Stack(workers=workers, extra_env=dict(kv.split("=", 1) for kv in args.api_env))
        if "memory" in args.only:
            stack.extra_env.update(memory_env(stack.root, args.trace))
        try:
            await stack.start()
            await scenarios.warm_up(stack)
            for name in args.only:
                if name == "mix":
                    rec = await scenarios.mix(stack, args.clients, args.seconds)
                elif name == "neo4j-kill":
                    rec = await scenarios.neo4j_kill(stack)
                elif name == "api-kill":
                    rec = await scenarios.api_kill(stack)
                elif name == "hostile":
                    rec = await scenarios.hostile(stack, args.hostile, args.seed)
                elif name == "soak":
                    rec = await soak(stack, args.soak_minutes, args.soak_rate)
                elif name == "memory":
                    rec = await memory(stack, args.memory_rounds, args.seed,
                                       trace=args.trace > 0,
                                       categories=args.memory_categories)
                else:
                    rec = await import_crash(stack, args.import_rows)
                row = {"workers": workers, **rec.row()}
                rows.append(row)
                print(table([row]), flush=True)
        finally:
            await stack.close()
            if not args.keep:
                shutil.rmtree(stack.root, ignore_errors=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.reliability")
    p.add_argument("--workers", type=int, nargs="+", default=[1])
    p.add_argument("--only", nargs="+", choices=CHOICES, default=ALL)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--hostile", type=int, default=3300)
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--soak-minutes", type=float, default=10.0)
    p.add_argument("--soak-rate", type=float, default=10.0, help="requests per second")
    p.add_argument("--memory-rounds", type=int, nargs="+", default=[3300, 6700],
                   help="hostile requests per round of `memory` (RSS read after each)")
    p.add_argument("--memory-categories", nargs="*", default=None,
                   help="only these categories of bench/reliability/hostile.py")
    p.add_argument("--trace", type=int, default=0, metavar="FRAMES",
                   help="`memory`: tracemalloc snapshots in the API, FRAMES deep (0: off)")
    p.add_argument("--import-rows", type=int, default=20_000)
    p.add_argument("--api-env", nargs="*", default=[], metavar="SUPPLYGRAPH_X=V",
                   help="settings for the API processes, e.g. "
                   "SUPPLYGRAPH_CIRCUIT_WARM_STATEMENTS=24 (warming before closing)")
    p.add_argument("--backoff-503", type=float, default=None, metavar="SECONDS",
                   help="clients wait this fixed time on a 503 instead of its Retry-After "
                   "with jitter (0.25: the client of the runs before issue 15's adaptive bound)")
    p.add_argument("--keep", action="store_true", help="keep the stack's folder (logs)")
    args = p.parse_args(argv)
    scenarios.BACKOFF_503 = args.backoff_503
    rows = asyncio.run(run(args))
    print("\n" + table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
