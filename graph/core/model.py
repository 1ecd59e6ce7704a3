"""The graph model of docs/design: labels, relationship types and vocabularies.

Every record node carries provenance and visibility properties:
- `id`: stable, unique per label (site ids: see `graph.core.ids`);
- `contributedBy`: the owning organisation's id;
- `sharing`: one of `Sharing`; `sharedWith`: organisation ids named for RESTRICTED;
- `createdAt`, `updatedAt` (ISO-8601 UTC strings), `source` (where the data came from).

Confidential commercial fields (readable by the owner alone, whatever the sharing):
`Contract.valueAmount`, `Contract.valueCurrency`, `Contract.unitPrices` (JSON text),
`Contract.quantity`, and `volume` / `unitPrice` on SOURCES_FROM relationships.
Sensitive report material: `AuditReport.sensitiveNotes`, readable by the author
(`contributedBy`) and the organisations in `AuditReport.sensitiveReaders`.
"""

from __future__ import annotations

from enum import Enum


class Label(str, Enum):
    ORGANISATION = "Organisation"
    BRAND = "Brand"
    SUPPLIER = "Supplier"
    PRODUCTION_SITE = "ProductionSite"
    PRODUCT_CATEGORY = "ProductCategory"
    CONTRACT = "Contract"
    AUDIT_REPORT = "AuditReport"
    FINDING = "Finding"
    REMEDIATION_ACTION = "RemediationAction"
    OAUTH_CLIENT = "OAuthClient"


class Rel(str, Enum):
    SOURCES_FROM = "SOURCES_FROM"
    OPERATES = "OPERATES"
    MAKES = "MAKES"
    PRODUCED_AT = "PRODUCED_AT"
    HOLDS = "HOLDS"
    AWARDED_TO = "AWARDED_TO"
    COVERS = "COVERS"
    SOURCED_FROM = "SOURCED_FROM"
    MEMBER_OF = "MEMBER_OF"
    ASSESSES = "ASSESSES"
    AUTHORED = "AUTHORED"
    HAS_FINDING = "HAS_FINDING"
    REMEDIATED_BY = "REMEDIATED_BY"
    SAME_AS = "SAME_AS"


class Sharing(str, Enum):
    PUBLIC = "PUBLIC"
    CONSORTIUM = "CONSORTIUM"
    RESTRICTED = "RESTRICTED"
    PRIVATE = "PRIVATE"


class OrganisationKind(str, Enum):
    PUBLIC_BUYER = "PUBLIC_BUYER"
    CONSORTIUM = "CONSORTIUM"
    MONITOR = "MONITOR"
    AUDITOR = "AUDITOR"
    OPERATOR = "OPERATOR"
    # A company on the supply side (a contractor); speaks for the suppliers it REPRESENTS.
    SUPPLIER = "SUPPLIER"


class SupplierRole(str, Enum):
    CONTRACTOR = "CONTRACTOR"
    RESELLER = "RESELLER"
    CONTRACT_MANUFACTURER = "CONTRACT_MANUFACTURER"
    COMPONENT_MAKER = "COMPONENT_MAKER"
    SMELTER_REFINER = "SMELTER_REFINER"
    MINE = "MINE"
    RECYCLER = "RECYCLER"


class SiteType(str, Enum):
    ASSEMBLY = "ASSEMBLY"
    COMPONENT = "COMPONENT"
    SMELTER_REFINER = "SMELTER_REFINER"
    MINE = "MINE"
    RECYCLING = "RECYCLING"
    WAREHOUSE = "WAREHOUSE"
    OTHER = "OTHER"


class SiteStatus(str, Enum):
    ACTIVE = "ACTIVE"
    CLOSED = "CLOSED"
    MOVED = "MOVED"


class ReportKind(str, Enum):
    SOCIAL_AUDIT = "SOCIAL_AUDIT"
    WORKER_DRIVEN_MONITORING = "WORKER_DRIVEN_MONITORING"
    NGO_INVESTIGATION = "NGO_INVESTIGATION"
    GRIEVANCE = "GRIEVANCE"
    SELF_ASSESSMENT = "SELF_ASSESSMENT"
    MEDIA = "MEDIA"


class FindingCategory(str, Enum):
    FORCED_LABOUR = "FORCED_LABOUR"
    CHILD_LABOUR = "CHILD_LABOUR"
    FREEDOM_OF_ASSOCIATION = "FREEDOM_OF_ASSOCIATION"
    DISCRIMINATION = "DISCRIMINATION"
    OCCUPATIONAL_SAFETY_AND_HEALTH = "OCCUPATIONAL_SAFETY_AND_HEALTH"
    WAGES = "WAGES"
    WORKING_HOURS = "WORKING_HOURS"
    REGULAR_EMPLOYMENT = "REGULAR_EMPLOYMENT"
    HARSH_TREATMENT = "HARSH_TREATMENT"
    RECRUITMENT_FEES = "RECRUITMENT_FEES"
    GRIEVANCE_MECHANISM = "GRIEVANCE_MECHANISM"
    ENVIRONMENT = "ENVIRONMENT"


class Severity(str, Enum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


# Severities as integers, stored on Finding.severityRank so that `minSeverity` is an
# indexed range predicate rather than a list membership test.
SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class FindingStatus(str, Enum):
    OPEN = "OPEN"
    IN_REMEDIATION = "IN_REMEDIATION"
    REMEDIATED = "REMEDIATED"
    DISPUTED = "DISPUTED"


class RemediationStatus(str, Enum):
    PLANNED = "PLANNED"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    OVERDUE = "OVERDUE"


# Labels that carry owner and sharing (everything but vocabularies and OAuth clients).
RECORD_LABELS = (
    Label.ORGANISATION, Label.BRAND, Label.SUPPLIER, Label.PRODUCTION_SITE, Label.CONTRACT,
    Label.AUDIT_REPORT, Label.FINDING, Label.REMEDIATION_ACTION,
)

# CPV codes for ICT hardware that buyers contract (domain.md).
CPV_CATEGORIES = {
    "30213100-6": "Portable computers",
    "30213300-8": "Desktop computers",
    "30231300-0": "Display screens",
    "30232110-8": "Laser printers",
    "32250000-0": "Mobile telephones",
    "32420000-3": "Network equipment",
    "48820000-2": "Servers",
}
