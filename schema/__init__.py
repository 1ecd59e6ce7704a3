"""The GraphQL schema: `build_schema(settings)` (Federation v2, limits and error codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.types.info import Info

if TYPE_CHECKING:
    from schema.core.caches import DocumentCache
    from schema.core.errors import OperationMetrics
    from supplygraph.settings import Settings


# An id is a short string of ours; anything longer is not one (and is not sent to Neo4j).
_MAX_ENTITY_ID = 200


class Schema(strawberry.federation.Schema):
    def entities_resolver(self, info: Info,
                          representations: list[FederationAny]) -> list[FederationAny]:
        """strawberry's `_entities`, after each representation is checked to be what a
        gateway sends (`{__typename, id}` naming one of our entity types): anything else is
        a BAD_USER_INPUT at its index, where strawberry raised a TypeError or KeyError (an
        INTERNAL_SERVER_ERROR) for a missing id, an unknown type or a non-object."""
        results = []
        for index, representation in enumerate(representations):
            problem = self._bad_representation(representation)
            if problem is not None:
                results.append(GraphQLError(
                    f"representations[{index}]: {problem}",
                    extensions={"code": "BAD_USER_INPUT",
                                "path": ["representations", index]}))
                continue
            results.extend(super().entities_resolver(info, [dict(representation)]))  # type: ignore[arg-type]
        return results

    def _bad_representation(self, rep: Any) -> str | None:
        if not isinstance(rep, dict):
            return "a representation must be an object {__typename, id}"
        type_name = rep.get("__typename")
        type_ = self.schema_converter.type_map.get(type_name) \
            if isinstance(type_name, str) else None
        origin = getattr(getattr(type_, "definition", None), "origin", None)
        if origin is None or not hasattr(origin, "resolve_reference"):
            return f"__typename must name an entity type, not {str(type_name)[:40]!r}"
        if set(rep) != {"__typename", "id"}:
            return "a representation has exactly the fields __typename and id"
        if not isinstance(rep["id"], str) or not 0 < len(rep["id"]) <= _MAX_ENTITY_ID:
            return f"id must be a string of 1 to {_MAX_ENTITY_ID} characters"
        return None

    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        """Errors are coded and internal ones logged by `ErrorCodesAndMetrics`; strawberry's
        default would log every expected FORBIDDEN / BAD_USER_INPUT with a traceback."""

    async def execute(self, query: str | None, variable_values: Any = None,
                      context_value: Any = None, *args: Any, **kwargs: Any) -> Any:
        from schema.core.errors import classify

        result = await super().execute(query, variable_values, context_value, *args, **kwargs)
        # Errors raised before the operation hooks run (a syntax error) get their code here.
        errors = getattr(result, "errors", None)
        if errors and any(not (e.extensions or {}).get("code") for e in errors):
            rid = getattr(context_value, "request_id", None)
            result.errors = [classify(e, rid) for e in errors]
        return result


def build_schema(settings: Settings, metrics: OperationMetrics | None = None,
                 documents: DocumentCache | None = None) -> Schema:
    """`metrics` receives every operation and error code (supplygraph.http.graphql passes
    supplygraph.http.metrics); without it nothing is recorded. `documents`: the cache of
    parsed and validated documents (schema/core/caches.py; a new one unless given)."""
    from schema.core.caches import CachedParse, CachedValidation, DocumentCache
    from schema.core.cost import QueryCost
    from schema.core.errors import ErrorCodesAndMetrics
    from schema.core.execution import PlainFieldsExecutionContext
    from schema.mutations import Mutation
    from schema.query import Query
    from schema.types import (
        AuditReport,
        Brand,
        Contract,
        Finding,
        Organisation,
        ProductionSite,
        RemediationAction,
        Supplier,
    )

    documents = DocumentCache() if documents is None else documents
    limit_rules = [*QueryDepthLimiter(max_depth=settings.max_depth).validation_rules,
                   *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules]
    return Schema(
        query=Query,
        mutation=Mutation,
        types=[ProductionSite, Brand, Supplier, Organisation, AuditReport, Finding,
               RemediationAction, Contract],
        extensions=[
            lambda: ErrorCodesAndMetrics(metrics),
            # Before the validators: a document whose validation would explode is refused.
            lambda: QueryCost(settings),
            # The depth and alias rules are classes made once, here: built per request they
            # were new classes each time, and the validation cache (keyed on the rules)
            # never hit, so every request validated its document again.
            lambda: AddValidationRules(limit_rules),
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            # A fresh instance per request; the cache behind them is the schema's, bounded
            # by bytes as well as entries (schema/core/caches.py). Validation after QueryCost:
            # a document it refused is never validated.
            lambda: CachedParse(documents),
            lambda: CachedValidation(documents),
        ],
        # Plain fields (attributes: no resolver, no protection) are read without
        # graphql-core's per-field machinery (schema/core/execution.py).
        execution_context_class=PlainFieldsExecutionContext,
        config=StrawberryConfig(
            batching_config={"max_operations": settings.max_batch_operations}),
    )
