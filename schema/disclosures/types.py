"""Disclosure requests, supplier representation and `Supplier.accountability`
(docs/disclosures.md). The root fields live in `DisclosureQuery` and `DisclosureMutation`,
which the root Query and Mutation inherit."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from auth.permissions import RequireScope
from auth.scopes import Scope
from resolvers.disclosures import requests as r
from schema import mutations_types as t
from resolvers.core.args import enum_value

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001


@strawberry.enum(description="Where a disclosure request stands. OVERDUE is computed when "
                             "read: an OPEN request whose due date (UTC) has passed.")
class DisclosureRequestStatus(Enum):
    OPEN = "OPEN"
    OVERDUE = "OVERDUE"
    ANSWERED = "ANSWERED"
    DECLINED = "DECLINED"


@strawberry.type(description="A buyer's request that the contractor of one of its contracts "
                             "disclose the production sites behind it. Visible to the "
                             "members of the requester's consortia and to the organisations "
                             "representing the addressed supplier.")
class DisclosureRequest:
    id: strawberry.ID
    contract_id: strawberry.ID
    supplier_id: strawberry.ID | None = strawberry.field(
        description="The contractor asked; null when you may not see that supplier.")
    requested_by: strawberry.ID = strawberry.field(description="The requesting buyer.")
    message: str | None
    due_date: str = strawberry.field(description="ISO 8601 date.")
    requested_at: str
    status: DisclosureRequestStatus
    answered_at: str | None
    answered_on_time: bool | None = strawberry.field(
        description="For ANSWERED: on or before the due date.")
    answered_by: strawberry.ID | None
    declined_at: str | None
    decline_reason: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> DisclosureRequest:
        return cls(id=strawberry.ID(row["id"]), contract_id=strawberry.ID(row["contractId"]),
                   supplier_id=(strawberry.ID(row["supplierId"])
                                if row.get("supplierId") is not None else None),
                   requested_by=strawberry.ID(row["contributedBy"]),
                   message=row.get("message"), due_date=row["dueDate"],
                   requested_at=row["requestedAt"],
                   status=DisclosureRequestStatus(row["status"]),
                   answered_at=row.get("answeredAt"), answered_on_time=row.get("onTime"),
                   answered_by=row.get("answeredBy"), declined_at=row.get("declinedAt"),
                   decline_reason=row.get("declineReason"))


@strawberry.type(description="How a supplier answered disclosure requests, counting only "
                             "requests made by your organisation or members of your "
                             "consortia.")
class SupplierAccountability:
    requests_received: int
    answered_on_time: int
    answered_late: int
    overdue: int = strawberry.field(description="Open past their due date.")
    declined: int
    open: int = strawberry.field(description="Open and not yet due.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SupplierAccountability:
        return cls(requests_received=row["received"], answered_on_time=row["answeredOnTime"],
                   answered_late=row["answeredLate"], overdue=row["overdue"],
                   declined=row["declined"], open=row["open"])


async def supplier_accountability(info: Info[Context, Any],
                                  supplier_id: str) -> SupplierAccountability:
    """The resolver behind `Supplier.accountability` (schema/types.py)."""
    row = await r.accountability_loader(info).load(supplier_id)
    return SupplierAccountability.from_row(row)


# ----- inputs and payloads ----------------------------------------------------------------
@strawberry.input
class RequestDisclosureInput:
    contract_id: strawberry.ID = strawberry.field(description="One of your contracts.")
    due_date: str = strawberry.field(description="ISO 8601 date, after today (UTC).")
    message: str | None = None


@strawberry.input
class DeclineDisclosureInput:
    request_id: strawberry.ID
    reason: str


@strawberry.input(description="Operators: say that an organisation speaks for a supplier "
                              "(it may then answer disclosure requests addressed to it).")
class SetSupplierRepresentativeInput:
    organisation_id: strawberry.ID
    supplier_id: strawberry.ID
    remove: bool = strawberry.field(default=False, description="End the representation.")


@strawberry.type
class DisclosureRequestPayload:
    request: DisclosureRequest | None = None
    errors: list[t.MutationError] = strawberry.field(default_factory=list)


@strawberry.type
class SupplierRepresentativePayload:
    organisation_id: strawberry.ID | None = None
    supplier_id: strawberry.ID | None = None
    represents: bool | None = None
    errors: list[t.MutationError] = strawberry.field(default_factory=list)


async def _request_payload(info: Info[Context, Any],
                           result: dict[str, Any]) -> DisclosureRequestPayload:
    from schema.payloads import mutation_errors

    row = await r.request_by_id(info, result["id"]) if result.get("id") else None
    return DisclosureRequestPayload(request=DisclosureRequest.from_row(row) if row else None,
                                    errors=mutation_errors(result))


async def _representative_payload(info: Info[Context, Any],
                                  result: dict[str, Any]) -> SupplierRepresentativePayload:
    from schema.payloads import mutation_errors

    if result.get("errors"):
        return SupplierRepresentativePayload(errors=mutation_errors(result))
    return SupplierRepresentativePayload(
        organisation_id=strawberry.ID(result["organisationId"]),
        supplier_id=strawberry.ID(result["supplierId"]), represents=result["represents"])


def _write(scope: Scope, text: str) -> Any:
    return strawberry.mutation(description=f"{text} Needs the `{scope.value}` scope.",
                               permission_classes=[RequireScope(scope)])


@strawberry.type
class DisclosureMutation:
    @_write(Scope.CONTRACTS_WRITE, "Ask the contractor (AWARDED_TO supplier) of one of your "
                                   "contracts to disclose its production sites by a due "
                                   "date. Another member's contract is NOT_FOUND when you "
                                   "may not see it, FORBIDDEN when you may.")
    async def request_disclosure(self, info: Info[Context, Any],
                                 input: RequestDisclosureInput,  # noqa: A002
                                 ) -> DisclosureRequestPayload | None:
        return await r.request_disclosure(info, t.as_dict(input), _request_payload)

    @_write(Scope.CONTRACTS_WRITE, "As the representative of the addressed supplier, decline "
                                   "an open disclosure request, with a reason.")
    async def decline_disclosure(self, info: Info[Context, Any],
                                 input: DeclineDisclosureInput,  # noqa: A002
                                 ) -> DisclosureRequestPayload | None:
        return await r.decline_disclosure(info, t.as_dict(input), _request_payload)

    @_write(Scope.ADMIN, "Operators: link (or unlink) an organisation and the supplier it "
                         "represents.")
    async def set_supplier_representative(self, info: Info[Context, Any],
                                          input: SetSupplierRepresentativeInput,  # noqa: A002
                                          ) -> SupplierRepresentativePayload | None:
        return await r.set_representation(info, t.as_dict(input), _representative_payload)


@strawberry.type
class DisclosureQuery:
    @strawberry.field(description="Disclosure requests you may see (your consortia's, and "
                                  "those addressed to suppliers you represent), newest "
                                  "first. Needs the `contracts:read` scope.",
                      permission_classes=[RequireScope(Scope.CONTRACTS_READ)])
    async def disclosure_requests(self, info: Info[Context, Any],
                                  contract_id: strawberry.ID | None = None,
                                  supplier_id: strawberry.ID | None = None,
                                  status: list[DisclosureRequestStatus] | None = None,
                                  ) -> list[DisclosureRequest]:
        rows = await r.list_requests(
            info, contract_id=str(contract_id) if contract_id else None,
            supplier_id=str(supplier_id) if supplier_id else None,
            status=[enum_value(s) for s in status] if status else None)
        return [DisclosureRequest.from_row(row) for row in rows]

    @strawberry.field(description="One disclosure request by id, with the visibility of "
                                  "`disclosureRequests`; null when unknown or not yours to "
                                  "see. Needs the `contracts:read` scope.",
                      permission_classes=[RequireScope(Scope.CONTRACTS_READ)])
    async def disclosure_request(self, info: Info[Context, Any],
                                 id: strawberry.ID,  # noqa: A002
                                 ) -> DisclosureRequest | None:
        row = await r.request_by_id(info, str(id))
        return DisclosureRequest.from_row(row) if row else None

    @strawberry.field(description="Ids of the suppliers your organisation represents. "
                                  "Needs the `contracts:read` scope.",
                      permission_classes=[RequireScope(Scope.CONTRACTS_READ)])
    async def represented_suppliers(self, info: Info[Context, Any]) -> list[strawberry.ID]:
        return [strawberry.ID(i) for i in await r.represented(info)]
