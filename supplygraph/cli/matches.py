"""`supplygraph matches list|confirm|reject --org ORG` (the review queue, docs/matching.md)
and `supplygraph export sites --org ORG --format csv|geojson` (Open Supply Hub columns).

Both act as one organisation, seeing what the API shows it (`actor_for`); an operator
organisation sees every pending match. Bad input is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.core.db import Graph
    from supplygraph.settings import Settings


def _fail(message: str) -> int:
    print(f"supplygraph: {message}", file=sys.stderr)
    return 2


def _run(settings: Settings, fn: Any) -> Any:
    from graph.core.db import Graph, check_connectivity
    from graph.core.migrate import is_migrated, migrate

    async def go() -> Any:
        graph = Graph.from_settings(settings)
        try:
            await check_connectivity(graph.driver, settings)
            if not await is_migrated(graph):
                await migrate(graph)
            return await fn(graph)
        finally:
            await graph.close()

    return asyncio.run(go())


def _candidate(c: dict[str, Any]) -> str:
    parts = c.get("parts") or {}
    why = "; ".join(parts.get("reasons") or [])
    return f"{c['id']} {c['name']!r} score {c['score']}" + (f" ({why})" if why else "")


def cmd_matches(args: argparse.Namespace, settings: Settings) -> int:
    from graph.core.errors import WriteRejected
    from graph.sites import pending
    from supplygraph.imports.actor import actor_for
    from supplygraph.imports.files import ImportFileError

    async def work(graph: Graph) -> Any:
        actor = await actor_for(graph, args.org, "supplygraph matches (CLI)",
                                client="supplygraph-cli")
        if args.action == "list":
            status = None if args.status == "ALL" else args.status
            return await pending.list_pending(graph, actor.params(), status=status, skip=0,
                                              limit=args.limit)

        async def tx_fn(tx: Any) -> str:
            if args.action == "confirm":
                return await pending.confirm(tx, actor, args.pending_id, args.site,
                                             note=args.note)
            return await pending.reject(tx, actor, args.pending_id, note=args.note)

        return await graph.write(tx_fn)

    if args.action == "confirm" and not args.site:
        return _fail("matches confirm: say which site with --site SITE_ID")
    if args.action in ("confirm", "reject") and not args.pending_id:
        return _fail(f"matches {args.action}: name the pending match (PM-...)")
    try:
        result = _run(settings, work)
    except ImportFileError as exc:
        return _fail(str(exc))
    except WriteRejected as exc:
        return _fail("; ".join(f"{e.code}: {e.message}" for e in exc.errors))
    if args.action != "list":
        decided = "confirmed as" if args.action == "confirm" else "rejected: created"
        if args.json:
            sys.stdout.write(json.dumps({"pendingMatchId": args.pending_id,
                                         "decision": args.action, "siteId": result}) + "\n")
        else:
            print(f"{args.pending_id} {decided} {result}")
        return 0
    if args.json:
        sys.stdout.write(json.dumps({"pendingMatches": result}, default=str) + "\n")
        return 0
    for p in result:
        where = f"row {p['row']} of {p.get('source')}" if p.get("row") is not None \
            else p.get("source") or ""
        print(f"{p['id']} {p['status']} {p['name']!r} ({p['countryCode']}) {where}")
        for c in p["candidates"]:
            print(f"    candidate {_candidate(c)}")
        if p.get("siteId"):
            print(f"    decided: {p['siteId']} by {p.get('decidedBy')} at {p.get('decidedAt')}")
    print(f"{len(result)} pending match(es)")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from graph.sites import export
    from supplygraph.imports.actor import actor_for
    from supplygraph.imports.files import ImportFileError

    out = Path(args.output) if args.output else None

    async def work(graph: Graph) -> int:
        actor = await actor_for(graph, args.org, "supplygraph export (CLI)")
        fh = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        count, after, first = 0, None, True
        try:
            if args.format == "geojson":
                fh.write('{"type": "FeatureCollection", "features": [')
            while True:
                rows = await export.export_page(graph, actor.params(), after=after,
                                                limit=args.page_size, countries=args.country)
                if not rows:
                    break
                if args.format == "csv":
                    fh.write(export.to_csv(rows, header=first))
                else:
                    fh.write(("" if first else ", ") + ", ".join(
                        json.dumps(f) for f in export.geojson_features(rows)))
                first, after, count = False, rows[-1]["sg_id"], count + len(rows)
            if args.format == "csv" and first:
                fh.write(export.to_csv([], header=True))
            if args.format == "geojson":
                fh.write("]}\n")
        finally:
            if out:
                fh.close()
        return count

    try:
        count = _run(settings, work)
    except ImportFileError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot write {out}: {exc.strerror}")
    if out:
        print(f"{count} sites written to {out}", file=sys.stderr)
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("matches", help="the review queue: list, confirm or reject pending "
                                       "matches", description=__doc__)
    p.add_argument("action", choices=["list", "confirm", "reject"])
    p.add_argument("pending_id", nargs="?", help="confirm/reject: the pending match (PM-...)")
    p.add_argument("--org", required=True, help="the organisation acting (its own pending "
                                                "matches; an operator's: all)")
    p.add_argument("--site", help="confirm: the existing site it is")
    p.add_argument("--note", help="kept in the history")
    p.add_argument("--status", choices=["PENDING", "CONFIRMED", "REJECTED", "ALL"],
                   default="PENDING")
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_matches)

    p = sub.add_parser("export", help="export the sites an organisation may see (OSH columns)")
    p.add_argument("kind", choices=["sites"])
    p.add_argument("--org", required=True, help="the organisation whose view is exported")
    p.add_argument("--format", choices=["csv", "geojson"], default="csv")
    p.add_argument("--country", action="append", type=str.upper,
                   help="only this country (ISO code; repeatable)")
    p.add_argument("--output", help="a file (default: stdout)")
    p.add_argument("--page-size", type=int, default=5000)
    p.set_defaults(func=cmd_export)
