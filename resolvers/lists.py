"""Root list fields: validate arguments, then one `graph.lists` round trip each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.core.model import SEVERITY_RANK, Severity
from graph import lists as q
from graph.core.visibility import Shape
from graph.companies.fields import BRAND_SHAPE, SUPPLIER_SHAPE
from graph.contracts.fields import CONTRACT_SHAPE, CONTRACT_VALUE
from graph.orgs.fields import ORGANISATION_SHAPE
from graph.reports.fields import REPORT_SHAPE
from graph.sites.fields import SITE_SHAPE
from auth.scopes import Scope
from resolvers.core.args import (
    Page,
    bad_input,
    country_codes,
    enum_value,
    page_window,
    require_scope,
)
from resolvers.core.selection import selected

if TYPE_CHECKING:
    from strawberry.types import Info

    from resolvers.core.context import Context

MAX_ORDER_KEYS = 3
# Site filters that read reports and findings.
_REPORT_FILTERS = ("hasOpenFindings", "findingCategory", "minSeverity", "hasContradictions")


def _path(info: Info[Context, Any], *more: str | int) -> list[str | int]:
    return list(more)


def _nodes(info: Info[Context, Any], shape: Shape) -> Shape:
    """The shape restricted to what the connection's `edges { node { ... } }` selects."""
    return shape.only(selected(info, "edges", "node"))


def _order(info: Info[Context, Any], order_by: list[Any] | None) -> list[tuple[str, bool]]:
    if not order_by:
        return []
    if len(order_by) > MAX_ORDER_KEYS:
        raise bad_input(f"at most {MAX_ORDER_KEYS} order keys", _path(info, "orderBy"))
    return [(enum_value(o.field), enum_value(o.direction) == "DESC") for o in order_by]


def _counts(info: Info[Context, Any]) -> bool:
    """Whether the connection's `totalCount` is selected: counting costs a second pass over
    the match, paid only when asked."""
    return "totalCount" in selected(info)


def _page(page: q.ListPage, skip: int) -> Page:
    return Page(page.rows, page.total, skip, has_next=page.has_more)


def _enums(values: list[Any] | None) -> list[str] | None:
    return [enum_value(v) for v in values] if values else None


def site_filter_values(info: Info[Context, Any], f: Any) -> dict[str, Any]:
    """A `ProductionSiteFilter` as `graph.lists` takes it (the site list and the map's
    clusters alike); BAD_USER_INPUT for a bad country code, FORBIDDEN for a finding filter
    without `reports:read`."""
    filters: dict[str, Any] = {}
    if f is not None:
        filters = {
            "countries": country_codes(f.country_code, _path(info, "filter", "countryCode")),
            "siteTypes": _enums(f.site_type), "statuses": _enums(f.status),
            "identifier": f.identifier.strip().upper() if f.identifier else None,
            "cpvCode": f.cpv_code, "brandId": f.brand_id, "supplierId": f.supplier_id,
            "hasOpenFindings": f.has_open_findings,
            "findingCategory": enum_value(f.finding_category) if f.finding_category else None,
            "minSeverity": SEVERITY_RANK[Severity(enum_value(f.min_severity))]
            if f.min_severity else None,
            "text": f.text,
            "hasContradictions": f.has_contradictions,
        }
    if any(filters.get(k) is not None for k in _REPORT_FILTERS):
        # They would tell which sites have findings or contradicting reports.
        require_scope(info, Scope.REPORTS_READ, "finding filters")
    filters["contradictionWindow"] = info.context.settings.contradiction_window_days
    return filters


async def production_sites(info: Info[Context, Any], f: Any, order_by: list[Any] | None,
                           first: int | None, after: str | None) -> Page:
    skip, limit = page_window(info, first, after)
    filters = site_filter_values(info, f)
    ctx = info.context
    page = await q.list_sites(ctx.graph, viewer=ctx.params, shape=_nodes(info, SITE_SHAPE),
                              filters=filters, order=_order(info, order_by), skip=skip,
                              limit=limit, count=_counts(info))
    return _page(page, skip)


async def organisations(info: Info[Context, Any], f: Any, first: int | None,
                        after: str | None) -> Page:
    skip, limit = page_window(info, first, after)
    filters = {} if f is None else {
        "kinds": [enum_value(k) for k in f.kind] if f.kind else None, "text": f.text}
    ctx = info.context
    page = await q.list_orgs(ctx.graph, viewer=ctx.params,
                             shape=_nodes(info, ORGANISATION_SHAPE), filters=filters,
                             skip=skip, limit=limit, count=_counts(info))
    return _page(page, skip)


async def brands(info: Info[Context, Any], f: Any, first: int | None,
                 after: str | None) -> Page:
    skip, limit = page_window(info, first, after)
    filters = {} if f is None else {
        "countries": country_codes(f.country_code, _path(info, "filter", "countryCode")),
        "text": f.text}
    ctx = info.context
    page = await q.list_brands(ctx.graph, viewer=ctx.params, shape=_nodes(info, BRAND_SHAPE),
                               filters=filters, skip=skip, limit=limit, count=_counts(info))
    return _page(page, skip)


async def suppliers(info: Info[Context, Any], f: Any, first: int | None,
                    after: str | None) -> Page:
    skip, limit = page_window(info, first, after)
    filters = {} if f is None else {
        "countries": country_codes(f.country_code, _path(info, "filter", "countryCode")),
        "roles": _enums(f.role), "brandId": f.brand_id, "customerId": f.customer_id,
        "text": f.text}
    ctx = info.context
    page = await q.list_suppliers(ctx.graph, viewer=ctx.params,
                                  shape=_nodes(info, SUPPLIER_SHAPE), filters=filters,
                                  skip=skip, limit=limit, count=_counts(info))
    return _page(page, skip)


async def reports(info: Info[Context, Any], f: Any, first: int | None,
                  after: str | None) -> Page:
    skip, limit = page_window(info, first, after)
    filters = {} if f is None else {
        "siteId": f.site_id, "kinds": _enums(f.kind), "authorId": f.author_id,
        "publishedAfter": f.published_after}
    ctx = info.context
    page = await q.list_reports(ctx.graph, viewer=ctx.params, shape=_nodes(info, REPORT_SHAPE),
                                filters=filters, skip=skip, limit=limit, count=_counts(info))
    return _page(page, skip)


async def contracts(info: Info[Context, Any], f: Any, order_by: list[Any] | None,
                    first: int | None, after: str | None) -> Page:
    skip, limit = page_window(info, first, after)
    filters = {} if f is None else {
        "buyerId": f.buyer_id, "supplierId": f.supplier_id, "brandId": f.brand_id,
        "siteId": f.site_id, "cpvCode": f.cpv_code,
        "valueMin": f.value_min, "valueMax": f.value_max}
    ctx = info.context
    page = await q.list_contracts(ctx.graph, viewer=ctx.params,
                                  shape=_nodes(info, CONTRACT_SHAPE), value=CONTRACT_VALUE,
                                  filters=filters, order=_order(info, order_by), skip=skip,
                                  limit=limit, count=_counts(info))
    return _page(page, skip)
