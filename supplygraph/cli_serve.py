"""`supplygraph serve`: the API, in front of the managed Neo4j unless NEO4J_URI is set."""

from __future__ import annotations

import argparse
from typing import Any

from supplygraph.settings import Settings


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from graph.server import ManagedNeo4j
    from supplygraph.app import create_app

    host = args.host or settings.host
    port = args.port or settings.port
    if settings.managed:
        status = ManagedNeo4j(settings).start()
        print(f"Neo4j at {status.uri}")
    settings = settings.model_copy(update={"host": host, "port": port})
    print(f"supplygraph API on http://{host}:{port}/graphql")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning",
                access_log=False, proxy_headers=False, server_header=False)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="serve the GraphQL API")
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8000)")
    p.set_defaults(func=cmd_serve)
