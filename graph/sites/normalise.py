"""Site records as matching sees them: normalised names and address (`SiteKey`), their
identifiers and coordinates, and the name and address similarities `graph.sites.evidence`
weighs.

Normalising transliterates to ASCII (anyascii: Chinese to Pinyin, Vietnamese and other
diacritics dropped), lower-cases, turns punctuation into spaces, drops legal forms (Co.,
Ltd., Sdn. Bhd., S.A. de C.V., s.r.o., ...) and common words (factory, plant, ...),
abbreviates street words one way (road -> rd) and drops suite/floor/building numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz, process

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
    # "SCHEME:value" (OSH, LEI, DUNS, RBA; CODE:<organisation>:<code> for a supplier's own
    # factory code, which means something only within that supplier's list).
    idents: frozenset[str] = frozenset()
    lat: float | None = None
    lon: float | None = None

    @classmethod
    def of(cls, *, id: str, name: str, country: str, aliases: Iterable[str] = (),  # noqa: A002
           address: str | None = None, city: str | None = None,
           idents: Iterable[str] = (), lat: float | None = None,
           lon: float | None = None) -> SiteKey:
        # The city says nothing about which company a name is: "Jade Circuit Kunshan"
        # and "Lotus Cable Kunshan" share no more than the town.
        city_words = tuple(_ascii(city).split()) if city else ()
        names = tuple(dict.fromkeys(
            n for n in (" ".join(w for w in normalise_name(x).split()
                                 if not _near_any(w, city_words))
                        or normalise_name(x) for x in (name, *aliases)) if n))
        addr = normalise_address(" ".join(p for p in (address, city) if p))
        return cls(id=id, names=names or (_ascii(name),), address=addr,
                   country=(country or "").upper(), label=name,
                   idents=frozenset(i.upper() for i in idents if i),
                   lat=lat if lon is not None else None, lon=lon if lat is not None else None)


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


PLANT_NUMBER_CAP = 75.0  # between match_low and match_high: a question, never a match


def name_score(a: SiteKey, b: SiteKey) -> float:
    """0-100: the best name (or alias) similarity of two sites."""
    return best_name_pair(a, b)[0]


def best_name_pair(a: SiteKey, b: SiteKey) -> tuple[float, str, str]:
    """The name similarity of two sites (the best over their names and aliases) and the
    first pair of names that gives it, in one pass over the pairs."""
    name, best_a, best_b = -1e9, a.names[0], b.names[0]
    for x in a.names:
        for y in b.names:
            s = _name_score(x, y)
            if s > name:
                name, best_a, best_b = s, x, y
    if all(_numbers(x) and _numbers(y) and _numbers(x) != _numbers(y)
           for x in a.names for y in b.names):
        # Plant 2 and Plant 3 of one company are two sites, even at one address.
        name = min(name, PLANT_NUMBER_CAP)
    return name, best_a, best_b


def address_score(a: SiteKey, b: SiteKey) -> float:
    return fuzz.token_set_ratio(a.address, b.address) * 0.5 + \
        fuzz.token_sort_ratio(a.address, b.address) * 0.5


def numbers(text: str) -> frozenset[str]:
    return _numbers(text)


@lru_cache(maxsize=262144)
def house_numbers(address: str) -> frozenset[str]:
    """Numbers of an address that say which plot: a postcode (five digits or more) does
    not."""
    return frozenset(n for n in _numbers(address) if len(n) < 5)


# Three letters at least: "sa" or "co" would swallow "san" or "cob".
_FORM_WORDS = tuple(sorted({w for f in _LEGAL_FORMS for w in f.split() if len(w) >= 3}
                           | {w for w in _COMMON_WORDS if len(w) >= 3}))


@lru_cache(maxsize=65536)
def near_form_word(word: str) -> bool:
    """A legal form or common word with a typo ("limitd", "compaany", "plantt"): what is
    left when normalising missed it, and no word of the company's name."""
    return len(word) >= 3 and not word.isdigit() and process.extractOne(
        word, _FORM_WORDS, scorer=fuzz.ratio, score_cutoff=79) is not None
