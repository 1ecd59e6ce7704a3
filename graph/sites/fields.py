"""The production site's fields: one table for reads (Shape), input checks and import columns.

A new plain site field is one row in `SITE_FIELDS` (plus its GraphQL field and tests): the
read projection, `createProductionSite` / `updateProductionSite` / `importSites` validation
and the spreadsheet header map of `supplygraph import sites` all follow from it.
"""

from __future__ import annotations

from typing import Any

from graph.core.fields import COUNTRY, ENUM, INT, NUMBER, TEXTS, Checker, Field, FieldTable
from graph.core.model import Label, SiteStatus, SiteType
from graph.core.visibility import Shape
from graph.sites.identifiers import clean_identifiers

SITE_FIELDS = FieldTable(Label.PRODUCTION_SITE, (
    Field("name", required=True, max_len=300,
          columns=("name", "site name", "factory name", "facility name", "factory", "facility",
                   "production site", "site", "supplier site name", "manufacturing site")),
    Field("address", max_len=500,
          columns=("address", "street address", "address line 1", "street", "site address",
                   "full address")),
    Field("city", max_len=200, columns=("city", "town", "municipality")),
    Field("region", max_len=200,
          columns=("region", "province", "state", "state province", "prefecture")),
    Field("countryCode", COUNTRY, required=True,
          columns=("country", "country code", "countrycode", "iso country", "country iso",
                   "iso 3166", "country iso code")),
    # OSH's facility_type is free text ("Final Product Assembly"): `facilityType` below.
    Field("siteType", ENUM, enum=SiteType, columns=("site type", "type", "sitetype")),
    Field("status", ENUM, enum=SiteStatus, default=SiteStatus.ACTIVE.value),
    Field("workerCount", INT, maximum=2_000_000,
          columns=("workers", "worker count", "workercount", "number of workers",
                   "no of workers", "employees", "number of employees", "headcount",
                   "total workers")),
    # Coordinates are written as the point `location` and read through it (below).
    Field("latitude", NUMBER, minimum=-90, maximum=90, read=False, columns=("latitude", "lat")),
    Field("longitude", NUMBER, minimum=-180, maximum=180, read=False,
          columns=("longitude", "lon", "lng", "long")),
    Field("aliases", TEXTS, default=(),
          columns=("aliases", "alias", "other names", "also known as", "aka", "local name")),
    # Identifiers (graph/sites/identifiers.py): each one site's, except the LEI (a legal
    # entity's, which may run several sites); the factory code is the contributor's own.
    Field("osId", max_len=40, columns=("os id", "osh id", "open supply hub id", "oar id")),
    Field("lei", max_len=20, columns=("lei", "legal entity identifier", "lei code")),
    Field("duns", max_len=13, columns=("duns", "duns number", "d u n s", "duns no")),
    Field("rbaFacilityId", max_len=40,
          columns=("rba facility id", "rba id", "rba facility", "rba site id")),
    Field("factoryCode", max_len=80,
          columns=("factory code", "supplier factory code", "factory id", "site code",
                   "supplier site code")),
    # Open Supply Hub's facility-list attributes, kept as they come.
    Field("sector", max_len=300, columns=("sector",)),
    Field("productType", max_len=300, columns=("product type", "products type")),
    Field("facilityType", max_len=300, columns=("facility type",)),
    Field("processingType", max_len=300, columns=("processing type",)),
    Field("parentCompany", max_len=300, columns=("parent company",)),
))

SITE_SHAPE: Shape = SITE_FIELDS.shape(computed=(
    ("location", "CASE WHEN {v}.location IS NULL THEN null ELSE "
                 "{{latitude: {v}.location.latitude, "
                 "longitude: {v}.location.longitude}} END"),))

CATEGORY_SHAPE = Shape(Label.PRODUCT_CATEGORY, ("id", "cpvCode", "name"))


def site_props(data: dict[str, Any], c: Checker, *, partial: bool = False) -> dict[str, Any]:
    """ProductionSite properties; `partial` for an update (only what is given)."""
    props = SITE_FIELDS.validate(data, c, partial=partial)
    if "aliases" in props:
        # The full-text index reads aliases as one text.
        props["aliasesText"] = " | ".join(props["aliases"])
    if ("latitude" in props) != ("longitude" in props):
        c.fail("latitude and longitude go together", "latitude")
    clean_identifiers(props, c)
    return props
