"""The viewer of a request, an import, a CLI command or an alert delivery: the organisation,
its consortia and its peers, computed by one query (`graph.core.visibility.peers_of`).

`viewer_context` serves token validation (with the client's state and the token's
revocation in the same round trip); `org_viewer` serves the importer, the CLI and the alert
worker, which act as an organisation without a token. Both read peers the same way, so an
import sees exactly what the API shows the same organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, LiteralString

from graph.core.visibility import lit, peers_of, viewer_params

if TYPE_CHECKING:
    from graph.core.db import Graph

VIEWER_CONTEXT: LiteralString = lit(
    "OPTIONAL MATCH (o:Organisation {id: $orgId}) "
    "OPTIONAL MATCH (cl:OAuthClient {id: $clientId}) "
    "OPTIONAL MATCH (rt:RevokedToken {jti: $jti}) "
    # A person's token (the code grant): the account must still be active, in this org.
    "OPTIONAL MATCH (u:User {id: $userId}) "
    + peers_of("o")
    + "RETURN o {.id, .name, .kind} AS org, consortia, peers, "
    "cl IS NOT NULL AS clientKnown, coalesce(cl.revoked, false) AS clientRevoked, "
    "cl.orgId AS clientOrg, rt IS NOT NULL AS tokenRevoked, "
    "u IS NOT NULL AND NOT coalesce(u.disabled, false) AND u.orgId = $orgId AS personActive"
)


@dataclass(frozen=True)
class OrgViewer:
    """An organisation as a viewer: what the visibility predicates take."""

    id: str
    kind: str
    name: str
    consortia: tuple[str, ...]
    peers: tuple[str, ...]  # itself included

    @property
    def is_operator(self) -> bool:
        return self.kind == "OPERATOR"

    def params(self) -> dict[str, Any]:
        return viewer_params(self.id, self.peers, operator=self.is_operator)


async def viewer_context(graph: Graph, *, org_id: str, client_id: str | None,
                         jti: str | None, user_id: str | None = None) -> dict[str, Any]:
    """One round trip: org, consortia, peers, client state, token revocation, and for a
    person's token whether their account is still active."""
    rows = await graph.query(VIEWER_CONTEXT, {"orgId": org_id, "clientId": client_id,
                                              "jti": jti, "userId": user_id},
                             name="viewer_context")
    return rows[0]


async def org_viewer(graph: Graph, org_id: str) -> OrgViewer | None:
    """The organisation as a viewer, or None when there is no such organisation."""
    row = await viewer_context(graph, org_id=org_id, client_id=None, jti=None)
    org = row["org"]
    if org is None:
        return None
    return OrgViewer(id=org["id"], kind=org["kind"] or "", name=org["name"] or "",
                     consortia=tuple(sorted(row["consortia"])),
                     peers=tuple(sorted(set(row["peers"]) | {org["id"]})))
