"""The root list statements (graph/lists.py), pinned as text (no database): an uncounted page
is cut by the order, never by slicing a collected list; a counted one orders its match once;
text hits are ranked by the hit alone, after visibility."""

from __future__ import annotations

import re

import pytest

from graph import lists
from graph.companies.fields import BRAND_SHAPE, SUPPLIER_SHAPE
from graph.contracts.fields import CONTRACT_SHAPE, CONTRACT_VALUE
from graph.reports.fields import REPORT_SHAPE
from graph.sites.fields import SITE_SHAPE

ALL_SITE_FILTERS = frozenset({"countries", "siteTypes", "statuses", "cpvCode", "brandId",
                              "supplierId", "findings", "hasOpenFindings",
                              "hasContradictions"})

QUERIES = {
    "sites": lists.sites_query("all", (), SITE_SHAPE, frozenset()),
    "sites by name, filtered": lists.sites_query("country", (("NAME", True),), SITE_SHAPE,
                                                 ALL_SITE_FILTERS),
    "site text search": lists.sites_query("text", (), SITE_SHAPE, frozenset({"countries"})),
    "sites of a category in a country": lists.sites_query(
        "cpv", (), SITE_SHAPE, frozenset({"countries", "cpvCode"})),
    "brands": lists.brands_query(False, BRAND_SHAPE),
    "brand text search": lists.brands_query(True, BRAND_SHAPE),
    "suppliers": lists.suppliers_query(False, SUPPLIER_SHAPE),
    "supplier text search": lists.suppliers_query(True, SUPPLIER_SHAPE),
    "reports": lists.reports_query(REPORT_SHAPE),
    "contracts by value": lists.contracts_query((("VALUE", True),), CONTRACT_VALUE,
                                                CONTRACT_SHAPE),
    "contracts": lists.contracts_query((), CONTRACT_VALUE, CONTRACT_SHAPE),
    "one buyer's contracts by value": lists.contracts_query(
        (("VALUE", True),), CONTRACT_VALUE, CONTRACT_SHAPE, by_buyer=True),
}


def test_one_buyers_contracts_start_from_the_buyer_index_and_stay_filtered() -> None:
    page = QUERIES["one buyer's contracts by value"].page
    assert page.startswith("MATCH (c:Contract) WHERE c.contributedBy = $buyerId WITH c WHERE ")
    assert page == QUERIES["contracts by value"].page.replace(
        "MATCH (c:Contract) WITH c ", "MATCH (c:Contract) WHERE c.contributedBy = $buyerId "
        "WITH c ", 1)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_a_page_is_cut_by_its_order_and_only_the_page_is_projected(name: str) -> None:
    page = QUERIES[name].page
    assert re.search(r"RETURN collect\(\w \{", page), page
    assert "SKIP $skip LIMIT $take RETURN collect(" in page
    assert page.endswith(" AS rows")
    # one collect, of the projected page, after the cut; no list of every match
    assert page.count("collect(") == 1
    assert "matched" not in page and "size(" not in page


# The unfiltered site list reads its page from the id index: its count runs apart.
COUNTED_APART = {"sites"}


@pytest.mark.parametrize("name", sorted(set(QUERIES) - COUNTED_APART))
def test_a_counted_list_orders_its_match_once_and_slices_the_page(name: str) -> None:
    q = QUERIES[name]
    # the same visible, filtered match and order as the page, counted from one list
    head = q.page[:q.page.index("SKIP $skip LIMIT $take")]
    assert q.counted.startswith(head)
    assert "RETURN size(matched) AS total" in q.counted
    assert "matched[$skip..($skip + $take)]" in q.counted
    assert q.counted.count("collect(") == 1


@pytest.mark.parametrize("name", sorted(COUNTED_APART))
def test_an_index_ordered_list_counts_apart_without_sorting_or_collecting(name: str) -> None:
    q = QUERIES[name]
    match = q.page[:q.page.index("ORDER BY")]
    # a bare count of the same visible match, then the page statement itself
    assert q.counted == f"CALL () {{ {match}RETURN count(*) AS total }} " \
                       f"CALL () {{ {q.page}}} RETURN total, rows"
    assert "matched" not in q.counted and "size(" not in q.counted


def test_a_filtered_site_list_is_still_counted_in_one_pass() -> None:
    q = lists.sites_query("all", (), SITE_SHAPE, frozenset({"siteTypes"}))
    assert "RETURN size(matched) AS total" in q.counted and "count(*)" not in q.counted


def test_the_default_site_order_reads_the_id_index_in_order() -> None:
    page = QUERIES["sites"].page
    assert page.startswith("MATCH (s:ProductionSite) WHERE s.id IS NOT NULL ")
    assert "ORDER BY s.id ASC SKIP" in page


def test_an_order_by_id_ends_the_order() -> None:
    page = lists.sites_query("all", (("ID", True), ("NAME", False)), SITE_SHAPE,
                             frozenset()).page
    assert "ORDER BY s.id DESC SKIP" in page and "s.name" not in page.split("ORDER BY")[1]


def test_text_hits_are_ranked_by_the_hit_alone_after_visibility() -> None:
    page = QUERIES["site text search"].page
    # every hit, then visibility, then the rank: never Lucene's score, never the index's
    # own skip or limit (they would cut in score order, counting hidden hits)
    assert "queryNodes('site_text', $text) YIELD node AS s " in page
    assert "score" not in page and "limit:" not in page and "skip:" not in page
    assert page.index("s.sharing") < page.index("toLower(s.name) = $phrase")
    assert "ORDER BY _k0 IS NULL, _k0 ASC, _k1 IS NULL, _k1 ASC, s.id ASC" in page


def test_a_category_filter_starts_from_the_categorys_makers_and_keeps_the_other_filters() -> None:
    page = QUERIES["sites of a category in a country"].page
    assert page.startswith("MATCH (:ProductCategory {cpvCode: $cpvCode})<-[:MAKES]-"
                           "(s:ProductionSite) WITH DISTINCT s WITH s WHERE ")
    assert "s.countryCode IN $countries" in page
    assert "EXISTS { MATCH (s)-[:MAKES]" not in page  # the head is that filter
    assert page.count("s.sharing") >= 1  # visibility, as every list
