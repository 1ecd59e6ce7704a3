"""Site matching: is a submitted site one we already have?

1. Normalise (`normalise_name`, `normalise_address`): transliterate to ASCII (anyascii:
   Chinese to Pinyin, Vietnamese and other diacritics dropped), lower-case, punctuation to
   spaces, legal forms (Co., Ltd., Sdn. Bhd., S.A. de C.V., s.r.o., Pvt. Ltd., ...) and
   common words (factory, plant, industrial park, ...) removed, street words abbreviated
   one way (road -> rd), suite/floor/building numbers dropped from addresses.
2. Candidates: visible sites of the same country (`candidates`: the `site_text` full-text
   index with fuzzy terms, for one site; `SiteIndex`: every visible site of the country in
   memory, for imports).
3. Score (`score`, 0-100) with rapidfuzz: names (best of name and aliases) weigh 0.65,
   addresses (with city) 0.35; differing numbers in names (Plant 3 vs Plant 4) or house
   numbers cost points.
4. Decide (`decide`): at or above `high` reuse the best candidate; between `low` and `high`
   the caller must confirm one or create anyway; below `low` a new site.

`labelled_pairs` generates the evaluation set that `bench/matching.py` and the tests use.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Any, LiteralString

from anyascii import anyascii
from rapidfuzz import fuzz, process

from graph.core.visibility import lit, visible

if TYPE_CHECKING:
    from graph.core.db import QueryRunner

# Legal forms, longest first, matched on normalised text (punctuation already spaces).
_LEGAL_FORMS = sorted([
    "co ltd", "company limited", "co limited", "limited", "ltd", "inc", "incorporated",
    "corp", "corporation", "company", "co", "sdn bhd", "sdn", "bhd", "berhad",
    "s a de c v", "sa de cv", "de c v", "s de rl de cv", "s de r l de c v", "s r o", "sro",
    "spol s r o", "a s", "pvt ltd", "private limited", "pvt", "llc", "gmbh", "jsc", "plc",
    "pte ltd", "pte", "tnhh", "cong ty tnhh", "cong ty", "co phan", "pt", "tbk", "srl",
    "s a", "sa", "ag", "bv", "nv", "public company limited", "pcl", "jv", "group",
    "holdings", "international", "intl", "youxian gongsi", "you xian gong si", "gongsi",
    "gong si", "youxian", "you xian",
], key=lambda s: -len(s))
_COMMON_WORDS = frozenset("""
factory plant works facility site campus branch unit industrial park zone estate
industries industry manufacturing mfg the and of no number
""".split())
_ADDRESS_DROP = re.compile(
    r"\b(?:suite|ste|unit|floor|fl|flr|room|rm|building|bldg|blk|block|workshop|tower)"
    r"\s*[a-z]?\d+[a-z]?\b")
_ADDRESS_WORDS = {
    "road": "rd", "street": "st", "avenue": "ave", "boulevard": "blvd", "highway": "hwy",
    "lane": "ln", "drive": "dr", "jalan": "jln", "lorong": "lrg", "duong": "d", "calle": "c",
    "avenida": "av", "industrial": "ind", "economic": "econ", "technological": "tech",
    "technology": "tech", "development": "dev", "district": "dist", "province": "prov",
    "zone": "z", "park": "pk", "estate": "est", "sector": "sec", "main": "main",
    "nagar": "ngr", "village": "vil", "thon": "vil", "xa": "", "phuong": "", "huyen": "",
    "tinh": "", "quan": "", "district of": "",
}
_PUNCT = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+")
_LEGAL_RE = re.compile(r"\b(?:" + "|".join(re.escape(f) for f in _LEGAL_FORMS) + r")\b")


@lru_cache(maxsize=65536)
def _ascii(text: str) -> str:
    text = anyascii(text).lower().replace("&", " and ")
    # "No.3" and "no3" mean the same: split letters from digits.
    text = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text)
    return _SPACES.sub(" ", _PUNCT.sub(" ", text)).strip()


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    text = _LEGAL_RE.sub(" ", _ascii(name))
    words = [w for w in text.split() if w not in _COMMON_WORDS]
    return " ".join(words)


@lru_cache(maxsize=65536)
def normalise_address(address: str) -> str:
    text = _ascii(address)
    text = _ADDRESS_DROP.sub(" ", text)
    words = [_ADDRESS_WORDS.get(w, w) for w in text.split()]
    return " ".join(w for w in words if w)


@lru_cache(maxsize=262144)
def _numbers(text: str) -> frozenset[str]:
    return frozenset(n.lstrip("0") or "0" for n in _NUMBER.findall(text))


@dataclass(frozen=True)
class SiteKey:
    """A site as matching sees it: normalised names and address."""

    id: str
    names: tuple[str, ...]
    address: str
    country: str
    label: str = ""

    @classmethod
    def of(cls, *, id: str, name: str, country: str, aliases: Iterable[str] = (),  # noqa: A002
           address: str | None = None, city: str | None = None) -> SiteKey:
        # The city says nothing about which company a name is: "Jade Circuit Kunshan"
        # and "Lotus Cable Kunshan" share no more than the town.
        city_words = tuple(_ascii(city).split()) if city else ()
        names = tuple(dict.fromkeys(
            n for n in (" ".join(w for w in normalise_name(x).split()
                                 if not _near_any(w, city_words))
                        or normalise_name(x) for x in (name, *aliases)) if n))
        addr = normalise_address(" ".join(p for p in (address, city) if p))
        return cls(id=id, names=names or (_ascii(name),), address=addr,
                   country=(country or "").upper(), label=name)


def _near_any(word: str, words: tuple[str, ...]) -> bool:
    return word in words or (len(word) >= 5 and any(
        fuzz.ratio(word, w) >= 84 for w in words if len(w) >= 5))


NAME_WEIGHT = 0.65


# Words that say what a company makes, not which company it is: two names that share only
# these ("X Electronics", "Y Electronics") are different companies.
_GENERIC = frozenset("""
electronics electronic elec precision prec components component comp technology tech
technologies systems system power display displays cable cables battery batteries metal
metals plastics plastic optics optical assembly circuit circuits semiconductor devices
products solutions materials energy industrial ind manufacturing mfg trading
""".split())


@lru_cache(maxsize=65536)
def _is_generic(word: str) -> bool:
    """A generic word, or one typo away from one ("compnents")."""
    if word in _GENERIC:
        return True
    return len(word) >= 5 and process.extractOne(
        word, _GENERIC, scorer=fuzz.ratio, score_cutoff=84) is not None


@lru_cache(maxsize=262144)
def _distinctive(name: str) -> str:
    return " ".join(w for w in name.split() if not _is_generic(w))


# Pure functions of their strings, cached: an import scores the same names again and again.
@lru_cache(maxsize=262144)
def _name_score(a: str, b: str) -> float:
    s = 0.5 * fuzz.token_sort_ratio(a, b) + 0.5 * fuzz.token_set_ratio(a, b)
    da, db = _distinctive(a), _distinctive(b)
    if da and db and (da != a or db != b):
        s = 0.5 * s + 0.5 * fuzz.token_sort_ratio(da, db)
    na, nb = _numbers(a), _numbers(b)
    if na and nb and na != nb:
        s -= 25  # Plant 3 and Plant 4 of one company are two sites
    elif na != nb:
        s -= 5  # one names a plant number, the other does not
    return s


PLANT_NUMBER_CAP = 65.0


def score(a: SiteKey, b: SiteKey) -> float:
    """0-100: how likely two sites (of one country) are the same."""
    if a.country and b.country and a.country != b.country:
        return 0.0
    name = max(_name_score(x, y) for x in a.names for y in b.names)
    if all(_numbers(x) and _numbers(y) and _numbers(x) != _numbers(y)
           for x in a.names for y in b.names):
        # Plant 2 and Plant 3 of one company are two sites, even at one address.
        name = min(name, PLANT_NUMBER_CAP)
    if not a.address or not b.address:
        return max(0.0, min(100.0, name - 5))  # no address to confirm: a little less sure
    addr = fuzz.token_set_ratio(a.address, b.address) * 0.5 + \
        fuzz.token_sort_ratio(a.address, b.address) * 0.5
    # A shared address cannot make up for a different name (multi-tenant buildings).
    total = min(NAME_WEIGHT * name + (1 - NAME_WEIGHT) * addr, name + 10)
    if name <= PLANT_NUMBER_CAP:
        total = min(total, PLANT_NUMBER_CAP)
    na, nb = _numbers(a.address), _numbers(b.address)
    if na and nb and not (na & nb):
        total -= 20  # no house or lot number in common: most likely the neighbour
    return max(0.0, min(100.0, total))


@dataclass(frozen=True)
class Candidate:
    id: str
    score: float
    name: str = ""


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
    scored = sorted((Candidate(c.id, round(score(site, c), 1), c.label) for c in candidates
                     if c.id != site.id), key=lambda c: (-c.score, c.id))
    scored = [c for c in scored if c.score >= low][:keep]
    if not scored:
        return Decision(NEW)
    if scored[0].score >= high:
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
    "RETURN row.i AS i, collect(n {.id, .name, .aliases, .address, .city, .countryCode}) "
    "AS sites"
)

SITES_OF_COUNTRY: LiteralString = lit(
    "MATCH (n:ProductionSite {countryCode: $country}) "
    f"WHERE {visible('n')} "
    "RETURN n.id AS id, n.name AS name, n.aliases AS aliases, n.address AS address, "
    "n.city AS city, n.countryCode AS countryCode ORDER BY n.id"  # ties: never storage order
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
                      city=row.get("city"))


async def candidates(runner: QueryRunner, sites: Sequence[SiteKey], viewer: dict[str, Any],
                     *, keep: int = 40) -> list[list[SiteKey]]:
    """Visible same-country sites near each of `sites`, in one round trip."""
    rows = [{"i": i, "q": q, "country": s.country, "words": _words(s)}
            for i, s in enumerate(sites) if (q := lucene_query(s))]
    out: list[list[SiteKey]] = [[] for _ in sites]
    if not rows:
        return out
    found = await runner.query(CANDIDATES, {"rows": rows, "keep": keep, **viewer},
                               name="match_candidates")
    for r in found:
        out[r["i"]] = [_key(s) for s in r["sites"]]
    return out


MAX_POOL = 400


def _blocks(key: SiteKey) -> set[str]:
    """Blocking keys: the first and last four letters of each distinctive name word, so
    that one typo still leaves a shared key (a word shorter than five letters is its own
    key)."""
    out: set[str] = set()
    for name in key.names:
        words = [w for w in name.split() if len(w) >= 3 and not w.isdigit()]
        distinctive = [w for w in words if not _is_generic(w)] or words
        for w in distinctive:
            out.update((w[:4] + "<", ">" + w[-4:]) if len(w) >= 5 else (w,))
    return out


@dataclass
class SiteIndex:
    """Every visible site of some countries in memory, plus sites added during an import,
    so a file's rows are matched against each other too. Candidates come from blocking on
    distinctive name words (`_blocks`), so a row costs the same with 100 or 100,000 sites."""

    by_country: dict[str, list[SiteKey]] = field(default_factory=dict)
    _blocks: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    _names: dict[str, list[str]] = field(default_factory=dict)

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
        for b in _blocks(key):
            self._blocks.setdefault((key.country, b), []).append(len(keys) - 1)

    def near(self, site: SiteKey, *, limit: int = 15, cutoff: float = 50) -> list[SiteKey]:
        """The closest sites by name among those sharing a block, to be scored fully."""
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
