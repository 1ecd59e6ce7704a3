"""Shared GraphQL pieces: enums from the model, Relay connections with opaque cursors,
page-argument validation, ISO country codes, and the errors clients see."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError

from graph.core import model
from graph.core.model import ISO_COUNTRIES

if TYPE_CHECKING:
    from schema.context import Context

T = TypeVar("T")

Sharing = strawberry.enum(model.Sharing, description="Who may see a record.")
OrganisationKind = strawberry.enum(model.OrganisationKind)
SupplierRole = strawberry.enum(model.SupplierRole)
SiteType = strawberry.enum(model.SiteType)
SiteStatus = strawberry.enum(model.SiteStatus)
ReportKind = strawberry.enum(model.ReportKind)
FindingCategory = strawberry.enum(model.FindingCategory,
                                  description="ILO fundamental principles and what codes of "
                                              "conduct audit beyond them.")
Severity = strawberry.enum(model.Severity, description="Normalised severity, LOW to CRITICAL.")
FindingStatus = strawberry.enum(model.FindingStatus)
RemediationStatus = strawberry.enum(model.RemediationStatus)


@strawberry.enum(description="Sort direction. Absent or unreadable values sort last.")
class Direction(Enum):
    ASC = "ASC"
    DESC = "DESC"


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
    return int(text[len(_CURSOR_PREFIX):]) + 1


def page_window(info: strawberry.Info[Context, None], first: int | None,
                after: str | None) -> tuple[int, int]:
    """(skip, limit) from `first` and `after`, validated against the settings."""
    settings = info.context.settings
    if first is None:
        first = settings.default_page_size
    if first < 0 or first > settings.max_page_size:
        raise bad_input(f"first must be between 0 and {settings.max_page_size}",
                        ["first"])
    return decode_cursor(after, ["after"]), first


@strawberry.type(description="Where a page ends.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    total_count: int = strawberry.field(
        description="How many records match for this caller (only records it may see).")
    edges: list[Edge[T]]
    page_info: PageInfo

    @staticmethod
    def of(rows: Sequence[Any], *, total: int, skip: int,
           convert: Callable[[Any], T]) -> Connection[T]:
        edges = [Edge(cursor=encode_cursor(skip + i), node=convert(r))
                 for i, r in enumerate(rows)]
        return Connection(
            total_count=total, edges=edges,
            page_info=PageInfo(
                has_next_page=skip + len(rows) < total, has_previous_page=skip > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None))

    @staticmethod
    def sliced(rows: Sequence[Any], *, skip: int, limit: int,
               convert: Callable[[Any], T]) -> Connection[T]:
        return Connection.of(rows[skip:skip + limit], total=len(rows), skip=skip,
                             convert=convert)
