"""Site matching: normalisation, scores of known hard cases, and the configured thresholds on
the generated labelled set (no database)."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from rapidfuzz import fuzz, process

from graph.sites import matching
from graph.sites.evidence import judge, judge_from
from graph.sites.matching import (
    MATCHED,
    NEEDS_CONFIRMATION,
    NEW,
    SiteIndex,
    SiteKey,
    _blocks,
    decide,
    normalise_address,
    normalise_name,
    score,
)
from seeds.matching_set import base_site, evaluate, labelled_pairs, noisy
from supplygraph.settings import Settings

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def key(name: str, country: str = "CN", address: str | None = None, city: str | None = None,
        id_: str = "x") -> SiteKey:
    return SiteKey.of(id=id_, name=name, country=country, address=address, city=city)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Jadeport (Kunshan) Electronics Co., Ltd.", "jadeport kunshan electronics"),
    ("RED DELTA BATTERY CO., LTD", "red delta battery"),
    ("Kinabalu Metals Sdn. Bhd.", "kinabalu metals"),
    ("Meridian Manufacturing S.A. de C.V.", "meridian"),
    ("Moravia Tech s.r.o.", "moravia tech"),
    ("Deccan Precision Pvt. Ltd.", "deccan precision"),
    ("Công ty TNHH Điện tử Minh Phát", "dien tu minh phat"),
    ("昆山电子厂", "kunshandianzichang"),
    ("Silver Bay Plant No.3", "silver bay 3"),
])
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


def test_normalise_address_drops_suites_and_abbreviates() -> None:
    assert normalise_address("Suite 5, Building 2, 88 Jīnshā Road") == "88 jinsha rd"
    assert normalise_address("Lô 42, Khu công nghiệp Quế Võ") == "lo 42 khu cong nghiep que vo"


@pytest.mark.parametrize(("a", "b", "same"), [
    (key("Jadeport Kunshan Electronics Co., Ltd.", address="88 Jinsha Road", city="Kunshan"),
     key("JADEPORT ELECTRONICS (KUNSHAN)", address="Bldg 3, 88 Jīnshā Rd.", city="Kunshan"),
     True),
    (key("Red Delta Battery Co., Ltd", "VN", "Lô 7, KCN Yên Phong", "Bắc Ninh"),
     key("Red Delta Battery", "VN", "Lo 7, KCN Yen Phong", "Bac Ninh"), True),
    # sister plants of one company at one address are two sites
    (key("Jadeport Kunshan Plant 2", address="88 Jinsha Road"),
     key("Jadeport Kunshan Plant 3", address="88 Jinsha Road"), False),
    # two companies in one multi-tenant building
    (key("Lotus Cable Co., Ltd.", address="12 Xinghua Street", city="Shenzhen"),
     key("Summit Optics Co., Ltd.", address="12 Xinghua Street", city="Shenzhen"), False),
    # the same company's neighbouring plot is another site
    (key("Pearl Display", address="161 Huanqing Road"),
     key("Pearl Display", address="412 Huanqing Road"), False),
])
def test_known_cases(a: SiteKey, b: SiteKey, same: bool) -> None:
    s = score(a, b)
    if same:
        assert s >= SETTINGS.match_high, s
    else:
        assert s < SETTINGS.match_high, s


def test_other_country_never_matches() -> None:
    assert score(key("Jade Circuit", "CN"), key("Jade Circuit", "VN")) == 0.0


def test_decide_bands() -> None:
    site = key("Jade Circuit Co., Ltd.", address="5 Jinsha Road", id_="")
    exact = key("Jade Circuit", address="5 Jinsha Road", id_="A")
    near = key("Jade Circuits", address="7 Jinsha Road", id_="B")
    far = key("Summit Optics", address="90 Xinghua Street", id_="C")
    kw = {"low": SETTINGS.match_low, "high": SETTINGS.match_high}
    assert decide(site, [far, exact, near], **kw).outcome == MATCHED
    assert decide(site, [far, exact, near], **kw).best.id == "A"  # type: ignore[union-attr]
    assert decide(site, [near, far], **kw).outcome == NEEDS_CONFIRMATION
    assert decide(site, [far], **kw).outcome == NEW


@pytest.mark.parametrize("seed", [5, 11])
def test_thresholds_on_the_labelled_set(seed: int) -> None:
    pairs = labelled_pairs(3000, seed=seed)
    high = evaluate(pairs, SETTINGS.match_high)
    low = evaluate(pairs, SETTINGS.match_low)
    # automatic matches are almost never wrong; nearly every duplicate is at least asked about
    assert high.precision >= 0.99, high
    assert high.recall >= 0.95, high
    assert low.recall >= 0.99, low
    assert high.f1 >= 0.97, high


def test_labelled_set_is_deterministic_and_balanced() -> None:
    a, b = labelled_pairs(400, seed=3), labelled_pairs(400, seed=3)
    assert [(p.a, p.b, p.duplicate) for p in a] == [(p.a, p.b, p.duplicate) for p in b]
    share = sum(p.duplicate for p in a) / len(a)
    assert 0.4 < share < 0.6
    kinds = {p.noise for p in a if not p.duplicate}
    assert {"sister_plant", "same_building", "numbered_plants"} <= kinds


def _near_by_counting(index: SiteIndex, site: SiteKey, limit: int = 15,
                      cutoff: float = 50) -> list[SiteKey]:
    """`SiteIndex.near` as first written (count every block, `most_common`), kept as the
    reference its faster form must agree with."""
    keys = index.by_country.get(site.country, [])
    shared: Counter[int] = Counter()
    for b in _blocks(site):
        shared.update(index._blocks.get((site.country, b), ()))
    if not shared:
        return []
    pool = matching.MAX_POOL
    ids = sorted(i for i, _ in shared.most_common(pool)) if len(shared) > pool \
        else sorted(shared)
    names = index._names[site.country]
    hits = process.extract(" ".join(site.names), [names[i] for i in ids],
                           scorer=fuzz.token_set_ratio, limit=limit, score_cutoff=cutoff)
    return [keys[ids[j]] for _, _, j in hits]


@pytest.mark.parametrize("max_pool", [10, 40, 400])
def test_site_index_near_picks_what_counting_every_block_picks(
        max_pool: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # given an index where common words block more sites together than the pool holds
    monkeypatch.setattr(matching, "MAX_POOL", max_pool)
    rng = random.Random(3)
    index, made = _generated_index(rng, 6000)
    rows = [noisy(rng, rng.choice(made))[0] for _ in range(400)] + \
        [base_site(rng, 10_000 + i) for i in range(100)]
    # when each row is looked up, then the candidates are the reference's, in its order
    for r in rows:
        assert index.near(_row_key(r)) == _near_by_counting(index, _row_key(r))


def _generated_index(rng: random.Random, n: int) -> tuple[SiteIndex, list[dict[str, Any]]]:
    """An index of `n` generated sites, and the sites."""
    index = SiteIndex()
    made = [base_site(rng, i) for i in range(n)]
    for s in made:
        index.add(SiteKey.of(id=s["id"], name=s["name"], country=s["country"],
                             address=s["address"], city=s["city"]))
    return index, made


def _row_key(r: dict[str, Any], id_: str = "") -> SiteKey:
    return SiteKey.of(id=id_, name=r["name"], country=r["country"], address=r["address"],
                      city=r["city"])


@pytest.mark.parametrize("floor", [0.0, 50.0, SETTINGS.match_low, SETTINGS.match_high, 97.0])
def test_judge_from_drops_only_what_scores_below_the_floor(floor: float) -> None:
    # given labelled pairs (duplicates and hard non-duplicates, identifiers included) and
    # each row of a noisy file against the candidates an index gives it
    pairs = [(p.a, p.b) for p in labelled_pairs(600, seed=11)]
    rng = random.Random(5)
    index, made = _generated_index(rng, 1500)
    for _ in range(150):
        site = _row_key(noisy(rng, rng.choice(made))[0], "row")
        pairs += [(site, c) for c in index.near(site)]
    below = 0
    for a, b in pairs:
        full = judge(a, b)
        # then a pair is dropped exactly when its score, as `decide` rounds it, is below the
        # floor, and anything kept is the whole evidence, reasons and all
        cut = judge_from(a, b, floor)
        if round(full.score, 1) < floor:
            assert cut is None, (a, b)
            below += 1
        else:
            assert cut == full, (a, b)
    assert floor == 0.0 or below > 0, "the floor dropped nothing: the test tests nothing"
