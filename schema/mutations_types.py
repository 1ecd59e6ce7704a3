"""Inputs, payloads and errors of the mutations (schema/mutations.py).

Every mutation returns a payload: the record(s) written, and `errors`, a list of
`MutationError { code message path }` where `path` is the input path
(e.g. `["input", "countryCode"]`). Errors mean nothing was written. A caller lacking the
mutation's scope gets a GraphQL error with code FORBIDDEN instead (the payload is null).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from schema.core.common import (
    FindingCategory,
    FindingStatus,
    RemediationStatus,
    ReportKind,
    Severity,
    Sharing,
    SiteStatus,
    SiteType,
    SupplierRole,
)
from schema.types import (
    AuditReport,
    Brand,
    Contract,
    Finding,
    ProductionSite,
    RemediationAction,
    Supplier,
)


@strawberry.enum(description="Why a mutation wrote nothing.")
class MutationErrorCode(Enum):
    BAD_USER_INPUT = "BAD_USER_INPUT"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"


@strawberry.type(description="One reason a mutation wrote nothing.")
class MutationError:
    code: MutationErrorCode
    message: str
    path: list[str] = strawberry.field(
        description="The input path of the offending value, e.g. [\"input\", \"countryCode\"]"
                    "; list indexes as strings.")


@strawberry.enum(description="What happened to a submitted production site.")
class SiteOutcome(Enum):
    CREATED = "CREATED"
    MATCHED = strawberry.enum_value(
        "MATCHED", description="An existing site scored at or above the high threshold and "
                               "was reused.")
    CONFIRMED = strawberry.enum_value(
        "CONFIRMED", description="The caller named the existing site (`confirmMatch`).")
    NEEDS_CONFIRMATION = strawberry.enum_value(
        "NEEDS_CONFIRMATION", description="Matching could not decide: no site was written; "
                                          "the submission is kept as a pending match "
                                          "(`pendingMatchId`, `confirmMatch` / `rejectMatch`)"
                                          ", or send again with `confirmMatch` or "
                                          "`createAnyway`.")
    REJECTED = strawberry.enum_value("REJECTED", description="Invalid; see errors.")


@strawberry.type(description="Why matching scored a candidate as it did (docs/matching.md).")
class MatchScoreParts:
    name: float = strawberry.field(description="Name similarity, 0-100 (best of aliases).")
    address: float | None = strawberry.field(
        description="Address similarity, 0-100; null when one side has no address.")
    distance_m: int | None = strawberry.field(
        description="Metres between the coordinates; null when one side has none.")
    identifiers: str = strawberry.field(
        description="SAME (an OS ID, LEI, DUNS, RBA id or factory code in common), CONFLICT "
                    "(one scheme, two values; or shared across countries) or NONE.")
    reasons: list[str] = strawberry.field(
        description="Why the match is not automatic (empty: strong evidence).")


@strawberry.type(description="An existing site that may be the submitted one.")
class SiteCandidate:
    site_id: strawberry.ID
    name: str
    score: float = strawberry.field(description="0-100.")
    parts: MatchScoreParts | None = None


def site_candidates(items: list[dict[str, Any]]) -> list[SiteCandidate]:
    out = []
    for c in items:
        p = c.get("parts")
        parts = MatchScoreParts(name=p["name"], address=p.get("address"),
                                distance_m=p.get("distanceM"), identifiers=p["identifiers"],
                                reasons=list(p.get("reasons") or [])) if p else None
        out.append(SiteCandidate(site_id=strawberry.ID(c["id"]), name=c.get("name") or "",
                                 score=c["score"], parts=parts))
    return out


# ----- inputs ---------------------------------------------------------------------------------
@strawberry.input(description="Who may see the record; defaults to PUBLIC.")
class SharingInput:
    sharing: Sharing = Sharing.PUBLIC
    shared_with: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Organisations that may see a RESTRICTED record.")


@strawberry.input
class CreateProductionSiteInput:
    name: str
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2.")
    aliases: list[str] | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    site_type: SiteType | None = None
    worker_count: int | None = None
    status: SiteStatus | None = None
    os_id: str | None = None
    lei: str | None = None
    duns: str | None = None
    rba_facility_id: str | None = None
    factory_code: str | None = None
    sector: str | None = None
    product_type: str | None = None
    facility_type: str | None = None
    processing_type: str | None = None
    parent_company: str | None = None
    products: list[str] | None = strawberry.field(default=None, description="CPV codes made.")
    sharing: Sharing | None = None
    shared_with: list[strawberry.ID] | None = None
    source: str | None = strawberry.field(default=None,
                                          description="Where the data came from.")
    confirm_match: strawberry.ID | None = strawberry.field(
        default=None, description="Use this existing site (one of the candidates).")
    create_anyway: bool = strawberry.field(
        default=False, description="Create a new site even though candidates matched.")


@strawberry.input(description="Only the fields given change.")
class UpdateProductionSiteInput:
    name: str | None = None
    aliases: list[str] | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    site_type: SiteType | None = None
    worker_count: int | None = None
    status: SiteStatus | None = None
    os_id: str | None = None
    lei: str | None = None
    duns: str | None = None
    rba_facility_id: str | None = None
    factory_code: str | None = None
    sector: str | None = None
    product_type: str | None = None
    facility_type: str | None = None
    processing_type: str | None = None
    parent_company: str | None = None
    source: str | None = None
    note: str | None = strawberry.field(default=None, description="Kept in the history.")


@strawberry.input
class CreateBrandInput:
    name: str
    country_code: str | None = None
    website: str | None = None
    sharing: Sharing | None = None
    shared_with: list[strawberry.ID] | None = None
    source: str | None = None


@strawberry.input
class CreateSupplierInput:
    name: str
    country_code: str | None = None
    roles: list[SupplierRole] | None = None
    identifiers: list[str] | None = strawberry.field(
        default=None, description="Scheme-prefixed, e.g. GB-COH-01234567, LEI-..., DUNS-...")
    sharing: Sharing | None = None
    shared_with: list[strawberry.ID] | None = None
    source: str | None = None


@strawberry.enum
class SupplyLinkKind(Enum):
    SOURCES_FROM = strawberry.enum_value(
        "SOURCES_FROM", description="A brand or supplier (from) sources from a supplier (to).")
    OPERATES = strawberry.enum_value("OPERATES",
                                     description="A supplier (from) operates a site (to).")
    PRODUCED_AT = strawberry.enum_value(
        "PRODUCED_AT", description="A brand (from) is produced at a site (to).")


@strawberry.input
class RecordSupplyLinkInput:
    kind: SupplyLinkKind
    from_id: strawberry.ID
    to_id: strawberry.ID
    volume: float | None = strawberry.field(
        default=None, description="SOURCES_FROM only; confidential (owner only).")
    unit_price: float | None = strawberry.field(
        default=None, description="SOURCES_FROM only; confidential (owner only).")
    source: str | None = None


@strawberry.input
class MoneyInput:
    amount: float
    currency: str = strawberry.field(description="ISO 4217, e.g. EUR.")


@strawberry.input
class UnitPriceInput:
    item: str | None = None
    amount: float | None = None
    currency: str | None = None


@strawberry.input
class CreateContractInput:
    reference: str = strawberry.field(description="Tender id or OCDS ocid.")
    title: str | None = None
    supplier_id: strawberry.ID | None = strawberry.field(
        default=None, description="The contractor (AWARDED_TO).")
    start_date: str | None = None
    end_date: str | None = None
    cpv_codes: list[str] | None = None
    value: MoneyInput | None = None
    unit_prices: list[UnitPriceInput] | None = None
    quantity: int | None = None
    sharing: Sharing | None = None
    shared_with: list[strawberry.ID] | None = None
    source: str | None = None


@strawberry.input(description="Only the fields given change.")
class UpdateContractInput:
    reference: str | None = None
    title: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    cpv_codes: list[str] | None = None
    value: MoneyInput | None = None
    unit_prices: list[UnitPriceInput] | None = None
    quantity: int | None = None
    source: str | None = None
    note: str | None = None


@strawberry.input
class DiscloseContractSitesInput:
    contract_id: strawberry.ID
    site_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    brand_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    cpv_codes: list[str] = strawberry.field(default_factory=list)
    source: str | None = None


@strawberry.input
class FindingInput:
    category: FindingCategory
    severity: Severity
    status: FindingStatus | None = None
    description: str | None = None
    due_date: str | None = None
    scheme_rating: str | None = None


@strawberry.input
class SubmitReportInput:
    site_id: strawberry.ID
    kind: ReportKind
    title: str
    summary: str | None = None
    visit_date: str | None = None
    published_at: str | None = None
    methodology: str | None = None
    sensitive_notes: str | None = None
    sensitive_readers: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Organisations that may read the sensitive notes.")
    findings: list[FindingInput] = strawberry.field(default_factory=list)
    sharing: Sharing | None = None
    shared_with: list[strawberry.ID] | None = None
    source: str | None = None


@strawberry.input
class UpdateFindingInput:
    id: strawberry.ID
    status: FindingStatus
    note: str | None = strawberry.field(default=None, description="Why; kept in the history.")


@strawberry.input
class AddRemediationActionInput:
    finding_id: strawberry.ID
    description: str
    due_date: str | None = None
    status: RemediationStatus | None = None
    evidence: str | None = None
    source: str | None = None


@strawberry.input
class SetSharingInput:
    id: strawberry.ID
    sharing: Sharing
    shared_with: list[strawberry.ID] | None = None


@strawberry.input
class MergeProductionSitesInput:
    keep_id: strawberry.ID
    duplicate_ids: list[strawberry.ID]


@strawberry.input(description="One row of a disclosure list, as `supplygraph import sites` "
                              "reads it.")
class ImportSiteRow:
    name: str | None = None
    country_code: str | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    aliases: list[str] | None = None
    site_type: str | None = None
    worker_count: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    os_id: str | None = None
    lei: str | None = None
    duns: str | None = None
    rba_facility_id: str | None = None
    factory_code: str | None = None
    sector: str | None = None
    product_type: str | None = None
    facility_type: str | None = None
    processing_type: str | None = None
    parent_company: str | None = None
    products: list[str] | None = None
    brand_id: strawberry.ID | None = None
    supplier_id: strawberry.ID | None = None
    confirm_match: strawberry.ID | None = None
    create_anyway: bool = False


@strawberry.input
class ImportSitesInput:
    rows: list[ImportSiteRow]
    sharing: Sharing | None = None
    shared_with: list[strawberry.ID] | None = None
    source: str | None = None


# ----- payloads -------------------------------------------------------------------------------
@strawberry.type
class ProductionSitePayload:
    site: ProductionSite | None = None
    outcome: SiteOutcome | None = None
    candidates: list[SiteCandidate] = strawberry.field(default_factory=list)
    pending_match_id: strawberry.ID | None = strawberry.field(
        default=None, description="NEEDS_CONFIRMATION: the pending match that keeps it.")
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class BrandPayload:
    brand: Brand | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class SupplierPayload:
    supplier: Supplier | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class SupplyLinkPayload:
    recorded: bool = False
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class ContractPayload:
    contract: Contract | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class ReportPayload:
    report: AuditReport | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class FindingPayload:
    finding: Finding | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class RemediationActionPayload:
    remediation_action: RemediationAction | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class SetSharingPayload:
    id: strawberry.ID | None = None
    sharing: Sharing | None = None
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class MergeProductionSitesPayload:
    site: ProductionSite | None = None
    merged_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    moved_relationships: int = 0
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class ImportSiteResult:
    row: int = strawberry.field(description="Index in `rows`.")
    outcome: SiteOutcome
    site_id: strawberry.ID | None = None
    candidates: list[SiteCandidate] = strawberry.field(default_factory=list)
    pending_match_id: strawberry.ID | None = strawberry.field(
        default=None, description="NEEDS_CONFIRMATION: the pending match that keeps it.")
    errors: list[MutationError] = strawberry.field(default_factory=list)


@strawberry.type(description="Valid rows are written together, in one transaction; invalid "
                             "rows are reported and skipped; rows needing confirmation are "
                             "kept as pending matches (`pendingMatchId`).")
class ImportSitesPayload:
    results: list[ImportSiteResult] = strawberry.field(default_factory=list)
    created: int = 0
    matched: int = 0
    needs_confirmation: int = 0
    rejected: int = 0
    errors: list[MutationError] = strawberry.field(default_factory=list)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def as_dict(obj: Any) -> dict[str, Any]:
    """An input object as a dict with GraphQL (camelCase) keys; nested inputs too."""
    import dataclasses

    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is strawberry.UNSET:
            continue
        if dataclasses.is_dataclass(value):
            value = as_dict(value)
        elif isinstance(value, list):
            value = [as_dict(v) if dataclasses.is_dataclass(v) else
                     getattr(v, "value", v) for v in value]
        elif isinstance(value, Enum):
            value = value.value
        out[camel(f.name)] = value
    return out
