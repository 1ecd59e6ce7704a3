"""Site rows as imports carry them: validation, matching and planning of one batch.

Shared by the `importSites` mutation and `supplygraph import sites`
(`supplygraph.imports`): each row is validated as `createProductionSite` validates, brand
and supplier cells are resolved to records the caller may see (by id or exact name), and
the row is matched against the caller's visible sites and the rows before it
(`graph.sites.matching.SiteIndex`). The plan of a batch is then written in one transaction by
`graph.sites.commands.create_site_batch`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, LiteralString

from graph.companies.queries import Lookups
from graph.core.errors import FieldError
from graph.core.fields import Checker
from graph.core.ids import new_site_id
from graph.core.records import Actor
from graph.core.visibility import lit, visible
from graph.sites.fields import site_props
from graph.sites.matching import NEEDS_CONFIRMATION, SiteIndex, decide
from graph.sites.pending import pending_row
from graph.sites.planning import CREATED, free_site_ids, plan, site_key

if TYPE_CHECKING:
    from graph.core.db import Graph

REJECTED = "REJECTED"


@dataclass
class RowResult:
    row: int  # the row's line in the file (header = 1) or index + 1 in a JSON list
    outcome: str
    record_id: str | None = None
    name: str = ""
    candidates: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pending_id: str | None = None  # NEEDS_CONFIRMATION: the pending match that keeps it

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "outcome": self.outcome, "id": self.record_id,
                "name": self.name, "candidates": self.candidates, "errors": self.errors,
                "pendingMatchId": self.pending_id}

    @classmethod
    def of(cls, d: dict[str, Any]) -> RowResult:
        return cls(d["row"], d["outcome"], d.get("id"), d.get("name") or "",
                   d.get("candidates") or [], d.get("errors") or [], d.get("pendingMatchId"))


def messages(errors: list[FieldError]) -> list[str]:
    return [f"{'.'.join(str(p) for p in e.path[1:]) or 'row'}: {e.message}" for e in errors]


_VISIBLE_SITES: LiteralString = lit(
    "UNWIND $ids AS key MATCH (n:ProductionSite {id: key}) "
    f"WHERE {visible('n')} "
    "RETURN collect(n.id) AS ids"
)


async def visible_sites(graph: Graph, actor: Actor, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    rows = await graph.query(_VISIBLE_SITES, {"ids": sorted(ids), **actor.params()},
                             name="import_confirm")
    return set(rows[0]["ids"]) if rows else set()


def _truthy(value: Any) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "y", "x")


async def reserve_ids(graph: Graph, chunk: list[tuple[int, dict[str, Any]]],
                      exclude: set[str] | None = None) -> dict[str, list[str]]:
    """An unused site id for every row of the chunk that may create a site, none of
    `exclude` (ids taken by a batch not yet committed)."""
    async def run(query: Any, params: dict[str, Any]) -> Any:
        return await graph.query(query, params, write=True, name="free_site_ids")

    countries = [str(d.get("countryCode") or "").upper() for _, d in chunk]
    return await free_site_ids(run, [c for c in countries if len(c) == 2 and c.isalpha()],
                               exclude)


@dataclass
class BatchPlan:
    results: list[RowResult]
    new_sites: list[dict[str, Any]]
    links: dict[str, list[dict[str, str]]]
    pending: list[dict[str, Any]]  # `graph.sites.pending.pending_row` values


def plan_site_batch(chunk: list[tuple[int, dict[str, Any]]], low: float, high: float,
                    index: SiteIndex, lookups: Lookups, visible_confirm: set[str],
                    sharing: str, ids: dict[str, list[str]], *, org: str,
                    shared_with: Sequence[str] = ()) -> BatchPlan:
    """Each row validated, resolved and matched: the sites to create, the links to write,
    and the rows to keep for review (as pending matches of `org`)."""
    pending: list[dict[str, Any]] = []
    results: list[RowResult] = []
    new_sites: list[dict[str, Any]] = []
    links: dict[str, list[dict[str, str]]] = {"MAKES": [], "PRODUCED_AT": [], "OPERATES": []}
    for line, data in chunk:
        c = Checker(("row",))
        props = site_props(data, c)
        products = c.cpv_codes(data, "products") or []
        company: dict[str, str] = {}
        for column, label, rel in (("brand", "Brand", "PRODUCED_AT"),
                                   ("supplier", "Supplier", "OPERATES")):
            value = data.get(column)
            if value is None:
                continue
            value = str(value).strip()
            hit = lookups.found.get(value)
            if value in lookups.ambiguous:
                c.fail(f"{column} {value!r} names more than one record: use its id", column)
            elif hit is None or hit[0] != label:
                c.fail(f"no {column} {value!r} that you may see", column)
            else:
                company[rel] = hit[1]
        confirm = str(data["confirmMatch"]) if data.get("confirmMatch") else None
        if confirm and confirm not in visible_confirm:
            c.fail(f"no production site with id {confirm!r}", "confirmMatch")
        name = str(data.get("name") or "")[:200]
        if c.errors:
            results.append(RowResult(line, REJECTED, name=name, errors=messages(c.errors)))
            continue
        key = site_key(props, org=org)
        decision = decide(key, index.near(key), low=low, high=high)
        site_plan = plan(decision, confirm=confirm, create_anyway=_truthy(data.get("createAnyway")))
        cands = [x.as_dict() for x in site_plan.candidates]
        if site_plan.outcome == NEEDS_CONFIRMATION:
            keep = pending_row(org, props=props, products=products,
                               brand=company.get("PRODUCED_AT"),
                               supplier=company.get("OPERATES"), candidates=cands, row=line,
                               sharing=sharing, shared_with=shared_with)
            pending.append(keep)
            results.append(RowResult(line, NEEDS_CONFIRMATION, name=name, candidates=cands,
                                     pending_id=keep["id"]))
            continue
        site_id = site_plan.site_id
        if site_plan.outcome == CREATED:
            # `ids` holds unused ids reserved for this chunk (`reserve_ids`).
            pool = ids.get(props["countryCode"])
            site_id = pool.pop() if pool else new_site_id(props["countryCode"], date.today())
            clean = {k: val for k, val in props.items() if k not in ("latitude", "longitude")}
            new_sites.append({"props": {**clean, "id": site_id, "sharing": sharing,
                                        "sharedWith": []},
                              "lat": props.get("latitude"), "lon": props.get("longitude")})
            index.add(site_key(props, site_id, org=org))
        assert site_id is not None
        for cpv in products:
            links["MAKES"].append({"site": site_id, "other": cpv})
        for rel, other in company.items():
            links[rel].append({"site": site_id, "other": other})
        results.append(RowResult(line, site_plan.outcome, site_id, name, cands))
    return BatchPlan(results, new_sites, links, pending)


