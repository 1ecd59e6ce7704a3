"""`myExposure` from a stored reach: what an organisation's contracts reach, kept exact.

The walk of graph/analytics/exposure.py answers from scratch: every contracted party, every
supplier chain, every site, every finding, then the order. For a buyer with a hundred
contracts that is tens of thousands of sites per request, and seconds. Here the walk runs
once per organisation and its answer is stored as `(:Organisation)-[:EXPOSED]->(site)`
relationships, each with the site's lowest tier, its first path (kinds, ids, names of the
steps), the order key of its findings (most severe, most recent) and the keys of the order
URGENCY (whether an audit of the site is contradicted, the date of its newest report), all
computed *as that organisation* (its peers read in the same transaction) with the
predicates of graph/core/visibility.py. A request then reads the organisation's
relationships, checks the site's visibility again, orders and cuts a page, and reads
findings for the page only.

Exact, not eventually right (graph/core/derived.py):
- the store carries the structure generation it was built at; any write that may change a
  reach, a path or its visibility bumps the generation in its own transaction, and a store
  of an older generation is rebuilt before it is read (the rebuild reads the generation
  before anything else, so a write committed during a rebuild leaves it stale, not wrong);
- each relationship carries the findings version of its site when its order key was
  computed; a report or finding written since moved the version, and that site's key is
  computed afresh at read time. With a finding filter every key is computed afresh. When
  too many keys went stale, or too many sites anywhere changed since the keys were last
  brought up to date (a read looks at each), the store is refreshed first: its stale
  keys computed again and its build time moved on, with no new walk.
- staleness is a matter of the day a request asks: the store keeps the newest report's
  date and each read compares it with its own `$staleBefore`; contradictions depend on the
  window they are measured with, so a store remembers its window and one built with
  another is rebuilt.

Only `myExposure` reads the store (the viewer is the holder of the contracts);
`Contract.exposure` walks, since its viewer may be another member. A store is built for an
organisation the first time it asks, so only organisations that use `myExposure` pay for
one. The walk stays the definition: tests compare the two after random writes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, LiteralString

from graph.analytics.exposure import (
    MAX_TIER,
    CONTRADICTED,
    NEWEST_REPORT,
    URGENCY_FLAGS,
    exposure,
    reach_text,
    site_findings,
)
from graph.core.visibility import Shape, lit, peers_of, viewer_params, visible

if TYPE_CHECKING:
    from collections.abc import Mapping

    from neo4j import AsyncManagedTransaction

    from graph.core.db import Graph, RequestGraph


def _finding_key(filtered: bool) -> str:
    """`top` and `latest` of the site `s` over the findings of visible reports (matching the
    filter parameters when `filtered`)."""
    return site_findings(filtered) + "RETURN max(f.severityRank) AS top, max(at) AS latest "


# ----- building a store ---------------------------------------------------------------------
# A write of findings this long before a build started may have committed after the build
# read its site (a transaction that began earlier and ended later): sites changed since the
# build less this margin are the ones whose versions a read compares. Longer than any
# transaction may last (the managed server's db.transaction.timeout is 60 s,
# supplygraph.settings; an external server's must stay below this too).
STALE_MARGIN_MS = 120_000
# More stored keys gone stale than this and the store is refreshed first: a read's order is
# the top of the stored order widened by this many rows.
MAX_CHANGED = 200
# More sites changed anywhere since the store's keys were last brought up to date, less the
# margin, than this (each read looks at every one, in the organisation's exposure or not)
# and the store is refreshed first: without it a day of reports across the graph would slow
# every read until the next change to the structure. Those changed within the margin stay
# in sight until it has passed, refreshed or not.
MAX_SETTLED = 1000

_LOCK: LiteralString = (
    # The organisation's node is written first: two rebuilds of one store run one after the
    # other, and the second finds the store current. The build time is Neo4j's clock, the
    # clock writes of findings use (graph/core/derived.py).
    "MATCH (o:Organisation {id: $orgId}) "
    "OPTIONAL MATCH (g:ExposureState {id: 'exposure'}) "
    "WITH o, coalesce(g.generation, 0) AS generation "
    "SET o.exposureLock = timestamp() "
    "RETURN generation, coalesce(o.exposureGeneration = generation "
    "AND o.exposureWindow = $contradictionWindow, false) AS current"
)

_PEERS: LiteralString = lit(
    "MATCH (o:Organisation {id: $orgId}) " + peers_of("o") + "RETURN peers")

# The build writes only what changed: a site's relationship is made when it is new, set to
# the computed properties when it is there (Neo4j writes nothing for a property set to its
# own value), and removed when the site is no longer reached. After a change to the
# structure elsewhere in the graph most of a store is the same, and deleting and creating
# every relationship cost more at commit than the walk itself (100k sites, 27,252 stored:
# 4.1-5.2 s rebuilt, 2.0-3.8 s written as the difference).
_BUILD: LiteralString = lit(
    "MATCH (o:Organisation {id: $viewerOrg}) "
    "SET o.exposureGeneration = $generation, o.exposureBuiltAt = timestamp(), "
    "o.exposureWindow = $contradictionWindow "
    "WITH o "
    # One row out of the CALL whatever it reaches (an aggregate without grouping keys), so
    # that an organisation reaching nothing any more has its relationships removed.
    "CALL (o) { "
    f"MATCH (o)-[:HOLDS]->(c:Contract) WHERE {visible('c')} "
    "WITH o, c ORDER BY c.id WITH o, collect(c) AS cs "
    + reach_text(MAX_TIER)
    + "WITH o, s, tier, path ORDER BY tier, size(path), [x IN path | x.id] "
    "WITH o, s, head(collect({tier: tier, path: path})) AS best "
    # The version is read before the findings: a report written meanwhile leaves the key
    # marked stale, never a stale key marked current.
    "WITH o, s, best, coalesce(s.findingsVersion, 0) AS fv "
    "CALL (s) { " + _finding_key(False) + "} "
    "WITH o, s, best, fv, top, latest "
    + NEWEST_REPORT
    + "WITH o, s, best, fv, top, latest, newest, " + CONTRADICTED + " "
    "WITH o, s, {tier: best.tier, top: top, latest: latest, siteId: s.id, fv: fv, "
    "newest: newest, contradicted: contradicted, "
    "countryCode: s.countryCode, "
    "pathKinds: [x IN best.path | x.kind], pathIds: [x IN best.path | x.id], "
    "pathNames: [x IN best.path | coalesce(x.name, '')]} AS props "
    "MERGE (o)-[e:EXPOSED]->(s) SET e = props "
    "RETURN collect(s.id) AS reached } "
    "CALL (o, reached) { "
    "  MATCH (o)-[e:EXPOSED]->() WHERE NOT e.siteId IN reached DELETE e } "
    "RETURN size(reached) AS n"
)


async def _build(tx: AsyncManagedTransaction, org: str, window: int) -> int | None:
    state = await (await tx.run(_LOCK, {"orgId": org, "contradictionWindow": window})).single()
    if state is None or state["current"]:
        return None
    peers = await (await tx.run(_PEERS, {"orgId": org})).single()
    assert peers is not None
    params = {**viewer_params(org, peers["peers"]), "generation": state["generation"],
              "contradictionWindow": window}
    row = await (await tx.run(_BUILD, params)).single()
    return int(row["n"]) if row else 0


async def rebuild(graph: Graph | RequestGraph, org: str, *,
                  contradiction_window: int) -> int | None:
    """Builds the organisation's store unless it is current; the number of sites stored,
    or None when there was nothing to do (or no such organisation). Contradictions are
    measured with `contradiction_window` days."""
    return await graph.write(lambda tx: _build(tx, org, contradiction_window))


# A current store's stale keys computed again, as the build computes them, and its build
# time moved to this statement's: the sites a read looks at are then those changed since.
# Exact for the reason the build is: each version is read before its findings, and a write
# of findings that commits after this statement read its site began less than the margin
# before it (graph/core/derived.py).
_REFRESH: LiteralString = lit(
    "MATCH (o:Organisation {id: $viewerOrg}) "
    "WITH o, o.exposureBuiltAt AS builtAt "
    "SET o.exposureBuiltAt = timestamp() "
    "WITH o, builtAt "
    "MATCH (s:ProductionSite) WHERE s.findingsChangedAt >= builtAt - $margin "
    "MATCH (o)-[e:EXPOSED]->(s) WHERE e.fv <> coalesce(s.findingsVersion, 0) "
    "WITH e, s, coalesce(s.findingsVersion, 0) AS fv "
    "CALL (s) { " + _finding_key(False) + "} "
    "WITH e, s, fv, top, latest "
    + NEWEST_REPORT
    + "WITH e, fv, top, latest, newest, " + CONTRADICTED + " "
    "SET e.fv = fv, e.top = top, e.latest = latest, e.newest = newest, "
    "e.contradicted = contradicted "
    "RETURN count(e) AS n"
)


async def _refresh(tx: AsyncManagedTransaction, org: str, window: int) -> int | None:
    # The organisation's node is locked before its state is read (`_LOCK`), so a refresh
    # and a rebuild, or two refreshes, run one after the other.
    state = await (await tx.run(_LOCK, {"orgId": org, "contradictionWindow": window})).single()
    if state is None or not state["current"]:
        return None  # the read that follows finds it stale and rebuilds
    peers = await (await tx.run(_PEERS, {"orgId": org})).single()
    assert peers is not None
    row = await (await tx.run(_REFRESH, {**viewer_params(org, peers["peers"]),
                                         "margin": STALE_MARGIN_MS,
                                         "contradictionWindow": window})).single()
    return int(row["n"]) if row else 0


async def refresh(graph: Graph | RequestGraph, org: str, *,
                  contradiction_window: int) -> int | None:
    """Brings a current store's stale keys up to date (a rebuild's result for a fraction of
    its work); the number of keys computed again, or None when the store is not current
    (a rebuild is due instead)."""
    return await graph.write(lambda tx: _refresh(tx, org, contradiction_window))


# ----- reading a store ----------------------------------------------------------------------
def _path(e: str, s: str) -> str:
    # The site's own name is read live (renaming a site does not rebuild stores).
    return (f"[k IN range(0, size({e}.pathIds) - 1) | {{kind: {e}.pathKinds[k], "
            f"id: {e}.pathIds[k], name: CASE WHEN {e}.pathKinds[k] = 'SITE' THEN {s}.name "
            f"WHEN {e}.pathNames[k] = '' THEN null ELSE {e}.pathNames[k] END}}]")


_ORDER = ("x.top IS NULL, x.top DESC, x.latest IS NULL, x.latest DESC, x.e.tier, "
          "x.e.siteId")
_IN_WINDOW = "e.tier <= $maxTier AND ($countries IS NULL OR e.countryCode IN $countries)"

# Without a finding filter the order keys are the stored ones but for the few sites whose
# findings changed since the build (found by the index on findingsChangedAt): the page is
# the top of the stored order, those sites taken out, merged with them on live keys. Neither
# the count nor the order reads a site node; only the page's sites are read. In the order
# URGENCY the same, with the stored flags (the newest report's date compared with this
# request's day) and, for the changed sites, flags computed live with their key.
_STORED_ORDER: LiteralString = (
    "e.top IS NULL, e.top DESC, e.latest IS NULL, e.latest DESC, e.tier, e.siteId")


def _stored_candidates(urgent: bool) -> LiteralString:
    flags = ", contradicted: contradicted, stale: stale" if urgent else ""
    live_flags = ("  WITH e, s, top, latest " + NEWEST_REPORT + "WITH e, top, latest, "
                  + URGENCY_FLAGS + " " if urgent else "")
    stored_flags = (", e.contradicted AS contradicted, "
                    "coalesce(e.newest < $staleBefore, false) AS stale" if urgent else "")
    order = ("contradicted DESC, stale DESC, " if urgent else "") + _STORED_ORDER
    return lit(
        "CALL (o, fresh) { "
        "  WITH o WHERE fresh "
        f"  MATCH (o)-[e:EXPOSED]->() WHERE {_IN_WINDOW} "
        "  RETURN count(e) AS total "
        "} "
        "CALL (o, fresh, builtAt) { "
        "  OPTIONAL MATCH (s:ProductionSite) "
        "  WHERE fresh AND s.findingsChangedAt >= builtAt - $margin "
        "  WITH o, collect(s) AS recent "
        "  CALL (o, recent) { "
        "    UNWIND recent AS s "
        "    MATCH (o)-[e:EXPOSED]->(s) WHERE e.fv <> coalesce(s.findingsVersion, 0) "
        f"    AND {_IN_WINDOW} "
        "    CALL (s) { " + _finding_key(False) + "} "
        + live_flags
        + f"    RETURN collect({{e: e, top: top, latest: latest{flags}}}) AS changed "
        "  } "
        # a refresh would take out of later reads' sight the sites changed before the
        # margin: that many, not those it cannot (changed within the margin)
        "  RETURN changed, "
        "  size([x IN recent WHERE x.findingsChangedAt < timestamp() - $margin]) AS settled "
        "} "
        "CALL (o, fresh, changed) { "
        "  WITH o WHERE fresh "
        f"  MATCH (o)-[e:EXPOSED]->() WHERE {_IN_WINDOW} "
        f"  WITH e{stored_flags} ORDER BY {order} LIMIT $skip + $limit + $maxChanged "
        f"  WITH e{', contradicted, stale' if urgent else ''} "
        "  WHERE NOT e.siteId IN [x IN changed | x.e.siteId] "
        f"  RETURN collect({{e: e, top: e.top, latest: e.latest{flags}}}) AS kept "
        "} "
        "WITH fresh, total, kept + changed AS candidates, "
        "size(changed) > $maxChanged OR settled > $maxSettled AS worn "
    )


# With a finding filter every site's key is computed live (only sites with a matching
# finding are listed, so the count needs them all).
_CANDIDATES_FILTERED: LiteralString = lit(
    "CALL (o, fresh) { "
    "  WITH o WHERE fresh "
    f"  MATCH (o)-[e:EXPOSED]->(s:ProductionSite) WHERE {_IN_WINDOW} "
    "  CALL (s) { " + _finding_key(True) + "} "
    "  WITH e, top, latest WHERE top IS NOT NULL "
    "  RETURN collect({e: e, top: top, latest: latest}) AS candidates "
    "} "
    "WITH fresh, size(candidates) AS total, candidates, false AS worn "
)



# Ordered by urgency with a finding filter, every site's flags are computed live (only sites
# with a matching finding are listed, so the count needs them all).
def _candidates_urgent(filtered: bool) -> LiteralString:
    return lit(
        "CALL (o, fresh) { "
        "  WITH o WHERE fresh "
        f"  MATCH (o)-[e:EXPOSED]->(s:ProductionSite) WHERE {_IN_WINDOW} "
        "  CALL (s) { " + _finding_key(filtered) + "} "
        "  WITH e, s, top, latest " + ("WHERE top IS NOT NULL " if filtered else "")
        + NEWEST_REPORT
        + "WITH e, top, latest, " + URGENCY_FLAGS + " "
        "  RETURN collect({e: e, top: top, latest: latest, contradicted: contradicted, "
        "  stale: stale}) AS candidates "
        "} "
        "WITH fresh, size(candidates) AS total, candidates, false AS worn "
    )


_ORDER_URGENT = "x.contradicted DESC, x.stale DESC, " + _ORDER


@lru_cache(maxsize=256)
def stored_exposure_query(site: Shape, finding: Shape, filtered: bool,
                          urgent: bool = False) -> LiteralString:
    """`fresh` (false: rebuild first; `worn`: even if current), `total` and the page `rows`
    {tier, path, site, findings}, in the order of the walk."""
    return lit(
        "MATCH (o:Organisation {id: $viewerOrg}) "
        "OPTIONAL MATCH (g:ExposureState {id: 'exposure'}) "
        "WITH o, coalesce(o.exposureGeneration = coalesce(g.generation, 0) "
        "AND o.exposureWindow = $contradictionWindow, false) AS fresh "
        # (a stale store's fields may be of an older form: none is read unless it is current)
        "WITH o, fresh, CASE WHEN fresh THEN o.exposureBuiltAt ELSE 0 END AS builtAt "
        + _candidates(filtered, urgent) +
        "CALL (candidates) { "
        f"  UNWIND candidates AS x WITH x ORDER BY {_ORDER_URGENT if urgent else _ORDER} "
        "  RETURN collect(x)[$skip..($skip + $limit)] AS page "
        "} "
        "CALL (page) { "
        "  UNWIND range(0, size(page) - 1) AS i "
        "  WITH i, page[i].e AS e, endNode(page[i].e) AS s "
        # The store is exact; the page's sites are checked again all the same, so that no
        # fault in keeping it could show a site the viewer may not see.
        f"  WHERE {visible('s')} "
        "  CALL (s) { " + site_findings() + "RETURN collect(f) AS fs } "
        "  WITH i, s, e, fs ORDER BY i "
        f"  RETURN collect({{tier: e.tier, path: {_path('e', 's')}, "
        f"site: {site.projection('s')}, findings: [f IN fs | {finding.projection('f')}]}}) "
        "  AS rows "
        "} "
        "RETURN fresh AND NOT worn AS fresh, worn, total, rows"
    )


def _candidates(filtered: bool, urgent: bool) -> LiteralString:
    if urgent:
        return _candidates_urgent(True) if filtered else _stored_candidates(True)
    return _CANDIDATES_FILTERED if filtered else _stored_candidates(False)


async def my_exposure(runner: Graph | RequestGraph, *, viewer: Mapping[str, Any],
                      site: Shape, finding: Shape, max_tier: int, filters: Mapping[str, Any],
                      skip: int, limit: int, contradiction_window: int,
                      urgency: Mapping[str, Any] | None = None,
                      ) -> tuple[int, list[dict[str, Any]]]:
    """(total, page rows) of the viewer organisation's exposure: one round trip while its
    store is current; a rebuild and a second read after a change to the structure, a
    refresh and a second read when too many findings changed since its keys were. With
    `urgency` ({staleBefore, contradictionWindow}) in the order URGENCY; contradictions are
    measured with `contradiction_window` days (the store keeps the flags it measured)."""
    if not isinstance(max_tier, int) or not 1 <= max_tier <= MAX_TIER:
        raise ValueError(f"max_tier must be an int in 1..{MAX_TIER}")
    params = {"countries": None, "minSeverity": None, "categories": None, "statuses": None,
              **filters, **viewer, **(urgency or {}), "maxTier": max_tier, "skip": skip,
              "limit": limit, "margin": STALE_MARGIN_MS, "maxChanged": MAX_CHANGED,
              "maxSettled": MAX_SETTLED,
              "contradictionWindow": contradiction_window}
    if urgency is not None and urgency["contradictionWindow"] != contradiction_window:
        raise ValueError("urgency must measure contradictions with the store's window")
    filtered = any(params[k] is not None for k in ("minSeverity", "categories", "statuses"))
    query = stored_exposure_query(site, finding, filtered, urgency is not None)
    for _ in range(3):
        rows = await runner.query(query, params, name="exposure_store")
        if not rows:  # no such organisation
            return 0, []
        if rows[0]["fresh"]:
            return int(rows[0]["total"]), list(rows[0]["rows"])
        org = str(viewer["viewerOrg"])
        if not rows[0]["worn"] or await refresh(
                runner, org, contradiction_window=contradiction_window) is None:
            await rebuild(runner, org, contradiction_window=contradiction_window)
    # Structural writes landed between each rebuild and its read: answer by the walk (the
    # definition) rather than keep the request waiting on busy writers.
    found = await exposure(runner, viewer=viewer, head="org", keys=[viewer["viewerOrg"]],
                           site=site, finding=finding, max_tier=max_tier, filters=filters,
                           skip=skip, limit=limit, urgency=urgency)
    return found.get(viewer["viewerOrg"], (0, []))
