"""`supplygraph import sites|contracts|reports FILE --org ORG_ID [--dry-run]`.

Prints a header report (which columns were understood), a progress bar, and a summary; the
per-row summary is also written as CSV (`--summary PATH`, default under the data folder).
Anything wrong with the file as a whole is one line on stderr and exit code 2; bad rows are
in the summary (exit code 1 when any row was rejected, 0 otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from supplygraph.settings import Settings


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from graph.core.db import Graph, check_connectivity
    from graph.core.migrate import is_migrated, migrate
    from supplygraph.imports import IMPORTERS
    from supplygraph.imports.files import ImportFileError
    from supplygraph.imports.summary import write_summary_csv

    path = Path(args.file)
    console = Console(stderr=True)
    show = not args.json and sys.stderr.isatty()

    async def run() -> Any:
        graph = Graph.from_settings(settings)
        try:
            await check_connectivity(graph.driver, settings)
            if not await is_migrated(graph):
                await migrate(graph)
            kwargs: dict[str, Any] = {"org": args.org, "settings": settings,
                                      "dry_run": args.dry_run}
            if args.sharing and args.kind != "reports":
                kwargs["sharing"] = args.sharing
            with Progress(TextColumn(f"import {args.kind}"), BarColumn(), MofNCompleteColumn(),
                          TimeRemainingColumn(), console=console, disable=not show) as bar:
                task = bar.add_task("rows", total=None)
                return await IMPORTERS[args.kind](
                    graph, path, **kwargs,
                    progress=lambda n: bar.advance(task, n),
                    total=lambda n: bar.update(task, total=n))
        finally:
            await graph.close()

    try:
        summary = asyncio.run(run())
    except ImportFileError as exc:
        # Printed here, not raised as CliError: under `python -m supplygraph.cli` that class
        # is another one than the one `main` catches.
        print(f"supplygraph: {exc}", file=sys.stderr)
        return 2
    out = Path(args.summary) if args.summary else (
        settings.data_dir / "imports" / f"{path.stem}-{args.kind}-{summary.sha256[:12]}"
        f"{'-dry-run' if args.dry_run else ''}.csv")
    write_summary_csv(summary, out)
    result = {**summary.as_dict(), "summaryCsv": str(out)}
    if args.json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        if summary.header is not None:
            mapped = ", ".join(f"{k} -> {v}" for k, v in summary.header.mapped.items())
            print(f"columns understood: {mapped}")
            if summary.header.unknown:
                print(f"columns not understood (ignored): {', '.join(summary.header.unknown)}")
        print(f"{'dry run: nothing written; ' if args.dry_run else ''}"
              f"{result['rows']} rows: {result['created']} created, {result['matched']} matched, "
              f"{result['updated']} updated, {result['needsConfirmation']} need confirmation, "
              f"{result['rejected']} rejected"
              + (f" ({result['resumedBatches']} batches already done, resumed)"
                 if result["resumedBatches"] else "")
              + f" in {result['seconds']}s")
        for r in summary.results:
            if r.errors:
                print(f"  row {r.row}: {'; '.join(r.errors)}")
        if result["needsConfirmation"] and not args.dry_run and args.kind == "sites":
            print(f"kept for review: supplygraph matches list --org {args.org} "
                  "(docs/matching.md)")
        print(f"summary: {out}")
    return 1 if result["rejected"] else 0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import", help="bulk import sites (CSV/XLSX), contracts (OCDS JSON) or reports (JSON)",
        description="Rows are validated and (sites) matched; valid rows are written in batches "
                    "of SUPPLYGRAPH_IMPORT_BATCH_SIZE, each batch all or nothing with its "
                    "checkpoint; invalid rows are reported and skipped. Run the same command "
                    "again to resume an interrupted import. See docs/contributing.md.")
    p.add_argument("kind", choices=["sites", "contracts", "reports"])
    p.add_argument("file")
    p.add_argument("--org", required=True, help="the contributing organisation's id")
    p.add_argument("--dry-run", action="store_true", help="read, validate and match; write "
                                                          "nothing")
    p.add_argument("--sharing", choices=["PUBLIC", "CONSORTIUM", "RESTRICTED", "PRIVATE"],
                   help="sharing of new sites/contracts (default PUBLIC for sites, "
                        "CONSORTIUM for contracts)")
    p.add_argument("--summary", help="where to write the per-row summary CSV")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)
