"""Site matching: is a submitted site one we already have?

1. Normalise (`normalise_name`, `normalise_address`): transliterate to ASCII (anyascii:
   Chinese to Pinyin, Vietnamese and other diacritics dropped), lower-case, punctuation to
   spaces, legal forms (Co., Ltd., Sdn. Bhd., S.A. de C.V., s.r.o., Pvt. Ltd., ...) and
   common words (factory, plant, industrial park, ...) removed, street words abbreviated
   one way (road -> rd), suite/floor/building numbers dropped from addresses.
2. Candidates: visible sites of the same country (`candidates`: the `site_text` full-text
   index with fuzzy terms, for one site; `SiteIndex`: every visible site of the country in
   memory, for imports).
3. Weigh the evidence (`graph.sites.evidence.judge`): name, address, distance and
   identifiers, each kept as a score part for the reviewer, and whether it is strong.
4. Decide (`decide`): reuse the best candidate only when its evidence is strong, its score
   at least `high` and no other candidate is as strong; otherwise, from `low`, the caller
   must confirm one or create anyway (the review queue); below `low` a new site.

`bench/registry_set.py` generates the labelled set `bench/matching.py` and the tests use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Any, LiteralString

from rapidfuzz import fuzz, process

from graph.core.visibility import lit, owned, visible
from graph.sites.evidence import Evidence, judge, judge_from
from graph.sites.identifiers import idents
from graph.sites.normalise import (  # noqa: F401 - the names matching is known by
    SiteKey,
    _is_generic,
    house_numbers,
    normalise_address,
    normalise_name,
)

if TYPE_CHECKING:
    from graph.core.db import QueryRunner

def score(a: SiteKey, b: SiteKey) -> float:
    """0-100: how likely two sites are the same (ranking; `judge` says whether it is
    enough)."""
    return judge(a, b).score


@dataclass(frozen=True)
class Candidate:
    id: str
    score: float
    name: str = ""
    evidence: Evidence | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "score": self.score, "name": self.name}
        if self.evidence is not None:
            out["parts"] = self.evidence.as_dict()
        return out


@dataclass(frozen=True)
class Decision:
    outcome: str  # MATCHED | NEEDS_CONFIRMATION | NEW
    candidates: tuple[Candidate, ...] = ()

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


MATCHED, NEEDS_CONFIRMATION, NEW = "MATCHED", "NEEDS_CONFIRMATION", "NEW"


def decide(site: SiteKey, candidates: Iterable[SiteKey], *, low: float, high: float,
           keep: int = 5) -> Decision:
    # Candidates scoring below `low` are dropped: `judge_from` says so before it words
    # the reasons a reviewer would read.
    judged = [(c, e) for c in candidates
              if c.id != site.id and (e := judge_from(site, c, low)) is not None]
    scored = sorted((Candidate(c.id, round(e.score, 1), c.label, e) for c, e in judged),
                    key=lambda c: (-c.score, c.id))
    scored = [c for c in scored if c.score >= low][:keep]
    if not scored:
        return Decision(NEW)
    best = scored[0]
    assert best.evidence is not None
    strong = [c for c in scored if c.evidence is not None and c.evidence.strong
              and c.score >= high]
    if best.evidence.strong and best.score >= high and len(strong) == 1:
        return Decision(MATCHED, tuple(scored))
    return Decision(NEEDS_CONFIRMATION, tuple(scored))


# ----- candidates from Neo4j ----------------------------------------------------------------
_LUCENE_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')

# The index finds the hits (whether a site matches the terms depends on that site alone);
# it does not rank them. Lucene's score uses corpus statistics over every site, visible or
# not, so ranking by it (or cutting before the visibility check) would let hidden sites
# change which visible candidates a caller gets (issue 11, class 7). Candidates are ranked
# by how many of the row's words each visible hit contains, then by id, and only then cut.
CANDIDATES: LiteralString = lit(
    "UNWIND $rows AS row "
    "CALL (row) { "
    "  CALL db.index.fulltext.queryNodes('site_text', row.q) "
    "  YIELD node AS n "
    f"  WHERE n.countryCode = row.country AND {visible('n')} "
    "  WITH n, row, toLower(coalesce(n.name, '') + ' ' + coalesce(n.aliasesText, '') + ' ' "
    "    + coalesce(n.address, '') + ' ' + coalesce(n.city, '')) AS text "
    "  WITH n, size([w IN row.words WHERE text CONTAINS w]) AS shared "
    "  RETURN n ORDER BY shared DESC, n.id LIMIT $keep } "
    "RETURN row.i AS i, collect(n {.id, .name, .aliases, .address, .city, .countryCode, "
    ".osId, .lei, .duns, .rbaFacilityId, .factoryCode, .contributedBy, "
    "lat: n.location.latitude, lon: n.location.longitude}) AS sites"
)

SITES_OF_COUNTRY: LiteralString = lit(
    "MATCH (n:ProductionSite {countryCode: $country}) "
    f"WHERE {visible('n')} "
    "RETURN n.id AS id, n.name AS name, n.aliases AS aliases, n.address AS address, "
    "n.city AS city, n.countryCode AS countryCode, n.osId AS osId, n.lei AS lei, "
    "n.duns AS duns, n.rbaFacilityId AS rbaFacilityId, n.factoryCode AS factoryCode, "
    "n.contributedBy AS contributedBy, n.location.latitude AS lat, "
    "n.location.longitude AS lon ORDER BY n.id"  # ties: never storage order
)


def _words(site: SiteKey) -> list[str]:
    """The distinctive words of names and address (already lower-case ASCII), once each,
    in order."""
    return list(dict.fromkeys(w for text in (*site.names, site.address) for w in text.split()
                              if len(w) >= 3 and not w.isdigit()))


def lucene_query(site: SiteKey) -> str | None:
    """Fuzzy OR of the distinctive words of names and address: recall over precision,
    `score` does the rest."""
    terms = ["".join("\\" + c if c in _LUCENE_SPECIAL else c for c in w) + "~1"
             for w in _words(site)[:12]]
    return " OR ".join(terms) or None


def _key(row: dict[str, Any]) -> SiteKey:
    return SiteKey.of(id=row["id"], name=row.get("name") or "", country=row["countryCode"],
                      aliases=row.get("aliases") or [], address=row.get("address"),
                      city=row.get("city"), idents=idents(row, row.get("contributedBy")),
                      lat=row.get("lat"), lon=row.get("lon"))


async def candidates(runner: QueryRunner, sites: Sequence[SiteKey], viewer: dict[str, Any],
                     *, keep: int = 40) -> list[list[SiteKey]]:
    """Visible same-country sites near each of `sites` (one round trip), and the visible
    holders of their identifiers in any country (one more, when they have any)."""
    rows = [{"i": i, "q": q, "country": s.country, "words": _words(s)}
            for i, s in enumerate(sites) if (q := lucene_query(s))]
    out: list[list[SiteKey]] = [[] for _ in sites]
    if rows:
        found = await runner.query(CANDIDATES, {"rows": rows, "keep": keep, **viewer},
                                   name="match_candidates")
        for r in found:
            out[r["i"]] = [_key(s) for s in r["sites"]]
    values = {i.rpartition(":")[2] for s in sites for i in s.idents}
    if values:
        holders = await identified(runner, values, viewer)
        for site, pool in zip(sites, out, strict=True):
            seen = {k.id for k in pool}
            pool += [k for k in holders if k.idents & site.idents and k.id not in seen]
    return out


# The factory code is the contributor's own: only the viewer's own sites hold the viewer's.
IDENTIFIED: LiteralString = lit(
    "UNWIND $values AS v CALL (v) { "
    "  MATCH (n:ProductionSite {osId: v}) RETURN n "
    "  UNION MATCH (n:ProductionSite {lei: v}) RETURN n "
    "  UNION MATCH (n:ProductionSite {duns: v}) RETURN n "
    "  UNION MATCH (n:ProductionSite {rbaFacilityId: v}) RETURN n "
    f"  UNION MATCH (n:ProductionSite {{factoryCode: v}}) WHERE {owned('n')} "
    "  RETURN n } "
    f"WITH DISTINCT n WHERE {visible('n')} "
    "RETURN n.id AS id, n.name AS name, n.aliases AS aliases, n.address AS address, "
    "n.city AS city, n.countryCode AS countryCode, n.osId AS osId, n.lei AS lei, "
    "n.duns AS duns, n.rbaFacilityId AS rbaFacilityId, n.factoryCode AS factoryCode, "
    "n.contributedBy AS contributedBy, n.location.latitude AS lat, "
    "n.location.longitude AS lon ORDER BY n.id"
)


async def identified(runner: QueryRunner, values: Iterable[str], viewer: dict[str, Any],
                     ) -> list[SiteKey]:
    """Visible sites holding any of these identifier values (any scheme, any country)."""
    wanted = sorted({v for v in values if v})
    if not wanted:
        return []
    rows = await runner.query(IDENTIFIED, {"values": wanted, **viewer}, name="match_identified")
    return [_key(r) for r in rows]


MAX_POOL = 400


def _blocks(key: SiteKey) -> set[str]:
    """Blocking keys: the first and last four letters of each distinctive name word, so
    that one typo still leaves a shared key (a word shorter than five letters is its own
    key); and each house number with the address's longest word, so that a typo in a
    short name ("Beaon" for "Beacon") still finds the site at its address."""
    out: set[str] = set()
    for name in key.names:
        words = [w for w in name.split() if len(w) >= 3 and not w.isdigit()]
        distinctive = [w for w in words if not _is_generic(w)] or words
        for w in distinctive:
            out.update((w[:4] + "<", ">" + w[-4:]) if len(w) >= 5 else (w,))
    street = max((w for w in key.address.split() if not w.isdigit()), key=len, default="")
    if street:
        out.update(f"#{n}:{street[:4]}" for n in house_numbers(key.address))
    return out


@dataclass
class SiteIndex:
    """Every visible site of some countries in memory, plus sites added during an import,
    so a file's rows are matched against each other too. Candidates come from blocking on
    distinctive name words (`_blocks`), so a row costs the same with 100 or 100,000 sites."""

    by_country: dict[str, list[SiteKey]] = field(default_factory=dict)
    _blocks: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    _names: dict[str, list[str]] = field(default_factory=dict)
    # Holders of identifiers, of any country: one shared identifier is reason to look,
    # whatever the name, and a shared LEI across countries is a question to ask.
    _by_ident: dict[str, list[SiteKey]] = field(default_factory=dict)

    async def load_identified(self, runner: QueryRunner, values: Iterable[str],
                              viewer: dict[str, Any]) -> None:
        """The visible holders of these identifier values, in any country."""
        for k in await identified(runner, values, viewer):
            self._add_ident(k)

    def _add_ident(self, key: SiteKey) -> None:
        for i in key.idents:
            held = self._by_ident.setdefault(i, [])
            if all(k.id != key.id for k in held):
                held.append(key)

    async def load(self, runner: QueryRunner, countries: Iterable[str],
                   viewer: dict[str, Any]) -> None:
        for country in sorted(set(countries) - set(self.by_country)):
            rows = await runner.query(SITES_OF_COUNTRY, {"country": country, **viewer},
                                      name="match_country")
            self.by_country[country] = []
            self._names[country] = []
            for r in rows:
                self.add(_key(r))

    def add(self, key: SiteKey) -> None:
        keys = self.by_country.setdefault(key.country, [])
        self._names.setdefault(key.country, []).append(" ".join(key.names))
        keys.append(key)
        self._add_ident(key)
        for b in _blocks(key):
            self._blocks.setdefault((key.country, b), []).append(len(keys) - 1)

    def near(self, site: SiteKey, *, limit: int = 15, cutoff: float = 50) -> list[SiteKey]:
        """The closest sites by name among those sharing a block, and the holders of the
        site's identifiers, to be scored fully."""
        found = self._near(site, limit, cutoff)
        if site.idents:
            seen = {k.id for k in found}
            for i in sorted(site.idents):
                for k in self._by_ident.get(i, ()):
                    if k.id not in seen:
                        seen.add(k.id)
                        found.append(k)
        return found

    def _near(self, site: SiteKey, limit: int, cutoff: float) -> list[SiteKey]:
        keys = self.by_country.get(site.country, [])
        if not keys:
            return []
        lists = [hit for b in _blocks(site) if (hit := self._blocks.get((site.country, b)))]
        if not lists:
            return []
        if len(lists) == 1:
            # One block: every site in it counts once, and a block lists its sites in the
            # order they were added, which is ascending: the first MAX_POOL are the ones
            # `most_common` would keep below.
            ids = lists[0][:MAX_POOL]
            return self._closest(site, ids, keys, limit, cutoff)
        shared: Counter[int] = Counter(chain.from_iterable(lists))
        if len(shared) > MAX_POOL:
            # A common word ("Golden") blocks thousands of sites together: keep those that
            # share the most blocking keys with the row (ties: the first counted, as
            # `Counter.most_common` does, since a stable sort keeps their order).
            top = sorted(shared.items(), key=itemgetter(1), reverse=True)[:MAX_POOL]
            ids = sorted(i for i, _ in top)
        else:
            ids = sorted(shared)
        return self._closest(site, ids, keys, limit, cutoff)

    def _closest(self, site: SiteKey, ids: list[int], keys: list[SiteKey], limit: int,
                 cutoff: float) -> list[SiteKey]:
        names = self._names[site.country]
        pool = [names[ids[0]]] if len(ids) == 1 else list(itemgetter(*ids)(names))
        hits = process.extract(" ".join(site.names), pool,
                               scorer=fuzz.token_set_ratio, limit=limit, score_cutoff=cutoff)
        return [keys[ids[j]] for _, _, j in hits]
