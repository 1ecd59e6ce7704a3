"""Batched reads by id and along one relation: the Cypher behind `resolvers.core.loaders`.

Each query is one `UNWIND $ids` round trip returning rows in no particular order; the
loaders put them back in key order. Query text is built once per (relation, shape) from
constants; values are parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import LiteralString

from graph.core.model import Label
from graph.core.visibility import Shape, joined, lit, visible, visible_as


@dataclass(frozen=True)
class Relation:
    """A path from a parent `(p)` to target nodes `(n)`; `via` names intermediate nodes
    that must be visible too (a finding is reached only through a visible report).

    `site_on_path`: the path itself joins the target to a site that the parent's own check
    proves visible (a site's reports, a visible report's findings), which is all that
    `visible_as` adds to the target's own sharing for a report, finding or action: the
    target is checked with `visible` and its site is not walked a second time. Set it only
    where the path is that proof; tests/graph/core/test_site_on_path.py compares every such
    relation with its fully checked twin."""

    name: str
    start: Label
    path: str
    via: tuple[str, ...] = ()
    site_on_path: bool = False


SITE_OPERATORS = Relation("site_operators", Label.PRODUCTION_SITE,
                          "(p)<-[:OPERATES]-(n:Supplier)")
SITE_BRANDS = Relation("site_brands", Label.PRODUCTION_SITE, "(p)<-[:PRODUCED_AT]-(n:Brand)")
SITE_PRODUCTS = Relation("site_products", Label.PRODUCTION_SITE,
                         "(p)-[:MAKES]->(n:ProductCategory)")
# (p) is the site the report is about.
SITE_REPORTS = Relation("site_reports", Label.PRODUCTION_SITE, "(p)<-[:ASSESSES]-(n:AuditReport)",
                        site_on_path=True)
# (p) is the site of the finding's report (r).
SITE_FINDINGS = Relation("site_findings", Label.PRODUCTION_SITE,
                         "(p)<-[:ASSESSES]-(r:AuditReport)-[:HAS_FINDING]->(n:Finding)",
                         via=("r",), site_on_path=True)
BRAND_SUPPLIERS = Relation("brand_suppliers", Label.BRAND, "(p)-[:SOURCES_FROM]->(n:Supplier)")
BRAND_SITES = Relation("brand_sites", Label.BRAND, "(p)-[:PRODUCED_AT]->(n:ProductionSite)")
SUPPLIER_SITES = Relation("supplier_sites", Label.SUPPLIER,
                          "(p)-[:OPERATES]->(n:ProductionSite)")
SUPPLIER_SUBSUPPLIERS = Relation("supplier_subsuppliers", Label.SUPPLIER,
                                 "(p)-[:SOURCES_FROM]->(n:Supplier)")
SUPPLIER_SUPPLIER_CUSTOMERS = Relation("supplier_supplier_customers", Label.SUPPLIER,
                                       "(p)<-[:SOURCES_FROM]-(n:Supplier)")
SUPPLIER_BRAND_CUSTOMERS = Relation("supplier_brand_customers", Label.SUPPLIER,
                                    "(p)<-[:SOURCES_FROM]-(n:Brand)")
REPORT_AUTHOR = Relation("report_author", Label.AUDIT_REPORT,
                         "(p)<-[:AUTHORED]-(n:Organisation)")
REPORT_SITE = Relation("report_site", Label.AUDIT_REPORT, "(p)-[:ASSESSES]->(n:ProductionSite)")
# (p), a report checked as `visible_as`, is about a visible site: the finding's.
REPORT_FINDINGS = Relation("report_findings", Label.AUDIT_REPORT,
                           "(p)-[:HAS_FINDING]->(n:Finding)", site_on_path=True)
# (p), a finding checked as `visible_as`, joins the action to a visible site.
FINDING_REMEDIATION = Relation("finding_remediation", Label.FINDING,
                               "(p)-[:REMEDIATED_BY]->(n:RemediationAction)",
                               site_on_path=True)
CONTRACT_BUYER = Relation("contract_buyer", Label.CONTRACT, "(p)<-[:HOLDS]-(n:Organisation)")
CONTRACT_SUPPLIER = Relation("contract_supplier", Label.CONTRACT,
                             "(p)-[:AWARDED_TO]->(n:Supplier)")
CONTRACT_BRANDS = Relation("contract_brands", Label.CONTRACT, "(p)-[:COVERS]->(n:Brand)")
CONTRACT_PRODUCTS = Relation("contract_products", Label.CONTRACT,
                             "(p)-[:COVERS]->(n:ProductCategory)")
CONTRACT_SITES = Relation("contract_sites", Label.CONTRACT,
                          "(p)-[:SOURCED_FROM]->(n:ProductionSite)")
ORGANISATION_CONSORTIA = Relation("organisation_consortia", Label.ORGANISATION,
                                  "(p)-[:MEMBER_OF]->(n:Organisation)")

# Conditions a count of targets (`related_count`) may put on them: fixed text on `(n)`,
# reading only fields that no viewer is refused (a count must not tell what a field
# would not).
OPEN = "n.status = 'OPEN'"


@lru_cache(maxsize=2048)
def nodes_by_id(shape: Shape) -> LiteralString:
    return lit(
        f"UNWIND $ids AS key MATCH (n:{shape.label_text()} {{id: key}}) "
        f"WHERE {visible_as(shape.label, 'n')} RETURN key, {shape.projection('n')} AS node"
    )


def _checks(relation: Relation, shape: Shape) -> str:
    """Visibility along `relation` from a parent `(p)` to targets `(n)` of `shape`: the
    parent again (a loader key can never reach past visibility), the target, the `via`
    nodes."""
    target = visible("n") if relation.site_on_path else visible_as(shape.label, "n")
    return joined([visible_as(relation.start, "p"), target,
                   *(visible(v) for v in relation.via)])


def _targets(var: str, relation: Relation, shape: Shape, *, nodes: bool = False) -> str:
    """A COLLECT subquery: the visible targets of `relation` from the node bound to `var`,
    in id order, projected by `shape` (or, with `nodes`, the nodes, for a page to cut).
    The node is renamed `p` inside so that `relation.path`, written from a parent `(p)` to
    targets `(n)`, reads unchanged (with the node imported as `n`, a path's `(n:Finding)`
    matched nothing)."""
    value = "n" if nodes else shape.projection("n")
    # The order on the RETURN itself: COLLECT keeps the order its rows come in.
    return f"COLLECT {{ {_walk(var, relation, shape)}RETURN {value} ORDER BY n.id }}"


def _count(var: str, relation: Relation, shape: Shape, where: str) -> str:
    """A COUNT subquery: how many of the targets `_targets` lists satisfy `where`."""
    return f"COUNT {{ {_walk(var, relation, shape, where)}RETURN n }}"


def _walk(var: str, relation: Relation, shape: Shape, where: str | None = None) -> str:
    """The start of `_targets`' and `_count`'s subqueries: each visible target of
    `relation` from the node bound to `var` once (and, with `where`, only those that
    satisfy it)."""
    checks = _checks(relation, shape) if where is None else joined(
        [_checks(relation, shape), where])
    return f"WITH {var} AS p MATCH {relation.path} WHERE {checks} WITH DISTINCT n "


def _targets_of(var: str, relation: Relation, shape: Shape, column: str) -> str:
    """A subquery binding `column` to exactly `related_by_id`'s rows for the node bound to
    `var`."""
    return f"CALL ({var}) {{ RETURN {_targets(var, relation, shape)} AS {column} }} "


def _page(targets: str, shape: Shape, nested: tuple[Relation, Shape] | None, skip: str,
          limit: str, i: str) -> str:
    """Return columns for one page of the target nodes listed in `targets`: `c<i>` their
    number, `r<i>` the page as `related_by_id` projects rows, and with `nested`, `n<i>`
    each page row's own targets (as `related_by_id(*nested)` reads them, to prime its
    loader). Only the page's rows are projected and only theirs are followed."""
    window = f"{targets}[{skip}..{skip} + {limit}]"
    columns = (f"size({targets}) AS c{i}, "
               f"[x IN {window} | {shape.projection('x')}] AS r{i}")
    if nested is not None:
        _nested_start(shape, nested[0])
        columns += f", [x IN {window} | {_targets('x', *nested)}] AS n{i}"
    return columns


def _nested_start(shape: Shape, nested: Relation) -> None:
    if nested.start != shape.label:
        raise ValueError(f"{nested.name} does not start at {shape.label.value}")


@lru_cache(maxsize=2048)
def related_by_id(relation: Relation, shape: Shape) -> LiteralString:
    start = lit(Label(relation.start).value)
    return lit(
        f"UNWIND $ids AS key MATCH (p:{start} {{id: key}}) MATCH {relation.path} "
        f"WHERE {_checks(relation, shape)} WITH DISTINCT key, n ORDER BY n.id "
        f"RETURN key, collect({shape.projection('n')}) AS nodes"
    )


@lru_cache(maxsize=1024)
def related_page(relation: Relation, shape: Shape,
                 nested: tuple[Relation, Shape] | None) -> LiteralString:
    """One page (`$skip`, `$limit`) of `related_by_id`'s rows per key, with their number
    (`c`) and, with `nested`, the page rows' own targets (`n`): a connection along a
    relation (a site's reports) projects and follows only the rows it answers."""
    start = lit(Label(relation.start).value)
    return lit(
        f"UNWIND $ids AS key MATCH (q:{start} {{id: key}}) "
        f"WITH key, {_targets('q', relation, shape, nodes=True)} AS a "
        f"RETURN key, {_page('a', shape, nested, '$skip', '$limit', '')}"
    )


@lru_cache(maxsize=256)
def related_count(relation: Relation, shape: Shape, where: str) -> LiteralString:
    """How many of `related_by_id`'s rows per key satisfy `where` (`OPEN`, ...), counted
    in Neo4j: a site's open findings are a number, not two hundred rows."""
    start = lit(Label(relation.start).value)
    return lit(
        f"UNWIND $ids AS key MATCH (q:{start} {{id: key}}) "
        f"RETURN key, {_count('q', relation, shape, where)} AS n"
    )


@dataclass(frozen=True)
class Prefetch:
    """One relation read with its parent by `node_with_related`: its targets exactly as
    `related_by_id(relation, shape)` returns them, or with `window` one page of them as
    `related_page(relation, shape, nested)` does (`nested`: a relation and the shape of
    its targets, followed from the page's rows), or with `where` their number as
    `related_count(relation, shape, where)` counts it."""

    relation: Relation
    shape: Shape
    nested: tuple[Relation, Shape] | None = None
    # (skip, limit): one page, as `related_page` reads it
    window: tuple[int, int] | None = None
    where: str | None = None


@lru_cache(maxsize=1024)
def node_with_related(shape: Shape, parts: tuple[Prefetch, ...]) -> LiteralString:
    """`nodes_by_id` whose node also carries, for each of `parts`, column `r<i>` (for a
    paged part also `c<i>`, and `n<i>` with nested targets; for a counted part the number):
    what its own loader would read, with the same path, checks, projection and order, so
    that they can prime that loader. A site page (the site, a page of its reports with
    their findings, its open findings) is one round trip, not three. An empty part is an
    empty list."""
    calls: list[str] = []
    columns: list[str] = []
    for i, part in enumerate(parts):
        relation = part.relation
        if relation.start != shape.label:
            raise ValueError(f"{relation.name} does not start at {shape.label.value}")
        if part.where is not None:
            if part.window is not None or part.nested is not None:
                raise ValueError(f"{relation.name}: a count is neither a page nor nested")
            columns.append(f"{_count('t', relation, part.shape, part.where)} AS r{i}")
            continue
        if part.window is not None:
            calls.append(f"WITH *, {_targets('t', relation, part.shape, nodes=True)} AS a{i} ")
            columns.append(_page(f"a{i}", part.shape, part.nested, f"$skip{i}", f"$limit{i}",
                                 str(i)))
            continue
        if part.nested is not None:
            raise ValueError(f"{relation.name}: a part with nested targets is a page")
        calls.append(_targets_of("t", relation, part.shape, f"r{i}"))
        columns.append(f"r{i}")
    return lit(
        f"UNWIND $ids AS key MATCH (t:{shape.label_text()} {{id: key}}) "
        f"WHERE {visible_as(shape.label, 't')} "
        + "".join(calls)
        + f"RETURN key, {shape.projection('t')} AS node"
        + "".join(f", {c}" for c in columns)
    )
