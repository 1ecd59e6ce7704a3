"""OAuth clients: `(Organisation)-[:HAS_CLIENT]->(OAuthClient {id, secretHash, scopes,
orgId, revoked, createdAt})`. The secret itself is never stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import LiteralString

from graph.core.db import Graph

CREATE_CLIENT: LiteralString = """
MATCH (o:Organisation {id: $orgId})
CREATE (o)-[:HAS_CLIENT]->(c:OAuthClient {
  id: $id, secretHash: $secretHash, scopes: $scopes, orgId: $orgId,
  revoked: false, createdAt: $now
})
RETURN c.id AS id
"""

GET_CLIENT: LiteralString = """
MATCH (c:OAuthClient {id: $id})
OPTIONAL MATCH (o:Organisation {id: c.orgId})
RETURN c.id AS id, c.secretHash AS secretHash, c.scopes AS scopes, c.orgId AS orgId,
       c.revoked AS revoked, c.createdAt AS createdAt, o.kind AS orgKind
"""

LIST_CLIENTS: LiteralString = """
MATCH (c:OAuthClient)
WHERE $orgId IS NULL OR c.orgId = $orgId
RETURN c.id AS id, c.scopes AS scopes, c.orgId AS orgId, c.revoked AS revoked,
       c.createdAt AS createdAt
ORDER BY c.orgId, c.createdAt, c.id
"""

REVOKE_CLIENT: LiteralString = """
MATCH (c:OAuthClient {id: $id})
SET c.revoked = true, c.revokedAt = $now
RETURN c.id AS id
"""

REVOKE_TOKEN: LiteralString = """
MERGE (t:RevokedToken {jti: $jti})
ON CREATE SET t.exp = $exp, t.clientId = $clientId, t.revokedAt = $now
"""

IS_TOKEN_REVOKED: LiteralString = """
OPTIONAL MATCH (t:RevokedToken {jti: $jti})
RETURN t IS NOT NULL AS revoked
"""

# Revocation records are only needed while the token could still be presented.
PURGE_REVOKED_TOKENS: LiteralString = """
MATCH (t:RevokedToken) WHERE t.exp < $before
DELETE t
RETURN count(*) AS purged
"""


@dataclass(frozen=True)
class ClientRecord:
    id: str
    org_id: str
    scopes: tuple[str, ...]
    revoked: bool
    created_at: str
    secret_hash: str = ""
    org_kind: str = ""


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def create_client(graph: Graph, *, client_id: str, org_id: str, secret_hash: str,
                        scopes: list[str]) -> bool:
    """False when the organisation does not exist."""
    rows = await graph.query(CREATE_CLIENT, {
        "id": client_id, "orgId": org_id, "secretHash": secret_hash,
        "scopes": sorted(set(scopes)), "now": _now(),
    }, write=True, name="create_client")
    return bool(rows)


async def get_client(graph: Graph, *, client_id: str) -> ClientRecord | None:
    rows = await graph.query(GET_CLIENT, {"id": client_id}, name="get_client")
    if not rows:
        return None
    r = rows[0]
    return ClientRecord(r["id"], r["orgId"], tuple(r["scopes"] or ()), bool(r["revoked"]),
                        r["createdAt"], r["secretHash"], r["orgKind"] or "")


async def list_clients(graph: Graph, *, org_id: str | None = None) -> list[ClientRecord]:
    rows = await graph.query(LIST_CLIENTS, {"orgId": org_id}, name="list_clients")
    return [ClientRecord(r["id"], r["orgId"], tuple(r["scopes"] or ()), bool(r["revoked"]),
                         r["createdAt"]) for r in rows]


async def revoke_client(graph: Graph, *, client_id: str) -> bool:
    rows = await graph.query(REVOKE_CLIENT, {"id": client_id, "now": _now()}, write=True,
                             name="revoke_client")
    return bool(rows)


async def revoke_token(graph: Graph, *, jti: str, exp: int, client_id: str) -> None:
    await graph.query(REVOKE_TOKEN, {"jti": jti, "exp": exp, "clientId": client_id,
                                     "now": _now()}, write=True, name="revoke_token")


async def is_token_revoked(graph: Graph, *, jti: str) -> bool:
    rows = await graph.query(IS_TOKEN_REVOKED, {"jti": jti}, name="is_token_revoked")
    return bool(rows and rows[0]["revoked"])


async def purge_revoked_tokens(graph: Graph, *, before: int) -> int:
    rows = await graph.query(PURGE_REVOKED_TOKENS, {"before": before}, write=True,
                             name="purge_revoked_tokens")
    return int(rows[0]["purged"]) if rows else 0
