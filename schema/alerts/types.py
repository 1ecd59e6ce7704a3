"""Webhooks for alerts (docs/alerts.md): `registerWebhook`, `deleteWebhook`, `webhooks`.

A webhook belongs to the caller's organisation and is visible to it alone. Its secret is
write-only: stored encrypted, used to sign deliveries, never returned. Registering and
listing need the `reports:read` scope: an alert carries report data, and only what the
organisation may read under that scope.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from auth.permissions import RequireScope
from auth.scopes import Scope
from resolvers.alerts import webhooks as r
from schema import mutations_types as t
from schema.core.common import FindingCategory, Severity

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001

SCOPE = Scope.REPORTS_READ


@strawberry.input(description="Which alerts a webhook receives.")
class WebhookFilterInput:
    min_severity: Severity | None = strawberry.field(
        default=None, description="HIGH (default) or CRITICAL.")
    categories: list[FindingCategory] | None = strawberry.field(
        default=None, description="Only findings in these categories (default: all).")
    only_my_exposure: bool = strawberry.field(
        default=False, description="Only findings at sites your contracts reach (disclosed "
                                   "sites, contracted brands' sites, and sites of suppliers "
                                   "within five sourcing tiers).")


@strawberry.input
class RegisterWebhookInput:
    url: str = strawberry.field(description="http(s) URL on a public address (unless the "
                                            "operator allows otherwise).")
    secret: str = strawberry.field(description="16-256 characters; signs each delivery "
                                               "(HMAC-SHA256). Never returned.")
    filter: WebhookFilterInput | None = None


@strawberry.type
class WebhookFilter:
    min_severity: Severity
    categories: list[FindingCategory]
    only_my_exposure: bool


@strawberry.enum
class DeliveryStatus(Enum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    DROPPED = strawberry.enum_value(
        "DROPPED", description="Not sent: you may not read the finding (or it is outside "
                               "your exposure).")
    CANCELLED = strawberry.enum_value("CANCELLED", description="The webhook was deleted.")


@strawberry.type(description="One HTTP attempt of a delivery.")
class DeliveryAttempt:
    number: int
    at: str
    status_code: int | None
    error: str | None
    duration_ms: int | None


@strawberry.type(description="One alert for one webhook; `id` is the "
                             "X-Supplygraph-Delivery header.")
class Delivery:
    id: strawberry.ID
    event: str
    status: DeliveryStatus
    attempts: list[DeliveryAttempt]
    created_at: str
    finished_at: str | None
    drop_reason: str | None


@strawberry.type(description="A webhook of your organisation. The secret is never shown.")
class Webhook:
    id: strawberry.ID
    url: str
    filter: WebhookFilter
    created_at: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Webhook:
        return cls(id=strawberry.ID(row["id"]), url=row["url"], created_at=row["createdAt"],
                   filter=WebhookFilter(
                       min_severity=Severity(row["minSeverity"]),
                       categories=[FindingCategory(c) for c in row.get("categories") or []],
                       only_my_exposure=bool(row.get("onlyMyExposure"))))

    @strawberry.field(description="The latest deliveries, newest first, with every attempt.")
    async def deliveries(self, info: Info[Context, Any], last: int = 20) -> list[Delivery]:
        rows = await r.deliveries(info, str(self.id), max(1, min(last, 100)))
        return [Delivery(id=strawberry.ID(e["entry"]["id"]), event=e["entry"]["event"],
                         status=DeliveryStatus(e["entry"]["status"]),
                         created_at=e["entry"]["createdAt"],
                         finished_at=e["entry"].get("finishedAt"),
                         drop_reason=e["entry"].get("dropReason"),
                         attempts=[DeliveryAttempt(number=a["number"], at=a["at"],
                                                   status_code=a.get("statusCode"),
                                                   error=a.get("error"),
                                                   duration_ms=a.get("durationMs"))
                                   for a in e["attempts"] if a.get("number") is not None])
                for e in rows]


@strawberry.type
class WebhookPayload:
    webhook: Webhook | None = None
    errors: list[t.MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteWebhookPayload:
    deleted: bool = False
    errors: list[t.MutationError] = strawberry.field(default_factory=list)


async def _webhook_payload(info: Info[Context, Any], result: dict[str, Any]) -> WebhookPayload:
    from schema.payloads import mutation_errors

    row = None
    if result.get("id"):
        row = next((w for w in await r.webhooks(info) if w["id"] == result["id"]), None)
    return WebhookPayload(webhook=Webhook.from_row(row) if row else None,
                          errors=mutation_errors(result))


async def _delete_payload(info: Info[Context, Any],
                          result: dict[str, Any]) -> DeleteWebhookPayload:
    from schema.payloads import mutation_errors

    return DeleteWebhookPayload(deleted=bool(result.get("deleted")),
                                errors=mutation_errors(result))


@strawberry.type
class AlertMutation:
    @strawberry.mutation(description="Register a webhook for alerts on new or changed HIGH "
                                     "and CRITICAL findings you may read. Needs the "
                                     "`reports:read` scope.",
                         permission_classes=[RequireScope(SCOPE)])
    async def register_webhook(self, info: Info[Context, Any],
                               input: RegisterWebhookInput,  # noqa: A002
                               ) -> WebhookPayload | None:
        return await r.register_webhook(info, t.as_dict(input), _webhook_payload)

    @strawberry.mutation(description="Delete one of your webhooks; its pending deliveries are "
                                     "cancelled. Needs the `reports:read` scope.",
                         permission_classes=[RequireScope(SCOPE)])
    async def delete_webhook(self, info: Info[Context, Any],
                             id: strawberry.ID,  # noqa: A002
                             ) -> DeleteWebhookPayload | None:
        return await r.delete_webhook(info, str(id), _delete_payload)


@strawberry.type
class AlertQuery:
    @strawberry.field(description="Your organisation's webhooks. Needs the `reports:read` "
                                  "scope.", permission_classes=[RequireScope(SCOPE)])
    async def webhooks(self, info: Info[Context, Any]) -> list[Webhook]:
        return [Webhook.from_row(row) for row in await r.webhooks(info)]
