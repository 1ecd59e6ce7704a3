"""The `me` field: who is calling and what this token may do."""

from __future__ import annotations

import strawberry
from strawberry.types import Info  # noqa: TC002 - strawberry reads resolver annotations

from auth.permissions import IsAuthenticated, viewer_of


@strawberry.type(name="ViewerOrganisation")
class ViewerOrganisationType:
    id: strawberry.ID
    name: str
    kind: str


@strawberry.type(name="Viewer", description="The calling organisation and this token's scopes.")
class ViewerType:
    organisation: ViewerOrganisationType
    consortia: list[strawberry.ID] = strawberry.field(
        description="Ids of the consortia the organisation is a member of.")
    scopes: list[str]
    client_id: str
    issuer: str | None


def resolve_me(info: Info) -> ViewerType:
    viewer = viewer_of(info)
    if viewer is None:  # the HTTP guard refuses anonymous calls; this is belt and braces
        raise PermissionError("authentication required")
    return ViewerType(
        organisation=ViewerOrganisationType(id=strawberry.ID(viewer.org_id),
                                            name=viewer.org_name, kind=viewer.org_kind),
        consortia=[strawberry.ID(c) for c in sorted(viewer.consortia)],
        scopes=sorted(s.value for s in viewer.scopes),
        client_id=viewer.client_id,
        issuer=viewer.issuer,
    )


# For the root Query: `me: ViewerType = me_field`
me_field = strawberry.field(resolver=resolve_me, permission_classes=[IsAuthenticated],
                            description="The calling organisation and the scopes of this token.")
