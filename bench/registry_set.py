"""A labelled matching set as an import meets it: a registry of sites and the rows a supplier
sends, each row labelled with the registered site it is (or none: a new site), and the
evaluation of the matcher's decisions on it (issue 13).

Harder than `seeds.matching_set` (pairs): rows are matched against the whole registry and
the rows before them, as `supplygraph import sites` does (`SiteIndex` + `decide`), and
the registry holds the look-alikes real lists have:
- groups of legal entities at one building ("X Display (Kulim) Sdn Bhd" next to
  "X Assembly (Kulim) Sdn Bhd"), numbered plants, neighbours on one street;
- identifiers on a share of sites and rows (OS ID, LEI, DUNS, RBA facility id, the
  supplier's own factory code), a few of them stale;
- coordinates with realistic error (tens of metres; a few geocoded to the town centre).
Rows: duplicates with noise (typos, abbreviations, transliteration, reordered address,
missing fields, legal forms, suites), hard negatives (another legal entity at the same
building, another plant number, another street number, another business unit, the same
group in another town, an LEI copied from a site in another country), new sites, and
duplicates of earlier rows of the same file.

    labelled_registry(seed=...) -> LabelledRegistry (bench/registry_eval.py scores it)
"""

from __future__ import annotations

import random
import string
import zlib
from dataclasses import dataclass, field

from anyascii import anyascii

from graph.sites.matching import SiteKey
from seeds.matching_set import typo

_GROUP = ["Jade", "Lotus", "Silver", "Golden", "Eastern", "Pearl", "Summit", "Harbour",
          "Crane", "Orchid", "Phoenix", "Cedar", "River", "Bright", "Delta", "Sunrise",
          "Northstar", "Evergreen", "Tianma", "Hongda", "Minh Phát", "Việt Tiến", "Kinabalu",
          "Meridian", "Moravia", "Deccan", "Azteca", "Lanna", "Borneo", "Mekong", "Yangtze",
          "Pacific", "Aurora", "Granite", "Falcon", "Zenith", "Kestrel", "Sapphire", "Vantage",
          "Cobalt", "Nimbus", "Quantum", "Sterling", "Titan", "Unity", "Vertex", "Willow",
          "Xinhua", "Huaxin", "Longsheng", "Dragon", "Tiger", "Lion", "Apex", "Beacon"]
_LINE = ["Circuit", "Precision", "Electronics", "Components", "Power", "Display", "Cable",
         "Battery", "Metal", "Plastics", "Optics", "Assembly", "Systems", "Technology",
         "Semiconductor", "Packaging", "Connectors", "Magnetics"]
_UNITS = ["Power Division", "Automotive Division", "Medical Business Unit", "Display Division"]
_ABBREV = {"Electronics": "Elec.", "Technology": "Tech", "Precision": "Prec.",
           "Components": "Comp.", "Systems": "Sys.", "Assembly": "Assy", "Road": "Rd.",
           "Street": "St.", "Avenue": "Ave", "Industrial": "Ind.", "Jalan": "Jln",
           "Number": "No."}
_PLACES = {
    "CN": [("Kunshan", 31.385, 120.98, ["Jīnshā Road", "Huánqìng Road", "Xīnghuá Street"]),
           ("Shenzhen", 22.543, 114.058, ["Lónggǎng Avenue", "Bǎo'ān Road", "Nánhǎi Road"]),
           ("Dongguan", 23.021, 113.752, ["Dōngchéng Road", "Chángān Street"])],
    "VN": [("Bắc Ninh", 21.186, 106.076, ["Đường Yên Phong", "Khu công nghiệp Quế Võ"]),
           ("Hải Phòng", 20.845, 106.688, ["Khu công nghiệp Đình Vũ", "Đường Lê Lợi"])],
    "MY": [("Kulim", 5.365, 100.562, ["Jalan Hi-Tech 2", "Jalan Hi-Tech 6"]),
           ("Penang", 5.354, 100.3, ["Jalan Bayan Lepas", "Lorong Perusahaan 8"])],
    "MX": [("Guadalajara", 20.659, -103.349, ["Avenida Periférico Sur", "Calle Industria"])],
    "CZ": [("Brno", 49.195, 16.607, ["Průmyslová", "Heršpická"])],
    "IN": [("Chennai", 13.083, 80.27, ["SIPCOT Industrial Park Road", "Mount Road"])],
}
_COUNTRIES = ["CN", "CN", "CN", "VN", "VN", "MY", "MY", "MX", "CZ", "IN"]
_LEGAL = {"CN": ["Co., Ltd.", "Co. Ltd", "Company Limited"], "VN": ["Co., Ltd", "JSC"],
          "MY": ["Sdn. Bhd.", "Sdn Bhd"], "MX": ["S.A. de C.V.", "SA de CV"],
          "CZ": ["s.r.o.", "spol. s r.o."], "IN": ["Pvt. Ltd.", "Private Limited"]}


@dataclass
class Site:
    id: str
    name: str
    address: str
    city: str
    country: str
    lat: float | None = None
    lon: float | None = None
    idents: dict[str, str] = field(default_factory=dict)
    # What a look-alike needs: the group word, the line word, the street and number.
    group: str = ""
    line: str = ""
    street: str = ""
    number: int = 0
    legal: str = ""
    place: tuple[float, float] = (0.0, 0.0)

    def key(self) -> SiteKey:
        return SiteKey.of(id=self.id, name=self.name, country=self.country,
                          address=self.address or None, city=self.city or None,
                          idents=[f"{s}:{v}" for s, v in self.idents.items()],
                          lat=self.lat, lon=self.lon)


@dataclass(frozen=True)
class Row:
    key: SiteKey
    truth: str | None  # the id of the site this row is, or None (new)
    kind: str
    raw: Site | None = field(default=None, compare=False, hash=False)  # as the file has it


@dataclass
class LabelledRegistry:
    sites: list[Site]
    rows: list[Row]


def _code(rng: random.Random, n: int, alphabet: str = string.ascii_uppercase + string.digits
          ) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _idents(rng: random.Random, country: str, org: str) -> dict[str, str]:
    out = {}
    if rng.random() < 0.4:
        out["OSH"] = f"{country}{rng.randint(2019, 2025)}{rng.randint(100, 366)}{_code(rng, 7)}"
    if rng.random() < 0.2:
        out["LEI"] = _code(rng, 18) + f"{rng.randint(10, 99)}"
    if rng.random() < 0.15:
        out["DUNS"] = _code(rng, 9, string.digits)
    if rng.random() < 0.05:
        out["RBA"] = f"RBA-{_code(rng, 6, string.digits)}"
    if rng.random() < 0.1:
        out[f"CODE:{org}"] = f"F{rng.randint(1, 9999):04d}"
    return out


def _jitter(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    return (lat + rng.gauss(0, metres) / 111_000, lon + rng.gauss(0, metres) / 111_000)


class _Maker:
    def __init__(self, rng: random.Random, org: str) -> None:
        self.rng, self.org, self.n = rng, org, 0
        self.used: set[tuple[str, str, str]] = set()

    def site(self, *, country: str | None = None, group: str | None = None,
             line: str | None = None, street: str | None = None, number: int | None = None,
             city: tuple[str, float, float, list[str]] | None = None,
             suffix: str = "") -> Site:
        rng = self.rng
        country = country or rng.choice(_COUNTRIES)
        place = city or rng.choice(_PLACES[country])
        city_name, lat, lon, streets = place
        group = group or rng.choice(_GROUP)
        line = line or rng.choice(_LINE)
        street = street or rng.choice(streets)
        number = number if number is not None else rng.randint(1, 400)
        # Two registered sites are never one record twice: a look-alike that would be
        # drawn identical moves to the next plot.
        while (group, line + suffix, street, number) in self.used:
            number += 1
        self.used.add((group, line + suffix, street, number))
        legal = rng.choice(_LEGAL[country])
        name = (f"{group} {line}{suffix} ({city_name}) {legal}" if rng.random() < 0.5
                else f"{group} {line}{suffix} {legal}")
        address = (f"Lô {number}, {street}" if country == "VN" else
                   f"No. {number} {street}" if country == "CN" else f"{number} {street}")
        self.n += 1
        # A park is a few kilometres across; a street number ~40 m from the next.
        h = zlib.crc32(street.encode())  # not hash(): that changes with every process
        base = (lat + (h % 100 - 50) / 4000, lon + (h % 77 - 38) / 4000)
        slat, slon = base[0] + number * 0.00035, base[1]
        s = Site(f"S{self.n}", name, address, city_name, country, group=group, line=line,
                 street=street, number=number, legal=legal, place=(slat, slon))
        if rng.random() < 0.6:
            s.lat, s.lon = _jitter(rng, slat, slon, 25)
        s.idents = _idents(rng, country, self.org)
        return s


NOISE = ("typo", "abbrev", "translit", "reorder", "no_city", "suite", "legal", "case",
         "no_coords")
NO_ADDRESS = 0.05  # disclosure lists and OSH nearly always give one


def noisy_copy(rng: random.Random, s: Site, row_id: str) -> tuple[Site, str]:
    """The row a supplier writes for site `s`."""
    kinds = rng.sample(NOISE, k=rng.randint(1, 3))
    if rng.random() < NO_ADDRESS:
        kinds.append("no_address")
    name, address, city = s.name, s.address, s.city
    lat, lon = s.lat, s.lon
    if "no_coords" not in kinds and rng.random() < 0.5:
        # Geocoded by the supplier: tens of metres usually, the town centre sometimes.
        lat, lon = _jitter(rng, *s.place, 40)
        if rng.random() < 0.05:
            lat, lon = _jitter(rng, *s.place, 3000)
    else:
        lat = lon = None
    for kind in kinds:
        if kind == "typo":
            name = typo(rng, name)
        elif kind == "abbrev":
            for full, short in _ABBREV.items():
                name, address = name.replace(full, short), address.replace(full, short)
        elif kind == "translit":
            name, address, city = anyascii(name), anyascii(address), anyascii(city)
        elif kind == "reorder":
            words = address.replace(",", "").split()
            address = " ".join(words[2:] + words[:2]) if s.country == "CN" else \
                ", ".join(reversed(address.split(", "))) if "," in address else \
                " ".join(words[1:] + words[:1])
        elif kind == "no_address":
            address = ""
        elif kind == "no_city":
            city = ""
        elif kind == "suite":
            address = f"{rng.choice(['Suite', 'Building', 'Bldg.', 'Floor', 'Unit'])} " \
                      f"{rng.randint(1, 30)}, {address}"
        elif kind == "legal":
            name = name.replace(s.legal, "").strip()
        elif kind == "case":
            name = name.upper()
    # Identifiers: the supplier knows some of them; now and then one is stale.
    idents = {k: v for k, v in s.idents.items() if rng.random() < 0.5}
    if idents and rng.random() < 0.02:
        k = rng.choice(sorted(idents))
        idents[k] = idents[k][:-2] + "99"
        kinds.append("stale_id")
    return Site(row_id, name, address, city, s.country, lat, lon, idents), \
        "+".join(sorted(kinds))


HARD = ("other_entity_same_building", "other_plant_number", "other_street_number",
        "other_business_unit", "same_group_other_town", "other_company_same_building",
        "lei_other_country")


def hard_negative(rng: random.Random, make: _Maker, s: Site) -> tuple[Site, str]:
    """A new site that looks like registered site `s`."""
    kind = rng.choice(HARD)
    place = next(p for p in _PLACES[s.country] if p[0] == s.city)
    if kind == "other_entity_same_building":
        line = rng.choice([x for x in _LINE if x != s.line])
        n = make.site(country=s.country, group=s.group, line=line, street=s.street,
                      number=s.number, city=place)
    elif kind == "other_plant_number":
        n = make.site(country=s.country, group=s.group, line=s.line, street=s.street,
                      number=s.number + rng.randint(2, 40), city=place,
                      suffix=f" Plant {rng.randint(2, 9)}")
    elif kind == "other_street_number":
        n = make.site(country=s.country, group=s.group, line=s.line, street=s.street,
                      number=s.number + rng.choice([-1, 1]) * rng.randint(2, 60) + 100,
                      city=place)
    elif kind == "other_business_unit":
        n = make.site(country=s.country, group=s.group, line=s.line, street=s.street,
                      number=s.number, city=place, suffix=" " + rng.choice(_UNITS))
    elif kind == "same_group_other_town":
        n = make.site(country=s.country, group=s.group, line=s.line)
    elif kind == "other_company_same_building":
        group = rng.choice([g for g in _GROUP if g != s.group])
        n = make.site(country=s.country, group=group, street=s.street, number=s.number,
                      city=place)
    else:
        # Another country's site with the LEI of `s`'s legal entity copied in.
        other = rng.choice([c for c in _PLACES if c != s.country])
        n = make.site(country=other, group=s.group, line=s.line)
        n.idents = {"LEI": s.idents.get("LEI") or _code(rng, 20)}
        if "LEI" not in s.idents:
            s.idents["LEI"] = n.idents["LEI"]
    if kind != "lei_other_country":
        # Whatever identifiers the look-alike carries are its own.
        n.idents = {k: v for k, v in n.idents.items() if rng.random() < 0.5}
    return n, kind


def labelled_registry(n_sites: int = 2000, n_rows: int = 1800, *, seed: int = 13,
                      new_share: float = 0.45, in_file_share: float = 0.05,
                      org: str = "org-supplier") -> LabelledRegistry:
    rng = random.Random(seed)
    make = _Maker(rng, org)
    sites: list[Site] = []
    while len(sites) < n_sites:
        s = make.site()
        sites.append(s)
        # Groups: a sister entity at the same building, or a numbered plant nearby, is
        # registered too, as in real industrial parks.
        r = rng.random()
        if r < 0.15:
            sites.append(make.site(country=s.country, group=s.group,
                                   line=rng.choice([x for x in _LINE if x != s.line]),
                                   street=s.street, number=s.number,
                                   city=next(p for p in _PLACES[s.country] if p[0] == s.city)))
        elif r < 0.25:
            sites.append(make.site(country=s.country, group=s.group, line=s.line,
                                   street=s.street, number=s.number + rng.randint(2, 30),
                                   city=next(p for p in _PLACES[s.country] if p[0] == s.city),
                                   suffix=f" Plant {rng.randint(2, 5)}"))
    sites = sites[:n_sites]
    rows: list[Row] = []
    created: list[tuple[Site, str]] = []  # new sites of this file, for in-file duplicates
    for i in range(n_rows):
        row_id = f"R{i + 1}"
        r = rng.random()
        if r < in_file_share and created:
            earlier, earlier_id = rng.choice(created)
            copy, noise = noisy_copy(rng, earlier, row_id)
            rows.append(Row(copy.key(), earlier_id, "in_file:" + noise, copy))
        elif r < in_file_share + new_share:
            if rng.random() < 0.7:
                n, kind = hard_negative(rng, make, rng.choice(sites))
            else:
                n, kind = make.site(), "new"
            n.id = row_id
            rows.append(Row(n.key(), None, kind, n))
            created.append((n, row_id))
        else:
            s = rng.choice(sites)
            copy, noise = noisy_copy(rng, s, row_id)
            rows.append(Row(copy.key(), s.id, noise, copy))
    return LabelledRegistry(sites, rows)
