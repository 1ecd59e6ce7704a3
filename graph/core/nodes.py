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
    that must be visible too (a finding is reached only through a visible report)."""

    name: str
    start: Label
    path: str
    via: tuple[str, ...] = ()


SITE_OPERATORS = Relation("site_operators", Label.PRODUCTION_SITE,
                          "(p)<-[:OPERATES]-(n:Supplier)")
SITE_BRANDS = Relation("site_brands", Label.PRODUCTION_SITE, "(p)<-[:PRODUCED_AT]-(n:Brand)")
SITE_PRODUCTS = Relation("site_products", Label.PRODUCTION_SITE,
                         "(p)-[:MAKES]->(n:ProductCategory)")
SITE_REPORTS = Relation("site_reports", Label.PRODUCTION_SITE, "(p)<-[:ASSESSES]-(n:AuditReport)")
SITE_FINDINGS = Relation("site_findings", Label.PRODUCTION_SITE,
                         "(p)<-[:ASSESSES]-(r:AuditReport)-[:HAS_FINDING]->(n:Finding)",
                         via=("r",))
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
REPORT_FINDINGS = Relation("report_findings", Label.AUDIT_REPORT,
                           "(p)-[:HAS_FINDING]->(n:Finding)")
FINDING_REMEDIATION = Relation("finding_remediation", Label.FINDING,
                               "(p)-[:REMEDIATED_BY]->(n:RemediationAction)")
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


@lru_cache(maxsize=2048)
def nodes_by_id(shape: Shape) -> LiteralString:
    return lit(
        f"UNWIND $ids AS key MATCH (n:{shape.label_text()} {{id: key}}) "
        f"WHERE {visible_as(shape.label, 'n')} RETURN key, {shape.projection('n')} AS node"
    )


@lru_cache(maxsize=2048)
def related_by_id(relation: Relation, shape: Shape) -> LiteralString:
    # The parent is checked again so that a loader key can never reach past visibility.
    checks = joined([visible_as(relation.start, "p"), visible_as(shape.label, "n"),
                     *(visible(v) for v in relation.via)])
    start = lit(Label(relation.start).value)
    return lit(
        f"UNWIND $ids AS key MATCH (p:{start} {{id: key}}) MATCH {relation.path} "
        f"WHERE {checks} WITH DISTINCT key, n ORDER BY n.id "
        f"RETURN key, collect({shape.projection('n')}) AS nodes"
    )


@lru_cache(maxsize=2048)
def related_with_nested(relation: Relation, shape: Shape, nested: Relation,
                        nested_shape: Shape) -> LiteralString:
    """`related_by_id` whose every target also carries its own targets along `nested`
    (a site's reports with their findings): one round trip where a loader per level takes
    two. The nested rows are exactly what `related_by_id(nested, nested_shape)` returns for
    that target (same path, checks, projection and order), so they can prime its loader."""
    if nested.start != shape.label:
        raise ValueError(f"{nested.name} does not start at {shape.label.value}")
    checks = joined([visible_as(relation.start, "p"), visible_as(shape.label, "n"),
                     *(visible(v) for v in relation.via)])
    inner_checks = joined([visible_as(nested.start, "p"), visible_as(nested_shape.label, "n"),
                           *(visible(v) for v in nested.via)])
    start = lit(Label(relation.start).value)
    # The target is carried as `t` and, inside the subquery, renamed `p` so that
    # `nested.path`, written from a parent `(p)` to targets `(n)`, reads unchanged (with the
    # target imported as `n`, the path's `(n:Finding)` matched nothing).
    return lit(
        f"UNWIND $ids AS key MATCH (p:{start} {{id: key}}) MATCH {relation.path} "
        f"WHERE {checks} WITH DISTINCT key, n AS t "
        f"CALL (t) {{ WITH t AS p MATCH {nested.path} WHERE {inner_checks} "
        f"WITH DISTINCT n ORDER BY n.id "
        f"RETURN collect({nested_shape.projection('n')}) AS inner }} "
        # Ordered after the subquery, right before the collect: an order made before a
        # CALL is not promised to survive it.
        f"WITH key, t, inner ORDER BY t.id "
        f"RETURN key, collect({shape.projection('t')}) AS nodes, collect(inner) AS nested"
    )



@dataclass(frozen=True)
class Prefetch:
    """One relation read with its parent by `node_with_related`: its targets exactly as
    `related_by_id(relation, shape)` returns them, or with `nested` as
    `related_with_nested(relation, shape, nested, nested_shape)` does."""

    relation: Relation
    shape: Shape
    nested: Relation | None = None
    nested_shape: Shape | None = None


def _checks(relation: Relation, shape: Shape) -> str:
    return joined([visible_as(relation.start, "p"), visible_as(shape.label, "n"),
                   *(visible(v) for v in relation.via)])


@lru_cache(maxsize=1024)
def node_with_related(shape: Shape, parts: tuple[Prefetch, ...]) -> LiteralString:
    """`nodes_by_id` whose node also carries, for each of `parts`, column `r<i>` (and
    `n<i>` for a nested part): the rows its own loader would read, with the same path,
    checks, projection and order, so that they can prime that loader. A site page (the
    site, its reports with their findings, its open findings) is one round trip, not three.
    Each part is a subquery on the visible node: an empty part is an empty list."""
    calls: list[str] = []
    columns: list[str] = []
    for i, part in enumerate(parts):
        relation = part.relation
        if relation.start != shape.label:
            raise ValueError(f"{relation.name} does not start at {shape.label.value}")
        checks = _checks(relation, part.shape)
        if part.nested is None or part.nested_shape is None:
            calls.append(
                f"CALL (t) {{ WITH t AS p MATCH {relation.path} WHERE {checks} "
                f"WITH DISTINCT n ORDER BY n.id "
                f"RETURN collect({part.shape.projection('n')}) AS r{i} }} ")
            columns.append(f"r{i}")
            continue
        nested, nested_shape = part.nested, part.nested_shape
        if nested.start != part.shape.label:
            raise ValueError(f"{nested.name} does not start at {part.shape.label.value}")
        # As in related_with_nested: the target is carried as `u` and renamed `p` for the
        # nested path; ordered after the inner subquery, right before the collect.
        calls.append(
            f"CALL (t) {{ WITH t AS p MATCH {relation.path} WHERE {checks} "
            f"WITH DISTINCT n AS u "
            f"CALL (u) {{ WITH u AS p MATCH {nested.path} WHERE {_checks(nested, nested_shape)} "
            f"WITH DISTINCT n ORDER BY n.id "
            f"RETURN collect({nested_shape.projection('n')}) AS inner }} "
            f"WITH u, inner ORDER BY u.id "
            f"RETURN collect({part.shape.projection('u')}) AS r{i}, collect(inner) AS n{i} }} ")
        columns += [f"r{i}", f"n{i}"]
    return lit(
        f"UNWIND $ids AS key MATCH (t:{shape.label_text()} {{id: key}}) "
        f"WHERE {visible_as(shape.label, 't')} "
        + "".join(calls)
        + f"RETURN key, {shape.projection('t')} AS node"
        + "".join(f", {c}" for c in columns)
    )
