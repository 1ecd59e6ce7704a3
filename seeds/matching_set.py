"""A labelled set for site matching: pairs of site records that are, or are not, the same
factory, with the noise real disclosure lists carry (typos, transliteration, legal forms,
abbreviations) and hard negatives; and its evaluation (precision, recall, F1 at a threshold).
Used by tests/graph/sites/test_matching.py and bench/matching.py, bench/import_rate.py."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from anyascii import anyascii

from graph.sites.matching import SiteKey, score


@dataclass(frozen=True)
class LabelledPair:
    a: SiteKey
    b: SiteKey
    duplicate: bool
    noise: str


_CN = ["Kunshan", "Shenzhen", "Dongguan", "Suzhou", "Chongqing", "Zhengzhou", "Chengdu"]
_VN = [("Bắc Ninh", "Bac Ninh"), ("Thái Nguyên", "Thai Nguyen"), ("Hải Phòng", "Hai Phong"),
       ("Đồng Nai", "Dong Nai"), ("Bình Dương", "Binh Duong")]
_VN_STREETS = [("Đường Yên Phong", "Duong Yen Phong"), ("Khu công nghiệp Quế Võ",
               "Khu cong nghiep Que Vo"), ("Đường Lê Lợi", "Duong Le Loi"),
               ("Khu công nghiệp Đình Vũ", "Khu cong nghiep Dinh Vu")]
_CN_PINYIN = [("Jīnshā Lù", "Jinsha Lu"), ("Huánqìng Lù", "Huanqing Lu"),
              ("Lónggǎng Dàdào", "Longgang Dadao"), ("Xīnghuá Jiē", "Xinghua Jie")]
_WORDS_A = ["Jade", "Lotus", "Silver", "Golden", "Eastern", "Pearl", "Summit", "Harbour",
            "Crane", "Orchid", "Phoenix", "Cedar", "River", "Bright", "Delta", "Sunrise",
            "Northstar", "Evergreen", "Tianma", "Hongda", "Minh Phat", "Viet Tien", "Kinabalu"]
_WORDS_B = ["Circuit", "Precision", "Electronics", "Components", "Power", "Display", "Cable",
            "Battery", "Metal", "Plastics", "Optics", "Assembly", "Systems", "Technology"]
_LEGAL_BY_COUNTRY = {"CN": ["Co., Ltd.", "Co. Ltd", "Company Limited"],
                     "VN": ["Co., Ltd", "Company Limited", "JSC"],
                     "MY": ["Sdn. Bhd.", "Sdn Bhd"], "MX": ["S.A. de C.V.", "SA de CV"],
                     "CZ": ["s.r.o.", "spol. s r.o."], "IN": ["Pvt. Ltd.", "Private Limited"]}
_ABBREV = {"Electronics": "Elec.", "Technology": "Tech", "Precision": "Prec.",
           "Components": "Comp.", "International": "Intl", "Manufacturing": "Mfg",
           "Road": "Rd.", "Street": "St.", "Avenue": "Ave", "Industrial": "Ind.",
           "Jalan": "Jln"}


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip in `text`: two letters swapped, one dropped, doubled or replaced."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 4:
        return text
    i = rng.choice(letters[1:-1])
    op = rng.choice(["swap", "drop", "double", "replace"])
    if op == "swap" and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if op == "drop":
        return text[:i] + text[i + 1:]
    if op == "double":
        return text[:i] + text[i] + text[i:]
    return text[:i] + rng.choice("aeiourstn") + text[i + 1:]


def base_site(rng: random.Random, i: int) -> dict[str, Any]:
    country = rng.choice(["CN", "CN", "VN", "VN", "MY", "MX", "CZ", "IN"])
    brand = f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)}"
    number = rng.randint(1, 400)
    if country == "CN":
        city = rng.choice(_CN)
        street, street_plain = rng.choice(_CN_PINYIN)
        address = f"No. {number} {street}"
        plain = f"No. {number} {street_plain}"
    elif country == "VN":
        city, city_plain = rng.choice(_VN)
        street, street_plain = rng.choice(_VN_STREETS)
        address = f"Lô {number}, {street}, {city}"
        plain = f"Lo {number}, {street_plain}, {city_plain}"
    else:
        city = {"MY": "Penang", "MX": "Guadalajara", "CZ": "Brno", "IN": "Chennai"}[country]
        street = {"MY": "Jalan Hi-Tech", "MX": "Avenida Periferico Sur", "CZ": "Prumyslova",
                  "IN": "SIPCOT Industrial Park Road"}[country]
        address = plain = f"{number} {street}"
    legal = rng.choice(_LEGAL_BY_COUNTRY.get(country, ["Ltd."]))
    name = f"{brand} ({city}) {legal}" if rng.random() < 0.5 else f"{brand} {city} {legal}"
    return {"id": f"S{i}", "name": name, "address": address, "plain": plain, "city": city,
            "country": country, "brand": brand, "number": number, "legal": legal}


def noisy(rng: random.Random, s: dict[str, Any]) -> tuple[dict[str, Any], str]:
    name, address = s["name"], s["address"]
    kinds = rng.sample(["typo", "abbrev", "reorder", "diacritics", "suite", "legal",
                        "common", "case", "no_address"], k=rng.randint(1, 3))
    for kind in kinds:
        if kind == "typo":
            name = typo(rng, name)
        elif kind == "abbrev":
            for full, short in _ABBREV.items():
                name, address = name.replace(full, short), address.replace(full, short)
        elif kind == "reorder":
            parts = [p.strip() for p in address.split(",")]
            if len(parts) > 1:
                address = ", ".join(reversed(parts))
            else:
                words = address.split()
                address = " ".join(words[1:] + words[:1])
        elif kind == "diacritics":
            address = s["plain"]
            name = anyascii(name)
        elif kind == "suite":
            address = f"{rng.choice(['Suite', 'Building', 'Bldg.', 'Floor', 'Unit'])} " \
                      f"{rng.randint(1, 30)}, {address}"
        elif kind == "legal":
            name = name.replace(s["legal"], "").strip()
        elif kind == "common":
            name = f"{name} {rng.choice(['Factory', 'Plant', 'Industrial Park'])}"
        elif kind == "case":
            name = name.upper()
    if "no_address" in kinds:
        address = ""
    return {**s, "name": name, "address": address}, "+".join(sorted(kinds))


def _hard_negative(rng: random.Random, s: dict[str, Any], i: int) -> tuple[dict[str, Any], str]:
    kind = rng.choice(["sister_plant", "other_brand_same_park", "same_brand_other_city",
                       "similar_name", "same_building", "numbered_plants"])
    if kind == "same_building":
        # Another company in the same multi-tenant building: identical address.
        brand = f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)}"
        while brand.split()[0] == s["brand"].split()[0]:
            brand = f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)}"
        return {**s, "id": f"N{i}", "name": s["name"].replace(s["brand"], brand)}, kind
    if kind == "numbered_plants":
        # Plant 1 and Plant 2 of one company at one address (`labelled_pairs` numbers the
        # first one too).
        n = s["plant"] + rng.randint(1, 3)
        return {**s, "id": f"N{i}", "name": f"{s['brand']} {s['city']} Plant {n}"}, kind
    if kind == "sister_plant":
        # Same company, same street, another plant number and house number.
        n = s["number"] + rng.randint(3, 60)
        return {**s, "id": f"N{i}", "name": f"{s['brand']} {s['city']} Plant "
                f"{rng.randint(2, 9)} {s['legal']}", "address": s["address"].replace(
                    str(s["number"]), str(n))}, kind
    if kind == "other_brand_same_park":
        brand = f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)}"
        while brand == s["brand"]:
            brand = f"{rng.choice(_WORDS_A)} {rng.choice(_WORDS_B)}"
        return {**s, "id": f"N{i}", "name": s["name"].replace(s["brand"], brand),
                "address": s["address"].replace(str(s["number"]), str(s["number"] + 2))}, kind
    if kind == "same_brand_other_city":
        other = base_site(rng, i)
        return {**other, "id": f"N{i}", "country": s["country"],
                "name": f"{s['brand']} {other['city']} {s['legal']}"}, kind
    words = s["brand"].split()
    brand = f"{words[0]} {rng.choice([w for w in _WORDS_B if w != words[-1]])}"
    return {**s, "id": f"N{i}", "name": s["name"].replace(s["brand"], brand),
            "address": s["address"].replace(str(s["number"]), str(rng.randint(401, 900)))}, kind


def _key_of(s: dict[str, Any]) -> SiteKey:
    return SiteKey.of(id=s["id"], name=s["name"], country=s["country"], address=s["address"],
                      city=s.get("city"))


def labelled_pairs(n: int = 2000, *, seed: int = 5, duplicate_share: float = 0.5,
                   ) -> list[LabelledPair]:
    """`n` pairs of sites: true duplicates with realistic noise (typos, abbreviations,
    reordered address parts, dropped Pinyin/Vietnamese diacritics, suite and building
    numbers, legal forms dropped or added) and hard non-duplicates (a sister plant on the
    same street, another company in the same park, the same company in another city, a
    similar name)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        base = base_site(rng, i)
        if rng.random() < duplicate_share:
            other, noise = noisy(rng, base)
            other = {**other, "id": f"D{i}"}
            out.append(LabelledPair(_key_of(base), _key_of(other), True, noise))
        else:
            other, kind = _hard_negative(rng, {**base, "plant": rng.randint(1, 4)}, i)
            if kind == "numbered_plants":
                base = {**base, "name": f"{base['brand']} {base['city']} Plant "
                                        f"{other['plant']} {base['legal']}"}
            out.append(LabelledPair(_key_of(base), _key_of(other), False, kind))
    return out


class Accuracy:
    """Precision, recall and F1 of a matcher's calls, from the counts a subclass keeps: here
    of scored pairs, and in bench/registry_eval.py of rows decided as an import decides them."""

    tp: int  # called the same site, and it is
    fp: int  # called the same site, and it is not
    fn: int  # the same site, not called so

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Evaluation(Accuracy):
    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int


def evaluate(pairs: Sequence[LabelledPair], threshold: float) -> Evaluation:
    """A pair counts as predicted duplicate when its score reaches `threshold`."""
    tp = fp = fn = tn = 0
    for p in pairs:
        predicted = score(p.a, p.b) >= threshold
        if predicted and p.duplicate:
            tp += 1
        elif predicted:
            fp += 1
        elif p.duplicate:
            fn += 1
        else:
            tn += 1
    return Evaluation(threshold, tp, fp, fn, tn)
