"""What every entity type shares: the `Record` interface (provenance and sharing), scoped
fields, relation reads through the per-request loaders, federation references, and the
GraphQL behaviour of a protected field (null with a FORBIDDEN error for a viewer who may not
read it; which viewers may is declared in graph/<domain>/fields.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NewType

import strawberry
from graphql import GraphQLError

from auth.permissions import RequireScope
from auth.scopes import Scope
from graph.core import nodes as rel
from resolvers.core.selection import selected
from schema.core.common import Sharing

if TYPE_CHECKING:
    from strawberry.types import Info

    from graph.core.visibility import Protected, Shape
    from resolvers.core.context import Context

SITES = Scope.SITES_READ
REPORTS = Scope.REPORTS_READ
CONTRACTS = Scope.CONTRACTS_READ


def needs(scope: Scope, text: str, *also: Scope) -> str:
    if also:
        names = " and ".join(f"`{s.value}`" for s in (scope, *also))
        return f"{text} Needs the {names} scopes."
    return f"{text} Needs the `{scope.value}` scope."


def scoped(scope: Scope, description: str, *also: Scope, **kw: Any) -> Any:
    """A field behind one scope, or several (`also`) when it shows more than one kind of
    record, e.g. contracts and the sites they reach."""
    return strawberry.field(description=needs(scope, description, *also),
                            permission_classes=[RequireScope(s) for s in (scope, *also)], **kw)


async def related(info: Info[Context, Any], relation: rel.Relation, shape: Shape,
                  parent_id: str, *path: str,
                  need: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """The visible records along `relation`, projected to what the query selects."""
    fields = selected(info, *path) | need
    return await info.context.loaders.related(relation, shape.only(fields)).load(parent_id)


async def related_count(info: Info[Context, Any], relation: rel.Relation, shape: Shape,
                        parent_id: str, where: str) -> int:
    """How many visible records along `relation` satisfy `where` (a condition of
    graph/core/nodes.py), counted in Neo4j. Keyed as `count_prefetch` keys it."""
    part = count_prefetch(relation, shape, where)
    return await info.context.loaders.related_count(part.relation, part.shape,
                                                    where).load(parent_id)


def count_prefetch(relation: rel.Relation, shape: Shape, where: str) -> rel.Prefetch:
    """The count `related_count` reads: no field of the records is projected, so the key is
    the relation, the label's shape with nothing selected, and the condition."""
    return rel.Prefetch(relation, shape.only(frozenset()), where=where)


async def related_page(info: Info[Context, Any], relation: rel.Relation, shape: Shape,
                       parent_id: str, *, path: tuple[str, ...], window: tuple[int, int],
                       nested_field: str, nested: rel.Relation,
                       nested_shape: Shape) -> tuple[int, list[dict[str, Any]]]:
    """How many visible records along `relation`, and the page `window` (skip, limit) of
    them projected to what the query selects at `path`; when it selects `nested_field` on
    them, their `nested` targets come in the same round trip (primed for that field's own
    `related` call). Keyed as `page_prefetch` keys it."""
    part = page_prefetch(info, relation, shape, path=path, window=window,
                         nested_field=nested_field, nested=nested, nested_shape=nested_shape)
    return await info.context.loaders.related_page(part.relation, part.shape, part.nested,
                                                   window).load(parent_id)


def page_prefetch(info: Info[Context, Any], relation: rel.Relation, shape: Shape, *,
                  path: tuple[str, ...], window: tuple[int, int], nested_field: str,
                  nested: rel.Relation, nested_shape: Shape,
                  at: tuple[str, ...] = ()) -> rel.Prefetch:
    """The page `related_page` reads for the field at `at` (below the current one; () for
    the current field): its relation, the shapes selected and the window."""
    fields = selected(info, *at, *path)
    inner = (nested, nested_shape.only(selected(info, *at, *path, nested_field))
             ) if nested_field in fields else None
    return rel.Prefetch(relation, shape.only(fields), inner, window)


async def entity(info: Info[Context, Any], shape: Shape, scope: Scope,
                 id_: str) -> dict[str, Any] | None:
    """A visible node by id for `resolve_reference` (the same loader as everywhere)."""
    if not info.context.viewer.has(scope):
        raise GraphQLError(f"this entity needs the {scope.value} scope",
                           extensions={"code": "FORBIDDEN", "scope": scope.value})
    return await info.context.loaders.node(shape.only(selected(info))).load(str(id_))


class RowReader:
    """`from_row` for a type read in bulk (a supply chain of a thousand entries makes two
    thousand records). `fields` maps a row key to (attribute, convert or None): only the
    keys the row has are converted (a projection has the selected ones), every other
    attribute keeps its default (None; `defaults`; a new empty list for those in `lists`),
    and the instance is made without the dataclass __init__ binding each argument. It
    refuses, when made, a table that leaves an attribute of __init__ unread."""

    def __init__(self, cls: type, fields: dict[str, tuple[str, Callable[[Any], Any] | None]],
                 *, defaults: dict[str, Any] | None = None,
                 lists: frozenset[str] = frozenset()) -> None:
        init = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
        read = {attr for attr, _ in fields.values()}
        if read != init:
            raise TypeError(f"{cls.__name__}: the row table reads {sorted(read ^ init)} "
                            "differently from __init__")
        self.cls, self.fields, self.lists = cls, fields, lists
        self.defaults = {name: None for name in init} | (defaults or {})
        # Keys read as they are into the attribute of the same name (an ID is a str): a row
        # of only these is copied in one step (a supply chain's rows are {id, name}).
        self.plain = frozenset(key for key, (attr, convert) in fields.items()
                               if attr == key and (convert is None
                                                   or isinstance(convert, NewType)))

    def __call__(self, row: dict[str, Any]) -> Any:
        values = self.defaults.copy()
        if row.keys() <= self.plain:
            values.update(row)
        else:
            fields = self.fields
            for key, value in row.items():
                spec = fields.get(key)
                if spec is not None:
                    attr, convert = spec
                    values[attr] = value if convert is None else convert(value)
        for attr in self.lists:
            if values[attr] is None:
                values[attr] = []
        obj = object.__new__(self.cls)
        obj.__dict__ = values
        return obj


def enum_or_none(enum: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A row value as the enum member, or None for a missing or empty one."""
    return lambda value: enum(value) if value else None


# The `Record` interface's attributes, as `provenance` reads them.
PROVENANCE_FIELDS: dict[str, tuple[str, Callable[[Any], Any] | None]] = {
    "id": ("id", strawberry.ID),
    "sharing": ("sharing", lambda v: Sharing(v) if v else Sharing.PUBLIC),
    "contributedBy": ("contributed_by", None), "createdAt": ("created_at", None),
    "updatedAt": ("updated_at", None), "source": ("source", None)}


def provenance(row: dict[str, Any]) -> dict[str, Any]:
    """The `Record` attributes of `row`, for a type's constructor (PROVENANCE_FIELDS)."""
    return {attr: row.get(key) if convert is None else convert(row.get(key))
            for key, (attr, convert) in PROVENANCE_FIELDS.items()}


def protected_value(field: Protected, row: dict[str, Any],
                    convert: Callable[[dict[str, Any]], Any]) -> Any:
    """What a record's attribute for protected `field` holds: `convert(row)` when the viewer
    may read it; when not, the FORBIDDEN error itself, which graphql-core reports at the
    field's path with a null, as if a resolver had raised it; None when the query did not
    select the field (the row carries no readability flag). Made when the record is: a
    field read off the record completes on the fast path (schema/core/execution.py), where
    a resolver method took graphql-core's per-field path for every row of a list."""
    if field.flag not in row:
        return None
    if not field.readable_in(row):
        return GraphQLError(field.forbidden_message, extensions={"code": "FORBIDDEN"})
    return convert(row)


@strawberry.interface(description="Provenance and sharing, common to every record.")
class Record:
    id: strawberry.ID
    sharing: Sharing = strawberry.field(description="Who may see this record.")
    contributed_by: strawberry.ID | None = strawberry.field(
        description="Id of the organisation that contributed (owns) the record.")
    created_at: str | None
    updated_at: str | None
    source: str | None
