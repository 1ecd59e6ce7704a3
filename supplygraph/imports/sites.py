"""`supplygraph import sites`: a disclosure list (CSV or XLSX), one site per row.

Columns are mapped by header (`SITE_COLUMNS`: "Factory name", "Country", "No. of workers",
...); unknown columns are reported and ignored; `name` and `country` are required. Rows are
planned (validated, resolved, matched) by `graph.imports.site_rows`, the same code as the
`importSites` mutation, and written a batch per transaction with its checkpoint.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.companies.queries import resolve_companies
from graph.imports.batches import done_batches, run_key, save_batch
from graph.imports.site_rows import (
    BatchPlan,
    RowResult,
    plan_site_batch,
    reserve_ids,
    visible_sites,
)
from graph.sites.commands import create_site_batch
from graph.sites.fields import SITE_FIELDS
from graph.sites.identifiers import raw_values
from graph.sites.matching import SiteIndex
from graph.sites.pending import save_pending
from supplygraph.imports.actor import actor_for
from supplygraph.imports.files import MAX_ROWS, ImportFileError, check_file, table_rows
from supplygraph.imports.summary import Progress, Summary

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph
    from graph.core.records import Actor
    from supplygraph.settings import Settings


def _norm_header(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


# The site's own fields bring their header aliases from the field table; the rest of a row
# names what the site is linked to and how to match it.
SITE_COLUMNS: dict[str, tuple[str, ...]] = {
    **SITE_FIELDS.columns(),
    "products": ("products", "product categories", "cpv", "cpv codes", "cpv code",
                 "product category"),
    "brand": ("brand", "brand id", "brand name", "brands"),
    # OSH's parent_company is free text (the field `parentCompany`), not a record to find.
    "supplier": ("supplier", "supplier id", "supplier name", "operator",
                 "company"),
    "confirmMatch": ("confirm match", "confirmmatch", "existing site id", "match site id"),
    "createAnyway": ("create anyway", "createanyway", "new site"),
}
_HEADER_INDEX = {_norm_header(alias): key for key, aliases in SITE_COLUMNS.items()
                 for alias in aliases}
REQUIRED_SITE_COLUMNS = ("name", "countryCode")

# Country names as disclosure lists write them; anything else must be an ISO code.
COUNTRY_NAMES = {
    "china": "CN", "people s republic of china": "CN", "prc": "CN", "viet nam": "VN",
    "vietnam": "VN", "malaysia": "MY", "thailand": "TH", "philippines": "PH", "mexico": "MX",
    "czechia": "CZ", "czech republic": "CZ", "india": "IN", "indonesia": "ID", "taiwan": "TW",
    "south korea": "KR", "korea": "KR", "republic of korea": "KR", "japan": "JP",
    "germany": "DE", "united states": "US", "usa": "US", "united kingdom": "GB", "uk": "GB",
    "hungary": "HU", "poland": "PL", "romania": "RO", "slovakia": "SK", "turkey": "TR",
    "turkiye": "TR", "brazil": "BR", "bangladesh": "BD", "cambodia": "KH", "sri lanka": "LK",
    "pakistan": "PK", "singapore": "SG", "hong kong": "HK", "ireland": "IE", "netherlands": "NL",
}


@dataclass
class HeaderReport:
    mapped: dict[str, str] = field(default_factory=dict)  # column -> field
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    twice: list[tuple[str, str, str]] = field(default_factory=list)  # (first, second, field)


def map_header(header: list[Any]) -> tuple[dict[int, str], HeaderReport]:
    report = HeaderReport()
    mapping: dict[int, str] = {}
    first: dict[str, str] = {}
    for i, col in enumerate(header):
        key = _HEADER_INDEX.get(_norm_header(col))
        if key is None:
            if str(col or "").strip():
                report.unknown.append(str(col).strip()[:80])
            continue
        if key in first:
            # Two columns for one field ("lat" and "latitude"): which one is meant is the
            # user's to say, not ours to guess.
            report.twice.append((first[key], str(col).strip()[:80], key))
            continue
        first[key] = str(col).strip()[:80]
        mapping[i] = key
        report.mapped[str(col).strip()] = key
    report.missing = [k for k in REQUIRED_SITE_COLUMNS if k not in mapping.values()]
    return mapping, report


_RANGE = re.compile(r"^\s*(\d+)\s*[-–]\s*\d+\s*$")


def _cell_dict(row: list[Any], mapping: dict[int, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for i, key in mapping.items():
        value = row[i] if i < len(row) else None
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                value = None
        data[key] = value
    workers = data.get("workerCount")
    if isinstance(workers, str) and (m := _RANGE.match(workers)):
        # OSH writes a band ("1001-5000"); the site has at least its lower bound.
        data["workerCount"] = int(m.group(1))
    country = data.get("countryCode")
    if isinstance(country, str) and len(country) > 2:
        data["countryCode"] = COUNTRY_NAMES.get(_norm_header(country), country)
    return data


async def write_site_batch(tx: AsyncManagedTransaction, actor: Actor, *, batch: BatchPlan,
                           run: str, number: int) -> None:
    """One planned batch, its pending matches and its checkpoint, in one transaction."""
    await create_site_batch(tx, actor, new_sites=batch.new_sites, links=batch.links)
    await save_pending(tx, actor, batch.pending)
    await save_batch(tx, actor, run=run, number=number,
                     results=[r.as_dict() for r in batch.results])


@dataclass
class SiteTable:
    """A site list read and its header mapped, before anything is matched or written."""

    name: str
    sha256: str
    header: HeaderReport
    records: list[tuple[int, dict[str, Any]]]  # (line in the file, cells by field)

    @property
    def source(self) -> str:
        return f"import of {self.name} (sha256 {self.sha256[:12]})"


def read_site_table(name: str, fmt: str, data: bytes, max_rows: int = MAX_ROWS) -> SiteTable:
    """The rows of a CSV or XLSX site list; `ImportFileError` (with its `code`) when the file
    as a whole cannot be imported: no header, a column mapped twice, a required column
    missing, more than `max_rows` rows."""
    rows_iter = table_rows(fmt, data, name)
    header = next(rows_iter, None)
    if header is None:
        raise ImportFileError(f"{name}: no header row", code="NO_HEADER")
    mapping, report = map_header(header)
    if report.twice:
        a, b, key = report.twice[0]
        raise ImportFileError(f"{name}: columns {a!r} and {b!r} both map to {key}: "
                              "rename or remove one", code="COLUMN_TWICE", header=report)
    if report.missing:
        raise ImportFileError(
            f"{name}: required column(s) missing: {', '.join(report.missing)} "
            f"(found: {', '.join(str(h) for h in header if h) or 'none'}; "
            f"unknown: {', '.join(report.unknown) or 'none'})", code="COLUMN_MISSING",
            header=report)
    records: list[tuple[int, dict[str, Any]]] = []
    for line, row in enumerate(rows_iter, start=2):
        if not any(c not in (None, "") for c in row):
            continue
        if len(records) >= max_rows:
            raise ImportFileError(f"{name}: more than {max_rows} rows", code="TOO_MANY_ROWS")
        records.append((line, _cell_dict(row, mapping)))
    return SiteTable(name, hashlib.sha256(data).hexdigest(), report, records)


async def import_sites(graph: Graph, path: Path, *, org: str, settings: Settings,
                       dry_run: bool = False, sharing: str = "PUBLIC",
                       progress: Progress | None = None,
                       total: Callable[[int], None] | None = None) -> Summary:
    fmt, data = check_file(path, settings, "sites")
    table = read_site_table(path.name, fmt, data)
    actor = await actor_for(graph, org, table.source)
    return await import_site_table(graph, table, actor=actor, settings=settings,
                                   dry_run=dry_run, sharing=sharing, progress=progress,
                                   total=total)


async def import_site_table(graph: Graph, table: SiteTable, *, actor: Actor,
                            settings: Settings, dry_run: bool = False,
                            sharing: str = "PUBLIC", progress: Progress | None = None,
                            total: Callable[[int], None] | None = None) -> Summary:
    """The import itself, as `actor` (the CLI's `--org`, or the web app's signed-in person):
    planned and written a batch per transaction with its checkpoint."""
    org, records, digest = actor.org, table.records, table.sha256
    summary = Summary("sites", table.name, digest, dry_run, header=table.header)
    if total:
        total(len(records))
    start = time.perf_counter()
    batch_size = settings.import_batch_size
    run = run_key("sites", digest, org, batch_size)
    done = {} if dry_run else await done_batches(graph, run)
    index = SiteIndex()
    countries = {str(d.get("countryCode") or "").upper() for _, d in records}
    await index.load(graph, [c for c in countries if len(c) == 2], actor.params())
    await index.load_identified(graph, {v for _, d in records for v in raw_values(d)},
                                actor.params())
    companies = {str(d[k]) for _, d in records for k in ("brand", "supplier") if d.get(k)}
    lookups = await resolve_companies(graph, actor, companies)
    confirm_ids = {str(d["confirmMatch"]) for _, d in records if d.get("confirmMatch")}
    visible_confirm = await visible_sites(graph, actor, confirm_ids)

    # Batch k is written while batch k+1 is planned (matching is most of an import's time):
    # one write at a time, committed in order, so a checkpoint still means "every batch up
    # to here"; the ids batch k takes are kept out of batch k+1's reservation, since the
    # graph does not hold them yet.
    writing: asyncio.Future[None] | None = None
    in_flight: set[str] = set()
    try:
        for number, first in enumerate(range(0, len(records), batch_size)):
            chunk = records[first:first + batch_size]
            if number in done:
                summary.results += [RowResult.of(d) for d in done[number]]
                summary.resumed_batches += 1
                if progress:
                    progress(len(chunk))
                continue
            ids = await reserve_ids(graph, chunk, in_flight)
            # In a thread, so that the event loop carries the write meanwhile.
            batch = await asyncio.to_thread(
                plan_site_batch, chunk, settings.match_low, settings.match_high, index,
                lookups, visible_confirm, sharing, ids, org=org)
            if not dry_run:
                async def tx_fn(tx: AsyncManagedTransaction, n: int = number,
                                b: BatchPlan = batch) -> None:
                    await write_site_batch(tx, actor, batch=b, run=run, number=n)

                if writing is not None:
                    await writing
                writing = asyncio.ensure_future(graph.write(tx_fn))
                in_flight = {site["props"]["id"] for site in batch.new_sites}
            summary.results += batch.results
            if progress:
                progress(len(chunk))
    finally:
        if writing is not None:
            await writing
    summary.seconds = time.perf_counter() - start
    return summary
