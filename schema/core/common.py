"""Shared GraphQL pieces: enums from the model, Relay connections with opaque cursors,
page-argument validation, ISO country codes, and the errors clients see."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import strawberry

from graph.core import model
from resolvers.core.args import encode_cursor

if TYPE_CHECKING:
    pass

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
    def of(rows: Sequence[Any], *, total: int | None, skip: int,
           convert: Callable[[Any], T], has_next: bool | None = None) -> Connection[T]:
        """`total` may be None only where the query does not select `totalCount` (the
        lists count only when asked); `has_next`, when given, is the page's own word."""
        edges = [Edge(cursor=encode_cursor(skip + i), node=convert(r))
                 for i, r in enumerate(rows)]
        if has_next is None:
            assert total is not None, "a page needs its total or its has_next"
            has_next = skip + len(rows) < total
        return Connection(
            total_count=total, edges=edges,  # type: ignore[arg-type]  # None: not selected
            page_info=PageInfo(
                has_next_page=has_next, has_previous_page=skip > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None))

    @staticmethod
    def sliced(rows: Sequence[Any], *, skip: int, limit: int,
               convert: Callable[[Any], T]) -> Connection[T]:
        return Connection.of(rows[skip:skip + limit], total=len(rows), skip=skip,
                             convert=convert)
