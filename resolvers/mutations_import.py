"""Site rows as imports carry them: validation, matching and planning of one batch.

Shared by the `importSites` mutation and `supplygraph import sites`
(`supplygraph.importer`): each row is validated as `createProductionSite` validates, brand
and supplier cells are resolved to records the caller may see (by id or exact name), and
the row is matched against the caller's visible sites and the rows before it
(`graph.sites.matching.SiteIndex`). The plan of a batch is then written in one transaction by
`graph.imports.batches.write_site_batch`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.core.ids import new_site_id
from graph.sites.matching import NEEDS_CONFIRMATION, SiteIndex, decide
from graph.core.model import Label
from graph.core.records import Actor, FieldError, access
from graph.imports.batches import FIND_BY_NAME
from graph.sites.commands import CREATED, plan, site_key
from resolvers import mutations_input as v

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

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

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "outcome": self.outcome, "id": self.record_id,
                "name": self.name, "candidates": self.candidates, "errors": self.errors}

    @classmethod
    def of(cls, d: dict[str, Any]) -> RowResult:
        return cls(d["row"], d["outcome"], d.get("id"), d.get("name") or "",
                   d.get("candidates") or [], d.get("errors") or [])


def messages(errors: list[FieldError]) -> list[str]:
    return [f"{'.'.join(str(p) for p in e.path[1:]) or 'row'}: {e.message}" for e in errors]


@dataclass
class Lookups:
    """Brand and supplier cells resolved to visible records: id -> (label, id)."""

    found: dict[str, tuple[str, str]] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)


async def resolve_companies(graph: Graph, actor: Actor, values: set[str]) -> Lookups:
    out = Lookups()
    ids = [x for x in values if x.startswith(("BRD-", "SUP-"))]
    names = [x for x in values if x not in ids]
    for label, prefix in ((Label.BRAND, "BRD-"), (Label.SUPPLIER, "SUP-")):
        wanted = [i for i in ids if i.startswith(prefix)]
        if wanted:
            async def check(tx: AsyncManagedTransaction, lbl: Label = label,
                            w: list[str] = wanted) -> dict[str, dict[str, Any]]:
                return await access(tx, lbl, w, actor)

            for key, row in (await graph.read(check)).items():
                if row["exists"] and (row["visible"] or actor.operator):
                    out.found[key] = (label.value, key)
    if names:
        rows = await graph.query(FIND_BY_NAME, {"names": names, **actor.params()},
                                 name="import_names")
        for r in rows:
            if len(r["found"]) == 1:
                out.found[r["name"]] = (r["found"][0]["label"], r["found"][0]["id"])
            elif len(r["found"]) > 1:
                out.ambiguous.add(r["name"])
    return out


_VISIBLE_SITES: Any = (
    "UNWIND $ids AS key MATCH (n:ProductionSite {id: key}) "
    "WHERE n.sharing = 'PUBLIC' OR n.contributedBy = $viewerOrg "
    "OR (n.sharing = 'CONSORTIUM' AND n.contributedBy IN $viewerPeers) "
    "OR (n.sharing = 'RESTRICTED' AND $viewerOrg IN coalesce(n.sharedWith, [])) "
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
                      ) -> dict[str, list[str]]:
    """An unused site id for every row of the chunk that may create a site."""
    from graph.sites.commands import free_site_ids

    async def run(query: Any, params: dict[str, Any]) -> Any:
        return await graph.query(query, params, write=True, name="free_site_ids")

    countries = [str(d.get("countryCode") or "").upper() for _, d in chunk]
    return await free_site_ids(run, [c for c in countries if len(c) == 2 and c.isalpha()])


def plan_site_batch(chunk: list[tuple[int, dict[str, Any]]], low: float, high: float,
                     index: SiteIndex, lookups: Lookups, visible_confirm: set[str],
                     sharing: str, ids: dict[str, list[str]],
                     ) -> tuple[list[RowResult], list[dict[str, Any]],
                                dict[str, list[dict[str, str]]]]:
    results: list[RowResult] = []
    new_sites: list[dict[str, Any]] = []
    links: dict[str, list[dict[str, str]]] = {"MAKES": [], "PRODUCED_AT": [], "OPERATES": []}
    for line, data in chunk:
        c = v.Checker(("row",))
        props = v.site_props(data, c)
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
        key = site_key(props)
        decision = decide(key, index.near(key), low=low, high=high)
        site_plan = plan(decision, confirm=confirm, create_anyway=_truthy(data.get("createAnyway")))
        cands = [{"id": x.id, "score": x.score, "name": x.name} for x in site_plan.candidates]
        if site_plan.outcome == NEEDS_CONFIRMATION:
            results.append(RowResult(line, NEEDS_CONFIRMATION, name=name, candidates=cands))
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
            index.add(site_key(props, site_id))
        assert site_id is not None
        for cpv in products:
            links["MAKES"].append({"site": site_id, "other": cpv})
        for rel, other in company.items():
            links[rel].append({"site": site_id, "other": other})
        results.append(RowResult(line, site_plan.outcome, site_id, name, cands))
    return results, new_sites, links


# ----- the importSites mutation -----------------------------------------------------------------
async def import_sites(info: Any, input: Any) -> Any:  # noqa: A002
    """`importSites`: the rows of one call are planned together and their valid rows written
    in one transaction (all or nothing); invalid rows and rows needing confirmation are
    reported and skipped."""
    from graph.core.records import WriteRejected
    from graph.imports.batches import write_site_batch
    from resolvers.mutations import Idempotency, _graph, actor_of, mutation_errors, run
    from schema import mutations_types as t

    data = t.as_dict(input)
    settings = info.context.settings

    async def work(idem: Idempotency) -> dict[str, Any]:
        rows = data.get("rows") or []
        if len(rows) > settings.import_max_batch_rows:
            raise WriteRejected([FieldError(
                "BAD_USER_INPUT", f"at most {settings.import_max_batch_rows} rows per call",
                ("input", "rows"))])
        c = v.Checker()
        sharing, shared_with = c.sharing(data)
        if c.errors:
            raise WriteRejected(c.errors)
        actor = actor_of(info, data.get("source"))
        records = [(i, {**r, "brand": r.get("brandId"), "supplier": r.get("supplierId")})
                   for i, r in enumerate(rows)]
        index = SiteIndex()
        await index.load(info.context.graph,
                         {str(r.get("countryCode") or "").upper() for _, r in records
                          if len(str(r.get("countryCode") or "")) == 2}, actor.params())
        graph = _graph(info)
        lookups = await resolve_companies(graph, actor, {
            str(r[k]) for _, r in records for k in ("brand", "supplier") if r.get(k)})
        confirm = await visible_sites(graph, actor, {str(r["confirmMatch"]) for _, r in records
                                                     if r.get("confirmMatch")})
        results, new_sites, links = plan_site_batch(
            records, settings.match_low, settings.match_high, index, lookups, confirm, sharing,
            await reserve_ids(graph, records))
        for site in new_sites:
            site["props"]["sharedWith"] = shared_with

        async def tx_fn(tx: AsyncManagedTransaction) -> dict[str, Any]:
            from graph.core.records import require_visible

            await require_visible(tx, Label.ORGANISATION,
                                  [(o, ["input", "sharedWith", i])
                                   for i, o in enumerate(shared_with)], actor)
            await write_site_batch(tx, actor, new_sites=new_sites, links=links, run=None,
                                   number=0, results=[])
            result = {"rows": [r.as_dict() for r in results]}
            await idem.save(tx, result, actor.now)
            return result

        return await graph.write(tx_fn)

    async def build(info: Any, result: dict[str, Any]) -> Any:
        if result.get("errors"):
            return t.ImportSitesPayload(errors=mutation_errors(result))
        out = []
        for r in (RowResult.of(d) for d in result["rows"]):
            out.append(t.ImportSiteResult(
                row=r.row, outcome=t.SiteOutcome(r.outcome),
                site_id=r.record_id,
                candidates=[t.SiteCandidate(site_id=c["id"], name=c.get("name") or "",
                                            score=c["score"]) for c in r.candidates],
                errors=[t.MutationError(code=t.MutationErrorCode.BAD_USER_INPUT, message=m,
                                        path=["input", "rows", str(r.row),
                                              *m.split(":", 1)[0].split(".")])
                        for m in r.errors]))
        count = {o: sum(1 for x in out if x.outcome.value in o) for o in
                 (("CREATED",), ("MATCHED", "CONFIRMED"), ("NEEDS_CONFIRMATION",),
                  ("REJECTED",))}
        return t.ImportSitesPayload(
            results=out, created=count[("CREATED",)], matched=count[("MATCHED", "CONFIRMED")],
            needs_confirmation=count[("NEEDS_CONFIRMATION",)], rejected=count[("REJECTED",)])

    return await run(info, work, build)
