"""Bulk import of disclosure lists (sites), OCDS packages (contracts) and report files.

Formats (docs/contributing.md):
- sites: CSV (UTF-8, comma or semicolon) or XLSX (first sheet), one site per row, columns
  mapped by header (`SITE_COLUMNS`: "Factory name", "Country", "No. of workers", ...);
  unknown columns are reported and ignored; `name` and `country` are required.
- contracts: an OCDS release package (`{"releases": [...]}`) or record package
  (`{"records": [{"compiledRelease": ...}]}`).
- reports: JSON `{"reports": [<SubmitReportInput>, ...]}`, the fields of the
  `submitReport` mutation (siteId, kind, title, visitDate, findings [...], ...).

Every row is validated as the mutations validate (`resolvers.mutations_input`), sites go
through matching (`graph.sites.matching`). Valid rows are written in batches of
`import_batch_size`, one transaction per batch: **a batch's valid rows are written together
or not at all**; invalid rows and rows that need confirmation are reported, never written,
and never block the others. Each batch commits with its checkpoint (`:ImportBatch`, keyed by
the file's SHA-256, organisation, kind and batch number), so a crashed import run again
resumes after the last committed batch without duplicates. `dry_run` reads and matches but
writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.core.ids import new_id
from graph.sites.matching import NEEDS_CONFIRMATION, SiteIndex
from graph.core.model import Label, Rel
from graph.core.records import (
    Actor,
    WriteRejected,
    create_record,
    link,
    update_record,
)
from graph.imports.batches import done_batches, save_batch, write_site_batch
from graph.sites.commands import CONFIRMED, CREATED
from resolvers import mutations_input as v
from resolvers.mutations_import import (
    REJECTED,
    RowResult,
    messages,
    plan_site_batch,
    reserve_ids,
    resolve_companies,
    visible_sites,
)

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph
    from supplygraph.settings import Settings

KINDS = ("sites", "contracts", "reports")
MAX_ROWS = 1_000_000
MAX_COLUMNS = 200
UPDATED = "UPDATED"


class ImportFileError(Exception):
    """The file as a whole cannot be imported: one clear line for the user."""


# ----- reading files --------------------------------------------------------------------------
def _norm_header(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


SITE_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "site name", "factory name", "facility name", "factory", "facility",
             "production site", "site", "supplier site name", "manufacturing site"),
    "countryCode": ("country", "country code", "countrycode", "iso country", "country iso",
                    "iso 3166", "country iso code"),
    "address": ("address", "street address", "address line 1", "street", "site address",
                "full address"),
    "city": ("city", "town", "municipality"),
    "region": ("region", "province", "state", "state province", "prefecture"),
    "aliases": ("aliases", "alias", "other names", "also known as", "aka", "local name"),
    "siteType": ("site type", "type", "facility type", "sitetype"),
    "workerCount": ("workers", "worker count", "workercount", "number of workers",
                    "no of workers", "employees", "number of employees", "headcount",
                    "total workers"),
    "products": ("products", "product categories", "cpv", "cpv codes", "cpv code",
                 "product category"),
    "brand": ("brand", "brand id", "brand name", "brands"),
    "supplier": ("supplier", "supplier id", "supplier name", "operator", "parent company",
                 "company"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
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


def map_header(header: list[Any]) -> tuple[dict[int, str], HeaderReport]:
    report = HeaderReport()
    mapping: dict[int, str] = {}
    for i, col in enumerate(header):
        key = _HEADER_INDEX.get(_norm_header(col))
        if key is None or key in mapping.values():
            if str(col or "").strip():
                report.unknown.append(str(col).strip()[:80])
            continue
        mapping[i] = key
        report.mapped[str(col).strip()] = key
    report.missing = [k for k in REQUIRED_SITE_COLUMNS if k not in mapping.values()]
    return mapping, report


def check_file(path: Path, settings: Settings, kind: str) -> tuple[str, bytes]:
    """(format, content): csv, xlsx or json, after the size and type checks."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    size = path.stat().st_size
    if size > settings.import_max_bytes:
        raise ImportFileError(
            f"{path.name}: {size / 1e6:.1f} MB is over the import limit of "
            f"{settings.import_max_bytes / 1e6:.0f} MB (SUPPLYGRAPH_IMPORT_MAX_BYTES); "
            "split the file")
    if size == 0:
        raise ImportFileError(f"{path.name}: the file is empty")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    allowed = {"sites": (".csv", ".txt", ".xlsx", ".xlsm"), "contracts": (".json",),
               "reports": (".json",)}[kind]
    if suffix not in allowed:
        raise ImportFileError(f"{path.name}: {kind} are imported from "
                              f"{' or '.join(allowed)} files, not {suffix or 'this file'}")
    if suffix in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK"):
            raise ImportFileError(f"{path.name}: not an XLSX workbook (no zip signature)")
        return "xlsx", data
    if b"\x00" in data[:65536]:
        raise ImportFileError(f"{path.name}: binary content, not text")
    return ("json" if suffix == ".json" else "csv"), data


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{name}: not UTF-8 (or Windows-1252) text")


def table_rows(fmt: str, data: bytes, name: str) -> Iterator[list[Any]]:
    """The header row first, then data rows, as lists of cell values."""
    if fmt == "csv":
        text = _decode(data, name)
        sample = text[:8192]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for row in reader:
                if len(row) > MAX_COLUMNS:
                    raise ImportFileError(f"{name}: more than {MAX_COLUMNS} columns")
                yield row
        except csv.Error as exc:
            raise ImportFileError(f"{name}: not a readable CSV file (line {reader.line_num}: "
                                  f"{exc})") from None
        return
    try:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(f"{name}: not a readable XLSX workbook "
                              f"({type(exc).__name__})") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on hostile files
        raise ImportFileError(f"{name}: not a readable XLSX workbook "
                              f"({type(exc).__name__})") from None
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            if len(row) > MAX_COLUMNS:
                row = row[:MAX_COLUMNS]
            yield list(row)
    finally:
        wb.close()


# ----- results --------------------------------------------------------------------------------
@dataclass
class Summary:
    kind: str
    file: str
    sha256: str
    dry_run: bool
    results: list[RowResult] = field(default_factory=list)
    header: HeaderReport | None = None
    resumed_batches: int = 0
    seconds: float = 0.0

    def count(self, *outcomes: str) -> int:
        return sum(1 for r in self.results if r.outcome in outcomes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": self.file, "sha256": self.sha256, "dryRun": self.dry_run,
            "rows": len(self.results), "created": self.count(CREATED),
            "matched": self.count("MATCHED", CONFIRMED), "updated": self.count(UPDATED),
            "needsConfirmation": self.count(NEEDS_CONFIRMATION),
            "rejected": self.count(REJECTED), "resumedBatches": self.resumed_batches,
            "seconds": round(self.seconds, 2),
            "rowsPerSecond": round(len(self.results) / self.seconds, 1) if self.seconds else None,
            "unknownColumns": self.header.unknown if self.header else [],
            "mappedColumns": self.header.mapped if self.header else {},
        }


def _safe_cell(value: Any) -> str:
    """Spreadsheet formula injection: a cell that starts like a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_summary_csv(summary: Summary, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["row", "outcome", "id", "name", "candidates", "errors"])
        for r in summary.results:
            cands = "; ".join(f"{c['id']} ({c['score']})" for c in r.candidates)
            w.writerow([r.row, r.outcome, _safe_cell(r.record_id), _safe_cell(r.name),
                        _safe_cell(cands), _safe_cell("; ".join(r.errors))])


# ----- the organisation and actor ---------------------------------------------------------------
_ORG: Any = (
    "MATCH (o:Organisation {id: $org}) "
    "OPTIONAL MATCH (o)-[:MEMBER_OF]->(:Organisation {kind: 'CONSORTIUM'})<-[:MEMBER_OF]-(p) "
    "RETURN o.kind AS kind, collect(DISTINCT p.id) AS peers"
)


async def actor_for(graph: Graph, org: str, source: str, client: str = "supplygraph-import",
                    ) -> Actor:
    rows = await graph.query(_ORG, {"org": org}, name="import_org")
    if not rows:
        raise ImportFileError(f"no organisation with id {org!r} (see `supplygraph orgs list`)")
    return Actor(org=org, client=client, peers=tuple(sorted(set(rows[0]["peers"]) | {org})),
                 operator=rows[0]["kind"] == "OPERATOR", source=source)


def _run_key(kind: str, digest: str, org: str, batch_size: int) -> str:
    return f"{kind}:{org}:{batch_size}:{digest}"


Progress = Callable[[int], None]


# ----- sites ----------------------------------------------------------------------------------
def _cell_dict(row: list[Any], mapping: dict[int, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for i, key in mapping.items():
        value = row[i] if i < len(row) else None
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                value = None
        data[key] = value
    country = data.get("countryCode")
    if isinstance(country, str) and len(country) > 2:
        data["countryCode"] = COUNTRY_NAMES.get(_norm_header(country), country)
    return data


async def import_sites(graph: Graph, path: Path, *, org: str, settings: Settings,
                       dry_run: bool = False, sharing: str = "PUBLIC",
                       progress: Progress | None = None,
                       total: Callable[[int], None] | None = None) -> Summary:
    fmt, data = check_file(path, settings, "sites")
    digest = hashlib.sha256(data).hexdigest()
    source = f"import of {path.name} (sha256 {digest[:12]})"
    actor = await actor_for(graph, org, source)
    rows_iter = table_rows(fmt, data, path.name)
    header = next(rows_iter, None)
    if header is None:
        raise ImportFileError(f"{path.name}: no header row")
    mapping, report = map_header(header)
    if report.missing:
        raise ImportFileError(
            f"{path.name}: required column(s) missing: {', '.join(report.missing)} "
            f"(found: {', '.join(str(h) for h in header if h) or 'none'}; "
            f"unknown: {', '.join(report.unknown) or 'none'})")
    records: list[tuple[int, dict[str, Any]]] = []
    for line, row in enumerate(rows_iter, start=2):
        if not any(c not in (None, "") for c in row):
            continue
        if len(records) >= MAX_ROWS:
            raise ImportFileError(f"{path.name}: more than {MAX_ROWS} rows")
        records.append((line, _cell_dict(row, mapping)))
    summary = Summary("sites", path.name, digest, dry_run, header=report)
    if total:
        total(len(records))
    start = time.perf_counter()
    batch_size = settings.import_batch_size
    run = _run_key("sites", digest, org, batch_size)
    done = {} if dry_run else await done_batches(graph, run)
    index = SiteIndex()
    countries = {str(d.get("countryCode") or "").upper() for _, d in records}
    await index.load(graph, [c for c in countries if len(c) == 2], actor.params())
    companies = {str(d[k]) for _, d in records for k in ("brand", "supplier") if d.get(k)}
    lookups = await resolve_companies(graph, actor, companies)
    confirm_ids = {str(d["confirmMatch"]) for _, d in records if d.get("confirmMatch")}
    visible_confirm = await visible_sites(graph, actor, confirm_ids)

    for number, first in enumerate(range(0, len(records), batch_size)):
        chunk = records[first:first + batch_size]
        if number in done:
            summary.results += [RowResult.of(d) for d in done[number]]
            summary.resumed_batches += 1
            if progress:
                progress(len(chunk))
            continue
        results, new_sites, links = plan_site_batch(chunk, settings.match_low,
                                                    settings.match_high, index, lookups,
                                                    visible_confirm, sharing,
                                                    await reserve_ids(graph, chunk))
        if not dry_run:
            payload = [r.as_dict() for r in results]

            async def tx_fn(tx: AsyncManagedTransaction, n: int = number,
                            p: list[dict[str, Any]] = payload,
                            s: list[dict[str, Any]] = new_sites,
                            lk: dict[str, list[dict[str, str]]] = links) -> None:
                await write_site_batch(tx, actor, new_sites=s, links=lk, run=run, number=n,
                                       results=p)

            await graph.write(tx_fn)
        summary.results += results
        if progress:
            progress(len(chunk))
    summary.seconds = time.perf_counter() - start
    return summary


# ----- contracts (OCDS) -----------------------------------------------------------------------
def _load_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(_decode(data, name))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ImportFileError(f"{name}: not valid JSON ({str(exc)[:120]})") from None


def ocds_releases(doc: Any, name: str) -> list[dict[str, Any]]:
    """Releases of a release package, or compiled releases of a record package."""
    if not isinstance(doc, dict):
        raise ImportFileError(f"{name}: an OCDS package is a JSON object")
    if isinstance(doc.get("releases"), list):
        return [r if isinstance(r, dict) else {} for r in doc["releases"]]
    if isinstance(doc.get("records"), list):
        out = []
        for rec in doc["records"]:
            rec = rec if isinstance(rec, dict) else {}
            compiled = rec.get("compiledRelease")
            if not isinstance(compiled, dict):
                releases = [r for r in rec.get("releases") or [] if isinstance(r, dict)]
                compiled = releases[-1] if releases else {}
            out.append(compiled)
        return out
    raise ImportFileError(f"{name}: neither an OCDS release package (releases) nor a record "
                          "package (records)")


def _first(items: Any) -> dict[str, Any]:
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def _cpv(code: Any) -> str | None:
    from graph.core.model import CPV_CATEGORIES

    text = str(code or "").strip()
    for known in CPV_CATEGORIES:
        if text == known or text == known.split("-")[0]:
            return known
    return None


def contract_row(release: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(contract input as for createContract, supplier {id, name}, unknown CPV codes)."""
    contract, award, tender = (_first(release.get("contracts")), _first(release.get("awards")),
                               release.get("tender") if isinstance(release.get("tender"),
                                                                   dict) else {})
    items = [i for src in (contract, award, tender) for i in (src.get("items") or [])
             if isinstance(i, dict)]
    cpvs, unknown, quantity = [], [], 0
    for item in items:
        cls = item.get("classification") if isinstance(item.get("classification"), dict) else {}
        if str(cls.get("scheme", "CPV")).upper() != "CPV":
            continue
        code = _cpv(cls.get("id"))
        if code and code not in cpvs:
            cpvs.append(code)
        elif not code:
            unknown.append(str(cls.get("id")))
        if isinstance(item.get("quantity"), (int, float)) and not isinstance(
                item.get("quantity"), bool):
            quantity += item["quantity"]
    period = contract.get("period") or award.get("contractPeriod") or {}
    value = contract.get("value") or award.get("value")
    data = {
        "reference": release.get("ocid"), "title": contract.get("title") or award.get("title")
        or tender.get("title"),
        "startDate": period.get("startDate") if isinstance(period, dict) else None,
        "endDate": period.get("endDate") if isinstance(period, dict) else None,
        "cpvCodes": cpvs, "quantity": quantity or None,
        "value": value if isinstance(value, dict) and value.get("amount") is not None else None,
    }
    return data, _first(award.get("suppliers")), unknown


_CONTRACT_BY_REF: Any = (
    "MATCH (c:Contract {reference: $ref}) WHERE c.contributedBy = $org RETURN c.id AS id LIMIT 1"
)
_SUPPLIER_BY_KEY: Any = (
    "MATCH (s:Supplier) WHERE ($sid IS NOT NULL AND $sid IN coalesce(s.identifiers, [])) "
    "OR toLower(s.name) = toLower($name) "
    "WITH s WHERE s.sharing = 'PUBLIC' OR s.contributedBy = $viewerOrg "
    "OR (s.sharing = 'CONSORTIUM' AND s.contributedBy IN $viewerPeers) "
    "RETURN s.id AS id ORDER BY s.id LIMIT 1"
)


async def import_contracts(graph: Graph, path: Path, *, org: str, settings: Settings,
                           dry_run: bool = False, sharing: str = "CONSORTIUM",
                           progress: Progress | None = None,
                           total: Callable[[int], None] | None = None) -> Summary:
    fmt, data = check_file(path, settings, "contracts")
    digest = hashlib.sha256(data).hexdigest()
    actor = await actor_for(graph, org, f"OCDS import of {path.name} (sha256 {digest[:12]})")
    releases = ocds_releases(_load_json(data, path.name), path.name)
    summary = Summary("contracts", path.name, digest, dry_run)
    if total:
        total(len(releases))
    start = time.perf_counter()
    batch_size = settings.import_batch_size
    run = _run_key("contracts", digest, org, batch_size)
    done = {} if dry_run else await done_batches(graph, run)
    for number, first in enumerate(range(0, len(releases), batch_size)):
        chunk = list(enumerate(releases[first:first + batch_size], start=first + 1))
        if number in done:
            summary.results += [RowResult.of(d) for d in done[number]]
            summary.resumed_batches += 1
            continue
        planned = []
        results: list[RowResult] = []
        for row, release in chunk:
            inp, supplier, unknown = contract_row(release)
            c = v.Checker(("row",))
            props = v.contract_props(inp, c)
            if not inp.get("cpvCodes"):
                c.fail("no ICT hardware CPV code among the items"
                       + (f" (found {', '.join(unknown[:5])})" if unknown else ""), "items")
            label = str(inp.get("reference") or "")[:200]
            if c.errors:
                results.append(RowResult(row, REJECTED, name=label, errors=messages(c.errors)))
                continue
            planned.append((row, label, props, supplier))

        async def tx_fn(tx: AsyncManagedTransaction, items: list[Any] = planned,
                        n: int = number) -> list[RowResult]:
            out = []
            for row, label, props, supplier in items:
                out.append(await _write_contract(tx, actor, row, label, props, supplier,
                                                 sharing))
            if not dry_run:
                await save_batch(tx, actor, run=run, number=n,
                                 results=[r.as_dict() for r in [*results, *out]])
            return out

        if dry_run:
            written = [RowResult(row, CREATED, None, label) for row, label, _, _ in planned]
        else:
            written = await graph.write(tx_fn)
        summary.results += sorted([*results, *written], key=lambda r: r.row)
        if progress:
            progress(len(chunk))
    summary.seconds = time.perf_counter() - start
    return summary


async def _write_contract(tx: AsyncManagedTransaction, actor: Actor, row: int, label: str,
                          props: dict[str, Any], supplier: dict[str, Any], sharing: str,
                          ) -> RowResult:
    existing = await (await tx.run(_CONTRACT_BY_REF, {"ref": props["reference"],
                                                      "org": actor.org})).single()
    if existing:
        cid = existing["id"]
        await update_record(tx, Label.CONTRACT, cid, props, actor, note="OCDS re-import")
        outcome = UPDATED
    else:
        cid = await create_record(tx, Label.CONTRACT, {**props, "id": new_id("CTR"),
                                                       "sharing": sharing, "sharedWith": []},
                                  actor)
        await link(tx, Label.ORGANISATION, actor.org, Rel.HOLDS, Label.CONTRACT, cid, actor)
        outcome = CREATED
    for cpv in props.get("cpvCodes", []):
        await link(tx, Label.CONTRACT, cid, Rel.COVERS, Label.PRODUCT_CATEGORY, cpv, actor)
    name, sid = str(supplier.get("name") or "").strip(), supplier.get("id")
    if name or sid:
        found = await (await tx.run(_SUPPLIER_BY_KEY, {"sid": str(sid) if sid else None,
                                                       "name": name or "\x00",
                                                       **actor.params()})).single()
        if found:
            supplier_id = found["id"]
        else:
            supplier_id = await create_record(
                tx, Label.SUPPLIER, {"id": new_id("SUP"), "name": name or str(sid),
                                     "identifiers": [str(sid)] if sid else [],
                                     "roles": ["CONTRACTOR"], "sharing": sharing,
                                     "sharedWith": []}, actor)
        await link(tx, Label.CONTRACT, cid, Rel.AWARDED_TO, Label.SUPPLIER, supplier_id, actor)
    return RowResult(row, outcome, cid, label)


# ----- reports --------------------------------------------------------------------------------
async def import_reports(graph: Graph, path: Path, *, org: str, settings: Settings,
                         dry_run: bool = False, progress: Progress | None = None,
                         total: Callable[[int], None] | None = None) -> Summary:
    fmt, data = check_file(path, settings, "reports")
    digest = hashlib.sha256(data).hexdigest()
    actor = await actor_for(graph, org, f"report import of {path.name} (sha256 {digest[:12]})")
    doc = _load_json(data, path.name)
    items = doc.get("reports") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise ImportFileError(f"{path.name}: expected {{\"reports\": [...]}}")
    summary = Summary("reports", path.name, digest, dry_run)
    if total:
        total(len(items))
    start = time.perf_counter()
    batch_size = settings.import_batch_size
    run = _run_key("reports", digest, org, batch_size)
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
            c = v.Checker(("row",))
            props = v.report_props(item, c)
            sharing, shared_with = c.sharing(item)
            findings = []
            for i, f in enumerate(item.get("findings") or []):
                fc = v.Checker(("row", "findings", i))
                findings.append(v.finding_props(f if isinstance(f, dict) else {}, fc))
                c.errors += fc.errors
            site = c.text(item, "siteId", required=True, max_len=40)
            title = str(item.get("title") or "")[:200]
            if c.errors:
                rejected.append(RowResult(row, REJECTED, name=title,
                                          errors=messages(c.errors)))
                continue
            planned.append((row, title, {**props, "sharing": sharing, "sharedWith": shared_with},
                            findings, site))
        # Each report is checked (site visible) inside the batch transaction; a report on an
        # unknown site is rejected without failing the batch.
        from graph.alerts.outbox import FINDING_CREATED, enqueue_finding_alerts
        from graph.core.records import require_visible

        async def tx_fn(tx: AsyncManagedTransaction, items_: list[Any] = planned,
                        n: int = number, rej: list[RowResult] = rejected) -> list[RowResult]:
            out: list[RowResult] = []
            finding_ids: list[str] = []
            for row, title, props, findings, site in items_:
                try:
                    await require_visible(tx, Label.PRODUCTION_SITE, [(site, ["row", "siteId"])],
                                          actor)
                    await require_visible(tx, Label.ORGANISATION, [
                        (o, ["row", "sharedWith", i]) for i, o in enumerate(props["sharedWith"])
                    ] + [(o, ["row", "sensitiveReaders", i])
                         for i, o in enumerate(props.get("sensitiveReaders") or [])], actor)
                except WriteRejected as exc:
                    out.append(RowResult(row, REJECTED, name=title, errors=messages(exc.errors)))
                    continue
                if dry_run:
                    out.append(RowResult(row, CREATED, None, title))
                    continue
                rid = await create_record(tx, Label.AUDIT_REPORT, {
                    **props, "id": new_id("RPT"), "publishedAt": props.get("publishedAt")
                    or actor.now, "findingCount": len(findings)}, actor)
                await link(tx, Label.AUDIT_REPORT, rid, Rel.ASSESSES, Label.PRODUCTION_SITE,
                           site, actor)
                await link(tx, Label.ORGANISATION, actor.org, Rel.AUTHORED, Label.AUDIT_REPORT,
                           rid, actor)
                for f in findings:
                    fid = await create_record(tx, Label.FINDING, {
                        **f, "sharing": props["sharing"], "sharedWith": props["sharedWith"],
                        "id": new_id("FND"), "visitDate": props.get("visitDate")}, actor)
                    await link(tx, Label.AUDIT_REPORT, rid, Rel.HAS_FINDING, Label.FINDING, fid,
                               actor)
                    finding_ids.append(fid)
                out.append(RowResult(row, CREATED, rid, title))
            # Alerts for the batch's HIGH/CRITICAL findings, in its transaction (docs/alerts.md).
            await enqueue_finding_alerts(tx, finding_ids=finding_ids, event=FINDING_CREATED,
                                         now=actor.now, org=actor.org)
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


IMPORTERS = {"sites": import_sites, "contracts": import_contracts, "reports": import_reports}
