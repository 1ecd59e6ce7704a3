"""Authorization codes of the code grant (docs/oauth.md): `(:AuthorizationCode {key, clientId,
userId, orgId, redirectUri, scope, challenge, challengeMethod, createdAt, expiresAt, uses,
jti})`.

Only the code's SHA-256 is stored (`key`): a copy of the database holds no usable code. A code
is taken once: `take_code` counts the presentation under the node's write lock (Cypher locks
the node before it reads `uses` in `SET c.uses = c.uses + 1`), so of two concurrent requests
with the same code exactly one sees its first use. A code presented again keeps its node,
which names the token it bought (`jti`), so that token is revoked (RFC 6749 4.1.2: "SHOULD
revoke ... all tokens previously issued based on that authorization code").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString

from graph.core.db import Graph

# A new code also removes the person's codes stale for a day (past any reuse that could still
# revoke a live token), so that they never pile up without a sweep (`purge_codes` is that).
CREATE_CODE: LiteralString = """
MATCH (u:User {id: $userId}) WHERE NOT u.disabled
OPTIONAL MATCH (old:AuthorizationCode {userId: u.id}) WHERE old.expiresAt < $stale
DELETE old
WITH DISTINCT u
CREATE (c:AuthorizationCode {key: $key, clientId: $clientId, userId: u.id, orgId: u.orgId,
  redirectUri: $redirectUri, scope: $scope, challenge: $challenge,
  challengeMethod: $challengeMethod, createdAt: $now, expiresAt: $expiresAt, uses: 0})
RETURN c.key AS key
"""

# Bound to the client that presents it: another client's presentation does not count a use.
TAKE_CODE: LiteralString = """
MATCH (c:AuthorizationCode {key: $key, clientId: $clientId})
SET c.uses = c.uses + 1
WITH c
OPTIONAL MATCH (u:User {id: c.userId})
RETURN c {.clientId, .userId, .orgId, .redirectUri, .scope, .challenge, .challengeMethod,
          .expiresAt, .uses, .jti} AS code,
       u IS NOT NULL AND NOT u.disabled AND u.orgId = c.orgId AS personActive
"""

SPEND_CODE: LiteralString = """
MATCH (c:AuthorizationCode {key: $key})
SET c.jti = $jti, c.tokenExp = $exp
"""

# Kept past expiry for as long as the token a code bought could still be presented.
PURGE_CODES: LiteralString = """
MATCH (c:AuthorizationCode) WHERE c.expiresAt < $before
DETACH DELETE c
RETURN count(*) AS purged
"""


@dataclass(frozen=True)
class CodeRecord:
    client_id: str
    user_id: str
    org_id: str
    redirect_uri: str
    scope: str
    code_challenge: str
    code_challenge_method: str
    expires_at: str
    uses: int
    jti: str | None
    person_active: bool

    # What authlib's AuthorizationCodeGrant and CodeChallenge ask of a code.
    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    @property
    def usable(self) -> bool:
        """First use, not expired, and the person still active in the same organisation."""
        return (self.uses == 1 and self.person_active
                and self.expires_at > datetime.now(UTC).isoformat())


def _now() -> datetime:
    return datetime.now(UTC)


async def create_code(graph: Graph, *, key: str, client_id: str, user_id: str,
                      redirect_uri: str, scope: str, challenge: str, challenge_method: str,
                      ttl_seconds: int) -> bool:
    """False when the person is unknown or disabled."""
    now = _now()
    rows = await graph.query(CREATE_CODE, {
        "key": key, "clientId": client_id, "userId": user_id, "redirectUri": redirect_uri,
        "scope": scope, "challenge": challenge, "challengeMethod": challenge_method,
        "now": now.isoformat(), "stale": (now - timedelta(days=1)).isoformat(),
        "expiresAt": (now + timedelta(seconds=ttl_seconds)).isoformat()},
        write=True, name="create_authorization_code")
    return bool(rows)


async def take_code(graph: Graph, *, key: str, client_id: str) -> CodeRecord | None:
    """Counts one presentation of the code by `client_id`; None when it has no such code."""
    rows = await graph.query(TAKE_CODE, {"key": key, "clientId": client_id}, write=True,
                             name="take_authorization_code")
    if not rows:
        return None
    c: dict[str, Any] = rows[0]["code"]
    return CodeRecord(c["clientId"], c["userId"], c["orgId"], c["redirectUri"], c["scope"],
                      c["challenge"], c["challengeMethod"], c["expiresAt"], int(c["uses"]),
                      c.get("jti"), bool(rows[0]["personActive"]))


async def spend_code(graph: Graph, *, key: str, jti: str, exp: int) -> None:
    """Records the token a code bought, for revocation if the code comes back."""
    await graph.query(SPEND_CODE, {"key": key, "jti": jti, "exp": exp}, write=True,
                      name="spend_authorization_code")


async def purge_codes(graph: Graph, *, before: datetime) -> int:
    rows = await graph.query(PURGE_CODES, {"before": before.isoformat()}, write=True,
                             name="purge_authorization_codes")
    return int(rows[0]["purged"]) if rows else 0
