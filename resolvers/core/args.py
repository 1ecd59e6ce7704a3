"""Arguments as resolvers read them: enums, country codes, cursors and page windows. A bad
argument is a BAD_USER_INPUT GraphQL error naming its input path."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError

from auth.scopes import Scope
from graph.core.model import ISO_COUNTRIES

if TYPE_CHECKING:
    from strawberry.types import Info

    from resolvers.core.context import Context


def bad_input(message: str, path: Sequence[str | int]) -> GraphQLError:
    """A BAD_USER_INPUT error; `path` is the argument path within the field (the error's
    own `path` says which field)."""
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT", "inputPath": list(path)})


def enum_value(value: Any) -> Any:
    return getattr(value, "value", value)


# ----- country codes ------------------------------------------------------------------------
# ISO 3166-1 alpha-2, officially assigned codes (249).
def country_codes(values: Sequence[str] | None, path: Sequence[str | int]) -> list[str] | None:
    """Validated, upper-cased ISO 3166-1 alpha-2 codes; BAD_USER_INPUT naming the bad one."""
    if values is None:
        return None
    out = []
    for i, value in enumerate(values):
        code = value.strip().upper()
        if code not in ISO_COUNTRIES:
            raise bad_input(f"{value!r} is not an ISO 3166-1 alpha-2 country code",
                            [*path, i])
        out.append(code)
    return out


# ----- connections --------------------------------------------------------------------------
_CURSOR_PREFIX = "sg1:"
# No list here holds two billion entries; Neo4j refuses a SKIP past a 64-bit integer, and its
# list slices past a 32-bit one, so a larger offset is a forged cursor, not a page.
MAX_OFFSET = 2**31 - 2


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str | None, path: Sequence[str | int]) -> int:
    """The offset after `cursor` (0 without one); BAD_USER_INPUT for anything malformed."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith(_CURSOR_PREFIX) or not text[len(_CURSOR_PREFIX):].isdigit() \
            or len(text) > 24:
        raise bad_input("malformed cursor: pass an endCursor or edge cursor from this API",
                        path)
    offset = int(text[len(_CURSOR_PREFIX):])
    if offset > MAX_OFFSET:
        raise bad_input("cursor out of range: pass an endCursor or edge cursor from this API",
                        path)
    return offset + 1


def page_window(info: Info[Context, Any], first: int | None,
                after: str | None) -> tuple[int, int]:
    """(skip, limit) from `first` and `after`, validated against the settings."""
    settings = info.context.settings
    if first is None:
        first = settings.default_page_size
    if first < 0 or first > settings.max_page_size:
        raise bad_input(f"first must be between 0 and {settings.max_page_size}",
                        ["first"])
    return decode_cursor(after, ["after"]), first


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, the total count, and the offset of its first row;
    `has_next` when the query told it without counting (the total is then None unless the
    query counted too)."""

    rows: list[Any]
    total: int | None
    skip: int
    has_next: bool | None = None


def require_scope(info: Info[Context, Any], scope: Scope, what: str) -> None:
    """An argument that would tell what another scope guards (e.g. a finding filter on a
    site list tells which sites have findings) needs that scope too: FORBIDDEN, naming it."""
    if not info.context.viewer.has(scope):
        raise GraphQLError(f"{what} need the {scope.value} scope",
                           extensions={"code": "FORBIDDEN", "scope": scope.value})
