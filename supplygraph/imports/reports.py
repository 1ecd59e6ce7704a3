"""`supplygraph import reports`: JSON `{"reports": [<SubmitReportInput>, ...]}`, the fields of
the `submitReport` mutation (siteId, kind, title, visitDate, findings [...], ...), each
written by the same command as the mutation (`graph.reports.commands.submit_report`)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.core.errors import WriteRejected
from graph.core.fields import Checker
from graph.imports.batches import done_batches, run_key, save_batch
from graph.imports.site_rows import REJECTED, RowResult, messages
from graph.reports.commands import check_report, submit_report
from graph.reports.fields import report_input
from graph.sites.planning import CREATED
from supplygraph.imports.actor import actor_for
from supplygraph.imports.files import ImportFileError, check_file, load_json
from supplygraph.imports.summary import Progress, Summary

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph
    from supplygraph.settings import Settings


async def import_reports(graph: Graph, path: Path, *, org: str, settings: Settings,
                         dry_run: bool = False, progress: Progress | None = None,
                         total: Callable[[int], None] | None = None) -> Summary:
    fmt, data = check_file(path, settings, "reports")
    digest = hashlib.sha256(data).hexdigest()
    actor = await actor_for(graph, org, f"report import of {path.name} (sha256 {digest[:12]})")
    doc = load_json(data, path.name)
    items = doc.get("reports") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise ImportFileError(f"{path.name}: expected {{\"reports\": [...]}}")
    summary = Summary("reports", path.name, digest, dry_run)
    if total:
        total(len(items))
    start = time.perf_counter()
    batch_size = settings.import_batch_size
    run = run_key("reports", digest, org, batch_size)
    done = {} if dry_run else await done_batches(graph, run)
    for number, first in enumerate(range(0, len(items), batch_size)):
        chunk = list(enumerate(items[first:first + batch_size], start=first + 1))
        if number in done:
            summary.results += [RowResult.of(d) for d in done[number]]
            summary.resumed_batches += 1
            continue
        rejected: list[RowResult] = []
        planned = []
        for row, item in chunk:
            item = item if isinstance(item, dict) else {}
            c = Checker(("row",))
            report, findings = report_input(item, c)
            site = c.text(item, "siteId", required=True, max_len=40)
            title = str(item.get("title") or "")[:200]
            if c.errors:
                rejected.append(RowResult(row, REJECTED, name=title,
                                          errors=messages(c.errors)))
                continue
            planned.append((row, title, report, findings, site))

        # Each report is checked (site visible) inside the batch transaction; a report on an
        # unknown site is rejected without failing the batch.
        async def tx_fn(tx: AsyncManagedTransaction, items_: list[Any] = planned,
                        n: int = number, rej: list[RowResult] = rejected) -> list[RowResult]:
            out: list[RowResult] = []
            for row, title, report, findings, site in items_:
                try:
                    if dry_run:
                        await check_report(tx, actor, site_id=site, report=report,
                                           path=("row",))
                        out.append(RowResult(row, CREATED, None, title))
                        continue
                    rid, _ = await submit_report(tx, actor, site_id=site, report=report,
                                                 findings=findings, path=("row",))
                except WriteRejected as exc:
                    out.append(RowResult(row, REJECTED, name=title, errors=messages(exc.errors)))
                    continue
                out.append(RowResult(row, CREATED, rid, title))
            if not dry_run:
                await save_batch(tx, actor, run=run, number=n,
                                 results=[r.as_dict() for r in [*rej, *out]])
            return out

        written = await (graph.read(tx_fn) if dry_run else graph.write(tx_fn))
        summary.results += sorted([*rejected, *written], key=lambda r: r.row)
        if progress:
            progress(len(chunk))
    summary.seconds = time.perf_counter() - start
    return summary
