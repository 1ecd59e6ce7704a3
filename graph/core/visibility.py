"""Who sees what, as Cypher: the one place where visibility predicates and protected-field
projections are built (docs/visibility.md).

Every predicate takes the parameters of `Viewer.cypher_params()`: `$viewerOrg` (the calling
organisation) and `$viewerPeers` (organisations sharing a consortium with it, itself
included). Variable names enter query text only through `_var`, which accepts plain
identifiers; property names come from declarations in code, never from a request.

A record is visible when it is PUBLIC, owned by the viewer, CONSORTIUM-shared by a peer,
or RESTRICTED and naming the viewer. A protected field (`Protected`) is projected as
`CASE WHEN <readable> THEN n.prop END`, so Neo4j never returns it to anyone else; filters,
orders and counts on it use that same projected value (an unreadable value is NULL).
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, LiteralString, cast

from graph.core.model import Label

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# Properties that are confidential wherever they appear (graph/core/model.py): a Shape refuses to
# project them as plain properties, so a protected field cannot be leaked by a typo.
CONFIDENTIAL_PROPERTIES = frozenset({
    "valueAmount", "valueCurrency", "unitPrices", "quantity", "volume", "unitPrice",
    "sensitiveNotes",
})


def _var(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a Cypher variable name: {name!r}")
    return name


def lit(text: str) -> LiteralString:
    """Marks text assembled from code constants (never request data) as query text."""
    return cast(LiteralString, text)


def by_peer(var: str) -> LiteralString:
    """`var` was contributed by the viewer or one of its peers (its consortia's members)."""
    return lit(f"{_var(var)}.contributedBy IN $viewerPeers")


def visible(var: str) -> LiteralString:
    """The record visibility predicate for node variable `var`.

    One CASE on `sharing`, not the OR of four cases it states: Neo4j's planner rewrites an
    OR of ANDs into its conjunctive normal form, and evaluates that (eight clauses over
    three properties) for every record. The CASE reads `sharing` once and then only the
    property its branch needs: 2.2x faster over the 3,000 sites a text search finds, 3.3x
    over a country's 11,000 (docs/visibility.md). The truth is the OR's for every record;
    the two differ only where `sharing` is missing and the viewer is not the owner, where
    the OR gives null and the CASE false (neither passes a WHERE)."""
    v = _var(var)
    return lit(
        f"(CASE {v}.sharing WHEN 'PUBLIC' THEN true"
        f" WHEN 'CONSORTIUM' THEN {v}.contributedBy = $viewerOrg OR {by_peer(v)}"
        f" WHEN 'RESTRICTED' THEN {v}.contributedBy = $viewerOrg"
        f" OR $viewerOrg IN coalesce({v}.sharedWith, [])"
        f" ELSE {v}.contributedBy = $viewerOrg END)"
    )


# A report is about one site, and its findings and actions are read through it: each is
# visible only while that site is, so that a report never tells of a site the viewer may not
# see (not even as a `site: null`).
_THROUGH_SITE = {
    Label.AUDIT_REPORT: "({v})-[:ASSESSES]->({s}:ProductionSite)",
    Label.FINDING: "({v})<-[:HAS_FINDING]-(:AuditReport)-[:ASSESSES]->({s}:ProductionSite)",
    Label.REMEDIATION_ACTION: "({v})<-[:REMEDIATED_BY]-(:Finding)<-[:HAS_FINDING]-"
                              "(:AuditReport)-[:ASSESSES]->({s}:ProductionSite)",
}


def visible_as(label: Label, var: str) -> LiteralString:
    """The visibility of a record of `label`: `visible(var)`, and for a report, finding or
    remediation action, the visibility of the site it is about."""
    v = _var(var)
    path = _THROUGH_SITE.get(Label(label))
    if path is None:
        return visible(v)
    s = f"{v}_site"
    return lit(f"({visible(v)} AND EXISTS {{ MATCH {path.format(v=v, s=s)} "
               f"WHERE {visible(s)} }})")


class Readable(Enum):
    """Who may read a protected field of a visible record."""

    OWNER = "owner"  # the contributing organisation alone
    OWNER_OR_NAMED = "owner_or_named"  # the owner and the organisations a list property names

    def predicate(self, var: str, named_by: str | None = None) -> LiteralString:
        v = _var(var)
        if self is Readable.OWNER:
            return lit(f"({v}.contributedBy = $viewerOrg)")
        if named_by is None:
            raise ValueError("OWNER_OR_NAMED needs the list property that names readers")
        return lit(f"({v}.contributedBy = $viewerOrg"
                   f" OR $viewerOrg IN coalesce({v}.{_var(named_by)}, []))")


@dataclass(frozen=True)
class Protected:
    """One protected GraphQL field: the node properties behind it and who may read them.

    Declared once, in the entity's field table (graph/<domain>/fields.py). From it come the Cypher
    projection (`projection`), the value filters and orders use (`value`), and whether a
    projected row may be read (`readable_in`, `forbidden_message`); the schema turns an
    unreadable one into null with a FORBIDDEN error at the field's path.
    """

    name: str
    props: tuple[str, ...]
    readable_when: Readable = Readable.OWNER
    named_by: str | None = None  # for OWNER_OR_NAMED: the property listing readers
    description: str = ""

    @property
    def flag(self) -> str:
        """The key of the projected 'may the viewer read this' boolean."""
        return f"_readable_{self.name}"

    def readable(self, var: str) -> LiteralString:
        return self.readable_when.predicate(var, self.named_by)

    def value(self, var: str, prop: str | None = None) -> LiteralString:
        """`CASE WHEN <readable> THEN var.prop END`: the only way a protected value is read."""
        prop = prop or self.props[0]
        if prop not in self.props:
            raise ValueError(f"{prop!r} is not protected by {self.name!r}")
        return lit(f"CASE WHEN {self.readable(var)} THEN {_var(var)}.{_var(prop)} END")

    def projection(self, var: str) -> list[str]:
        return [f"{p}: {self.value(var, p)}" for p in self.props] + [
            f"{self.flag}: {self.readable(var)}"]

    def readable_in(self, row: Mapping[str, Any]) -> bool:
        """Whether a row projected with this field says the viewer may read it."""
        return bool(row.get(self.flag))

    @property
    def forbidden_message(self) -> str:
        """Why an unreadable value is withheld (the schema raises it as FORBIDDEN)."""
        return (f"{self.name} is readable only by "
                + ("the record's owner" if self.readable_when is Readable.OWNER
                   else "the record's author and the organisations it names"))


@dataclass(frozen=True)
class Shape:
    """What a GraphQL type reads of a node: plain properties, computed ones, protected ones."""

    label: Label
    plain: tuple[str, ...]
    protected: tuple[Protected, ...] = ()
    computed: tuple[tuple[str, str], ...] = ()  # (name, expr with `{v}`); hashable


    def __post_init__(self) -> None:
        leaked = CONFIDENTIAL_PROPERTIES & set(self.plain)
        if leaked:
            raise ValueError(f"{self.label.value}: {sorted(leaked)} must be declared Protected")
        for name in (*self.plain, *(k for k, _ in self.computed)):
            _var(name)

    def only(self, fields: frozenset[str]) -> Shape:
        """The shape restricted to the GraphQL fields a query selects (`id` always kept), so
        Neo4j does not build and ship properties nobody asked for."""
        return _restricted(self, fields)

    def projection(self, var: str) -> LiteralString:
        """`var {.a, .b, computed: ..., prop: CASE WHEN ... END, _readable_x: ...}`."""
        v = _var(var)
        parts: list[str] = [f".{p}" for p in self.plain]
        parts += [f"{k}: {expr.format(v=v)}" for k, expr in self.computed]
        for p in self.protected:
            parts += p.projection(v)
        return lit(f"{v} {{{', '.join(parts)}}}")

    def label_text(self) -> LiteralString:
        return lit(Label(self.label).value)


@lru_cache(maxsize=4096)
def _restricted(shape: Shape, fields: frozenset[str]) -> Shape:
    return Shape(
        shape.label,
        tuple(p for p in shape.plain if p == "id" or p in fields),
        tuple(p for p in shape.protected if p.name in fields),
        tuple((k, e) for k, e in shape.computed if k in fields),
    )


# ----- the viewer's peers ------------------------------------------------------------------------
def peers_of(org_var: str) -> LiteralString:
    """A `CALL` subquery returning `consortia` (ids of the consortia `org_var` belongs to) and
    `peers`: every organisation sharing a consortium with it, the consortia themselves and,
    when `org_var` is a consortium, its members. CONSORTIUM-shared records of any of them are
    visible to it. The one definition of peers, used by token validation (the API), imports,
    the CLI and the alert worker alike (`graph.orgs.viewer`)."""
    o = _var(org_var)
    return lit(
        f"CALL ({o}) {{ "
        f"  OPTIONAL MATCH ({o})-[:MEMBER_OF]->(k:Organisation {{kind: 'CONSORTIUM'}}) "
        f"  WITH {o}, collect(k) AS joined "
        f"  WITH joined, CASE WHEN {o}.kind = 'CONSORTIUM' THEN joined + [{o}] ELSE joined END"
        "   AS groups "
        "  UNWIND (CASE WHEN groups = [] THEN [null] ELSE groups END) AS g "
        "  OPTIONAL MATCH (g)<-[:MEMBER_OF]-(p:Organisation) "
        "  RETURN [k IN joined | k.id] AS consortia, "
        "         [x IN collect(DISTINCT g.id) + collect(DISTINCT p.id) WHERE x IS NOT NULL]"
        "   AS peers "
        "} "
    )


def viewer_params(org: str, peers: Iterable[str], *, operator: bool = False,
                  ) -> dict[str, Any]:
    """The parameters every predicate here takes: `$viewerOrg`, `$viewerPeers` (the
    organisation itself included) and `$viewerOperator` (the service's operator acting as
    such: its organisation is the OPERATOR and its client holds the admin scope)."""
    return {"viewerOrg": org, "viewerPeers": sorted(set(peers) | {org}),
            "viewerOperator": bool(operator)}


def owned(var: str) -> LiteralString:
    """The viewer contributed the record: what only its contributor's words mean, such as a
    supplier's own factory code (graph/sites/identifiers.py)."""
    return lit(f"({_var(var)}.contributedBy = $viewerOrg)")


def own_or_operator(org_expr: str) -> LiteralString:
    """`org_expr` (an organisation id in the graph) is the viewer's, or the viewer is the
    operator: who may read what an organisation keeps to itself, such as which of its OAuth
    clients wrote a version (client ids name a member's integrations)."""
    return lit(f"({org_expr} = $viewerOrg OR $viewerOperator)")


def all_visible(list_expr: str, var: str) -> LiteralString:
    """`all(var IN list_expr WHERE <visible(var)>)`; list_expr is code, not input."""
    return lit(f"all({_var(var)} IN {list_expr} WHERE {visible(var)})")


def joined(parts: Iterable[str], sep: str = " AND ") -> LiteralString:
    return lit(sep.join(parts))
