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


@lru_cache(maxsize=2048)
def supply_chain_by_brand(supplier: Shape, site: Shape) -> LiteralString:
    # The pattern's upper bound is a literal (it cannot be a parameter); `maxTier` cuts it.
    return lit(
        "UNWIND $keys AS key "
        f"MATCH (b:Brand {{id: key.brandId}}) WHERE {visible('b')} "
        "CALL (b, key) { "
        "  MATCH p = SHORTEST 1 (b) (()-[:SOURCES_FROM]->"
        f"(x:Supplier WHERE {visible('x')})){{1,5}} (s:Supplier) "
        "  WITH s, length(p) AS tier WHERE tier <= key.maxTier "
        "  RETURN s, tier ORDER BY tier, s.id "
        "} "
        "WITH key, collect({tier: tier, supplier: "
        f"{supplier.projection('s')}, "
        f"sites: [(s)-[:OPERATES]->(site:ProductionSite) WHERE {visible('site')} "
        f"| {site.projection('site')}]}}) AS entries "
        "RETURN key, entries"
    )
