"""Evidence that two site records are one factory, in parts a reviewer can read.

`judge(a, b)` returns an `Evidence`: the name and address similarity (0-100), the distance
between their coordinates (metres) when both have them, what their identifiers say
(SAME / CONFLICT / NONE), an overall score for ranking, whether the evidence is strong
enough for an automatic match, and the reasons when it is not.

Precision first (issue 13): a wrong automatic match puts one factory's findings on another,
and nobody notices; a needless question costs a reviewer a minute. So a match is automatic
only when name and address agree word for word (typos, abbreviations and transliteration
forgiven) and nothing present disagrees: another legal entity at the same building
("X Display" vs "X Assembly"), another plant number, another street number, another
business unit, coordinates far apart, or a site identifier of one scheme with two values.
A shared identifier that contradicts the country or the name is a question with a reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from graph.sites.normalise import (
    PLANT_NUMBER_CAP,
    _name_score,
    address_score,
    best_name_pair,
    house_numbers,
    near_form_word,
    numbers,
)

if TYPE_CHECKING:
    from graph.sites.normalise import SiteKey

SAME, CONFLICT, NONE = "SAME", "CONFLICT", "NONE"

# Identifier schemes that name one site each (OS ID, DUNS per location, RBA facility, a
# supplier's own factory code): one shared value is strong evidence, two values of one
# scheme mean two sites. An LEI names a legal entity, which may run several sites: it
# supports a match and contradicts one (two entities), but cannot make one on its own.
SITE_SCHEMES = ("OSH", "DUNS", "RBA", "CODE")
ENTITY_SCHEMES = ("LEI",)

# Abbreviations disclosure lists use for the words that tell one business from another.
_EXPAND = {
    "elec": "electronics", "electr": "electronics", "tech": "technology",
    "techn": "technology", "prec": "precision", "comp": "components",
    "compon": "components", "sys": "systems", "syst": "systems", "intl": "international",
    "mfg": "manufacturing", "assy": "assembly", "asm": "assembly", "opt": "optics",
    "pwr": "power", "disp": "display", "batt": "battery", "semi": "semiconductor",
    "div": "division", "bu": "division", "dept": "division",
}
# Business-unit words: "X Power Division" is another business unit of X, not X.
_UNIT_WORDS = frozenset({"division", "unit", "department", "business", "segment", "branch"})

AUTO_ADDRESS = 80.0  # address similarity needed for an automatic match
NEAR_M, FAR_M = 250.0, 1500.0  # coordinates: within NEAR_M agree, beyond FAR_M disagree


@dataclass(frozen=True)
class Evidence:
    name: float
    address: float | None  # None: one side has no address
    distance_m: float | None  # None: one side has no coordinates
    identifiers: str  # SAME | CONFLICT | NONE
    score: float  # 0-100, for ranking and the review threshold
    strong: bool  # may be matched without asking
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"name": round(self.name, 1),
                "address": None if self.address is None else round(self.address, 1),
                "distanceM": None if self.distance_m is None else round(self.distance_m),
                "identifiers": self.identifiers, "reasons": list(self.reasons)}


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371000.0 * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=262144)
def _canon(word: str) -> str:
    return _EXPAND.get(word, word)


@lru_cache(maxsize=262144)
def _same_word(a: str, b: str) -> bool:
    a, b = _canon(a), _canon(b)
    if a == b:
        return True
    if a.isdigit() or b.isdigit():
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 3 and long_.startswith(short) and len(short) >= len(long_) // 2:
        return True  # "Prec" / "Precision" after a dropped full stop
    return len(short) >= 4 and fuzz.ratio(a, b) >= 80  # one typo


def unmatched_words(a: str, b: str) -> tuple[list[str], list[str]]:
    """Words of name `a` with no counterpart in `b` and the reverse, abbreviations and
    typos forgiven."""
    wa = [_canon(w) for w in a.split()]
    wb = [_canon(w) for w in b.split()]
    ja, jb = "".join(wa), "".join(wb)
    if ja == jb or (min(len(ja), len(jb)) >= 8 and fuzz.ratio(ja, jb) >= 92):
        return [], []  # "Jade Port" / "Jadeport"
    sa, sb = set(wa), set(wb)
    only_a = [w for w in wa if w not in sb and not any(_same_word(w, x) for x in wb)]
    only_b = [w for w in wb if w not in sa and not any(_same_word(w, x) for x in wa)]
    return only_a, only_b


def clean_name(name: str, other_name: str, other_address: str) -> str:
    """`name` without what tells nothing about the company, given the other side: a town
    only the other side's address has (a file without a city column writes it into the
    name), a legal form or common word with a typo ("limitd", "plantt"), and short words
    trailing the name ("td", "s o", "de ccv": what a typo leaves of a legal form)."""
    other = other_name.split()
    exact = set(other)  # most words of a duplicate are spelt alike: no fuzzy look needed
    addr = other_address.split()
    kept: list[str] = []
    for w in name.split():
        if w in exact or w.isdigit() or any(_same_word(w, x) for x in other):
            kept.append(w)
        elif len(w) >= 4 and any(_same_word(w, x) for x in addr):
            continue
        elif near_form_word(w):
            continue
        else:
            kept.append(w)
    # Trailing short words after the last word the other name has too.
    while len(kept) > 1 and len(kept[-1]) <= 3 and not kept[-1].isdigit() and not any(
            _same_word(kept[-1], x) for x in other) and _canon(kept[-1]) == kept[-1]:
        kept.pop()
    return " ".join(_canon(w) for w in kept) or name


def _identifiers(a: SiteKey, b: SiteKey) -> tuple[str, list[str], list[str]]:
    """(verdict, shared, conflicting): identifiers are "SCHEME:value" strings."""
    if not a.idents or not b.idents:
        return NONE, [], []  # most pairs: nothing to compare
    sa, sb = dict(_split(i) for i in a.idents), dict(_split(i) for i in b.idents)
    shared = sorted(f"{s}:{v}" for s, v in sa.items() if sb.get(s) == v)
    conflicting = sorted(s for s, v in sa.items() if s in sb and sb[s] != v)
    if conflicting:
        return CONFLICT, shared, conflicting
    return (SAME if shared else NONE), shared, []


def _split(ident: str) -> tuple[str, str]:
    scheme, _, value = ident.rpartition(":")
    return scheme, value


def judge(a: SiteKey, b: SiteKey) -> Evidence:
    """The evidence that `a` and `b` are one site (see the module's docstring)."""
    evidence = _judge(a, b, None)
    assert evidence is not None
    return evidence


def judge_from(a: SiteKey, b: SiteKey, floor: float) -> Evidence | None:
    """`judge(a, b)`, or None when its score is below `floor`: most candidates an import
    looks at are, and their score is known before the reasons a reviewer would read."""
    return _judge(a, b, floor)


def _judge(a: SiteKey, b: SiteKey, floor: float | None) -> Evidence | None:
    verdict, shared, conflicting = _identifiers(a, b)
    site_shared = [s for s in shared if _split(s)[0].split(":")[0] in SITE_SCHEMES]
    name, best_a, best_b = best_name_pair(a, b)
    best_a, best_b = (clean_name(best_a, best_b, b.address),
                      clean_name(best_b, best_a, a.address))
    na, nb = numbers(best_a), numbers(best_b)
    if na == nb:
        name = max(name, _name_score(best_a, best_b))
    else:
        name = min(name, PLANT_NUMBER_CAP)
    distance = (haversine_m(a.lat, a.lon, b.lat, b.lon)
                if None not in (a.lat, a.lon, b.lat, b.lon) else None)
    if a.country and b.country and a.country != b.country:
        if shared:
            return Evidence(name, None, distance, CONFLICT, 75.0, False, (
                f"{', '.join(shared)} shared, but countries differ ({a.country}, "
                f"{b.country})",))
        return Evidence(name, None, distance, verdict, 0.0, False, ("other country",))
    addr = address_score(a, b) if a.address and b.address else None
    if addr is None:
        total = max(0.0, name - 5)  # no address to confirm: a little less sure
    else:
        # A shared address cannot make up for a different name (multi-tenant buildings).
        total = min(0.65 * name + 0.35 * addr, name + 10)
    an = bn = frozenset[str]()
    if addr is not None:
        an, bn = house_numbers(a.address), house_numbers(b.address)
        if an and bn and an != bn:
            # "12 Jalan Hi-Tech 6" and "14 Jalan Hi-Tech 6" share the 6 of the street.
            total -= 20 if not (an & bn) else 10
    if distance is not None:
        if distance > FAR_M:
            total -= 10
        elif distance <= NEAR_M:
            total += 3
    if conflicting:
        total = min(total, 79.0)
    if floor is not None and not site_shared and round(max(0.0, min(100.0, total)), 1) < floor:
        return None  # only a shared site identifier raises the score from here (the
        # comparison is with the score as `decide` ranks it, to one decimal)
    # Why the evidence is not strong, cheapest checks first.
    reasons: list[str] = []
    # Missing information (no address, no street number) is no contradiction: a shared site
    # identifier or coordinates within NEAR_M make up for it; nothing else does.
    missing = "no address to compare" if addr is None else ""
    only_a, only_b = unmatched_words(best_a, best_b)
    if na != nb:
        reasons.append("plant numbers differ" if na and nb else
                       "plant numbers differ: one name has none")
    elif only_a or only_b:
        unit = [w for w in (*only_a, *only_b) if w in _UNIT_WORDS]
        reasons.append(("another business unit: " if unit else "names differ: ")
                       + " / ".join(" ".join(x) for x in (only_a, only_b) if x))
    if addr is not None:
        if an and bn and an != bn:
            reasons.append("street numbers differ")
        elif bool(an) != bool(bn):
            missing = "one address has no street number"
        elif addr < AUTO_ADDRESS:
            reasons.append("addresses differ")
    if distance is not None and distance > FAR_M:
        reasons.append(f"{distance / 1000:.1f} km apart")
    if conflicting:
        reasons.append(f"different {', '.join(conflicting)}")
    if site_shared and not reasons:
        total = max(total, 97.0)
    elif site_shared:
        # One identifier against the names or places: ask, and say why.
        reasons.append(f"{', '.join(site_shared)} shared")
        total = max(total, 75.0)
    if missing and not reasons and not site_shared and not (
            distance is not None and distance <= NEAR_M):
        reasons.append(missing)
    total = max(0.0, min(100.0, total))
    return Evidence(name, addr, distance, verdict, total, not reasons, tuple(reasons))
