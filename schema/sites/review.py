"""The review queue (docs/matching.md): `pendingMatches`, `confirmMatch`, `rejectMatch`.
The root Query and Mutation inherit `ReviewQuery` and `ReviewMutation`."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from auth.permissions import RequireScope
from auth.scopes import Scope
from resolvers.core.args import enum_value
from resolvers.core.mutations import load
from resolvers.sites import review as r
from schema import mutations_types as t
from schema.sites.types import ProductionSite

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001


@strawberry.enum(description="Where a pending match stands.")
class PendingMatchStatus(Enum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"


@strawberry.type(description="A submitted site matching could not decide, kept for review. "
                             "Visible to the organisation that submitted it and to the "
                             "operator only.")
class PendingMatch:
    id: strawberry.ID
    status: PendingMatchStatus
    name: str
    country_code: str
    address: str | None
    city: str | None
    submitted_by: strawberry.ID = strawberry.field(description="The contributing organisation.")
    source: str | None = strawberry.field(description="The import file or API client.")
    row: int | None = strawberry.field(description="The row of the import file, when one.")
    created_at: str
    candidates: list[t.SiteCandidate] = strawberry.field(
        description="Sites it may be, with their score parts; only those you may see today.")
    decided_at: str | None
    decided_by: strawberry.ID | None
    decision_note: str | None
    site_id: strawberry.ID | None = strawberry.field(
        description="CONFIRMED: the site it is; REJECTED: the site created for it.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PendingMatch:
        site = row.get("site") or {}
        return cls(id=strawberry.ID(row["id"]), status=PendingMatchStatus(row["status"]),
                   name=row.get("name") or "", country_code=row.get("countryCode") or "",
                   address=site.get("address"), city=site.get("city"),
                   submitted_by=strawberry.ID(row["contributedBy"]), source=row.get("source"),
                   row=row.get("row"), created_at=str(row.get("createdAt")),
                   candidates=t.site_candidates(row.get("candidates") or []),
                   decided_at=row.get("decidedAt"), decided_by=row.get("decidedBy"),
                   decision_note=row.get("decision"),
                   site_id=strawberry.ID(row["siteId"]) if row.get("siteId") else None)


@strawberry.input
class ConfirmMatchInput:
    pending_match_id: strawberry.ID
    site_id: strawberry.ID = strawberry.field(description="The existing site it is.")
    note: str | None = strawberry.field(default=None, description="Kept in the history.")


@strawberry.input
class RejectMatchInput:
    pending_match_id: strawberry.ID
    note: str | None = strawberry.field(default=None, description="Kept in the history.")


@strawberry.type
class PendingMatchPayload:
    pending_match: PendingMatch | None = None
    site: ProductionSite | None = None
    errors: list[t.MutationError] = strawberry.field(default_factory=list)


async def _payload(info: Info[Context, Any], result: dict[str, Any]) -> PendingMatchPayload:
    from graph.sites.fields import SITE_SHAPE
    from schema.payloads import mutation_errors

    if result.get("errors"):
        return PendingMatchPayload(errors=mutation_errors(result))
    row = await r.pending_by_id(info, result["pendingMatchId"])
    site = await load(info, SITE_SHAPE, result.get("siteId"))
    return PendingMatchPayload(pending_match=PendingMatch.from_row(row) if row else None,
                               site=ProductionSite.from_row(site) if site else None)


def _write(scope: Scope, text: str) -> Any:
    return strawberry.mutation(description=f"{text} Needs the `{scope.value}` scope.",
                               permission_classes=[RequireScope(scope)])


@strawberry.type
class ReviewQuery:
    @strawberry.field(description="Sites your organisation submitted that matching could not "
                                  "decide (all organisations' for the operator), oldest "
                                  "first. Needs the `sites:read` scope.",
                      permission_classes=[RequireScope(Scope.SITES_READ)])
    async def pending_matches(self, info: Info[Context, Any],
                              status: PendingMatchStatus | None = PendingMatchStatus.PENDING,
                              first: int = 100, offset: int = 0) -> list[PendingMatch]:
        rows = await r.pending_matches(info, status=enum_value(status) if status else None,
                                       first=first, offset=offset)
        return [PendingMatch.from_row(row) for row in rows]


@strawberry.type
class ReviewMutation:
    @_write(Scope.SITES_WRITE, "Decide a pending match: the submitted site is this existing "
                               "site (one you may see); its products, brand and supplier are "
                               "linked to it. Recorded in the site's history (who, when).")
    async def confirm_match(self, info: Info[Context, Any],
                            input: ConfirmMatchInput,  # noqa: A002
                            ) -> PendingMatchPayload | None:
        return await r.confirm_match(info, t.as_dict(input), _payload)

    @_write(Scope.SITES_WRITE, "Decide a pending match: the submitted site is none of the "
                               "candidates; it is created now as submitted. Recorded in the "
                               "new site's history (who, when).")
    async def reject_match(self, info: Info[Context, Any],
                           input: RejectMatchInput,  # noqa: A002
                           ) -> PendingMatchPayload | None:
        return await r.reject_match(info, t.as_dict(input), _payload)
