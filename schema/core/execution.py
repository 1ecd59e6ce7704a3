"""Execution with plain fields read directly: graphql-core's executor, minus its per-field
machinery where that machinery cannot change the answer.

graphql-core executes every field the same way: a `GraphQLResolveInfo`, the resolver, an
awaitable check, then completion. For a field that is only an attribute of the object its
parent resolved (a strawberry field with no resolver and no field extension, hence no
permission check, no arguments, and no schema middleware) all of that produces
`coerce_output_value(getattr(obj, name))` for a scalar or an enum, and the sub-selection executed on
`getattr(obj, name)` for an object. Measured on a brand's supply chain (some 700 entries,
each a tier, a supplier and a site) that machinery was most of a request's CPU.

So `execute_fields` plans each selection once per operation, and reads plain fields in
place; every other field (resolvers, arguments, lists, abstract types, protected fields,
`__typename`) goes through graphql-core's `execute_field` unchanged. A plain field whose
value would need an error (null on a non-null field, a value its scalar refuses, an object
of another type, an awaitable) is handed to `execute_field` too, so errors, their paths and
null propagation stay graphql-core's own. Visibility is untouched: it is decided in Cypher
before any object exists, and a protected field is never plain (it has a permission
extension or a resolver).
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLID,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

_BACKREF = "strawberry-definition"
_DATA = frozenset({str, int, float, bool})
# graphql-core's own String and ID give a str back unchanged (`serialize_string`,
# `serialize_id`): a list reader may skip their coercion for a str.
_STR_IDENTITY = (GraphQLString.serialize, GraphQLID.serialize)


class _Slow(Exception):
    """A list item the compiled reader will not complete: graphql-core does the list."""


# One field of a compiled reader: response name, attribute, output coercion (None for an
# object), whether a str passes as it is, nullable, the object's own reader (else None) and
# the object type (for its is_type_of).
_Field = tuple[str, str, Any, bool, bool, Any, Any]


class _Plain:
    """How to read one plain field: its attribute, and either the leaf type's output
    coercion (what graphql-core's `complete_leaf_value` calls) or the object type whose
    selection runs on the value."""

    __slots__ = ("attr", "coerce", "object_type", "field_type", "nullable")

    def __init__(self, attr: str, field_type: Any) -> None:
        self.attr = attr
        self.field_type = field_type
        self.nullable = not isinstance(field_type, GraphQLNonNull)
        named = field_type if self.nullable else field_type.of_type
        self.coerce = (None if isinstance(named, GraphQLObjectType)
                       else named.coerce_output_value)
        self.object_type = named if isinstance(named, GraphQLObjectType) else None


def _plain(field_def: Any, details: Any, middleware: Any) -> _Plain | None:
    """A `_Plain` when the field is read straight off its parent object, else None."""
    if field_def is None or len(details) != 1 or details[0].node.arguments:
        return None
    resolve = field_def.resolve
    if resolve is None or not getattr(resolve, "_is_default", False):
        return None
    if middleware is not None and middleware.get_field_resolver(resolve) is not resolve:
        return None
    definition = (field_def.extensions or {}).get(_BACKREF)
    if definition is None or not definition.is_basic_field:
        return None
    if definition.default_resolver is not getattr or not definition.python_name:
        return None
    named = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) \
        else field_def.type
    if not isinstance(named, GraphQLScalarType | GraphQLEnumType | GraphQLObjectType):
        return None
    return _Plain(definition.python_name, field_def.type)


class PlainFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # id(grouped field set) -> (the set, kept alive so that its id is not reused; plan)
        self._plans: dict[int, tuple[Any, list[tuple[str, Any, _Plain | None]]]] = {}
        # (object type, id(selection)) -> (the selection, kept alive; its reader or None)
        self._readers: dict[tuple[Any, int], tuple[Any, Any]] = {}

    def _plan(self, parent_type: GraphQLObjectType,
              grouped_field_set: Any) -> list[tuple[str, Any, _Plain | None]]:
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        plan = [(name, details,
                 _plain(self.schema.get_field(parent_type, details[0].node.name.value),
                        details, self.middleware_manager))
                for name, details in grouped_field_set.items()]
        self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def _read(self, plain: _Plain, parent_type: GraphQLObjectType, source: Any, path: Any,
              name: str, details: Any) -> Any:
        """The completed value of a plain field, or Undefined to let graphql-core do it."""
        value = getattr(source, plain.attr, Undefined)
        if value is None:
            return None if plain.nullable else Undefined
        if value is Undefined or isinstance(value, Exception) or self.is_awaitable(value):
            return Undefined
        if plain.coerce is not None:
            try:
                out = plain.coerce(value)
            except Exception:  # noqa: BLE001 - execute_field reports it, with its path
                return Undefined
            return Undefined if out is None else out
        object_type = plain.object_type
        if object_type.is_type_of is not None:
            try:
                if object_type.is_type_of(value, None) is not True:
                    return Undefined
            except Exception:  # noqa: BLE001 - a predicate wanting `info`: the slow path
                return Undefined
        grouped, defer_usages, _ = self.collect_subfields(object_type, details)
        if defer_usages:
            return Undefined
        field_path = Path(path, name, parent_type.name)
        try:
            completed = self.execute_fields(object_type, value, field_path, grouped, None)
        except Exception as raw:  # noqa: BLE001 - exactly what execute_field does
            self.handle_field_error(raw, plain.field_type, details, field_path)
            return None
        if self.is_awaitable(completed):
            async def guarded() -> Any:
                try:
                    return await completed
                except Exception as raw:  # noqa: BLE001
                    self.handle_field_error(raw, plain.field_type, details, field_path)
                    return None
            return guarded()
        return completed

    # ----- lists of objects whose selection is plain all the way down ---------------------
    def _reader(self, object_type: GraphQLObjectType, details: Any) -> Any:
        """A function completing one object of `object_type` for the selection `details`
        when every selected field, and every field below them, is plain; else None. Kept
        per operation, like graphql-core's own memo of sub-selections."""
        readers = self._readers
        key = (object_type, id(details))
        cached = readers.get(key)
        if cached is not None:
            return cached[1]
        reader = None
        grouped, defer_usages, _ = self.collect_subfields(object_type, details)
        if not defer_usages:
            fields: list[_Field] | None = []
            for name, sub_details, plain in self._plan(object_type, grouped):
                if plain is None:
                    fields = None
                    break
                sub = None
                if plain.object_type is not None:
                    sub = self._reader(plain.object_type, sub_details)
                    if sub is None:
                        fields = None
                        break
                passes = plain.coerce in _STR_IDENTITY
                fields.append((name, plain.attr, plain.coerce, passes, plain.nullable, sub,
                               plain.object_type))
            if fields is not None:
                reader = _compiled(fields, self.is_awaitable)
        readers[key] = (details, reader)
        return reader

    def complete_iterable_value(self, item_type: Any, field_details_list: Any, info: Any,
                                path: Any, items: Any, position_context: Any) -> Any:
        """A list of objects read by a compiled reader when every item allows it (graphql-
        core's per-item completion was most of a large answer's CPU: a supply chain's 972
        entries); any item it will not complete hands the whole list to graphql-core, which
        then reports errors and nulls exactly as it always does."""
        nullable = not isinstance(item_type, GraphQLNonNull)
        named = item_type if nullable else item_type.of_type
        if isinstance(named, GraphQLObjectType) and isinstance(items, list) \
                and self.get_stream_usage(field_details_list, path) is None:
            reader = self._reader(named, field_details_list)
            if reader is not None:
                is_type_of = named.is_type_of
                try:
                    out = []
                    for item in items:
                        if item is None:
                            if not nullable:
                                raise _Slow
                            out.append(None)
                            continue
                        if is_type_of is not None and is_type_of(item, None) is not True:
                            raise _Slow
                        out.append(reader(item))
                    return out
                except Exception:  # noqa: BLE001 - _Slow or a predicate wanting `info`
                    pass
        return super().complete_iterable_value(item_type, field_details_list, info, path,
                                               items, position_context)

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any,
                       path: Any, grouped_field_set: Any, position_context: Any) -> Any:
        # graphql-core's own loop (Executor.execute_fields), with plain fields read first.
        plan = self._plan(parent_type, grouped_field_set)
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for name, details, plain in plan:
                result = Undefined
                if plain is not None:
                    if plain.coerce is not None:
                        # The common case inline: a str, int, float or bool can be neither
                        # awaitable nor an error, so it needs no checks before coercion.
                        value = getattr(source_value, plain.attr, Undefined)
                        if type(value) in _DATA:
                            try:
                                result = plain.coerce(value)
                            except Exception:  # noqa: BLE001 - execute_field reports it
                                result = None
                            if result is not None:
                                results[name] = result
                                continue
                            result = Undefined
                    result = self._read(plain, parent_type, source_value, path, name, details)
                if result is Undefined:
                    result = self.execute_field(parent_type, source_value, details,
                                                Path(path, name, parent_type.name),
                                                position_context)
                    if result is Undefined:
                        continue
                results[name] = result
                if is_awaitable(result):
                    awaitable_fields.append(name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                results[awaitable_fields[0]] = await results[awaitable_fields[0]]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()


def _compiled(fields: list[_Field], is_awaitable: Any) -> Any:
    """One object's completion as a loop over its plain fields; raises _Slow wherever
    graphql-core would have something to say (a null in a non-null field, an awaitable, an
    error value, a value its type refuses, an object of another type)."""
    def read(source: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, attr, coerce, passes, nullable, sub, object_type in fields:
            value = getattr(source, attr, Undefined)
            if value is None:
                if not nullable:
                    raise _Slow
                out[name] = None
                continue
            if passes and type(value) is str:  # String and ID only (no sub, no checks)
                out[name] = value
                continue
            if value is Undefined or isinstance(value, Exception) or is_awaitable(value):
                raise _Slow
            if sub is None:
                result = coerce(value)  # raises: graphql-core reports it, with its path
                if result is None:
                    raise _Slow
                out[name] = result
            else:
                if object_type.is_type_of is not None \
                        and object_type.is_type_of(value, None) is not True:
                    raise _Slow
                out[name] = sub(value)
        return out

    return read
