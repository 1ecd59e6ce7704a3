"""Mutation payloads from mutation results: the `build` half of the one mutation pattern
(resolvers/core/mutations.py). Written records are read back through the request's loaders,
so the caller's visibility applies to what a mutation answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry

from graph.companies.fields import BRAND_SHAPE, SUPPLIER_SHAPE
from graph.contracts.fields import CONTRACT_SHAPE
from graph.imports.site_rows import RowResult
from graph.reports.fields import FINDING_SHAPE, REMEDIATION_SHAPE, REPORT_SHAPE
from graph.sites.fields import SITE_SHAPE
from resolvers.core.mutations import Result, load
from schema import mutations_types as t
from schema.reports.types import report_prefetch
from schema.types import (
    AuditReport,
    Brand,
    Contract,
    Finding,
    ProductionSite,
    RemediationAction,
    Supplier,
)

if TYPE_CHECKING:
    from strawberry.types import Info

    from graph.core.nodes import Prefetch
    from graph.core.visibility import Shape

    from resolvers.core.context import Context



def mutation_errors(result: Result) -> list[t.MutationError]:
    return [t.MutationError(code=t.MutationErrorCode(e["code"]), message=e["message"],
                            path=e["path"]) for e in result.get("errors", [])]


def _candidates(items: list[dict[str, Any]]) -> list[t.SiteCandidate]:
    return t.site_candidates(items)


async def site_payload(info: Info[Context, Any], result: Result) -> t.ProductionSitePayload:
    if result.get("errors"):
        return t.ProductionSitePayload(outcome=t.SiteOutcome.REJECTED,
                                       errors=mutation_errors(result))
    site = result["site"]
    row = await load(info, SITE_SHAPE, site.get("siteId"))
    return t.ProductionSitePayload(
        site=ProductionSite.from_row(row) if row else None,
        outcome=t.SiteOutcome(site["outcome"]), candidates=_candidates(site["candidates"]),
        pending_match_id=site.get("pendingMatchId"))


async def site_update_payload(info: Info[Context, Any],
                              result: Result) -> t.ProductionSitePayload:
    payload = await site_payload(info, result)
    payload.outcome = None if not payload.errors else payload.outcome
    return payload


async def _written(info: Info[Context, Any], result: Result, shape: Shape, typ: Any,
                   payload: Any, field: str, parts: tuple[Prefetch, ...] = ()) -> Any:
    """The payload of a mutation that wrote one record: the record read back as the caller
    may see it (under `field`, with `parts` in the same round trip), and the errors."""
    row = await load(info, shape, result.get("id"), parts)
    return payload(**{field: typ.from_row(row) if row else None}, errors=mutation_errors(result))


async def brand_payload(info: Info[Context, Any], result: Result) -> t.BrandPayload:
    return await _written(info, result, BRAND_SHAPE, Brand, t.BrandPayload, "brand")


async def supplier_payload(info: Info[Context, Any], result: Result) -> t.SupplierPayload:
    return await _written(info, result, SUPPLIER_SHAPE, Supplier, t.SupplierPayload, "supplier")


async def contract_payload(info: Info[Context, Any], result: Result) -> t.ContractPayload:
    return await _written(info, result, CONTRACT_SHAPE, Contract, t.ContractPayload, "contract")


async def report_payload(info: Info[Context, Any], result: Result) -> t.ReportPayload:
    return await _written(info, result, REPORT_SHAPE, AuditReport, t.ReportPayload, "report",
                          report_prefetch(info, "report"))


async def finding_payload(info: Info[Context, Any], result: Result) -> t.FindingPayload:
    return await _written(info, result, FINDING_SHAPE, Finding, t.FindingPayload, "finding")


async def remediation_payload(info: Info[Context, Any],
                              result: Result) -> t.RemediationActionPayload:
    return await _written(info, result, REMEDIATION_SHAPE, RemediationAction,
                          t.RemediationActionPayload, "remediation_action")


async def supply_link_payload(info: Info[Context, Any], result: Result) -> t.SupplyLinkPayload:
    return t.SupplyLinkPayload(recorded=bool(result.get("recorded")),
                               errors=mutation_errors(result))


async def sharing_payload(info: Info[Context, Any], result: Result) -> t.SetSharingPayload:
    return t.SetSharingPayload(
        id=strawberry.ID(result["id"]) if result.get("id") else None,
        sharing=t.Sharing(result["sharing"]) if result.get("sharing") else None,
        errors=mutation_errors(result))


async def merge_payload(info: Info[Context, Any],
                        result: Result) -> t.MergeProductionSitesPayload:
    row = await load(info, SITE_SHAPE, result.get("id"))
    return t.MergeProductionSitesPayload(
        site=ProductionSite.from_row(row) if row else None,
        merged_ids=[strawberry.ID(d) for d in result.get("merged", [])],
        moved_relationships=result.get("moved", 0), errors=mutation_errors(result))


async def import_sites_payload(info: Info[Context, Any],
                               result: Result) -> t.ImportSitesPayload:
    if result.get("errors"):
        return t.ImportSitesPayload(errors=mutation_errors(result))
    out = []
    for r in (RowResult.of(d) for d in result["rows"]):
        out.append(t.ImportSiteResult(
            row=r.row, outcome=t.SiteOutcome(r.outcome),
            site_id=r.record_id,
            candidates=_candidates(r.candidates), pending_match_id=r.pending_id,
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
