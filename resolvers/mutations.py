"""Mutation resolvers: validate, write in one managed transaction, answer with a payload.

Each mutation is a pair: `_<name>(info, input, idem) -> result` does the work and returns a
JSON-able result (ids written, outcome); `build` turns a result into the GraphQL payload by
reading the records back through the request's loaders (so the caller's visibility
applies). `run` wraps both with the Idempotency-Key: a stored result is built again
without writing; a key reused with another body is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import print_ast
from neo4j.exceptions import ConstraintError

from graph.disclosures import requests as disclosures
from graph.alerts import outbox
from graph.core import idempotency as idem_store
from graph.core.ids import new_id
from graph.sites.matching import Candidate
from graph.core.model import Label, Rel, Sharing
from graph.core.records import (
    BAD_USER_INPUT,
    SHARING_SCOPE,
    Actor,
    FieldError,
    WriteRejected,
    create_record,
    link,
    merge_sites,
    require_owned,
    require_visible,
    set_sharing,
    update_record,
)
from graph.sites.commands import CREATED, NEEDS_CONFIRMATION, create_site, plan, plan_sites
from resolvers import mutations_input as v
from schema import mutations_types as t
from schema.types import (
    BRAND_SHAPE,
    CONTRACT_SHAPE,
    FINDING_SHAPE,
    REMEDIATION_SHAPE,
    REPORT_SHAPE,
    SITE_SHAPE,
    SUPPLIER_SHAPE,
    AuditReport,
    Brand,
    Contract,
    Finding,
    ProductionSite,
    RemediationAction,
    Supplier,
)

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction
    from strawberry.types import Info

    from graph.core.db import Graph
    from graph.core.visibility import Shape
    from schema.context import Context

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY = 255
Result = dict[str, Any]


# ----- plumbing -------------------------------------------------------------------------------
def actor_of(info: Info[Context, Any], source: str | None = None) -> Actor:
    viewer = info.context.viewer
    return Actor(org=viewer.org_id, client=viewer.client_id, peers=tuple(viewer.peers),
                 operator=viewer.is_operator,
                 source=source or f"supplygraph API (client {viewer.client_id})")


def _graph(info: Info[Context, Any]) -> Graph:
    return info.context.graph.graph


def _errors(errors: list[FieldError]) -> Result:
    return {"errors": [{"code": e.code, "message": e.message, "path": [str(p) for p in e.path]}
                       for e in errors]}


def mutation_errors(result: Result) -> list[t.MutationError]:
    return [t.MutationError(code=t.MutationErrorCode(e["code"]), message=e["message"],
                            path=e["path"]) for e in result.get("errors", [])]


class Idempotency:
    """The request's Idempotency-Key for one mutation field, if it sent one."""

    def __init__(self, key: str | None, body_hash: str, client: str,
                 too_long: bool = False) -> None:
        self.key, self.body_hash, self.client = key, body_hash, client
        self.too_long = too_long

    async def save(self, tx: AsyncManagedTransaction, result: Result, now: str) -> None:
        if self.key:
            await idem_store.remember(tx, self.key, self.body_hash, result, client=self.client,
                                      now=now)


def _idempotency(info: Info[Context, Any]) -> Idempotency:
    request = info.context.request
    key = request.headers.get(IDEMPOTENCY_HEADER) if request is not None else None
    key = key or info.context.extra.get("idempotency_key")
    if key and len(key) > MAX_KEY:
        return Idempotency(None, "", "", too_long=True)
    body = json.dumps([print_ast(info.operation), info.variable_values],
                      sort_keys=True, default=str)
    body_hash = hashlib.sha256(body.encode()).hexdigest()
    client = info.context.viewer.client_id
    scoped = idem_store.scoped_key(client, key, str(info.path.key)) if key else None
    return Idempotency(scoped, body_hash, client)


async def run(info: Info[Context, Any], work: Callable[[Idempotency], Awaitable[Result]],
              build: Callable[[Info[Context, Any], Result], Awaitable[Any]]) -> Any:
    idem = _idempotency(info)
    if idem.too_long:
        return await build(info, _errors([FieldError(
            "BAD_USER_INPUT", f"the Idempotency-Key is longer than {MAX_KEY} characters", ())]))
    if idem.key:
        stored = await idem_store.lookup(_graph(info), idem.key)
        if stored is not None:
            return await build(info, _replay(idem, stored))
    try:
        result = await work(idem)
    except WriteRejected as exc:
        result = _errors(exc.errors)
    except ConstraintError:
        # The same key committed by a concurrent request: answer as it did. Otherwise a
        # concurrent write took a unique value first (a version number): nothing was
        # written, and trying again will do.
        stored = await idem_store.lookup(_graph(info), idem.key) if idem.key else None
        result = _replay(idem, stored) if stored is not None else _errors([FieldError(
            "CONFLICT", "a concurrent change to the same record won; nothing was written, "
                        "try again", ())])
    for loader_shape in (SITE_SHAPE, REPORT_SHAPE, FINDING_SHAPE, CONTRACT_SHAPE):
        info.context.loaders.node(loader_shape).clear_all()
    return await build(info, result)


def _replay(idem: Idempotency, stored: tuple[str, Result]) -> Result:
    body_hash, result = stored
    if body_hash != idem.body_hash:
        return _errors([FieldError(
            "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different request "
                                      "body; use a new key for a new request", ())])
    return {**result, "replayed": True}


async def _load(info: Info[Context, Any], shape: Shape, record_id: str | None) -> Any:
    if not record_id:
        return None
    return await info.context.loaders.node(shape).load(record_id)


def _reject_if(c: v.Checker) -> None:
    if c.errors:
        raise WriteRejected(c.errors)


def _changes(data: dict[str, Any], props_of: Any) -> tuple[dict[str, Any], str | None]:
    """The validated properties an update changes and its note; rejects an empty update."""
    c = v.Checker()
    props = props_of(data, c, partial=True)
    note = c.text(data, "note")
    _reject_if(c)
    if not props:
        raise WriteRejected.one(BAD_USER_INPUT, "nothing to change", ["input"])
    return props, note


def _with_sharing(c: v.Checker, data: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    sharing, shared_with = c.sharing(data)
    return {**props, "sharing": sharing, "sharedWith": shared_with}


async def _check_orgs(tx: AsyncManagedTransaction, actor: Actor, ids: list[str],
                      path: list[str | int]) -> None:
    """Organisations named for sharing must exist (every organisation is visible)."""
    await require_visible(tx, Label.ORGANISATION,
                          [(o, [*path, i]) for i, o in enumerate(ids)], actor)


# ----- sites ----------------------------------------------------------------------------------
async def create_production_site(info: Info[Context, Any],
                                 input: t.CreateProductionSiteInput) -> t.ProductionSitePayload:  # noqa: A002
    data = t.as_dict(input)

    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        props = _with_sharing(c, data, v.site_props(data, c))
        products = c.cpv_codes(data, "products") or []
        _reject_if(c)
        actor = actor_of(info, data.get("source"))
        settings = info.context.settings
        confirm = data.get("confirmMatch")
        decisions = await plan_sites(info.context.graph, [props], actor.params(),
                                     low=settings.match_low, high=settings.match_high)
        site_plan = plan(decisions[0], confirm=confirm,
                         create_anyway=bool(data.get("createAnyway")))
        if site_plan.outcome == NEEDS_CONFIRMATION:
            return {"site": site_plan.as_dict()}

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await _check_orgs(tx, actor, props["sharedWith"], ["input", "sharedWith"])
            if confirm:
                await require_visible(tx, Label.PRODUCTION_SITE,
                                      [(confirm, ["input", "confirmMatch"])], actor)
            result = {"site": site_plan.as_dict()}
            if site_plan.outcome == CREATED:
                result["site"]["siteId"] = await create_site(tx, props, actor,
                                                             products=products)
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    return await run(info, work, _site_payload)


async def _site_payload(info: Info[Context, Any], result: Result) -> t.ProductionSitePayload:
    if result.get("errors"):
        return t.ProductionSitePayload(outcome=t.SiteOutcome.REJECTED,
                                       errors=mutation_errors(result))
    site = result["site"]
    row = await _load(info, SITE_SHAPE, site.get("siteId"))
    return t.ProductionSitePayload(
        site=ProductionSite.from_row(row) if row else None,
        outcome=t.SiteOutcome(site["outcome"]), candidates=_candidates(site["candidates"]))


def _candidates(items: list[dict[str, Any]]) -> list[t.SiteCandidate]:
    return [t.SiteCandidate(site_id=strawberry.ID(c["id"]), name=c.get("name") or "",
                            score=c["score"]) for c in items]


async def update_production_site(info: Info[Context, Any], id: strawberry.ID,  # noqa: A002
                                 input: t.UpdateProductionSiteInput) -> t.ProductionSitePayload:  # noqa: A002
    data = t.as_dict(input)

    async def work(idem: Idempotency) -> Result:
        props, note = _changes(data, v.site_props)
        actor = actor_of(info, data.get("source"))

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await require_owned(tx, Label.PRODUCTION_SITE, str(id), actor, ["id"])
            await update_record(tx, Label.PRODUCTION_SITE, str(id), props, actor, note=note,
                                source=data.get("source"))
            result = {"site": {"outcome": "CREATED", "siteId": str(id), "candidates": []}}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    async def build(info: Info[Context, Any], result: Result) -> t.ProductionSitePayload:
        payload = await _site_payload(info, result)
        payload.outcome = None if not payload.errors else payload.outcome
        return payload

    return await run(info, work, build)


# ----- brands, suppliers, links -------------------------------------------------------------
async def create_brand(info: Info[Context, Any], input: t.CreateBrandInput) -> t.BrandPayload:  # noqa: A002
    return await _create_simple(info, t.as_dict(input), Label.BRAND, "BRD", v.brand_props,
                                BRAND_SHAPE,
                                lambda row, errs: t.BrandPayload(
                                    brand=Brand.from_row(row) if row else None, errors=errs))


async def create_supplier(info: Info[Context, Any],
                          input: t.CreateSupplierInput) -> t.SupplierPayload:  # noqa: A002
    return await _create_simple(info, t.as_dict(input), Label.SUPPLIER, "SUP",
                                v.supplier_props, SUPPLIER_SHAPE,
                                lambda row, errs: t.SupplierPayload(
                                    supplier=Supplier.from_row(row) if row else None,
                                    errors=errs))


async def _create_simple(info: Info[Context, Any], data: dict[str, Any], label: Label,
                         prefix: str, props_of: Callable[[dict[str, Any], v.Checker],
                                                         dict[str, Any]],
                         shape: Shape, payload: Callable[[Any, list[t.MutationError]], Any],
                         ) -> Any:
    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        props = _with_sharing(c, data, props_of(data, c))
        _reject_if(c)
        actor = actor_of(info, data.get("source"))

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await _check_orgs(tx, actor, props["sharedWith"], ["input", "sharedWith"])
            rid = await create_record(tx, label, {**props, "id": new_id(prefix)}, actor)
            result = {"id": rid}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    async def build(info: Info[Context, Any], result: Result) -> Any:
        return payload(await _load(info, shape, result.get("id")), mutation_errors(result))

    return await run(info, work, build)


_LINKS = {
    "OPERATES": ((Label.SUPPLIER,), Rel.OPERATES, Label.PRODUCTION_SITE),
    "PRODUCED_AT": ((Label.BRAND,), Rel.PRODUCED_AT, Label.PRODUCTION_SITE),
    "SOURCES_FROM": ((Label.BRAND, Label.SUPPLIER), Rel.SOURCES_FROM, Label.SUPPLIER),
}


async def record_supply_link(info: Info[Context, Any],
                             input: t.RecordSupplyLinkInput) -> t.SupplyLinkPayload:  # noqa: A002
    data = t.as_dict(input)

    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        volume = c.number(data, "volume")
        price = c.number(data, "unitPrice")
        kind = str(data["kind"])
        if kind != "SOURCES_FROM" and (volume is not None or price is not None):
            c.fail("volume and unitPrice are for SOURCES_FROM links", "volume")
        _reject_if(c)
        starts, rel, end = _LINKS[kind]
        actor = actor_of(info, data.get("source"))
        from_id, to_id = str(data["fromId"]), str(data["toId"])
        start = next((lbl for lbl in starts if from_id.startswith(
            {Label.BRAND: "BRD-", Label.SUPPLIER: "SUP-"}[lbl])), starts[-1])

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await require_visible(tx, start, [(from_id, ["input", "fromId"])], actor)
            await require_visible(tx, end, [(to_id, ["input", "toId"])], actor)
            props = {k: val for k, val in (("volume", volume), ("unitPrice", price))
                     if val is not None}
            await link(tx, start, from_id, rel, end, to_id, actor, props)
            result = {"recorded": True}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    async def build(info: Info[Context, Any], result: Result) -> t.SupplyLinkPayload:
        return t.SupplyLinkPayload(recorded=bool(result.get("recorded")),
                                   errors=mutation_errors(result))

    return await run(info, work, build)


# ----- contracts ------------------------------------------------------------------------------
async def _contract_payload(info: Info[Context, Any], result: Result) -> t.ContractPayload:
    row = await _load(info, CONTRACT_SHAPE, result.get("id"))
    return t.ContractPayload(contract=Contract.from_row(row) if row else None,
                             errors=mutation_errors(result))


async def create_contract(info: Info[Context, Any],
                          input: t.CreateContractInput) -> t.ContractPayload:  # noqa: A002
    data = t.as_dict(input)

    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        props = _with_sharing(c, data, v.contract_props(data, c))
        props.setdefault("cpvCodes", [])
        _reject_if(c)
        actor = actor_of(info, data.get("source"))
        supplier = data.get("supplierId")

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await _check_orgs(tx, actor, props["sharedWith"], ["input", "sharedWith"])
            if supplier:
                await require_visible(tx, Label.SUPPLIER, [(supplier, ["input", "supplierId"])],
                                      actor)
            cid = await create_record(tx, Label.CONTRACT, {**props, "id": new_id("CTR")}, actor)
            await link(tx, Label.ORGANISATION, actor.org, Rel.HOLDS, Label.CONTRACT, cid, actor)
            if supplier:
                await link(tx, Label.CONTRACT, cid, Rel.AWARDED_TO, Label.SUPPLIER, supplier,
                           actor)
            for cpv in props["cpvCodes"]:
                await link(tx, Label.CONTRACT, cid, Rel.COVERS, Label.PRODUCT_CATEGORY, cpv,
                           actor)
            result = {"id": cid}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    return await run(info, work, _contract_payload)


async def update_contract(info: Info[Context, Any], id: strawberry.ID,  # noqa: A002
                          input: t.UpdateContractInput) -> t.ContractPayload:  # noqa: A002
    data = t.as_dict(input)

    async def work(idem: Idempotency) -> Result:
        props, note = _changes(data, v.contract_props)
        actor = actor_of(info, data.get("source"))

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await require_owned(tx, Label.CONTRACT, str(id), actor, ["id"])
            await update_record(tx, Label.CONTRACT, str(id), props, actor, note=note,
                                source=data.get("source"))
            for cpv in props.get("cpvCodes", []):
                await link(tx, Label.CONTRACT, str(id), Rel.COVERS, Label.PRODUCT_CATEGORY,
                           cpv, actor)
            result = {"id": str(id)}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    return await run(info, work, _contract_payload)


async def disclose_contract_sites(info: Info[Context, Any],
                                  input: t.DiscloseContractSitesInput) -> t.ContractPayload:  # noqa: A002
    data = t.as_dict(input)

    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        cpvs = c.cpv_codes(data, "cpvCodes") or []
        if not (data["siteIds"] or data["brandIds"] or cpvs):
            c.fail("name at least one site, brand or CPV code", "siteIds")
        _reject_if(c)
        actor = actor_of(info, data.get("source"))
        cid = str(data["contractId"])

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            # The contractor's representative answers an open disclosure request on a
            # contract it does not own; anyone else needs to own it.
            if not await disclosures.may_answer(tx, actor, cid):
                await require_owned(tx, Label.CONTRACT, cid, actor, ["input", "contractId"])
            await require_visible(tx, Label.PRODUCTION_SITE,
                                  [(s, ["input", "siteIds", i])
                                   for i, s in enumerate(data["siteIds"])], actor)
            await require_visible(tx, Label.BRAND, [(b, ["input", "brandIds", i])
                                                    for i, b in enumerate(data["brandIds"])],
                                  actor)
            for s in data["siteIds"]:
                await link(tx, Label.CONTRACT, cid, Rel.SOURCED_FROM, Label.PRODUCTION_SITE, s,
                           actor)
            for b in data["brandIds"]:
                await link(tx, Label.CONTRACT, cid, Rel.COVERS, Label.BRAND, b, actor)
            for cpv in cpvs:
                await link(tx, Label.CONTRACT, cid, Rel.COVERS, Label.PRODUCT_CATEGORY, cpv,
                           actor)
            await update_record(tx, Label.CONTRACT, cid, {}, actor, change="DISCLOSURE",
                                note=f"{len(data['siteIds'])} sites, {len(data['brandIds'])} "
                                     f"brands, {len(cpvs)} categories disclosed")
            await disclosures.answer_open_requests(tx, actor, cid)
            result = {"id": cid}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    return await run(info, work, _contract_payload)


# ----- reports --------------------------------------------------------------------------------
async def submit_report(info: Info[Context, Any],
                        input: t.SubmitReportInput) -> t.ReportPayload:  # noqa: A002
    data = t.as_dict(input)

    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        props = _with_sharing(c, data, v.report_props(data, c))
        findings = []
        for i, f in enumerate(data.get("findings") or []):
            fc = v.Checker(("input", "findings", i))
            findings.append(v.finding_props(f, fc))
            c.errors += fc.errors
        _reject_if(c)
        actor = actor_of(info, data.get("source"))
        site = str(data["siteId"])
        visibility = {"sharing": props["sharing"], "sharedWith": props["sharedWith"]}

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await require_visible(tx, Label.PRODUCTION_SITE, [(site, ["input", "siteId"])],
                                  actor)
            await _check_orgs(tx, actor, props["sharedWith"], ["input", "sharedWith"])
            await _check_orgs(tx, actor, props["sensitiveReaders"],
                              ["input", "sensitiveReaders"])
            rid = await create_record(tx, Label.AUDIT_REPORT,
                                      {**props, "id": new_id("RPT"),
                                       "publishedAt": props.get("publishedAt") or actor.now,
                                       "findingCount": len(findings)}, actor)
            await link(tx, Label.AUDIT_REPORT, rid, Rel.ASSESSES, Label.PRODUCTION_SITE, site,
                       actor)
            await link(tx, Label.ORGANISATION, actor.org, Rel.AUTHORED, Label.AUDIT_REPORT, rid,
                       actor)
            finding_ids = []
            for f in findings:
                fid = await create_record(tx, Label.FINDING,
                                          {**f, **visibility, "id": new_id("FND"),
                                           "visitDate": props.get("visitDate")}, actor)
                await link(tx, Label.AUDIT_REPORT, rid, Rel.HAS_FINDING, Label.FINDING, fid,
                           actor)
                finding_ids.append(fid)
            await outbox.enqueue_finding_alerts(tx, finding_ids=finding_ids,
                                                event=outbox.FINDING_CREATED, now=actor.now,
                                                org=actor.org)
            result = {"id": rid}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    async def build(info: Info[Context, Any], result: Result) -> t.ReportPayload:
        row = await _load(info, REPORT_SHAPE, result.get("id"))
        return t.ReportPayload(report=AuditReport.from_row(row) if row else None,
                               errors=mutation_errors(result))

    return await run(info, work, build)


_FINDING_VISIBILITY = (
    "MATCH (f:Finding {id: $id}) RETURN f.sharing AS sharing, f.sharedWith AS sharedWith"
)


async def update_finding(info: Info[Context, Any],
                         input: t.UpdateFindingInput) -> t.FindingPayload:  # noqa: A002
    data = t.as_dict(input)

    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        status = c.enum(data, "status", v.FindingStatus, required=True)
        note = c.text(data, "note")
        _reject_if(c)
        actor = actor_of(info)
        fid = str(data["id"])

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await require_owned(tx, Label.FINDING, fid, actor, ["input", "id"])
            before = await outbox.finding_state(tx, fid)
            props: dict[str, Any] = {"status": status}
            if note is not None:
                props["statusNote"] = note
            await update_record(tx, Label.FINDING, fid, props, actor, change="STATUS",
                                note=note)
            if before is not None and before["status"] != status:
                await outbox.enqueue_finding_alerts(tx, finding_ids=[fid],
                                                    event=outbox.FINDING_UPDATED,
                                                    now=actor.now, org=actor.org)
            result = {"id": fid}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    async def build(info: Info[Context, Any], result: Result) -> t.FindingPayload:
        row = await _load(info, FINDING_SHAPE, result.get("id"))
        return t.FindingPayload(finding=Finding.from_row(row) if row else None,
                                errors=mutation_errors(result))

    return await run(info, work, build)


async def add_remediation_action(info: Info[Context, Any], input: t.AddRemediationActionInput,  # noqa: A002
                                 ) -> t.RemediationActionPayload:
    data = t.as_dict(input)

    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        props = v.remediation_props(data, c)
        _reject_if(c)
        actor = actor_of(info, data.get("source"))
        fid = str(data["findingId"])

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await require_owned(tx, Label.FINDING, fid, actor, ["input", "findingId"])
            row = await (await tx.run(_FINDING_VISIBILITY, {"id": fid})).single()
            assert row is not None
            aid = await create_record(tx, Label.REMEDIATION_ACTION,
                                      {**props, "id": new_id("RMA"),
                                       "sharing": row["sharing"] or Sharing.PUBLIC.value,
                                       "sharedWith": row["sharedWith"] or []}, actor)
            await link(tx, Label.FINDING, fid, Rel.REMEDIATED_BY, Label.REMEDIATION_ACTION,
                       aid, actor)
            await update_record(tx, Label.FINDING, fid, {}, actor, change="REMEDIATION",
                                note=f"remediation action {aid} added")
            result = {"id": aid}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    async def build(info: Info[Context, Any], result: Result) -> t.RemediationActionPayload:
        row = await _load(info, REMEDIATION_SHAPE, result.get("id"))
        return t.RemediationActionPayload(
            remediation_action=RemediationAction.from_row(row) if row else None,
            errors=mutation_errors(result))

    return await run(info, work, build)


# ----- sharing and merging ----------------------------------------------------------------------
async def set_record_sharing(info: Info[Context, Any],
                             input: t.SetSharingInput) -> t.SetSharingPayload:  # noqa: A002
    data = t.as_dict(input)

    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        sharing, shared_with = c.sharing(data)
        _reject_if(c)
        actor = actor_of(info)

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await _check_orgs(tx, actor, shared_with, ["input", "sharedWith"])
            try:
                scopes = {sc.value for sc in info.context.viewer.scopes}
                allowed = {lbl: sc for lbl, sc in SHARING_SCOPE.items() if sc in scopes}
                await set_sharing(tx, str(data["id"]), sharing, shared_with, actor, allowed)
            except WriteRejected as exc:
                raise WriteRejected([FieldError(e.code, e.message, ("input", *e.path))
                                     for e in exc.errors]) from exc
            result = {"id": str(data["id"]), "sharing": sharing}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    async def build(info: Info[Context, Any], result: Result) -> t.SetSharingPayload:
        return t.SetSharingPayload(
            id=strawberry.ID(result["id"]) if result.get("id") else None,
            sharing=t.Sharing(result["sharing"]) if result.get("sharing") else None,
            errors=mutation_errors(result))

    return await run(info, work, build)


async def merge_production_sites(info: Info[Context, Any], input: t.MergeProductionSitesInput,  # noqa: A002
                                 ) -> t.MergeProductionSitesPayload:
    data = t.as_dict(input)

    async def work(idem: Idempotency) -> Result:
        dups = [str(d) for d in data["duplicateIds"]]
        if not dups or len(set(dups)) != len(dups):
            raise WriteRejected.one(BAD_USER_INPUT, "name each duplicate once",
                                    ["input", "duplicateIds"])
        actor = actor_of(info)

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            try:
                moved = await merge_sites(tx, str(data["keepId"]), dups, actor)
            except WriteRejected as exc:
                raise WriteRejected([FieldError(e.code, e.message, ("input", *e.path))
                                     for e in exc.errors]) from exc
            result = {"id": str(data["keepId"]), "merged": dups, "moved": moved}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    async def build(info: Info[Context, Any], result: Result) -> t.MergeProductionSitesPayload:
        row = await _load(info, SITE_SHAPE, result.get("id"))
        return t.MergeProductionSitesPayload(
            site=ProductionSite.from_row(row) if row else None,
            merged_ids=[strawberry.ID(d) for d in result.get("merged", [])],
            moved_relationships=result.get("moved", 0), errors=mutation_errors(result))

    return await run(info, work, build)


def candidate_dicts(cands: tuple[Candidate, ...]) -> list[dict[str, Any]]:
    return [{"id": c.id, "score": c.score, "name": c.name} for c in cands]


async def merged_site_row(info: Info[Context, Any], site_id: str) -> dict[str, Any] | None:
    """The kept site of a merged duplicate's id (visibility of the kept site applies)."""
    from graph.core.records import MERGED_TARGET

    rows = await info.context.graph.query(MERGED_TARGET, {"ids": [site_id]},
                                          name="merged_site")
    if not rows:
        return None
    return await info.context.loaders.node(SITE_SHAPE).load(rows[0]["target"])
