"""What a resolver projects is what the query selects under its field: through named and
inline fragments, along a connection's path, over every node of a field asked twice
(resolvers/core/selection.py). A name missed here is a field read as null; a name too many
is only a wider read."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import FieldNode, OperationDefinitionNode, parse

from resolvers.core.selection import _names

DOC = """
query { productionSite(id: "x") { id ...Site
  ... on ProductionSite { city reports(first: 2) { edges { node { title ...R } } } }
  reports(first: 2) { totalCount edges { cursor node { id findings { id } } } } }
  other: productionSite(id: "y") { name } }
fragment Site on ProductionSite { name ...Deeper }
fragment Deeper on ProductionSite { countryCode reports { edges { node { kind } } } }
fragment R on AuditReport { publishedAt findings { category } }
"""


def _site_nodes(which: str) -> tuple[list[Any], dict[str, Any]]:
    doc = parse(DOC)
    op = next(d for d in doc.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in doc.definitions
                 if not isinstance(d, OperationDefinitionNode)}
    nodes = [s for s in op.selection_set.selections
             if isinstance(s, FieldNode) and (s.alias or s.name).value == which]
    return nodes, fragments


@pytest.mark.parametrize(("path", "expected"), [
    ((), {"id", "name", "countryCode", "city", "reports"}),
    (("reports",), {"edges", "totalCount"}),
    (("reports", "edges"), {"node", "cursor"}),
    (("reports", "edges", "node"), {"id", "title", "kind", "publishedAt", "findings"}),
    (("reports", "edges", "node", "findings"), {"id", "category"}),
    (("city",), set()),
    (("nothing", "here"), set()),
])
def test_buyer_site_selection_through_fragments_and_paths(path: tuple[str, ...],
                                                          expected: set[str]) -> None:
    nodes, fragments = _site_nodes("productionSite")
    assert _names(nodes, fragments, path) == expected


def test_buyer_alias_is_its_own_field() -> None:
    nodes, fragments = _site_nodes("other")
    assert _names(nodes, fragments, ()) == {"name"}


def test_buyer_same_field_twice_selects_the_union() -> None:
    nodes, fragments = _site_nodes("productionSite")
    assert _names(nodes * 2, fragments, ("reports", "edges", "node", "findings")) == {
        "id", "category"}
