"""`supplygraph worker`: drains the alert outbox (docs/alerts.md). Run as many as you like;
`serve` also runs one unless SUPPLYGRAPH_RUN_WORKER_IN_SERVE=false."""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

from supplygraph.settings import Settings


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from graph.core.db import Graph, check_connectivity
    from supplygraph.cli import _print_json
    from supplygraph.worker import Worker

    async def main() -> int:
        graph = Graph.from_settings(settings)
        try:
            await check_connectivity(graph.driver, settings)
            worker = Worker(graph, settings)
            if args.once:
                handled = await worker.drain()
                await worker.close()
                if args.json:
                    _print_json({"handled": handled})
                else:
                    print(f"handled {handled} alert deliveries")
                return 0
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, worker.stop.set)
            print(f"alert worker {worker.name} running; Ctrl-C stops it")
            await worker.run()
            return 0
        finally:
            await graph.close()

    return asyncio.run(main())


def register(sub: Any) -> None:
    p = sub.add_parser("worker", help="deliver alerts from the outbox to webhooks")
    p.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_worker)
