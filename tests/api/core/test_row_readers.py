"""A site or supplier read from a row by `RowReader` (schema/core/records.py), the path a
buyer's thousand-entry supply chain takes, is the object the dataclass constructor made
from the same row: for any subset of the keys, with missing, null and empty values, every
attribute equal. The constructor path below is the one the reader replaced, kept as the
oracle."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from hypothesis import given, settings
from hypothesis import strategies as st

from schema.companies.types import Supplier
from schema.core.common import Sharing, SiteStatus, SiteType, SupplierRole
from schema.core.records import RowReader
from schema.sites.types import Location, ProductionSite


def _provenance(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": strawberry.ID(row["id"]),
            "sharing": Sharing(row["sharing"]) if row.get("sharing") else Sharing.PUBLIC,
            "contributed_by": row.get("contributedBy"), "created_at": row.get("createdAt"),
            "updated_at": row.get("updatedAt"), "source": row.get("source")}


def _site_by_constructor(row: dict[str, Any]) -> ProductionSite:
    loc = row.get("location")
    return ProductionSite(
        **_provenance(row), name=row.get("name"), aliases=row.get("aliases") or [],
        address=row.get("address"), city=row.get("city"), region=row.get("region"),
        country_code=row.get("countryCode"), location=Location(**loc) if loc else None,
        site_type=SiteType(row["siteType"]) if row.get("siteType") else None,
        worker_count=row.get("workerCount"),
        status=SiteStatus(row["status"]) if row.get("status") else None,
        os_id=row.get("osId"), lei=row.get("lei"), duns=row.get("duns"),
        rba_facility_id=row.get("rbaFacilityId"), factory_code=row.get("factoryCode"),
        sector=row.get("sector"), product_type=row.get("productType"),
        facility_type=row.get("facilityType"), processing_type=row.get("processingType"),
        parent_company=row.get("parentCompany"))


def _supplier_by_constructor(row: dict[str, Any]) -> Supplier:
    return Supplier(**_provenance(row), name=row.get("name"),
                    country_code=row.get("countryCode"),
                    roles=[SupplierRole(r) for r in row.get("roles") or []],
                    identifiers=row.get("identifiers") or [])


TEXT = st.one_of(st.none(), st.just(""), st.text(max_size=8))
COMMON = {"sharing": st.one_of(st.none(), st.just(""), st.sampled_from(
              [s.value for s in Sharing])),
          "contributedBy": TEXT, "createdAt": TEXT, "updatedAt": TEXT, "source": TEXT,
          "name": TEXT, "countryCode": TEXT, "unknownKey": TEXT}
SITE = {**COMMON, **{k: TEXT for k in ("address", "city", "region", "osId", "lei", "duns",
                                       "rbaFacilityId", "factoryCode", "sector",
                                       "productType", "facilityType", "processingType",
                                       "parentCompany")},
        "aliases": st.one_of(st.none(), st.lists(st.text(max_size=5), max_size=3)),
        "location": st.one_of(st.none(), st.just({}), st.fixed_dictionaries(
            {"latitude": st.floats(-90, 90), "longitude": st.floats(-180, 180)})),
        "siteType": st.one_of(st.none(), st.just(""), st.sampled_from(
            [t.value for t in SiteType])),
        "status": st.one_of(st.none(), st.just(""), st.sampled_from(
            [t.value for t in SiteStatus])),
        "workerCount": st.one_of(st.none(), st.integers(0, 10**6))}
SUPPLIER = {**COMMON,
            "roles": st.one_of(st.none(), st.lists(st.sampled_from(
                [r.value for r in SupplierRole]), max_size=3)),
            "identifiers": st.one_of(st.none(), st.lists(st.text(max_size=5), max_size=3))}


def _rows(fields: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"id": st.text(min_size=1, max_size=8)},
                                 optional=fields)


@settings(max_examples=400, deadline=None)
@given(_rows(SITE))
def test_buyer_site_from_a_row_is_the_constructors(row: dict[str, Any]) -> None:
    assert vars(ProductionSite.from_row(row)) == vars(_site_by_constructor(row))


@settings(max_examples=300, deadline=None)
@given(_rows(SUPPLIER))
def test_buyer_supplier_from_a_row_is_the_constructors(row: dict[str, Any]) -> None:
    assert vars(Supplier.from_row(row)) == vars(_supplier_by_constructor(row))


# Rows of only the keys a reader copies as they are (`RowReader.plain`), the supply chain's
# {id, name}: the one-step copy, against the constructor too.
_PLAIN_SITE = {k: v for k, v in SITE.items() if k in ("name", "address", "city", "source")}
_PLAIN_SUPPLIER = {k: v for k, v in SUPPLIER.items() if k in ("name", "source")}


@settings(max_examples=100, deadline=None)
@given(_rows(_PLAIN_SITE), _rows(_PLAIN_SUPPLIER))
def test_buyer_chain_rows_of_plain_keys_are_the_constructors(
        site: dict[str, Any], supplier: dict[str, Any]) -> None:
    assert vars(ProductionSite.from_row(site)) == vars(_site_by_constructor(site))
    assert vars(Supplier.from_row(supplier)) == vars(_supplier_by_constructor(supplier))


def test_buyer_records_read_in_bulk_share_no_list() -> None:
    a, b = ProductionSite.from_row({"id": "A"}), ProductionSite.from_row({"id": "B"})
    assert a.aliases == [] and a.aliases is not b.aliases


def test_operator_a_row_table_missing_an_attribute_is_refused() -> None:
    with pytest.raises(TypeError, match="name"):
        RowReader(Supplier, {"id": ("id", None)})
