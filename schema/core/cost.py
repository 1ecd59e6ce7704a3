"""Query cost: an estimate of the work a document asks for, computed before validation.

The estimate (docs/limits.md) counts what the resolvers will fetch:

- every field that returns an object costs 1, plus what is selected inside it; a field
  returning a scalar costs 0 unless `WEIGHTS` names it;
- a connection (`...Connection`) multiplies what is selected inside it by its page size
  (`first`, or the default page size; capped at the maximum page size, as the resolvers do);
  its `edges` are that page, not another multiplier;
- any other list multiplies by `first`/`last` when it takes one, else by
  `settings.cost_list_estimate` (a site's findings, a brand's suppliers);
- `_entities` multiplies by the number of representations;
- the analytics (`WEIGHTS`: exposure walks, supply chains, leverage, risk, contradictions)
  cost their weight instead of 1; each mutation field costs `MUTATION_WEIGHT`;
- every alias counts (an aliased field is asked again), a fragment counts once per spread,
  and an inline fragment on each of its types (an overestimate for abstract types).

A fragment's estimate is computed once and reused at each spread, so the estimate runs in
time linear in the document even when fragments fan out (each spreading the previous one
twice). Beside the cost it counts the fields selected once fragments are spread (page sizes
do not multiply these): a fan-out selects astronomically many and is refused before the
validators, which would walk every one, run. Before the estimate, `fragment_refusal`
refuses a spread of a fragment the document does not define and a cycle of fragments: the
depth limiter among the validators follows spreads without checking either (a KeyError, that
is an INTERNAL_SERVER_ERROR, for an unknown one; issue 15).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension


if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLNamedType, GraphQLOutputType

    from supplygraph.settings import Settings

# One declaration per expensive field, by field name on whichever type carries it: what one
# call costs, in the unit of one object fetched through a loader.
WEIGHTS: Mapping[str, int] = {
    # The walk over every contract, party, supplier tier and site, ordered before a page is
    # cut: tens of milliseconds on the sample, seconds at 100,000 sites (issue 12). At this
    # weight one request holds at most max_query_cost / 1000 walks.
    "myExposure": 1000,
    "exposure": 1000,  # Contract.exposure: the same walk, for one contract
    "supplyChain": 100,  # Brand.supplyChain: a tiered walk
    "leverage": 20,  # counts over every member's contracts reaching the record
    # Per item of the list they sit in (the page multiplies them): each loads every visible
    # report or finding of its parent, whatever page or count is selected (a site's
    # `reports(first: 1) { totalCount }` still reads all its reports, `openFindingCount`
    # all its findings). At 2 and 1, thirty aliases of a 100-site page with both cost
    # 15,030 and passed, while they ran as long as a hundred exposure walks and grew the
    # process from 305 to 681 MB (issue 15's hostile run); now 81,030: refused.
    "openFindingCount": 15,
    "reports": 10,
    "findings": 5,
    "risk": 20,  # the site's findings and reports, and its country's context
    "contradictions": 20,  # every visible report of the site, paired
    # The map's grouping reads every visible site in its box (all of them for the world):
    # 100-300 ms at 100,000 sites (docs/ui.md). Its cells are scalars and cost nothing more.
    "siteClusters": 200,
}
MUTATION_WEIGHT = 10
# Beyond this the figure only says "far too much"; it keeps the number JSON-safe.
COST_CAP = 10**12


def too_costly(cost: int, maximum: int) -> GraphQLError:
    return GraphQLError(
        f"the query's estimated cost {cost} is above the maximum {maximum} per request: "
        "ask for smaller pages, fewer nested lists or fewer aliases (docs/limits.md)",
        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maxCost": maximum})


def too_complex(fields: int, maximum: int) -> GraphQLError:
    return GraphQLError(
        f"the query selects {fields} fields once its fragments are spread, above the "
        f"maximum {maximum}: spread each fragment fewer times (docs/limits.md)",
        extensions={"code": "QUERY_TOO_COMPLEX", "fields": fields, "maxFields": maximum})


@dataclass(frozen=True)
class Estimate:
    """`cost`: the work asked for; `fields`: the fields the document selects once its
    fragments are spread (what validation walks; page sizes do not multiply it)."""

    cost: int
    fields: int

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(min(self.cost + other.cost, COST_CAP),
                        min(self.fields + other.fields, COST_CAP))


def _spreads(selection_set: SelectionSetNode | None) -> set[str]:
    """The fragment names spread in a selection set, at any depth (walked without
    recursion: a deeply nested document must not be what breaks the walk)."""
    found: set[str] = set()
    stack = [selection_set]
    while stack:
        current = stack.pop()
        for sel in current.selections if current is not None else ():
            if isinstance(sel, FragmentSpreadNode):
                found.add(sel.name.value)
            else:
                stack.append(sel.selection_set)
    return found


def _validation_error(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "GRAPHQL_VALIDATION_FAILED"})


def fragment_refusal(document: DocumentNode) -> GraphQLError | None:
    """An unknown fragment spread or a cycle of fragments anywhere in the document, in time
    linear in its size; None when there is neither."""
    fragments = {d.name.value for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    edges: dict[str, set[str]] = {}
    for definition in document.definitions:
        names = _spreads(getattr(definition, "selection_set", None))
        unknown = sorted(names - fragments)
        if unknown:
            return _validation_error(f"Unknown fragment '{unknown[0][:100]}'.")
        if isinstance(definition, FragmentDefinitionNode):
            edges[definition.name.value] = names
    done: set[str] = set()
    for start in edges:
        if start in done:
            continue
        path, stack = {start}, [(start, iter(sorted(edges[start])))]
        while stack:
            name, following = stack[-1]
            nxt = next(following, None)
            if nxt is None:
                stack.pop()
                path.discard(name)
                done.add(name)
            elif nxt in path:
                return _validation_error(f"Cannot spread fragment '{nxt[:100]}' within "
                                         "itself.")
            elif nxt not in done:
                path.add(nxt)
                stack.append((nxt, iter(sorted(edges.get(nxt, ())))))
    return None


class CostEstimator:
    """Estimates one operation of a parsed document against the schema and the limits."""

    def __init__(self, schema: GraphQLSchema, settings: Settings,
                 document: DocumentNode, variables: Mapping[str, Any] | None) -> None:
        self.schema, self.settings = schema, settings
        self.variables = variables or {}
        self.fragments = {d.name.value: d for d in document.definitions
                          if isinstance(d, FragmentDefinitionNode)}
        self._fragment_cost: dict[str, Estimate] = {}
        self._open: set[str] = set()

    def operation(self, op: OperationDefinitionNode) -> Estimate:
        root = self.schema.get_root_type(op.operation)
        if root is None:
            return Estimate(0, 0)
        own = MUTATION_WEIGHT if op.operation == OperationType.MUTATION else 0
        return self._selections(op.selection_set, root, root_fields_cost=own)

    # ----- the walk -------------------------------------------------------------------------
    def _selections(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType,
                    *, root_fields_cost: int = 0, in_connection: bool = False) -> Estimate:
        total = Estimate(0, 0)
        if selection_set is None:
            return total
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                total += self._field(sel, parent, root_fields_cost, in_connection)
            elif isinstance(sel, InlineFragmentNode):
                target = self._type(sel.type_condition.name.value) \
                    if sel.type_condition else parent
                total += self._selections(sel.selection_set, target or parent,
                                          in_connection=in_connection)
            elif isinstance(sel, FragmentSpreadNode):
                total += self._fragment(sel.name.value)
        return total

    def _fragment(self, name: str) -> Estimate:
        if name in self._fragment_cost:
            return self._fragment_cost[name]
        definition = self.fragments.get(name)
        if definition is None or name in self._open:
            return Estimate(0, 0)  # unknown or cyclic: validation refuses the document
        self._open.add(name)
        target = self._type(definition.type_condition.name.value)
        found = self._selections(definition.selection_set, target) if target \
            else Estimate(0, 0)
        self._open.discard(name)
        self._fragment_cost[name] = found
        return found

    def _field(self, node: FieldNode, parent: GraphQLNamedType, root_fields_cost: int,
               in_connection: bool) -> Estimate:
        name = node.name.value
        fields = getattr(parent, "fields", None) or {}
        definition = fields.get(name)
        if definition is None:
            # __typename, introspection or an unknown field (validation decides)
            inner = self._selections(node.selection_set, parent)
            return Estimate(inner.cost, inner.fields + 1)
        named = get_named_type(definition.type)
        inner = self._selections(node.selection_set, named,
                                 in_connection=named.name.endswith("Connection"))
        own = WEIGHTS.get(name, 1 if node.selection_set is not None else 0)
        own = max(own, root_fields_cost)
        size = self._size(node, definition.type, named, in_connection)
        return Estimate(min(own + size * inner.cost, COST_CAP), min(inner.fields + 1, COST_CAP))

    def _size(self, node: FieldNode, of_type: GraphQLOutputType, named: GraphQLNamedType,
              in_connection: bool) -> int:
        s = self.settings
        if named.name.endswith("Connection"):
            first = self._int_arg(node, "first")
            return min(first if first is not None else s.default_page_size, s.max_page_size)
        if not _is_list(of_type):
            return 1
        if in_connection:
            return 1  # a connection's edges: the page its field already counted
        if node.name.value == "_entities":
            return max(1, self._list_len(node, "representations"))
        for arg in ("first", "last"):
            n = self._int_arg(node, arg)
            if n is not None:
                return n
        return s.cost_list_estimate

    # ----- arguments ------------------------------------------------------------------------
    def _value(self, node: FieldNode, arg: str) -> Any:
        for a in node.arguments or ():
            if a.name.value == arg:
                v = a.value
                if isinstance(v, VariableNode):
                    return self.variables.get(v.name.value)
                return v
        return None

    def _int_arg(self, node: FieldNode, arg: str) -> int | None:
        v = self._value(node, arg)
        if isinstance(v, IntValueNode):
            v = v.value
        try:
            n = int(v) if v is not None and not isinstance(v, bool) else None
        except (TypeError, ValueError):
            return None  # not an Int: validation refuses it
        return None if n is None else max(0, min(n, COST_CAP))

    def _list_len(self, node: FieldNode, arg: str) -> int:
        v = self._value(node, arg)
        if isinstance(v, ListValueNode):
            return len(v.values)
        return len(v) if isinstance(v, list) else 1

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)



def _is_list(t: Any) -> bool:
    while isinstance(t, GraphQLNonNull):
        t = t.of_type
    return isinstance(t, GraphQLList)


def _operations(document: DocumentNode, name: str | None) -> Iterator[OperationDefinitionNode]:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        ops = [o for o in ops if o.name is not None and o.name.value == name]
    elif len(ops) > 1:
        return  # ambiguous: strawberry refuses it before execution
    yield from ops


def estimate(schema: GraphQLSchema, settings: Settings, document: DocumentNode,
             operation_name: str | None, variables: Mapping[str, Any] | None) -> Estimate:
    """The estimate of the operation that will run (see the module's docstring)."""
    estimator = CostEstimator(schema, settings, document, variables)
    found = [estimator.operation(op) for op in _operations(document, operation_name)]
    return max(found, key=lambda e: (e.cost, e.fields), default=Estimate(0, 0))


class QueryCost(SchemaExtension):
    """Refuses an operation above `settings.max_query_cost` (or selecting more than
    `settings.max_selected_fields` once spread) before validation, charges its cost to the
    client's budget (`Context.charge_cost`, where a request carries limits), and reports it
    in the response's `extensions.cost`."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.report: dict[str, Any] | None = None

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        document = ctx.graphql_document
        if document is not None and ctx.pre_execution_errors is None:
            refused = fragment_refusal(document)
            if refused is not None:
                ctx.pre_execution_errors = [refused]
                yield
                return
            found = estimate(ctx.schema._schema, self.settings, document,  # noqa: SLF001
                             ctx.operation_name, ctx.variables)
            # Set before the validators run, so that they never see a refused document.
            ctx.pre_execution_errors = self._refusal(found, ctx.context)
        yield

    def _refusal(self, found: Estimate, context: Any) -> list[GraphQLError] | None:
        s = self.settings
        self.report = {"requested": found.cost, "maximum": s.max_query_cost}
        if found.fields > s.max_selected_fields:
            return [too_complex(found.fields, s.max_selected_fields)]
        if found.cost > s.max_query_cost:
            return [too_costly(found.cost, s.max_query_cost)]
        charge = getattr(context, "charge_cost", None)
        refusal = charge(found.cost) if charge is not None else None
        if refusal is not None:
            return [refusal]
        self.report["charged"] = found.cost
        return None

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report is not None else {}
