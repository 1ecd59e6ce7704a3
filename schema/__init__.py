"""The GraphQL schema: `build_schema(settings)` (Federation v2, limits and error codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig

if TYPE_CHECKING:
    from schema.core.errors import OperationMetrics
    from supplygraph.settings import Settings


class Schema(strawberry.federation.Schema):
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


def build_schema(settings: Settings, metrics: OperationMetrics | None = None) -> Schema:
    """`metrics` receives every operation and error code (supplygraph.http.graphql passes
    supplygraph.http.metrics); without it nothing is recorded."""
    from schema.core.cost import CachedValidationUnlessRefused, QueryCost
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
            # A fresh instance per request; the caches behind them are process-wide.
            lambda: ParserCache(maxsize=256),
            lambda: CachedValidationUnlessRefused(maxsize=256),
        ],
        # Plain fields (attributes: no resolver, no protection) are read without
        # graphql-core's per-field machinery (schema/core/execution.py).
        execution_context_class=PlainFieldsExecutionContext,
        config=StrawberryConfig(
            batching_config={"max_operations": settings.max_batch_operations}),
    )
