"""Planning a production site through matching: reuse, ask, or create.

Shared by `createProductionSite`, `importSites` and `supplygraph import sites`. Matching
reads only sites the caller may see, so a private site of another organisation is never
revealed as a candidate (the caller may then create a second record of that factory;
an operator merges them later).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.ids import new_site_id
from graph.sites.identifiers import idents
from graph.sites.matching import (
    MATCHED,
    NEEDS_CONFIRMATION,
    Candidate,
    Decision,
    SiteIndex,
    SiteKey,
    candidates,
    decide,
)

if TYPE_CHECKING:
    from graph.core.db import QueryRunner

CREATED, CONFIRMED = "CREATED", "CONFIRMED"


@dataclass(frozen=True)
class SitePlan:
    """What to do with one submitted site: create it, or use `site_id`, or ask."""

    outcome: str  # CREATED | MATCHED | CONFIRMED | NEEDS_CONFIRMATION
    site_id: str | None
    candidates: tuple[Candidate, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "siteId": self.site_id,
                "candidates": [c.as_dict() for c in self.candidates]}


def site_key(props: dict[str, Any], site_id: str = "", org: str | None = None) -> SiteKey:
    """`props` (validated) as matching sees them; `org` the contributor (whose factory
    codes they are)."""
    return SiteKey.of(id=site_id, name=props.get("name") or "",
                      country=props.get("countryCode") or "",
                      aliases=props.get("aliases") or [], address=props.get("address"),
                      city=props.get("city"), idents=idents(props, org),
                      lat=props.get("latitude"), lon=props.get("longitude"))


async def plan_sites(runner: QueryRunner, sites: list[dict[str, Any]], viewer: dict[str, Any],
                     *, low: float, high: float, index: SiteIndex | None = None,
                     ) -> list[Decision]:
    """A matching decision per site (its validated properties), in one round trip (or
    none, with a preloaded `index`)."""
    keys = [site_key(p, org=viewer.get("viewerOrg")) for p in sites]
    if index is not None:
        pools = [index.near(k) for k in keys]
    else:
        pools = await candidates(runner, keys, viewer)
    return [decide(k, pool, low=low, high=high) for k, pool in zip(keys, pools, strict=True)]


def plan(decision: Decision, *, confirm: str | None, create_anyway: bool) -> SitePlan:
    if confirm:
        return SitePlan(CONFIRMED, confirm, decision.candidates)
    if create_anyway:
        return SitePlan(CREATED, None, decision.candidates)
    if decision.outcome == MATCHED:
        best = decision.best
        assert best is not None
        return SitePlan(MATCHED, best.id, decision.candidates)
    if decision.outcome == NEEDS_CONFIRMATION:
        return SitePlan(NEEDS_CONFIRMATION, None, decision.candidates)
    return SitePlan(CREATED, None, ())


# Site ids have 32^5 random values per country and day: a day's bulk import of a hundred
# thousand sites would draw the same one a few times. New ids are checked first.
_TAKEN: LiteralString = (
    "UNWIND $ids AS id OPTIONAL MATCH (n:ProductionSite {id: id}) "
    "OPTIONAL MATCH (m:MergedProductionSite {id: id}) "
    "WITH id WHERE n IS NOT NULL OR m IS NOT NULL RETURN collect(id) AS taken"
)


async def free_site_ids(run: Callable[[LiteralString, dict[str, Any]], Awaitable[Any]],
                        countries: Iterable[str], exclude: set[str] | None = None,
                        ) -> dict[str, list[str]]:
    """Unused site ids, one per entry of `countries` (a country may repeat). `run(query,
    params)` returns the rows: a runner's or a transaction's query."""
    wanted = list(countries)
    exclude = set(exclude or ())
    out: dict[str, list[str]] = {}
    while wanted:
        proposed = []
        for country in wanted:
            sid = new_site_id(country, date.today())
            while sid in exclude:
                sid = new_site_id(country, date.today())
            exclude.add(sid)
            proposed.append((country, sid))
        rows = await run(_TAKEN, {"ids": [sid for _, sid in proposed]})
        taken = set(rows[0]["taken"]) if rows else set()
        wanted = []
        for country, sid in proposed:
            if sid in taken:
                wanted.append(country)
            else:
                out.setdefault(country, []).append(sid)
    return out
