"""Per-request batched loaders: one `UNWIND` round trip per relation and level of a query.

`Loaders` is built per request (the viewer is baked into every loader, so a cached answer
can never cross from one caller to another). Loaders are created on first use and named
`<Target>By<Key>Loader`. `RequestGraph` (graph/core/db.py, re-exported here) counts the
request's own round trips, which the tests and `bench/` read. The Cypher is graph's
(graph/core/nodes.py); the batching is strawberry's `DataLoader`, hence this layer.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, LiteralString

from strawberry.dataloader import DataLoader

from graph.core.db import QueryRunner, RequestGraph
from graph.analytics.exposure import exposure as exposure_walk
from graph.companies.supply_chain import brand_with_supply_chain, supply_chain_by_brand
from graph.core.nodes import (
    Prefetch,
    Relation,
    node_with_related,
    nodes_by_id,
    related_by_id,
    related_count,
    related_page,
)
from graph.core.visibility import Shape
from graph.imports.runs import rows_pages

__all__ = ["Loaders", "QueryRunner", "RequestGraph"]


class NodeByIdLoader(DataLoader[str, dict[str, Any] | None]):
    """Visible nodes of one shape by id; None for an unknown or invisible id."""

    def __init__(self, runner: QueryRunner, viewer: dict[str, Any], shape: Shape) -> None:
        self.runner, self.viewer, self.shape = runner, viewer, shape
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[str]) -> list[dict[str, Any] | None]:
        rows = await self.runner.query(nodes_by_id(self.shape),
                                       {"ids": list(ids), **self.viewer},
                                       name=f"{self.shape.label.value}ById")
        found = {r["key"]: r["node"] for r in rows}
        return [found.get(i) for i in ids]


class RelatedByParentIdLoader(DataLoader[str, list[dict[str, Any]]]):
    """Visible targets of one relation per parent id, in id order."""

    def __init__(self, runner: QueryRunner, viewer: dict[str, Any], relation: Relation,
                 shape: Shape) -> None:
        self.runner, self.viewer = runner, viewer
        self.relation, self.shape = relation, shape
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[str]) -> list[list[dict[str, Any]]]:
        rows = await self.runner.query(related_by_id(self.relation, self.shape),
                                       {"ids": list(ids), **self.viewer},
                                       name=self.relation.name)
        found = {r["key"]: r["nodes"] for r in rows}
        return [found.get(i, []) for i in ids]


class RelatedCountLoader(DataLoader[str, int]):
    """How many visible targets of one relation per parent id satisfy a fixed condition."""

    def __init__(self, runner: QueryRunner, viewer: dict[str, Any], relation: Relation,
                 shape: Shape, where: str) -> None:
        self.runner, self.viewer = runner, viewer
        self.relation, self.shape, self.where = relation, shape, where
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[str]) -> list[int]:
        rows = await self.runner.query(related_count(self.relation, self.shape, self.where),
                                       {"ids": list(ids), **self.viewer},
                                       name=f"{self.relation.name}_count")
        found = {r["key"]: r["n"] for r in rows}
        return [found.get(i, 0) for i in ids]


class RelatedPageLoader(DataLoader[str, tuple[int, list[dict[str, Any]]]]):
    """Parent id -> (how many visible targets, one page of them in id order): a connection
    along a relation reads only its page. With `nested_loader`, the page rows' own targets
    come in the same round trip and prime it, so the next level of the query is answered
    without going back to Neo4j."""

    def __init__(self, runner: QueryRunner, viewer: dict[str, Any], relation: Relation,
                 shape: Shape, nested: Relation | None,
                 nested_loader: RelatedByParentIdLoader | None, window: tuple[int, int]) -> None:
        self.runner, self.viewer = runner, viewer
        self.relation, self.shape, self.window = relation, shape, window
        self.nested, self.nested_loader = nested, nested_loader
        super().__init__(load_fn=self._load)

    def prime_page(self, key: str, row: dict[str, Any], i: str = "") -> None:
        """Prime this loader (and the nested one) from a row carrying `c<i>`, `r<i>` and
        `n<i>`, as `related_page` and `node_with_related` return them."""
        self.prime(key, (row[f"c{i}"], row[f"r{i}"]))
        self._prime_nested(row, i)

    def _prime_nested(self, row: dict[str, Any], i: str = "") -> None:
        if self.nested_loader is not None:
            self.nested_loader.prime_many(
                {node["id"]: inner for node, inner in zip(row[f"r{i}"], row[f"n{i}"])})

    async def _load(self, ids: Sequence[str]) -> list[tuple[int, list[dict[str, Any]]]]:
        nested = None
        if self.nested is not None and self.nested_loader is not None:
            nested = (self.nested, self.nested_loader.shape)
        skip, limit = self.window
        rows = await self.runner.query(
            related_page(self.relation, self.shape, nested),
            {"ids": list(ids), "skip": skip, "limit": limit, **self.viewer},
            name=f"{self.relation.name}_page" + (f"+{nested[0].name}" if nested else ""))
        found: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        for r in rows:
            found[r["key"]] = (r["c"], r["r"])
            self._prime_nested(r)
        return [found.get(i, (0, [])) for i in ids]


class NodeWithRelatedLoader(DataLoader[str, dict[str, Any] | None]):
    """`NodeByIdLoader` that reads `parts` in the same round trip and primes each part's own
    loader (`targets`, in the order of `parts`) with what it would have read: the fields
    that ask those loaders next are answered without going back to Neo4j."""

    def __init__(self, runner: QueryRunner, viewer: dict[str, Any], shape: Shape,
                 parts: tuple[Prefetch, ...], targets: list[Any]) -> None:
        self.runner, self.viewer, self.shape = runner, viewer, shape
        self.parts, self.targets = parts, targets
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[str]) -> list[dict[str, Any] | None]:
        windows = {}
        for i, part in enumerate(self.parts):
            if part.window is not None:
                windows[f"skip{i}"], windows[f"limit{i}"] = part.window
        rows = await self.runner.query(node_with_related(self.shape, self.parts),
                                       {"ids": list(ids), **windows, **self.viewer},
                                       name=f"{self.shape.label.value}ById+{len(self.parts)}")
        found: dict[str, dict[str, Any]] = {}
        for r in rows:
            key = r["key"]
            found[key] = r["node"]
            for i, (part, target) in enumerate(zip(self.parts, self.targets, strict=True)):
                if part.window is not None:
                    target.prime_page(key, r, str(i))
                else:
                    target.prime(key, r[f"r{i}"])
        return [found.get(i) for i in ids]


class SupplyChainByBrandLoader(DataLoader[tuple[str, int], list[dict[str, Any]]]):
    """(brand id, max tier) -> entries {tier, supplier, site}, each supplier and site once."""

    def __init__(self, runner: QueryRunner, viewer: dict[str, Any], supplier: Shape,
                 site: Shape) -> None:
        self.runner, self.viewer = runner, viewer
        self.supplier, self.site = supplier, site
        super().__init__(load_fn=self._load)

    async def _load(self, keys: Sequence[tuple[str, int]]) -> list[list[dict[str, Any]]]:
        rows = await self.runner.query(
            supply_chain_by_brand(self.supplier, self.site),
            {"keys": [{"brandId": b, "maxTier": t} for b, t in keys], **self.viewer},
            name="supply_chain")
        found = {(r["key"]["brandId"], r["key"]["maxTier"]): r["entries"] for r in rows}
        return [_flatten(found.get(k, [])) for k in keys]


class BrandWithSupplyChainLoader(DataLoader[tuple[str, int], dict[str, Any] | None]):
    """(brand id, max tier) -> the brand's row, its supply chain read in the same round trip
    and primed into `chain`, the loader `Brand.supplyChain` then asks: a brand with its
    chain is one round trip, not two."""

    def __init__(self, runner: QueryRunner, viewer: dict[str, Any], brand: Shape,
                 chain: SupplyChainByBrandLoader) -> None:
        self.runner, self.viewer, self.brand, self.chain = runner, viewer, brand, chain
        super().__init__(load_fn=self._load)

    async def _load(self, keys: Sequence[tuple[str, int]]) -> list[dict[str, Any] | None]:
        rows = await self.runner.query(
            brand_with_supply_chain(self.brand, self.chain.supplier, self.chain.site),
            {"keys": [{"brandId": b, "maxTier": t} for b, t in keys], **self.viewer},
            name="BrandById+supply_chain")
        found: dict[tuple[str, int], dict[str, Any]] = {}
        for r in rows:
            key = (r["key"]["brandId"], r["key"]["maxTier"])
            found[key] = r["node"]
            self.chain.prime(key, _flatten(r["entries"]))
        return [found.get(k) for k in keys]


def _flatten(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen_sites: set[str] = set()
    for entry in sorted(entries, key=lambda e: (e["tier"], e["supplier"]["id"])):
        sites = [s for s in sorted(entry["sites"], key=lambda s: s["id"])
                 if s["id"] not in seen_sites]
        seen_sites.update(s["id"] for s in sites)
        if not sites:
            out.append({"tier": entry["tier"], "supplier": entry["supplier"], "site": None})
        for site in sites:
            out.append({"tier": entry["tier"], "supplier": entry["supplier"], "site": site})
    return out


class RowByKeyLoader(DataLoader[str, dict[str, Any] | None]):
    """One row per key from a fixed `UNWIND $ids AS key ... RETURN key, ...` query (the
    analytics: leverage, risk, contradictions); None for an unknown or invisible key."""

    def __init__(self, runner: QueryRunner, viewer: dict[str, Any], cypher: LiteralString,
                 params: dict[str, Any], name: str) -> None:
        self.runner, self.viewer = runner, viewer
        self.cypher, self.params, self.name = cypher, params, name
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[str]) -> list[dict[str, Any] | None]:
        rows = await self.runner.query(self.cypher,
                                       {**self.params, "ids": list(ids), **self.viewer},
                                       name=self.name)
        found = {r["key"]: r for r in rows}
        return [found.get(i) for i in ids]


@dataclass(frozen=True)
class ExposureWindow:
    """What one `Contract.exposure` field asks for, apart from the contract: the fields
    selected, the tier, the filters and the page. Equal windows share one round trip."""

    site: Shape
    finding: Shape
    max_tier: int
    filters: tuple[tuple[str, Any], ...]
    skip: int
    limit: int


class ExposureByContractLoader(DataLoader[str, tuple[int, list[dict[str, Any]]]]):
    """Contract id -> (total, page rows) of its exposure: a list of contracts each asking
    for its exposure is one walk (`UNWIND $keys`), not one per contract."""

    def __init__(self, runner: QueryRunner, viewer: dict[str, Any],
                 window: ExposureWindow) -> None:
        self.runner, self.viewer, self.window = runner, viewer, window
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[str]) -> list[tuple[int, list[dict[str, Any]]]]:
        w = self.window
        found = await exposure_walk(self.runner, viewer=self.viewer, head="contract",
                                    keys=list(ids), site=w.site, finding=w.finding,
                                    max_tier=w.max_tier, filters=dict(w.filters),
                                    skip=w.skip, limit=w.limit)
        return [found.get(i, (0, [])) for i in ids]


@dataclass(frozen=True)
class RowsWindow:
    """What one `ImportRun.rows` field asks for, apart from the run: equal windows of a
    list of runs share one round trip."""

    outcome: str | None
    skip: int
    limit: int


class ImportRowsByRunLoader(DataLoader[str, tuple[int, list[dict[str, Any]]]]):
    """Run id -> (rows matching the window's outcome, the window's page of them); a run of
    another organisation gets (0, []), as an unknown one."""

    def __init__(self, runner: QueryRunner, viewer: dict[str, Any], window: RowsWindow) -> None:
        self.runner, self.viewer, self.window = runner, viewer, window
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[str]) -> list[tuple[int, list[dict[str, Any]]]]:
        w = self.window
        found = await rows_pages(self.runner, self.viewer, list(ids), outcome=w.outcome,
                                 skip=w.skip, limit=w.limit)
        return [found.get(i, (0, [])) for i in ids]


class Loaders:
    """All loaders of one request, created on first use."""

    def __init__(self, runner: QueryRunner, viewer: dict[str, Any]) -> None:
        self.runner = runner
        self.viewer = viewer
        self._made: dict[Hashable, DataLoader[Any, Any]] = {}

    def clear_all(self) -> None:
        """Forget everything read so far (after a write: a later field of the same request,
        a mutation's payload among them, reads the graph as it now is)."""
        for loader in self._made.values():
            loader.clear_all()

    def node(self, shape: Shape) -> NodeByIdLoader:
        key = ("node", shape)
        if key not in self._made:
            self._made[key] = NodeByIdLoader(self.runner, self.viewer, shape)
        return self._made[key]  # type: ignore[return-value]

    def node_with(self, shape: Shape, parts: tuple[Prefetch, ...]) -> NodeWithRelatedLoader:
        """Nodes by id with `parts` read alongside, priming `related` / `related_page` /
        `related_count`."""
        key = ("node_with", shape, parts)
        if key not in self._made:
            targets = [self.related_page(p.relation, p.shape, p.nested, p.window)
                       if p.window is not None
                       else self.related_count(p.relation, p.shape, p.where)
                       if p.where is not None
                       else self.related(p.relation, p.shape)
                       for p in parts]
            self._made[key] = NodeWithRelatedLoader(self.runner, self.viewer, shape, parts,
                                                    targets)
        return self._made[key]  # type: ignore[return-value]

    def related(self, relation: Relation, shape: Shape) -> RelatedByParentIdLoader:
        key = ("related", relation, shape)
        if key not in self._made:
            self._made[key] = RelatedByParentIdLoader(self.runner, self.viewer, relation, shape)
        return self._made[key]  # type: ignore[return-value]

    def related_count(self, relation: Relation, shape: Shape, where: str) -> RelatedCountLoader:
        key = ("related_count", relation, shape, where)
        if key not in self._made:
            self._made[key] = RelatedCountLoader(self.runner, self.viewer, relation, shape,
                                                 where)
        return self._made[key]  # type: ignore[return-value]

    def related_page(self, relation: Relation, shape: Shape,
                     nested: tuple[Relation, Shape] | None,
                     window: tuple[int, int]) -> RelatedPageLoader:
        """One page of the targets of `relation` with their number; with `nested`, the page
        rows' own targets too, priming `related(*nested)`."""
        key = ("related_page", relation, shape, nested, window)
        if key not in self._made:
            self._made[key] = RelatedPageLoader(
                self.runner, self.viewer, relation, shape, nested[0] if nested else None,
                self.related(*nested) if nested else None, window)
        return self._made[key]  # type: ignore[return-value]

    def supply_chain(self, supplier: Shape, site: Shape) -> SupplyChainByBrandLoader:
        key = ("supply_chain", supplier, site)
        if key not in self._made:
            self._made[key] = SupplyChainByBrandLoader(self.runner, self.viewer, supplier, site)
        return self._made[key]  # type: ignore[return-value]

    def brand_with_supply_chain(self, brand: Shape, supplier: Shape,
                                site: Shape) -> BrandWithSupplyChainLoader:
        key = ("brand_with_supply_chain", brand, supplier, site)
        if key not in self._made:
            self._made[key] = BrandWithSupplyChainLoader(
                self.runner, self.viewer, brand, self.supply_chain(supplier, site))
        return self._made[key]  # type: ignore[return-value]

    def exposure(self, window: ExposureWindow) -> ExposureByContractLoader:
        key = ("exposure", window)
        if key not in self._made:
            self._made[key] = ExposureByContractLoader(self.runner, self.viewer, window)
        return self._made[key]  # type: ignore[return-value]

    def import_rows(self, window: RowsWindow) -> ImportRowsByRunLoader:
        key = ("import_rows", window)
        if key not in self._made:
            self._made[key] = ImportRowsByRunLoader(self.runner, self.viewer, window)
        return self._made[key]  # type: ignore[return-value]

    def rows(self, cypher: LiteralString, name: str,
             params: tuple[tuple[str, Any], ...] = ()) -> RowByKeyLoader:
        key = ("rows", cypher, params)
        if key not in self._made:
            self._made[key] = RowByKeyLoader(self.runner, self.viewer, cypher, dict(params),
                                             name)
        return self._made[key]  # type: ignore[return-value]
