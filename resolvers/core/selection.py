"""What a query selects under the current field, so reads project only what is asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.types.nodes import FragmentSpread, InlineFragment

if TYPE_CHECKING:
    from strawberry.types import Info

    from resolvers.core.context import Context


def selected(info: Info[Context, Any], *path: str) -> frozenset[str]:
    """GraphQL field names selected under the current field (through fragments), following
    `path` (e.g. "edges", "node" for a connection)."""
    names: set[str] = set()

    def walk(selections: list[Any], rest: tuple[str, ...]) -> None:
        for sel in selections:
            if isinstance(sel, FragmentSpread | InlineFragment):
                walk(sel.selections, rest)
            elif rest:
                if sel.name == rest[0]:
                    walk(sel.selections, rest[1:])
            else:
                names.add(sel.name)

    for field in info.selected_fields:
        walk(field.selections, path)
    return frozenset(names)
