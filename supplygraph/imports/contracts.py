"""`supplygraph import contracts`: an OCDS release package (`{"releases": [...]}`) or record
package (`{"records": [{"compiledRelease": ...}]}`), one contract per release."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.companies.commands import supplier_for_contract
from graph.contracts.commands import (
    award,
    create_contract,
    own_contract_by_reference,
    update_contract,
)
from graph.contracts.fields import contract_props
from graph.core.fields import Checker
from graph.core.model import CPV_CATEGORIES
from graph.imports.batches import done_batches, run_key, save_batch
from graph.imports.site_rows import REJECTED, RowResult, messages
from graph.sites.planning import CREATED
from supplygraph.imports.actor import actor_for
from supplygraph.imports.files import ImportFileError, check_file, load_json
from supplygraph.imports.summary import UPDATED, Progress, Summary

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph
    from graph.core.records import Actor
    from supplygraph.settings import Settings


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


async def import_contracts(graph: Graph, path: Path, *, org: str, settings: Settings,
                           dry_run: bool = False, sharing: str = "CONSORTIUM",
                           progress: Progress | None = None,
                           total: Callable[[int], None] | None = None) -> Summary:
    fmt, data = check_file(path, settings, "contracts")
    digest = hashlib.sha256(data).hexdigest()
    actor = await actor_for(graph, org, f"OCDS import of {path.name} (sha256 {digest[:12]})")
    releases = ocds_releases(load_json(data, path.name), path.name)
    summary = Summary("contracts", path.name, digest, dry_run)
    if total:
        total(len(releases))
    start = time.perf_counter()
    batch_size = settings.import_batch_size
    run = run_key("contracts", digest, org, batch_size)
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
            c = Checker(("row",))
            props = contract_props(inp, c)
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
    """An OCDS release as a contract of the actor's: updated when it holds one with the
    same reference, else created; its award's supplier resolved as the API resolves it."""
    cid = await own_contract_by_reference(tx, actor, props["reference"])
    if cid:
        await update_contract(tx, actor, cid, props, note="OCDS re-import", owned=True)
        outcome = UPDATED
    else:
        cid = await create_contract(tx, actor, {**props, "sharing": sharing, "sharedWith": []})
        outcome = CREATED
    name, sid = str(supplier.get("name") or "").strip(), supplier.get("id")
    if name or sid:
        supplier_id = await supplier_for_contract(tx, actor, identifier=str(sid) if sid else None,
                                                  name=name, sharing=sharing)
        await award(tx, actor, cid, supplier_id)
    return RowResult(row, outcome, cid, label)
