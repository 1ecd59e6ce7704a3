"""The entity types of the read API, one module per domain (schema/<domain>/types.py), gathered
here for the schema's assembly and for strawberry's lazy references.

Protected fields are declared once, in the domain's field table (graph/<domain>/fields.py):
the Shape projects them through `graph.core.visibility` (NULL from Neo4j for anyone who may
not read them) and the field resolver turns an unreadable one into null plus a FORBIDDEN error
at its path (schema/core/records.py). Relation fields go through per-request loaders (no N+1)
and name the scope they need in their description.
"""

from __future__ import annotations

from graph.companies.fields import BRAND_SHAPE, SUPPLIER_SHAPE
from graph.contracts.fields import CONTRACT_SHAPE, CONTRACT_VALUE
from graph.orgs.fields import ORGANISATION_SHAPE
from graph.reports.fields import FINDING_SHAPE, REMEDIATION_SHAPE, REPORT_SHAPE
from graph.sites.fields import CATEGORY_SHAPE, SITE_SHAPE
from schema.companies.types import Brand, Customer, Supplier, SupplyChainEntry
from schema.contracts.types import Contract, Money, UnitPrice
from schema.core.records import Record, scoped
from schema.orgs.types import Organisation
from schema.reports.types import AuditReport, Finding, RemediationAction
from schema.sites.types import Location, ProductCategory, ProductionSite

__all__ = [
    "BRAND_SHAPE", "CATEGORY_SHAPE", "CONTRACT_SHAPE", "CONTRACT_VALUE", "FINDING_SHAPE",
    "ORGANISATION_SHAPE", "REMEDIATION_SHAPE", "REPORT_SHAPE", "SITE_SHAPE", "SUPPLIER_SHAPE",
    "AuditReport", "Brand", "Contract", "Customer", "Finding", "Location", "Money",
    "Organisation", "ProductCategory", "ProductionSite", "Record", "RemediationAction",
    "Supplier", "SupplyChainEntry", "UnitPrice", "scoped",
]
