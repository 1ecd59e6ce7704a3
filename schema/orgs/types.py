"""Organisations as the read API shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry

from graph.core import nodes as rel
from graph.orgs.fields import ORGANISATION_SHAPE
from schema.core.common import (
    OrganisationKind,
)
from schema.core.records import (
    SITES,
    Record,
    entity,
    provenance,
    related,
)

# Resolver annotations are evaluated by strawberry at schema build: runtime imports.
from strawberry.types import Info  # noqa: E402, TC002

from resolvers.core.context import Context  # noqa: E402, TC001

if TYPE_CHECKING:
    # Types resolved lazily at schema build (strawberry.lazy) to avoid import cycles.
    pass


@strawberry.federation.type(keys=["id"], description="A public buyer, consortium, monitor, "
                                                   "auditor or the operator.")
class Organisation(Record):
    name: str
    kind: OrganisationKind | None
    country_code: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Organisation:
        return cls(**provenance(row), name=row.get("name"),
                   kind=OrganisationKind(row["kind"]) if row.get("kind") else None,
                   country_code=row.get("countryCode"))

    @strawberry.field(description="The consortia this organisation is a member of.")
    async def consortia(self, info: Info[Context, Any]) -> list[Organisation]:
        rows = await related(info, rel.ORGANISATION_CONSORTIA, ORGANISATION_SHAPE, self.id)
        return [Organisation.from_row(r) for r in rows]

    @classmethod
    async def resolve_reference(cls, info: Info[Context, Any],
                                id: strawberry.ID) -> Organisation | None:  # noqa: A002
        row = await entity(info, ORGANISATION_SHAPE, SITES, id)
        return cls.from_row(row) if row else None
