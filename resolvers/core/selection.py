"""What a query selects under the current field, so reads project only what is asked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, get_named_type
from graphql.execution.values import VariableValues, get_argument_values

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


def field_arguments(info: Info[Context, Any], name: str) -> dict[str, Any] | None:
    """The arguments (variables applied, defaults filled) of the one field `name` selected
    under the current field, for a resolver that reads ahead for it; None when it is
    selected more than once (aliases, fragments asking differently) or not at all, or when
    its arguments are bad (the field itself reports that)."""
    raw = info._raw_info
    found = [f for node in raw.field_nodes for f in _fields(node.selection_set, raw.fragments)
             if f.name.value == name]
    definition = getattr(get_named_type(raw.return_type), "fields", {}).get(name)
    if len(found) != 1 or definition is None:
        return None
    try:
        # info carries the coerced variables only; their sources matter to fragment
        # variables, which a document here never has
        return get_argument_values(definition, found[0],
                                   VariableValues({}, dict(raw.variable_values)))
    except Exception:  # noqa: BLE001 - a bad argument: the field's own resolution says so
        return None


def _fields(selection_set: Any, fragments: dict[str, Any]) -> Iterator[FieldNode]:
    """The fields of a selection set, through inline fragments and fragment spreads."""
    for sel in selection_set.selections if selection_set is not None else ():
        if isinstance(sel, FieldNode):
            yield sel
        elif isinstance(sel, InlineFragmentNode):
            yield from _fields(sel.selection_set, fragments)
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments:
            yield from _fields(fragments[sel.name.value].selection_set, fragments)


def _names(field_nodes: Any, fragments: dict[str, Any], path: tuple[str, ...]
           ) -> frozenset[str]:
    names: set[str] = set()

    def walk(selection_set: Any, rest: tuple[str, ...]) -> None:
        for f in _fields(selection_set, fragments):
            if not rest:
                names.add(f.name.value)
            elif f.name.value == rest[0]:
                walk(f.selection_set, rest[1:])

    for node in field_nodes:
        walk(node.selection_set, path)
    return frozenset(names)
