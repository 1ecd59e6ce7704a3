"""A brand's supply chain: suppliers reached through SOURCES_FROM tiers and their sites.

Tier 1 is the brand's direct suppliers. `SHORTEST 1` gives each reached supplier once, at
its lowest tier, walking only through suppliers the viewer may see; a site is listed with
the lowest-tier supplier that operates it (the loader drops later repeats).
"""

from __future__ import annotations

from functools import lru_cache
from typing import LiteralString

from graph.core.visibility import Shape, lit, visible

MAX_TIER = 5


def _chain(supplier: Shape, site: Shape, *, optional: bool) -> LiteralString:
    """From the visible brands `b` of `$keys`: `key, b, entries`. With `optional`, a brand
    that reaches no supplier keeps its row, with no entries."""
    entry = lit(f"{{tier: tier, supplier: {supplier.projection('s')}, "
                f"sites: [(s)-[:OPERATES]->(site:ProductionSite) WHERE {visible('site')} "
                f"| {site.projection('site')}]}}")
    # The pattern's upper bound is a literal (it cannot be a parameter); `maxTier` cuts it.
    return lit(
        "UNWIND $keys AS key "
        f"MATCH (b:Brand {{id: key.brandId}}) WHERE {visible('b')} "
        + ("OPTIONAL " if optional else "")
        + "CALL (b, key) { "
        "  MATCH p = SHORTEST 1 (b) (()-[:SOURCES_FROM]->"
        f"(x:Supplier WHERE {visible('x')})){{1,5}} (s:Supplier) "
        "  WITH s, length(p) AS tier WHERE tier <= key.maxTier "
        "  RETURN s, tier ORDER BY tier, s.id "
        "} "
        + (f"WITH key, b, collect(CASE WHEN s IS NOT NULL THEN {entry} END) AS entries "
           if optional else f"WITH key, b, collect({entry}) AS entries ")
    )


@lru_cache(maxsize=2048)
def supply_chain_by_brand(supplier: Shape, site: Shape) -> LiteralString:
    return lit(_chain(supplier, site, optional=False) + "RETURN key, entries")


@lru_cache(maxsize=1024)
def brand_with_supply_chain(brand: Shape, supplier: Shape, site: Shape) -> LiteralString:
    """The brand (`node`, as `nodes_by_id` projects it) and its chain (`entries`, as
    `supply_chain_by_brand` reads them) in one round trip."""
    return lit(_chain(supplier, site, optional=True)
               + f"RETURN key, {brand.projection('b')} AS node, entries")
