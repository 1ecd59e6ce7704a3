"""What a query selects under the current field, so reads project only what is asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

if TYPE_CHECKING:
    from strawberry.types import Info

    from resolvers.core.context import Context


def selected(info: Info[Context, Any], *path: str) -> frozenset[str]:
    """GraphQL field names selected under the current field (through fragments), following
    `path` (e.g. "edges", "node" for a connection)."""
    raw = info._raw_info
    # The answer depends only on the field's nodes (the document's, alive for the request)
    # and the path: a field resolved once per item of a list walks its selection once.
    memo = info.context.selections
    key = (tuple(map(id, raw.field_nodes)), path)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _names(raw.field_nodes, raw.fragments, path)
    return found


def _names(field_nodes: Any, fragments: dict[str, Any], path: tuple[str, ...]
           ) -> frozenset[str]:
    names: set[str] = set()

    def walk(selection_set: Any, rest: tuple[str, ...]) -> None:
        if selection_set is None:
            return
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                if not rest:
                    names.add(sel.name.value)
                elif sel.name.value == rest[0]:
                    walk(sel.selection_set, rest[1:])
            elif isinstance(sel, InlineFragmentNode):
                walk(sel.selection_set, rest)
            elif isinstance(sel, FragmentSpreadNode):
                fragment = fragments.get(sel.name.value)
                walk(fragment.selection_set if fragment else None, rest)

    for node in field_nodes:
        walk(node.selection_set, path)
    return frozenset(names)
