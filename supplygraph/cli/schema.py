"""`supplygraph schema print [--federation] [--output FILE]`: the schema as SDL.

Without `--federation`: strawberry's `print_schema` (the schema as written, with its
Federation `@link` and `@key` directives); the committed `schema.graphql` is this output, so
schema changes show up in review. With `--federation`: what the running service answers to a
gateway's `_service { sdl }`, executed through the schema (the same text today, by
construction, but read from the source a gateway composes).
No Neo4j is needed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from supplygraph.settings import Settings


def schema_sdl(settings: Settings, *, federation: bool = False) -> str:
    from strawberry.printer import print_schema

    from schema import build_schema

    schema = build_schema(settings)
    if not federation:
        return print_schema(schema) + "\n"
    result = asyncio.run(schema.execute("{ _service { sdl } }"))
    if result.errors:
        raise RuntimeError(f"_service failed: {result.errors}")
    return str(result.data["_service"]["sdl"]) + "\n"


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    sdl = schema_sdl(settings, federation=args.federation)
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(sdl)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("schema", help="the GraphQL schema as SDL")
    p.add_argument("action", choices=["print"])
    p.add_argument("--federation", action="store_true",
                   help="the federation SDL a gateway reads from _service { sdl }")
    p.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=cmd_schema)
