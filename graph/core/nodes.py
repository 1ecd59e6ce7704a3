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


def _checks(relation: Relation, shape: Shape) -> str:
    """Visibility along `relation` from a parent `(p)` to targets `(n)` of `shape`: the
    parent again (a loader key can never reach past visibility), the target, the `via`
    nodes."""
    return joined([visible_as(relation.start, "p"), visible_as(shape.label, "n"),
                   *(visible(v) for v in relation.via)])


def _targets_of(var: str, relation: Relation, shape: Shape, column: str) -> str:
    """A subquery collecting, as `column`, the visible targets of `relation` from the node
    bound to `var`, in id order: exactly `related_by_id`'s rows for that node. The node is
    renamed `p` inside so that `relation.path`, written from a parent `(p)` to targets
    `(n)`, reads unchanged (with the node imported as `n`, a path's `(n:Finding)` matched
    nothing)."""
    return (f"CALL ({var}) {{ WITH {var} AS p MATCH {relation.path} "
            f"WHERE {_checks(relation, shape)} WITH DISTINCT n ORDER BY n.id "
            f"RETURN collect({shape.projection('n')}) AS {column} }} ")


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


@lru_cache(maxsize=2048)
def related_with_nested(relation: Relation, shape: Shape, nested: Relation,
                        nested_shape: Shape) -> LiteralString:
    """`related_by_id` whose every target also carries its own targets along `nested`
    (a site's reports with their findings): one round trip where a loader per level takes
    two. The nested rows are exactly what `related_by_id(nested, nested_shape)` returns for
    that target (same path, checks, projection and order), so they can prime its loader."""
    _nested_start(shape, nested)
    start = lit(Label(relation.start).value)
    return lit(
        f"UNWIND $ids AS key MATCH (p:{start} {{id: key}}) MATCH {relation.path} "
        f"WHERE {_checks(relation, shape)} WITH DISTINCT key, n AS t "
        + _targets_of("t", nested, nested_shape, "inner")
        # Ordered after the subquery, right before the collect: an order made before a
        # CALL is not promised to survive it.
        + f"WITH key, t, inner ORDER BY t.id "
        f"RETURN key, collect({shape.projection('t')}) AS nodes, collect(inner) AS nested"
    )


@dataclass(frozen=True)
class Prefetch:
    """One relation read with its parent by `node_with_related`: its targets exactly as
    `related_by_id(relation, shape)` returns them, or with `nested` (a relation and the
    shape of its targets) as `related_with_nested(relation, shape, *nested)` does."""

    relation: Relation
    shape: Shape
    nested: tuple[Relation, Shape] | None = None


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
        if part.nested is None:
            calls.append(_targets_of("t", relation, part.shape, f"r{i}"))
            columns.append(f"r{i}")
            continue
        nested, nested_shape = part.nested
        _nested_start(part.shape, nested)
        # As related_with_nested, within a subquery on the node: each target `u` with its
        # own targets, ordered after the inner subquery, right before the collect.
        calls.append(
            f"CALL (t) {{ WITH t AS p MATCH {relation.path} "
            f"WHERE {_checks(relation, part.shape)} WITH DISTINCT n AS u "
            + _targets_of("u", nested, nested_shape, "inner")
            + f"WITH u, inner ORDER BY u.id "
            f"RETURN collect({part.shape.projection('u')}) AS r{i}, collect(inner) AS n{i} }} ")
        columns += [f"r{i}", f"n{i}"]
    return lit(
        f"UNWIND $ids AS key MATCH (t:{shape.label_text()} {{id: key}}) "
        f"WHERE {visible_as(shape.label, 't')} "
        + "".join(calls)
        + f"RETURN key, {shape.projection('t')} AS node"
        + "".join(f", {c}" for c in columns)
    )
