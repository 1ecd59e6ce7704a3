"""Generated data at scale: the sample's shapes for about N production sites.

Deterministic for a given `random_seed`: ids, names, timestamps and values all come from one
`random.Random`. Companies and organisations get predictable ids (`ORG-SP00000` for a buyer,
`BRD-S000001`, `SUP-S0000001`, ...) so that benchmarks can name them; sites, contracts and
reports get ids drawn from the generator.

Sites are generated and written a chunk at a time (with their reports, findings and
remediation), so that a million sites never sit in memory at once.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from graph.core.db import Graph
from graph.core.model import CPV_CATEGORIES, Label, Rel, ReportKind, SiteType
from seeds.shapes import (
    COUNTRY_CODES,
    EPOCH,
    SITE_TYPES_BY_ROLE,
    SOURCE_SCALE,
    Dataset,
    categories,
    company_name,
    contract_row,
    provenance,
    random_findings,
    report_with_findings,
    site_row,
)

_CHUNK_SITES = 10_000
OPERATOR = "ORG-SCALE-OPERATOR"


@dataclass
class _World:
    consortia: list[str]
    buyers: list[str]
    buyer_consortium: dict[str, str]
    monitors: list[str]
    auditors: list[str]
    brands: list[str]
    contractors: list[str]
    tier1: list[str]
    tier2: list[str]
    tier3: list[str]
    roles: dict[str, str]
    names: dict[str, str]
    brand_suppliers: dict[str, list[str]]


def _sizes(n: int) -> dict[str, int]:
    return {
        "consortia": max(2, n // 20_000), "buyers": max(6, n // 1_000),
        "monitors": max(2, n // 5_000), "auditors": max(1, n // 20_000),
        "brands": max(4, n // 500), "contractors": max(2, n // 2_000),
        "tier1": max(3, n // 100), "tier2": max(7, n // 25), "tier3": max(4, n // 200),
        "contracts": max(7, n // 10),
    }


def _world(rng: random.Random, n: int, ds: Dataset) -> _World:
    size = _sizes(n)
    t0 = EPOCH - timedelta(days=1200)
    src = SOURCE_SCALE
    categories(ds, OPERATOR)
    ds.node(Label.ORGANISATION, id=OPERATOR, name="supplygraph Operations (generated)",
            kind="OPERATOR", countryCode="NL", **provenance(OPERATOR, t0, src))

    def org(kind: str, i: int, name: str) -> str:
        oid = f"ORG-S{kind[0]}{i:05d}"
        ds.node(Label.ORGANISATION, id=oid, name=name, kind=kind,
                countryCode=rng.choice(["GB", "NL", "DE", "SE", "ES", "FR", "IT", "BE"]),
                **provenance(OPERATOR, t0, src))
        return oid

    consortia = [org("CONSORTIUM", i, f"Generated Purchasing Consortium {i}")
                 for i in range(size["consortia"])]
    buyers, buyer_consortium = [], {}
    for i in range(size["buyers"]):
        b = org("PUBLIC_BUYER", i, f"Generated Public Buyer {i}")
        c = consortia[i % len(consortia)]
        ds.rel(Label.ORGANISATION, b, Rel.MEMBER_OF, Label.ORGANISATION, c)
        buyers.append(b)
        buyer_consortium[b] = c
    monitors = [org("MONITOR", i, f"Generated Monitor {i}") for i in range(size["monitors"])]
    auditors = [org("AUDITOR", i, f"Generated Audit Firm {i}") for i in range(size["auditors"])]

    brands = []
    for i in range(size["brands"]):
        bid = f"BRD-S{i:06d}"
        ds.node(Label.BRAND, id=bid, name=f"{company_name(rng, 'US').split(' Ltd.')[0]} {i}",
                countryCode=rng.choice(["US", "DE", "KR", "JP", "TW", "CN", "NL"]),
                website=f"https://brand{i}.example", **provenance(OPERATOR, t0, src))
        brands.append(bid)

    roles: dict[str, str] = {}
    names: dict[str, str] = {}
    counter = iter(range(10**9))

    def supplier(role: str) -> str:
        sid = f"SUP-S{next(counter):07d}"
        country = rng.choice(COUNTRY_CODES) if role != "CONTRACTOR" else "GB"
        name = f"{company_name(rng, country)} {sid[-5:]}"
        ds.node(Label.SUPPLIER, id=sid, name=name, countryCode=country, roles=[role],
                identifiers=[f"LEI-{sid[5:]:X<18}"], **provenance(OPERATOR, t0, src))
        roles[sid], names[sid] = role, name
        return sid

    contractors = [supplier("CONTRACTOR") for _ in range(size["contractors"])]
    tier1 = [supplier("CONTRACT_MANUFACTURER") for _ in range(size["tier1"])]
    tier2 = [supplier("COMPONENT_MAKER") for _ in range(size["tier2"])]
    tier3 = [supplier(rng.choice(["SMELTER_REFINER", "SMELTER_REFINER", "MINE", "RECYCLER"]))
             for _ in range(size["tier3"])]

    def link(start: Label, a: str, b: str, owner: str) -> None:
        ds.rel(start, a, Rel.SOURCES_FROM, Label.SUPPLIER, b, contributedBy=owner,
               volume=rng.randint(100, 2_000_000), unitPrice=round(rng.uniform(0.5, 900), 2),
               createdAt="2025-01-06T09:00:00Z", source=src)

    brand_suppliers = {}
    for b in brands:
        chosen = rng.sample(tier1, min(len(tier1), rng.randint(2, 4)))
        brand_suppliers[b] = chosen
        for s in chosen:
            link(Label.BRAND, b, s, OPERATOR)
    for s in tier1:
        for t in rng.sample(tier2, min(len(tier2), rng.randint(3, 6))):
            link(Label.SUPPLIER, s, t, OPERATOR)
    for s in tier2:
        for t in rng.sample(tier3, min(len(tier3), rng.randint(1, 2))):
            link(Label.SUPPLIER, s, t, OPERATOR)
    return _World(consortia, buyers, buyer_consortium, monitors, auditors, brands, contractors,
                  tier1, tier2, tier3, roles, names, brand_suppliers)


def _sites_chunk(rng: random.Random, w: _World, ds: Dataset, count: int, used: set[str],
                 tier1_sites: dict[str, list[str]], supplier_brands: dict[str, list[str]]) -> None:
    src = SOURCE_SCALE
    cpvs = list(CPV_CATEGORIES)
    for _ in range(count):
        pool = rng.choices([w.tier1, w.tier2, w.tier3], weights=[3, 6, 1])[0]
        sup = rng.choice(pool)
        role = w.roles[sup]
        sharing = rng.choices(["PUBLIC", "CONSORTIUM", "PRIVATE"], weights=[90, 7, 3])[0]
        owner = rng.choice(w.monitors + [OPERATOR]) if sharing == "PUBLIC" else rng.choice(
            w.buyers)
        row = site_row(rng, country=rng.choice(COUNTRY_CODES), supplier_name=w.names[sup],
                       site_type=rng.choice(SITE_TYPES_BY_ROLE.get(role, [SiteType.OTHER])),
                       owner=owner, source=src, used_ids=used, sharing=sharing,
                       status=rng.choices(["ACTIVE", "CLOSED", "MOVED"], weights=[95, 4, 1])[0])
        site = row["id"]
        ds.node(Label.PRODUCTION_SITE, **row)
        ds.rel(Label.SUPPLIER, sup, Rel.OPERATES, Label.PRODUCTION_SITE, site)
        for cpv in rng.sample(cpvs, rng.randint(1, 2)):
            ds.rel(Label.PRODUCTION_SITE, site, Rel.MAKES, Label.PRODUCT_CATEGORY, cpv)
        if role == "CONTRACT_MANUFACTURER":
            tier1_sites.setdefault(sup, []).append(site)
            brands = supplier_brands.get(sup)
            if brands and rng.random() < 0.3:
                ds.rel(Label.BRAND, rng.choice(brands), Rel.PRODUCED_AT, Label.PRODUCTION_SITE,
                       site)
        for _ in range(min(3, int(rng.expovariate(1 / 1.2)))):
            kind = rng.choices(list(ReportKind), weights=[35, 15, 10, 10, 20, 10])[0]
            if kind == ReportKind.SOCIAL_AUDIT:
                author = rng.choice(w.auditors)
            elif kind == ReportKind.SELF_ASSESSMENT:
                author = rng.choice(w.buyers)
            else:
                author = rng.choice(w.monitors)
            r_sharing = "PUBLIC"
            shared_with: list[str] = []
            if kind == ReportKind.SELF_ASSESSMENT and rng.random() < 0.5:
                r_sharing = "CONSORTIUM"
            elif rng.random() < 0.1:
                r_sharing, shared_with = "RESTRICTED", rng.sample(w.buyers, 3)
            visit = date(2023, 1, 1) + timedelta(days=rng.randint(0, 1400))
            report_with_findings(
                ds, rng, site_id=site, author=author, kind=kind, source=src, visit=visit,
                findings=random_findings(rng, kind), sharing=r_sharing, shared_with=shared_with,
                sensitive_notes="Worker testimony held by the monitor"
                if kind == ReportKind.WORKER_DRIVEN_MONITORING else None,
                sensitive_readers=rng.sample(w.buyers, 1)
                if kind == ReportKind.WORKER_DRIVEN_MONITORING else None)


def _contracts(rng: random.Random, w: _World, ds: Dataset, count: int,
               tier1_sites: dict[str, list[str]]) -> None:
    cpvs = list(CPV_CATEGORIES)
    for i in range(count):
        buyer = w.buyers[i % len(w.buyers)]
        brand = rng.choice(w.brands)
        cpv = [rng.choice(cpvs)]
        sharing = rng.choices(["CONSORTIUM", "PRIVATE", "PUBLIC"], weights=[70, 20, 10])[0]
        start = date(2023, 1, 1) + timedelta(days=rng.randint(0, 1300))
        row = contract_row(rng, buyer=buyer, reference=f"ocds-gen-{i:08d}",
                           title=f"{CPV_CATEGORIES[cpv[0]]} framework {i}", cpv=cpv,
                           start=start, sharing=sharing, source=SOURCE_SCALE)
        cid = row["id"]
        ds.node(Label.CONTRACT, **row)
        ds.rel(Label.ORGANISATION, buyer, Rel.HOLDS, Label.CONTRACT, cid)
        ds.rel(Label.CONTRACT, cid, Rel.AWARDED_TO, Label.SUPPLIER, rng.choice(w.contractors))
        ds.rel(Label.CONTRACT, cid, Rel.COVERS, Label.BRAND, brand)
        ds.rel(Label.CONTRACT, cid, Rel.COVERS, Label.PRODUCT_CATEGORY, cpv[0])
        candidates = [s for sup in w.brand_suppliers[brand] for s in tier1_sites.get(sup, [])]
        for s in rng.sample(candidates, min(len(candidates), rng.randint(0, 3))):
            ds.rel(Label.CONTRACT, cid, Rel.SOURCED_FROM, Label.PRODUCTION_SITE, s)


def _site_chunks(rng: random.Random, w: _World, sites: int, tier1_sites: dict[str, list[str]],
                 supplier_brands: dict[str, list[str]]) -> Iterator[Dataset]:
    used: set[str] = set()
    done = 0
    while done < sites:
        k = min(_CHUNK_SITES, sites - done)
        ds = Dataset()
        _sites_chunk(rng, w, ds, k, used, tier1_sites, supplier_brands)
        done += k
        yield ds


def _contract_chunks(rng: random.Random, w: _World, count: int,
                     tier1_sites: dict[str, list[str]]) -> Iterator[Dataset]:
    # Runs only once every site chunk has been generated: contracts pick tier-1 sites.
    made = 0
    while made < count:
        k = min(_CHUNK_SITES, count - made)
        ds = Dataset()
        _contracts(rng, w, ds, k, tier1_sites)
        made += k
        yield ds


async def _write_pipelined(graph: Graph, chunks: Iterator[Dataset], batch_size: int,
                           written: Callable[[Dataset], None]) -> None:
    """Writes each chunk's nodes, then its relationships, three steps at a time: chunk k+1 is
    generated (in a thread) while chunk k's nodes and chunk k-1's relationships are written
    in two transactions at once. Those two touch disjoint nodes (chunk k's new ones; chunk
    k-1's and the companies, organisations and categories they link to), so they take no lock
    the other wants; every relationship's ends exist, chunk k-1's nodes having been written
    a step earlier. `written` is called with each chunk once it is wholly in the graph."""
    # One chunk at a time goes through the generator thread, so the random stream (and
    # with it the data) is the same as generating everything in order.
    upcoming = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
    behind: Dataset | None = None
    try:
        while (current := await upcoming) is not None:
            upcoming = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
            async with asyncio.TaskGroup() as lanes:
                lanes.create_task(current.load_nodes(graph, batch_size))
                if behind is not None:
                    lanes.create_task(behind.load_rels(graph, batch_size))
            if behind is not None:
                written(behind)
            behind = current
        if behind is not None:
            await behind.load_rels(graph, batch_size)
            written(behind)
    finally:
        upcoming.cancel()


async def load_scale(graph: Graph, *, sites: int, random_seed: int = 1, batch_size: int = 5000,
                     progress: bool = True) -> dict[str, Any]:
    rng = random.Random(random_seed)
    ds = Dataset()
    start = time.monotonic()
    world = _world(rng, sites, ds)
    supplier_brands: dict[str, list[str]] = {}
    for b, sups in world.brand_suppliers.items():
        for s in sups:
            supplier_brands.setdefault(s, []).append(b)
    nodes, rels = ds.counts()

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), disable=not progress, transient=False) as bar:
        await ds.load(graph, batch_size)
        ds.clear()

        n_contracts = _sizes(sites)["contracts"]
        task = bar.add_task("sites", total=sites)
        ctask = bar.add_task("contracts", total=n_contracts)

        def written(chunk: Dataset) -> None:
            nonlocal nodes, rels
            n, r = chunk.counts()
            nodes, rels = nodes + n, rels + r
            bar.advance(task, len(chunk.nodes.get(Label.PRODUCTION_SITE, ())))
            bar.advance(ctask, len(chunk.nodes.get(Label.CONTRACT, ())))

        tier1_sites: dict[str, list[str]] = {}
        chunks = itertools.chain(
            _site_chunks(rng, world, sites, tier1_sites, supplier_brands),
            _contract_chunks(rng, world, n_contracts, tier1_sites))
        await _write_pipelined(graph, chunks, batch_size, written)

    seconds = time.monotonic() - start
    return {
        "dataset": "scale", "sites": sites, "random_seed": random_seed, "nodes": nodes,
        "relationships": rels, "seconds": round(seconds, 2),
        "sites_per_second": sites / seconds, "nodes_per_second": nodes / seconds,
        "example_buyer": world.buyers[0], "example_brand": world.brands[0],
        "example_consortium": world.consortia[0],
    }
