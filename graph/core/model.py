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
    DISCLOSURE_REQUEST = "DisclosureRequest"  # docs/disclosures.md


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
    # Disclosure requests (docs/disclosures.md): who asked, on which contract, of whom, and
    # which organisation speaks for a supplier.
    REQUESTED = "REQUESTED"
    CONCERNS = "CONCERNS"
    ADDRESSED_TO = "ADDRESSED_TO"
    REPRESENTS = "REPRESENTS"


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

# ISO 3166-1 alpha-2 codes.
ISO_COUNTRIES = frozenset("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
ZW
""".split())
