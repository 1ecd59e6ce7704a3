"""The `supplygraph` console script.

Every failure the user can fix ends as one line on stderr and a non-zero exit; with `--json`
a command prints exactly one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

from graph.core.db import Graph, check_connectivity
from graph.core.transactions import GraphUnavailable
from graph.server.managed import ManagedNeo4j, Neo4jServerError
from supplygraph.settings import Settings, get_settings


class CliError(Exception):
    """A one-line, user-facing error."""


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, default=str) + "\n")


async def _with_graph(settings: Settings, fn: Callable[[Graph], Coroutine[Any, Any, Any]]) -> Any:
    graph = Graph.from_settings(settings)
    try:
        await check_connectivity(graph.driver, settings)
        return await fn(graph)
    finally:
        await graph.close()


# ----- neo4j ----------------------------------------------------------------------------
def cmd_neo4j(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.managed:
        raise CliError(f"NEO4J_URI is set ({settings.neo4j_uri}): that server is not managed here")
    server = ManagedNeo4j(settings)
    if args.action == "start":
        t0 = time.monotonic()
        status = server.start()
        took = time.monotonic() - t0
        if args.json:
            _print_json({"running": True, "uri": status.uri, "pid": status.pid,
                         "seconds": round(took, 2), "logs": str(status.log_file)})
        else:
            print(f"Neo4j running at {status.uri} (pid {status.pid}, {took:.1f}s); "
                  f"logs: {status.log_file}")
        return 0
    if args.action == "stop":
        stopped = server.stop()
        if args.json:
            _print_json({"stopped": stopped})
        else:
            print("Neo4j stopped" if stopped else "Neo4j was not running")
        return 0
    status = server.status()
    if args.json:
        _print_json({"running": status.running, "uri": status.uri, "pid": status.pid,
                     "data": str(status.data_dir), "logs": str(status.log_file)})
    else:
        state = f"running at {status.uri} (pid {status.pid})" if status.running else "stopped"
        print(f"Neo4j {state}; data: {status.data_dir}; logs: {status.log_file}")
    return 0 if status.running else 3


# ----- db -------------------------------------------------------------------------------
def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from graph.core.migrate import migrate

    n = asyncio.run(_with_graph(settings, migrate))
    if args.json:
        _print_json({"migrated": True, "statements": n})
    else:
        print(f"migrated: {n} constraints and indexes in place")
    return 0


# ----- seed -----------------------------------------------------------------------------
def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from graph.core.migrate import is_migrated, migrate

    if not args.sample and args.scale is None:
        raise CliError("seed: say --sample or --scale N")
    if args.scale is not None and args.scale < 1:
        raise CliError("seed: --scale must be a positive number of sites")
    if args.scale is not None and args.scale > 1_000_000:
        raise CliError("seed: --scale is at most 1000000 sites")

    async def run(graph: Graph) -> dict[str, Any]:
        if not await is_migrated(graph):
            if not args.json:
                print("database not migrated: migrating first", file=sys.stderr)
            await migrate(graph)
        if args.sample:
            from seeds.sample import load_sample

            t0 = time.monotonic()
            counts = await load_sample(graph)
            return {"dataset": "sample", "seconds": round(time.monotonic() - t0, 2),
                    "counts": counts}
        from seeds.scale import load_scale

        return await load_scale(graph, sites=args.scale, random_seed=args.random_seed,
                                batch_size=args.batch_size, progress=not args.json)

    result = asyncio.run(_with_graph(settings, run))
    if args.json:
        _print_json(result)
    elif result["dataset"] == "sample":
        print(f"sample data loaded in {result['seconds']}s: "
              + ", ".join(f"{v} {k}" for k, v in result["counts"].items()))
    else:
        print(f"{result['sites']} sites ({result['nodes']} nodes, {result['relationships']} "
              f"relationships) in {result['seconds']}s: {result['sites_per_second']:.0f} sites/s, "
              f"{result['nodes_per_second']:.0f} nodes/s")
    return 0


Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="supplygraph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("neo4j", help="the managed local Neo4j")
    p.add_argument("action", choices=["start", "stop", "status"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_neo4j)

    p = sub.add_parser("db", help="database schema")
    p.add_argument("action", choices=["migrate"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("seed", help="load the sample data set or generated data")
    p.add_argument("--sample", action="store_true", help="the hand-shaped sample data")
    p.add_argument("--scale", type=int, metavar="N", help="about N generated production sites")
    p.add_argument("--random-seed", type=int, default=1, help="makes --scale deterministic")
    p.add_argument("--batch-size", type=int, default=5000)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_seed)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


# Later modules (auth, serve, ...) add their subcommands here.
_EXTRA_COMMANDS: list[Callable[[Any], None]] = []


def _load_extra_commands() -> None:
    import importlib

    for module in ("supplygraph.cli.auth", "supplygraph.cli.serve", "supplygraph.cli.schema",
                   "supplygraph.cli.imports", "supplygraph.cli.worker",
                   "supplygraph.cli.matches", "supplygraph.cli.users"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name == module:
                continue
            raise
        _EXTRA_COMMANDS.append(mod.register)


def main(argv: list[str] | None = None) -> int:
    _load_extra_commands()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
        return int(args.func(args, settings))
    except (CliError, Neo4jServerError, GraphUnavailable) as exc:
        print(f"supplygraph: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("supplygraph: interrupted", file=sys.stderr)
        return 130

