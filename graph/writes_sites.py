"""Creating a production site through matching: reuse, ask, or create.

Shared by `createProductionSite`, `importSites` and `supplygraph import sites`. Matching
reads only sites the caller may see, so a private site of another organisation is never
revealed as a candidate (the caller may then create a second record of that factory;
an operator merges them later).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from graph.ids import new_site_id
from graph.matching import (
    MATCHED,
    NEEDS_CONFIRMATION,
    Candidate,
    Decision,
    SiteIndex,
    SiteKey,
    candidates,
    decide,
)
from graph.model import Label, Rel
from graph.writes import Actor, create_record, link

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from graph.loaders import QueryRunner

CREATED, CONFIRMED = "CREATED", "CONFIRMED"


@dataclass(frozen=True)
class SitePlan:
    """What to do with one submitted site: create it, or use `site_id`, or ask."""

    outcome: str  # CREATED | MATCHED | CONFIRMED | NEEDS_CONFIRMATION
    site_id: str | None
    candidates: tuple[Candidate, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "siteId": self.site_id,
                "candidates": [{"id": c.id, "score": c.score, "name": c.name}
                               for c in self.candidates]}


def site_key(props: dict[str, Any], site_id: str = "") -> SiteKey:
    return SiteKey.of(id=site_id, name=props.get("name") or "",
                      country=props.get("countryCode") or "",
                      aliases=props.get("aliases") or [], address=props.get("address"),
                      city=props.get("city"))


async def plan_sites(runner: QueryRunner, sites: list[dict[str, Any]], viewer: dict[str, Any],
                     *, low: float, high: float, index: SiteIndex | None = None,
                     ) -> list[Decision]:
    """A matching decision per site (its validated properties), in one round trip (or
    none, with a preloaded `index`)."""
    keys = [site_key(p) for p in sites]
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


async def create_site(tx: AsyncManagedTransaction, props: dict[str, Any], actor: Actor,
                      *, products: list[str] | None = None, site_id: str | None = None,
                      ) -> str:
    sid = site_id or new_site_id(props["countryCode"], date.today())
    await create_record(tx, Label.PRODUCTION_SITE, {**props, "id": sid}, actor)
    for cpv in products or []:
        await link(tx, Label.PRODUCTION_SITE, sid, Rel.MAKES, Label.PRODUCT_CATEGORY, cpv,
                   actor)
    return sid
