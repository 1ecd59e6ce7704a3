"""Resolvers of issue 7's analytics: validate arguments, batch through loaders, call graph/."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any


from auth.scopes import Scope
from graph.core.model import SEVERITY_RANK, FindingCategory, Severity
from graph.analytics import exposure as exq
from graph.analytics import exposure_store
from graph.analytics.contradictions import contradictions_query
from graph.analytics.leverage import brand_leverage_query, shown_count, site_leverage_query
from graph.analytics.risk import Risk, country_table, score_site, site_risk_query
from graph.reports.fields import FINDING_SHAPE, REPORT_SHAPE
from graph.sites.fields import SITE_SHAPE
from resolvers.core.args import (
    Page,
    bad_input,
    country_codes,
    enum_value,
    page_window,
    require_scope,
)
from resolvers.core.loaders import ExposureWindow
from resolvers.core.selection import selected

if TYPE_CHECKING:
    from strawberry.types import Info

    from resolvers.core.context import Context

_CATEGORIES = frozenset(c.value for c in FindingCategory)


# ----- exposure -----------------------------------------------------------------------------
def _exposure_filters(info: Info[Context, Any], f: Any) -> tuple[int, dict[str, Any]]:
    if f is None:
        return exq.DEFAULT_TIER, {}
    if not 1 <= f.max_tier <= exq.MAX_TIER:
        raise bad_input(f"maxTier must be between 1 and {exq.MAX_TIER}",
                        ["filter", "maxTier"])
    categories = None
    if f.categories is not None:
        categories = []
        for i, c in enumerate(f.categories):
            code = c.strip().upper()
            if code not in _CATEGORIES:
                raise bad_input(f"unknown finding category {c!r}; one of "
                                f"{', '.join(sorted(_CATEGORIES))}",
                                ["filter", "categories", i])
            categories.append(code)
    filters = {
        "countries": country_codes(f.country_code, ["filter", "countryCode"]),
        "minSeverity": SEVERITY_RANK[Severity(enum_value(f.min_severity))]
        if f.min_severity else None,
        "categories": categories,
        "statuses": [enum_value(s) for s in f.status] if f.status else None,
    }
    if any(filters[k] is not None for k in ("minSeverity", "categories", "statuses")):
        # A finding filter would tell which sites have findings: it needs reports:read.
        require_scope(info, Scope.REPORTS_READ, "finding filters")
    return f.max_tier, filters


def _urgency(info: Info[Context, Any]) -> dict[str, Any]:
    """The parameters of the order URGENCY. It orders by what reports say (contradictions,
    their age): like a finding filter, it needs reports:read."""
    require_scope(info, Scope.REPORTS_READ, "orders by urgency")
    settings = info.context.settings
    today = _now(info).date()  # the clock risk's `stale` reads (tests may pin it)
    return {"staleBefore": (today - timedelta(days=settings.stale_after_days)).isoformat(),
            "contradictionWindow": settings.contradiction_window_days}


async def exposure(info: Info[Context, Any], f: Any, first: int | None, after: str | None,
                   *, contract_id: str | None = None, urgent: bool = False) -> Page:
    """`myExposure` (no contract id): one round trip. `Contract.exposure`: one round trip
    for every contract of the request that asks the same window (the loader batches)."""
    max_tier, filters = _exposure_filters(info, f)
    urgency = _urgency(info) if urgent else None
    skip, limit = page_window(info, first, after)
    ctx = info.context
    site = SITE_SHAPE.only(selected(info, "edges", "node", "site"))
    finding = FINDING_SHAPE.only(selected(info, "edges", "node", "findings"))
    if contract_id is not None:
        window = ExposureWindow(site=site, finding=finding, max_tier=max_tier,
                                filters=tuple(sorted((k, _frozen(v))
                                                     for k, v in filters.items())),
                                skip=skip, limit=limit)
        total, rows = await ctx.loaders.exposure(window).load(contract_id)
        return Page(rows, total, skip)
    total, rows = await exposure_store.my_exposure(
        ctx.graph, viewer=ctx.params, site=site, finding=finding,
        max_tier=max_tier, filters=filters, skip=skip, limit=limit, urgency=urgency,
        contradiction_window=ctx.settings.contradiction_window_days)
    return Page(rows, total, skip)


def _frozen(value: Any) -> Any:
    # Filter values are None, an int or a list of strings; a window must be hashable.
    return tuple(value) if isinstance(value, list) else value


# ----- leverage -----------------------------------------------------------------------------
def _leverage(info: Info[Context, Any], row: dict[str, Any] | None) -> dict[str, Any]:
    """Counts banded on their hidden part (graph.analytics.leverage.shown_count), and the
    members named. `membersInMyConsortia` counts named members only: within a consortium
    the other members are few and known, so a hidden contract counted there would name
    its holder by elimination."""
    minimum = info.context.settings.leverage_min_count
    row = row or {"members": 0, "contracts": 0, "shownContracts": 0, "named": []}
    named = sorted((n for n in row["named"] if n), key=lambda n: n["id"])
    peers = info.context.viewer.peers
    in_mine = sum(1 for n in named if n["id"] in peers)
    return {"members": shown_count(row["members"], len(named), minimum),
            "peers": shown_count(in_mine, in_mine, minimum),
            "contracts": shown_count(row["contracts"], row["shownContracts"], minimum),
            "named": named}


async def site_leverage(info: Info[Context, Any], site_id: str) -> dict[str, Any]:
    loader = info.context.loaders.rows(site_leverage_query(), "site_leverage")
    return _leverage(info, await loader.load(site_id))


async def brand_leverage(info: Info[Context, Any], brand_id: str) -> dict[str, Any]:
    loader = info.context.loaders.rows(brand_leverage_query(), "brand_leverage")
    return _leverage(info, await loader.load(brand_id))


# ----- risk ---------------------------------------------------------------------------------
def _now(info: Info[Context, Any]) -> datetime:
    # Tests may pin the clock through the context's `extra`.
    return info.context.extra.get("now") or datetime.now(timezone.utc)


async def site_risk(info: Info[Context, Any], site_id: str) -> Risk | None:
    """The site's risk score and its factors (graph.analytics.risk)."""
    settings = info.context.settings
    row = await info.context.loaders.rows(site_risk_query(), "site_risk").load(site_id)
    if row is None:
        return None
    country = country_table(settings.country_risk_path).get(row["countryCode"] or "")
    return score_site(findings=row["findings"], country=country,
                      last_report_at=row["lastReportAt"], now=_now(info),
                      stale_after_days=settings.stale_after_days)


# ----- contradictions -----------------------------------------------------------------------
async def site_contradictions(info: Info[Context, Any], site_id: str,
                              ) -> list[dict[str, Any]]:
    window = info.context.settings.contradiction_window_days
    loader = info.context.loaders.rows(contradictions_query(REPORT_SHAPE, FINDING_SHAPE),
                                       "site_contradictions",
                                       (("contradictionWindow", window),))
    row = await loader.load(site_id)
    if row is None:
        return []
    return sorted(row["contradictions"],
                  key=lambda c: (c["category"], c["claim"]["id"], c["evidence"]["id"]))
