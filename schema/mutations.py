"""The root Mutation: thin fields, each behind its write scope, calling the domain resolvers.

Scopes: sites:write (sites, brands, suppliers, links, site imports), contracts:write
(contracts and disclosures), reports:write (reports, findings, remediation), admin (merging
sites; the caller must also be an operator). `setSharing` needs the write scope of the
record's kind, checked on the record found. Send an `Idempotency-Key` header to make a
retry safe.
"""

from __future__ import annotations

from typing import Any

import strawberry

from auth.permissions import RequireScope
from auth.scopes import Scope
from graph.core.model import Label
from resolvers.companies import mutations as companies
from resolvers.contracts import mutations as contracts
from resolvers.core.sharing import set_record_sharing
from resolvers.imports.mutations import import_sites
from resolvers.reports import mutations as reports
from resolvers.sites import mutations as sites
from schema import payloads as p
from schema import mutations_types as t
from schema.alerts.types import AlertMutation
from schema.disclosures.types import DisclosureMutation
from schema.sites.review import ReviewMutation

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001


def _write(scope: Scope, text: str) -> Any:
    return strawberry.mutation(
        description=f"{text} Needs the `{scope.value}` scope.",
        permission_classes=[RequireScope(scope)])


@strawberry.type
class Mutation(DisclosureMutation, AlertMutation, ReviewMutation):
    @_write(Scope.SITES_WRITE, "Create a production site, unless matching finds it exists: "
                               "on strong evidence the existing site is returned (MATCHED); "
                               "for a look-alike no site is written, the candidates are "
                               "listed with their score parts and the input is kept as a "
                               "pending match (NEEDS_CONFIRMATION, docs/matching.md).")
    async def create_production_site(self, info: Info[Context, Any],
                                     input: t.CreateProductionSiteInput,  # noqa: A002
                                     ) -> t.ProductionSitePayload | None:
        return await sites.create_production_site(info, t.as_dict(input), p.site_payload)

    @_write(Scope.SITES_WRITE, "Change a site you contributed; the earlier version stays in "
                               "its history.")
    async def update_production_site(self, info: Info[Context, Any], id: strawberry.ID,  # noqa: A002
                                     input: t.UpdateProductionSiteInput,  # noqa: A002
                                     ) -> t.ProductionSitePayload | None:
        return await sites.update_production_site(info, str(id), t.as_dict(input),
                                                  p.site_update_payload)

    @_write(Scope.SITES_WRITE, "Create a brand.")
    async def create_brand(self, info: Info[Context, Any],
                           input: t.CreateBrandInput) -> t.BrandPayload | None:  # noqa: A002
        return await companies.create_company(info, Label.BRAND, t.as_dict(input),
                                              p.brand_payload)

    @_write(Scope.SITES_WRITE, "Create a supplier.")
    async def create_supplier(self, info: Info[Context, Any],
                              input: t.CreateSupplierInput) -> t.SupplierPayload | None:  # noqa: A002
        return await companies.create_company(info, Label.SUPPLIER, t.as_dict(input),
                                              p.supplier_payload)

    @_write(Scope.SITES_WRITE, "Record that a brand or supplier sources from a supplier, a "
                               "supplier operates a site, or a brand is produced at a site. "
                               "Both ends must be records you may see.")
    async def record_supply_link(self, info: Info[Context, Any],
                                 input: t.RecordSupplyLinkInput,  # noqa: A002
                                 ) -> t.SupplyLinkPayload | None:
        return await companies.supply_link(info, t.as_dict(input), p.supply_link_payload)

    @_write(Scope.CONTRACTS_WRITE, "Record a contract held by your organisation.")
    async def create_contract(self, info: Info[Context, Any],
                              input: t.CreateContractInput) -> t.ContractPayload | None:  # noqa: A002
        return await contracts.create_contract(info, t.as_dict(input), p.contract_payload)

    @_write(Scope.CONTRACTS_WRITE, "Change one of your contracts.")
    async def update_contract(self, info: Info[Context, Any], id: strawberry.ID,  # noqa: A002
                              input: t.UpdateContractInput) -> t.ContractPayload | None:  # noqa: A002
        return await contracts.update_contract(info, str(id), t.as_dict(input),
                                              p.contract_payload)

    @_write(Scope.CONTRACTS_WRITE, "The sites, brands and product categories behind one of "
                                   "your contracts, as the contractor disclosed them.")
    async def disclose_contract_sites(self, info: Info[Context, Any],
                                      input: t.DiscloseContractSitesInput,  # noqa: A002
                                      ) -> t.ContractPayload | None:
        return await contracts.disclose_contract_sites(info, t.as_dict(input),
                                                      p.contract_payload)

    @_write(Scope.REPORTS_WRITE, "Submit a report on a site with its findings, in one "
                                 "transaction.")
    async def submit_report(self, info: Info[Context, Any],
                            input: t.SubmitReportInput) -> t.ReportPayload | None:  # noqa: A002
        return await reports.submit_report(info, t.as_dict(input), p.report_payload)

    @_write(Scope.REPORTS_WRITE, "Change the status of a finding you reported, with a note.")
    async def update_finding(self, info: Info[Context, Any],
                             input: t.UpdateFindingInput) -> t.FindingPayload | None:  # noqa: A002
        return await reports.update_finding(info, t.as_dict(input), p.finding_payload)

    @_write(Scope.REPORTS_WRITE, "Add a remediation action to a finding you reported.")
    async def add_remediation_action(self, info: Info[Context, Any],
                                     input: t.AddRemediationActionInput,  # noqa: A002
                                     ) -> t.RemediationActionPayload | None:
        return await reports.add_remediation_action(info, t.as_dict(input),
                                                   p.remediation_payload)

    @strawberry.mutation(description="Change who may see a record you contributed (a report's "
                                     "findings and actions follow it). Needs the write scope "
                                     "of the record's kind: sites:write for sites, brands and "
                                     "suppliers, contracts:write for contracts, reports:write "
                                     "for reports, findings and remediation actions.")
    async def set_sharing(self, info: Info[Context, Any],
                          input: t.SetSharingInput) -> t.SetSharingPayload | None:  # noqa: A002
        viewer = info.context.viewer
        if not any(viewer.has(s) for s in (Scope.SITES_WRITE, Scope.REPORTS_WRITE,
                                           Scope.CONTRACTS_WRITE)):
            from graphql import GraphQLError

            raise GraphQLError("this field needs a write scope",
                               extensions={"code": "FORBIDDEN"})
        return await set_record_sharing(info, t.as_dict(input), p.sharing_payload)

    @_write(Scope.SITES_WRITE, "Import site rows as a disclosure list carries them (at most "
                               "`importMaxBatchRows` per call): each row is validated and "
                               "matched; the valid rows of one call are written together or "
                               "not at all; invalid rows are reported and skipped; rows "
                               "needing confirmation are kept as pending matches.")
    async def import_sites(self, info: Info[Context, Any],
                           input: t.ImportSitesInput) -> t.ImportSitesPayload | None:  # noqa: A002
        return await import_sites(info, t.as_dict(input), p.import_sites_payload)

    @_write(Scope.ADMIN, "Operators: merge duplicate sites into one. Every relationship "
                         "moves to the kept site; each duplicate points to it with SAME_AS "
                         "and its id still resolves to the kept site.")
    async def merge_production_sites(self, info: Info[Context, Any],
                                     input: t.MergeProductionSitesInput,  # noqa: A002
                                     ) -> t.MergeProductionSitesPayload | None:
        return await sites.merge_production_sites(info, t.as_dict(input), p.merge_payload)
