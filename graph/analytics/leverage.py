"""Collective leverage: which member organisations are linked to a site or brand through
their contracts (docs/leverage.md).

A member is linked to a site when one of its contracts reaches the site as exposure does
(graph/analytics/exposure.py), up to `DEFAULT_TIER`: the contract's SOURCED_FROM sites, a
covered brand's PRODUCED_AT sites, or sites operated by a supplier reached from a covered
brand or the contractor through at most DEFAULT_TIER SOURCES_FROM hops. A member is linked
to a brand when one of its contracts COVERS it.

Counts are over every contract and member, whatever the viewer may see (that is the point
of collective leverage); they take no viewer-supplied argument. A member is *named* only
when one of its linking contracts is visible to the viewer through a path of visible nodes.
Banding of small counts happens in `graph.analytics.risk`-free pure code (`band_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import LiteralString

from graph.analytics.exposure import DEFAULT_TIER
from graph.core.visibility import all_visible, lit, visible


@lru_cache(maxsize=4)
def site_leverage_query() -> LiteralString:
    return lit(
        "UNWIND $ids AS key "
        f"MATCH (s:ProductionSite {{id: key}}) WHERE {visible('s')} "
        "CALL (s) { "
        "  MATCH (c:Contract)-[:SOURCED_FROM]->(s) "
        f"  RETURN c, {visible('c')} AS shown "
        "  UNION "
        "  MATCH (c:Contract)-[:COVERS]->(b:Brand)-[:PRODUCED_AT]->(s) "
        f"  RETURN c, {visible('c')} AND {visible('b')} AS shown "
        "  UNION "
        "  MATCH (s)<-[:OPERATES]-(o:Supplier) "
        "  MATCH chain = (o) (()<-[:SOURCES_FROM]-()){0," + str(DEFAULT_TIER) + "} (p) "
        "  WHERE p:Brand OR p:Supplier "
        "  MATCH (p)<-[:COVERS|AWARDED_TO]-(c:Contract) "
        f"  RETURN c, {visible('c')} AND {all_visible('nodes(chain)', 'n')} AS shown "
        "} "
        "MATCH (m:Organisation)-[:HOLDS]->(c) "
        "WITH key, m, c, max(CASE WHEN shown THEN 1 ELSE 0 END) = 1 AS shown "
        + _TAIL)


_TAIL: LiteralString = (
    "WITH key, collect(DISTINCT c.id) AS contracts, collect(DISTINCT m.id) AS members, "
    "collect(DISTINCT CASE WHEN shown AND " + visible("m") + " THEN m {.id, .name} END) "
    "AS named "
    "RETURN key, size(contracts) AS contracts, size(members) AS members, "
    "size([x IN members WHERE x IN $viewerPeers]) AS peers, named"
)


@lru_cache(maxsize=4)
def brand_leverage_query() -> LiteralString:
    return lit(
        "UNWIND $ids AS key "
        f"MATCH (b:Brand {{id: key}}) WHERE {visible('b')} "
        "MATCH (m:Organisation)-[:HOLDS]->(c:Contract)-[:COVERS]->(b) "
        f"WITH key, m, c, {visible('c')} AS shown "
        + _TAIL)


@dataclass(frozen=True)
class Banded:
    """A count as shown: `exact` when at or above the threshold, else null with a band."""

    exact: int | None
    band: str


def band(count: int, minimum: int) -> Banded:
    """0 and counts at or above `minimum` are exact; 1..minimum-1 is "fewer than N"."""
    if count == 0 or count >= minimum:
        return Banded(count, str(count))
    return Banded(None, f"fewer than {minimum}")


def band_counts(*, members: int, peers: int, contracts: int,
                minimum: int) -> tuple[Banded, Banded, Banded]:
    """(members across all, members in the viewer's consortia, contracts), banded so that
    no count and no difference a viewer can take between them is in 1..minimum-1.

    `members - peers` is the number of members outside the viewer's consortia; when it is
    small and non-zero, the total is banded too ("at least <peers>" would still let a
    viewer subtract, so it becomes "fewer than N" or "N or more")."""
    all_b, peers_b, contracts_b = (band(members, minimum), band(peers, minimum),
                                   band(contracts, minimum))
    outside = members - peers
    if 0 < outside < minimum and all_b.exact is not None:
        all_b = Banded(None, f"{minimum} or more")
    return all_b, peers_b, contracts_b
