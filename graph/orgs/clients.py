"""OAuth clients: `(Organisation)-[:HAS_CLIENT]->(OAuthClient {id, name, secretHash, scopes,
redirectUris, orgId, revoked, createdAt})`. The secret itself is never stored; a public
client (an app that cannot keep a secret) has no `secretHash` and may only use the code grant
with PKCE (auth/server.py). Clients made before names and redirect URIs existed read as
unnamed, confidential and without redirect URIs.

The administration page (supplygraph/web/clients.py) passes the admin's own `$orgId` to
every listing and change, so an id of another organisation's client is "not found" there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import LiteralString

from graph.core.db import Graph

CREATE_CLIENT: LiteralString = """
MATCH (o:Organisation {id: $orgId})
CREATE (o)-[:HAS_CLIENT]->(c:OAuthClient {
  id: $id, name: $name, secretHash: $secretHash, scopes: $scopes, orgId: $orgId,
  redirectUris: $redirectUris, revoked: false, createdAt: $now
})
RETURN c.id AS id
"""

GET_CLIENT: LiteralString = """
MATCH (c:OAuthClient {id: $id})
OPTIONAL MATCH (o:Organisation {id: c.orgId})
RETURN c.id AS id, c.secretHash AS secretHash, c.scopes AS scopes, c.orgId AS orgId,
       c.revoked AS revoked, c.createdAt AS createdAt, o.kind AS orgKind,
       c.name AS name, c.redirectUris AS redirectUris, o.name AS orgName
"""

LIST_CLIENTS: LiteralString = """
MATCH (c:OAuthClient)
WHERE $orgId IS NULL OR c.orgId = $orgId
RETURN c.id AS id, c.scopes AS scopes, c.orgId AS orgId, c.revoked AS revoked,
       c.createdAt AS createdAt, c.name AS name, c.redirectUris AS redirectUris,
       c.secretHash IS NULL AS public
ORDER BY c.orgId, c.createdAt, c.id
"""

# `$orgId` null: any organisation's client (the operator, the CLI); else only its own.
REVOKE_CLIENT: LiteralString = """
MATCH (c:OAuthClient {id: $id})
WHERE $orgId IS NULL OR c.orgId = $orgId
SET c.revoked = true, c.revokedAt = $now
RETURN c.id AS id
"""

# A public client has no secret to rotate; a disabled one is not given a new one.
ROTATE_SECRET: LiteralString = """
MATCH (c:OAuthClient {id: $id})
WHERE ($orgId IS NULL OR c.orgId = $orgId) AND c.secretHash IS NOT NULL AND NOT c.revoked
SET c.secretHash = $secretHash, c.secretRotatedAt = $now
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
    name: str = ""
    redirect_uris: tuple[str, ...] = ()
    public: bool = False
    org_name: str = ""


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def create_client(graph: Graph, *, client_id: str, org_id: str, secret_hash: str | None,
                        scopes: list[str], name: str = "",
                        redirect_uris: list[str] | None = None) -> bool:
    """False when the organisation does not exist. `secret_hash` None: a public client."""
    rows = await graph.query(CREATE_CLIENT, {
        "id": client_id, "orgId": org_id, "secretHash": secret_hash, "name": name,
        "scopes": sorted(set(scopes)), "redirectUris": list(redirect_uris or []), "now": _now(),
    }, write=True, name="create_client")
    return bool(rows)


async def get_client(graph: Graph, *, client_id: str) -> ClientRecord | None:
    rows = await graph.query(GET_CLIENT, {"id": client_id}, name="get_client")
    if not rows:
        return None
    r = rows[0]
    return ClientRecord(r["id"], r["orgId"], tuple(r["scopes"] or ()), bool(r["revoked"]),
                        r["createdAt"], r["secretHash"] or "", r["orgKind"] or "",
                        r["name"] or "", tuple(r["redirectUris"] or ()),
                        r["secretHash"] is None, r["orgName"] or "")


async def list_clients(graph: Graph, *, org_id: str | None = None) -> list[ClientRecord]:
    rows = await graph.query(LIST_CLIENTS, {"orgId": org_id}, name="list_clients")
    return [ClientRecord(r["id"], r["orgId"], tuple(r["scopes"] or ()), bool(r["revoked"]),
                         r["createdAt"], name=r["name"] or "",
                         redirect_uris=tuple(r["redirectUris"] or ()), public=bool(r["public"]))
            for r in rows]


async def revoke_client(graph: Graph, *, client_id: str, org_id: str | None = None) -> bool:
    """False when there is no such client (of `org_id`, when given)."""
    rows = await graph.query(REVOKE_CLIENT, {"id": client_id, "orgId": org_id, "now": _now()},
                             write=True, name="revoke_client")
    return bool(rows)


async def rotate_secret(graph: Graph, *, client_id: str, org_id: str | None,
                        secret_hash: str) -> bool:
    """False when there is no such active confidential client (of `org_id`, when given).
    The old secret stops working at once; tokens already issued run to their expiry."""
    rows = await graph.query(ROTATE_SECRET, {"id": client_id, "orgId": org_id,
                                             "secretHash": secret_hash, "now": _now()},
                             write=True, name="rotate_client_secret")
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
