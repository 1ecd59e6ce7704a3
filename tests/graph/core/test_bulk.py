"""Bulk writes (graph/core/bulk.py through `seeds.shapes.Dataset`), on the scratch server: a
load whose rows are all new CREATEs them, and must leave exactly the graph that MERGE leaves,
repeats in the rows and relationships to older nodes included."""

from __future__ import annotations

import pytest

import seeds.shapes
from graph.core.db import Graph
from graph.core.migrate import migrate
from graph.core.model import Label, Rel
from seeds.shapes import Dataset
from tests.graph.core.test_seeds import _full_fingerprint
from tests.support.database import wipe


def _dataset() -> Dataset:
    """Two suppliers, one given twice (the last row wins), a site linked to both, one link
    given twice with different properties, and a link to a category loaded before."""
    ds = Dataset()
    ds.node(Label.SUPPLIER, id="SUP-B1", name="first spelling", sharing="PUBLIC")
    ds.node(Label.SUPPLIER, id="SUP-B2", name="Second", sharing="PUBLIC")
    ds.node(Label.SUPPLIER, id="SUP-B1", name="Last spelling", sharing="PUBLIC", extra=1)
    ds.node(Label.PRODUCTION_SITE, id="CN-B-1", name="Site", countryCode="CN", lat=31.3,
            lon=120.9)
    ds.rel(Label.SUPPLIER, "SUP-B1", Rel.OPERATES, Label.PRODUCTION_SITE, "CN-B-1", since=1)
    ds.rel(Label.SUPPLIER, "SUP-B1", Rel.OPERATES, Label.PRODUCTION_SITE, "CN-B-1", since=2)
    ds.rel(Label.SUPPLIER, "SUP-B2", Rel.OPERATES, Label.PRODUCTION_SITE, "CN-B-1")
    ds.rel(Label.PRODUCTION_SITE, "CN-B-1", Rel.MAKES, Label.PRODUCT_CATEGORY, "30213100")
    return ds


async def _fresh(graph: Graph) -> None:
    await migrate(graph)
    await wipe(graph)
    category = Dataset()
    category.node(Label.PRODUCT_CATEGORY, id="30213100", name="Portable computers")
    await category.load(graph)


async def _merge_only(monkeypatch: pytest.MonkeyPatch) -> None:
    async def never_absent(*_: object) -> bool:
        return False
    monkeypatch.setattr(seeds.shapes, "absent", never_absent)


async def test_loader_new_rows_create_the_graph_merge_would(scratch_graph: Graph,
                                                             monkeypatch: pytest.MonkeyPatch):
    await _fresh(scratch_graph)
    ds = _dataset()
    await ds.load(scratch_graph)
    assert (Label.SUPPLIER, "SUP-B1") in ds.created, "all new: the CREATE path was taken"
    created = await _full_fingerprint(scratch_graph)
    rows = await scratch_graph.query(
        "MATCH (s:Supplier {id: 'SUP-B1'})-[r:OPERATES]->(p:ProductionSite) "
        "RETURN s.name AS name, s.extra AS extra, collect(r.since) AS since, "
        "p.location.latitude AS lat, count { (:Supplier)-[:OPERATES]->(p) } AS operators, "
        "count { (p)-[:MAKES]->(:ProductCategory) } AS makes")
    assert rows == [{"name": "Last spelling", "extra": 1, "since": [2], "lat": 31.3,
                     "operators": 2, "makes": 1}]

    await _fresh(scratch_graph)
    await _merge_only(monkeypatch)
    merged = _dataset()
    await merged.load(scratch_graph)
    assert not merged.created
    assert await _full_fingerprint(scratch_graph) == created


async def test_loader_rows_already_there_are_merged_not_doubled(scratch_graph: Graph):
    await _fresh(scratch_graph)
    first = _dataset()
    await first.load(scratch_graph)
    before = await _full_fingerprint(scratch_graph)
    again = _dataset()
    await again.load(scratch_graph)
    assert not again.created, "ids already held: MERGE"
    assert await _full_fingerprint(scratch_graph) == before
    # The same Dataset loaded a second time: what it created the first time is no reason
    # to CREATE its links again.
    await first.load(scratch_graph)
    assert not first.created
    assert await _full_fingerprint(scratch_graph) == before

    # One new supplier among known ones: the label's rows are merged, none doubled.
    more = _dataset()
    more.node(Label.SUPPLIER, id="SUP-B3", name="Third", sharing="PUBLIC")
    more.rel(Label.SUPPLIER, "SUP-B3", Rel.OPERATES, Label.PRODUCTION_SITE, "CN-B-1")
    await more.load(scratch_graph)
    counts = await scratch_graph.query(
        "MATCH (s:Supplier) WITH s.id AS id, count(*) AS n RETURN collect([id, n]) AS c")
    assert sorted(counts[0]["c"]) == [["SUP-B1", 1], ["SUP-B2", 1], ["SUP-B3", 1]]
    links = await scratch_graph.query(
        "MATCH (:Supplier)-[r:OPERATES]->(:ProductionSite {id: 'CN-B-1'}) RETURN count(r) AS n")
    assert links[0]["n"] == 3
