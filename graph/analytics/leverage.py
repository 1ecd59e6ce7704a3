"""Collective leverage: how many *other* member organisations are linked to a site or brand
through their contracts, and which of them the viewer may name (docs/leverage.md).

A member is linked to a site when one of its contracts reaches the site as exposure does
(graph/analytics/exposure.py), up to `DEFAULT_TIER`: the contract's SOURCED_FROM sites, a
covered brand's PRODUCED_AT sites, or sites operated by a supplier reached from a covered
brand or the contractor through at most DEFAULT_TIER SOURCES_FROM hops. A member is linked
to a brand when one of its contracts COVERS it.

What may be hidden and what may not (docs/visibility.md, "Leverage"):
- the *contract* and its holder may be hidden from the viewer: counting other members'
  contracts whatever their sharing is the purpose of collective leverage;
- the *path* may not: every brand, supplier and site between the contract and the counted
  site must be visible to the viewer, so the counts never depend on supply-chain records
  or links the viewer cannot see (a hidden supplier on the viewer's own chain changes
  nothing it is shown);
- the viewer's own organisation is never counted: it knows its own contracts, and a count
  that included them would let it add or remove one and read a band exactly.

Counts are split into what the viewer can see for itself (linking contracts it may read,
members it may name) and the hidden rest; `shown_count` bands the hidden rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import LiteralString

from graph.analytics.exposure import DEFAULT_TIER
from graph.core.visibility import lit, visible


@lru_cache(maxsize=4)
def site_leverage_query() -> LiteralString:
    return lit(
        "UNWIND $ids AS key "
        f"MATCH (s:ProductionSite {{id: key}}) WHERE {visible('s')} "
        "CALL (s) { "
        "  MATCH (c:Contract)-[:SOURCED_FROM]->(s) "
        "  RETURN c "
        "  UNION "
        "  MATCH (c:Contract)-[:COVERS]->(b:Brand)-[:PRODUCED_AT]->(s) "
        f"  WHERE {visible('b')} "
        "  RETURN c "
        "  UNION "
        "  MATCH (s)<-[:OPERATES]-(o:Supplier) "
        f"  WHERE {visible('o')} "
        "  MATCH (o) (()<-[:SOURCES_FROM]-(x WHERE " + visible("x") + ")){0,"
        + str(DEFAULT_TIER) + "} (p) "
        "  WHERE p:Brand OR p:Supplier "
        "  MATCH (p)<-[:COVERS|AWARDED_TO]-(c:Contract) "
        "  RETURN c "
        "} "
        + _TAIL)


# `m.id <> $viewerOrg`: the viewer's own contracts are never counted (see the module doc).
_TAIL: LiteralString = lit(
    "MATCH (m:Organisation)-[:HOLDS]->(c) WHERE m.id <> $viewerOrg "
    f"WITH key, m, c, {visible('c')} AS shown "
    "WITH key, collect(DISTINCT c.id) AS contracts, "
    "collect(DISTINCT CASE WHEN shown THEN c.id END) AS shownContracts, "
    "collect(DISTINCT m.id) AS members, "
    f"collect(DISTINCT CASE WHEN shown AND {visible('m')} THEN m {{.id, .name}} END) "
    "AS named "
    "RETURN key, size(contracts) AS contracts, size(shownContracts) AS shownContracts, "
    "size(members) AS members, named"
)


@lru_cache(maxsize=4)
def brand_leverage_query() -> LiteralString:
    return lit(
        "UNWIND $ids AS key "
        f"MATCH (b:Brand {{id: key}}) WHERE {visible('b')} "
        "MATCH (c:Contract)-[:COVERS]->(b) "
        + _TAIL)


@dataclass(frozen=True)
class Banded:
    """A count as shown: `exact`, or null with a `band` that says the range."""

    exact: int | None
    band: str


def shown_count(total: int, known: int, minimum: int) -> Banded:
    """`total` of which the viewer can see `known` for itself.

    The hidden rest (`total - known`) is what the count adds to the viewer's knowledge. It is
    told exactly only when it is 0 or at least `minimum`; from 1 to `minimum - 1` the count is
    a band that covers every such value: "fewer than N" when the viewer knows none of them,
    else "K+1 to K+N-1". So a count never pins down one or two hidden members or contracts,
    and the viewer's own writes cannot move it (its own contracts are not in `total`, and
    those it can see are in `known` on both sides)."""
    if not 0 <= known <= total:
        raise ValueError(f"known ({known}) must be within 0..total ({total})")
    hidden = total - known
    if hidden == 0 or hidden >= minimum:
        return Banded(total, str(total))
    if known == 0:
        return Banded(None, f"fewer than {minimum}")
    return Banded(None, f"{known + 1} to {known + minimum - 1}")
