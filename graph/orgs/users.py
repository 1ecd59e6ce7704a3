"""People's accounts and their web sessions (issue 14, docs/ui.md).

`(Organisation)-[:HAS_USER]->(User {id, email, orgId, role, passwordHash, setupHash,
setupExpiresAt, disabled, createdAt})` and `(User)-[:HAS_SESSION]->(WebSession {key, csrf,
createdAt, expiresAt})`. Neither a password nor a session or setup token is stored: only
their hashes (Argon2id for passwords, by auth/people.py; SHA-256 for the random tokens, whose
256 bits need no slow hash). A session lives here, server side, so that signing out,
disabling a person or an operator's purge ends it at once.

`session_context` is the one round trip a web request makes to learn who is signed in: the
person, the organisation and its peers (the same `peers_of` as a token's viewer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, LiteralString

from graph.core.db import Graph
from graph.core.visibility import lit, peers_of


class Role(str, Enum):
    """What a person may do for their organisation (auth/people.py maps it to scopes)."""

    READER = "reader"
    CONTRIBUTOR = "contributor"
    ADMIN = "admin"


class UserError(ValueError):
    """An account cannot be created or changed as asked."""


@dataclass(frozen=True)
class UserRecord:
    id: str
    email: str
    org_id: str
    role: str
    disabled: bool
    created_at: str
    has_password: bool


CREATE_USER: LiteralString = """
MATCH (o:Organisation {id: $orgId})
OPTIONAL MATCH (taken:User {email: $email})
WITH o, taken WHERE taken IS NULL
CREATE (o)-[:HAS_USER]->(u:User {
  id: $id, email: $email, orgId: $orgId, role: $role, passwordHash: $passwordHash,
  setupHash: $setupHash, setupExpiresAt: $setupExpiresAt, disabled: false, createdAt: $now
})
RETURN u.id AS id
"""

USER_STATE: LiteralString = """
OPTIONAL MATCH (o:Organisation {id: $orgId})
OPTIONAL MATCH (taken:User {email: $email})
RETURN o IS NOT NULL AS orgKnown, taken IS NOT NULL AS emailTaken
"""

USER_FOR_SIGN_IN: LiteralString = """
MATCH (u:User {email: $email})
RETURN u.id AS id, u.passwordHash AS passwordHash, u.disabled AS disabled,
       u.totpSecret IS NOT NULL AS twoStep
"""

# Signing in through an organisation's provider (graph/orgs/oidc.py): the account must be of
# THAT organisation, whatever another organisation's provider says about the address.
USER_OF_ORG: LiteralString = """
MATCH (u:User {email: $email})
RETURN u.id AS id, u.orgId = $orgId AS ofOrg, u.disabled AS disabled,
       u.totpSecret IS NOT NULL AS twoStep
"""

COMPLETE_SETUP: LiteralString = """
MATCH (u:User {setupHash: $setupHash})
WHERE u.setupExpiresAt >= $now AND NOT u.disabled
SET u.passwordHash = $passwordHash, u.setupHash = null, u.setupExpiresAt = null
RETURN u.id AS id, u.email AS email
"""

SET_PASSWORD: LiteralString = """
MATCH (u:User {email: $email})
SET u.passwordHash = $passwordHash, u.setupHash = null, u.setupExpiresAt = null
RETURN u.id AS id
"""

LIST_USERS: LiteralString = """
MATCH (u:User)
WHERE $orgId IS NULL OR u.orgId = $orgId
RETURN u.id AS id, u.email AS email, u.orgId AS orgId, u.role AS role,
       u.disabled AS disabled, u.createdAt AS createdAt,
       u.passwordHash IS NOT NULL AS hasPassword
ORDER BY u.orgId, u.email
"""

# Disabling ends every session of the person in the same transaction.
DISABLE_USER: LiteralString = """
MATCH (u:User)
WHERE (u.id = $ref OR u.email = $ref) AND ($orgId IS NULL OR u.orgId = $orgId)
SET u.disabled = true, u.disabledAt = $now, u.setupHash = null
WITH u
OPTIONAL MATCH (u)-[:HAS_SESSION]->(s:WebSession)
DETACH DELETE s
RETURN DISTINCT u.id AS id
"""

# A sign-in also removes the person's expired sessions, so that they never pile up without
# a sweep of every session (`purge_sessions` does that, for an operator's schedule).
CREATE_SESSION: LiteralString = """
MATCH (u:User {id: $userId}) WHERE NOT u.disabled
OPTIONAL MATCH (u)-[:HAS_SESSION]->(old:WebSession) WHERE old.expiresAt <= $now
DETACH DELETE old
WITH DISTINCT u
CREATE (u)-[:HAS_SESSION]->(:WebSession {key: $key, csrf: $csrf, createdAt: $now,
                                         expiresAt: $expiresAt, verified: $verified})
RETURN u.id AS id
"""

SESSION_CONTEXT: LiteralString = lit(
    "MATCH (u:User)-[:HAS_SESSION]->(s:WebSession {key: $key}) "
    "WHERE s.expiresAt > $now AND NOT u.disabled AND s.verified "
    "MATCH (o:Organisation {id: u.orgId}) "
    + peers_of("o")
    + "RETURN u {.id, .email, .role} AS user, s.csrf AS csrf, "
    "o {.id, .name, .kind} AS org, consortia, peers"
)

# Two-step sign-in (TOTP, RFC 6238): a session made by the password alone stays unverified
# (it opens no page) until a code is given; a code's time step is spent once per person.
PENDING_SESSION: LiteralString = """
MATCH (u:User)-[:HAS_SESSION]->(s:WebSession {key: $key})
WHERE s.expiresAt > $now AND NOT u.disabled AND NOT s.verified
RETURN u.id AS userId, u.totpSecret AS totpSecret, s.csrf AS csrf
"""

VERIFY_SESSION: LiteralString = """
MATCH (u:User)-[:HAS_SESSION]->(s:WebSession {key: $key})
WHERE s.expiresAt > $now AND NOT u.disabled AND coalesce(u.totpLastStep, -1) < $step
SET s.verified = true, u.totpLastStep = $step
RETURN u.id AS id
"""

SET_TOTP: LiteralString = """
MATCH (u:User {id: $userId}) WHERE NOT u.disabled
SET u.totpSecret = $secret, u.totpLastStep = $step
RETURN u.id AS id
"""

END_SESSION: LiteralString = """
MATCH (s:WebSession {key: $key})
DETACH DELETE s
"""

# Housekeeping (the server's sweeper, `supplygraph users purge-sessions`): expired sessions
# are deleted, expired setup links forgotten. A spent link is forgotten when it is used
# (COMPLETE_SETUP) and a disabled person's at once (DISABLE_USER); an expired one could never
# open anything, but its hash would stay. Both are refused when read, sweep or not.
PURGE_SESSIONS: LiteralString = """
CALL () {
  MATCH (s:WebSession) WHERE s.expiresAt <= $now
  DETACH DELETE s
  RETURN count(*) AS sessions
}
CALL () {
  MATCH (u:User) WHERE u.setupHash IS NOT NULL AND u.setupExpiresAt < $now
  SET u.setupHash = null, u.setupExpiresAt = null
  RETURN count(*) AS setupLinks
}
RETURN sessions, setupLinks
"""


def _now() -> str:
    return datetime.now(UTC).isoformat()


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise UserError(f"unknown role {text!r} (one of {allowed})") from None


def normalise_email(text: str) -> str:
    email = text.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or " " in email or len(email) > 254:
        raise UserError(f"not an e-mail address: {text!r}")
    return email


async def create_user(graph: Graph, *, user_id: str, org_id: str, email: str, role: Role,
                      password_hash: str | None, setup_hash: str | None,
                      setup_expires_at: str | None) -> str:
    """The new account's id; raises `UserError` for an unknown organisation or an e-mail
    address already taken."""
    params = {"id": user_id, "orgId": org_id, "email": normalise_email(email),
              "role": role.value, "passwordHash": password_hash, "setupHash": setup_hash,
              "setupExpiresAt": setup_expires_at, "now": _now()}
    rows = await graph.query(CREATE_USER, params, write=True, name="create_user")
    if rows:
        return str(rows[0]["id"])
    state = (await graph.query(USER_STATE, params, name="user_state"))[0]
    if not state["orgKnown"]:
        raise UserError(f"unknown organisation {org_id!r}")
    raise UserError(f"{params['email']} already has an account")


async def user_for_sign_in(graph: Graph, *, email: str) -> dict[str, Any] | None:
    rows = await graph.query(USER_FOR_SIGN_IN, {"email": email.strip().lower()},
                             name="user_for_sign_in")
    return rows[0] if rows else None


async def user_of_org(graph: Graph, *, email: str, org_id: str) -> dict[str, Any] | None:
    """The account with this address (`ofOrg` says whether it is of `org_id`), or None."""
    rows = await graph.query(USER_OF_ORG, {"email": email.strip().lower(), "orgId": org_id},
                             name="user_of_org")
    return rows[0] if rows else None


async def complete_setup(graph: Graph, *, setup_hash: str, password_hash: str) -> str | None:
    """Sets the password of the account whose one-time setup link this is (and spends the
    link); None for a link unknown, spent or expired."""
    rows = await graph.query(COMPLETE_SETUP, {"setupHash": setup_hash, "now": _now(),
                                              "passwordHash": password_hash},
                             write=True, name="complete_setup")
    return str(rows[0]["email"]) if rows else None


async def set_password(graph: Graph, *, email: str, password_hash: str) -> bool:
    """Sets an account's password (the demo's sample people); False for no such account."""
    rows = await graph.query(SET_PASSWORD, {"email": normalise_email(email),
                                            "passwordHash": password_hash},
                             write=True, name="set_password")
    return bool(rows)


async def list_users(graph: Graph, *, org_id: str | None = None) -> list[UserRecord]:
    rows = await graph.query(LIST_USERS, {"orgId": org_id}, name="list_users")
    return [UserRecord(r["id"], r["email"], r["orgId"], r["role"], bool(r["disabled"]),
                       r["createdAt"], bool(r["hasPassword"])) for r in rows]


async def disable_user(graph: Graph, *, ref: str, org_id: str | None = None) -> bool:
    """Disables the account with this id or e-mail (of `org_id` only, when given) and ends
    its sessions; False when there is no such account."""
    ref = ref.strip()
    ref = ref.lower() if "@" in ref else ref
    rows = await graph.query(DISABLE_USER, {"ref": ref, "orgId": org_id, "now": _now()},
                             write=True, name="disable_user")
    return bool(rows)


async def create_session(graph: Graph, *, key: str, user_id: str, csrf: str,
                         expires_at: str, verified: bool = True) -> bool:
    rows = await graph.query(CREATE_SESSION, {"key": key, "userId": user_id, "csrf": csrf,
                                              "now": _now(), "expiresAt": expires_at,
                                              "verified": verified},
                             write=True, name="create_session")
    return bool(rows)


async def pending_session(graph: Graph, *, key: str) -> dict[str, Any] | None:
    """A live session still waiting for its second step: the person and their TOTP secret."""
    rows = await graph.query(PENDING_SESSION, {"key": key, "now": _now()},
                             name="pending_session")
    return rows[0] if rows else None


async def verify_session(graph: Graph, *, key: str, step: int) -> bool:
    """Marks the session verified by a code of time step `step`; False when that step (or a
    later one) was already spent, so a code seen over a shoulder cannot be used again."""
    rows = await graph.query(VERIFY_SESSION, {"key": key, "now": _now(), "step": step},
                             write=True, name="verify_session")
    return bool(rows)


async def set_totp(graph: Graph, *, user_id: str, secret: str, step: int) -> bool:
    rows = await graph.query(SET_TOTP, {"userId": user_id, "secret": secret, "step": step},
                             write=True, name="set_totp")
    return bool(rows)


async def session_context(graph: Graph, *, key: str) -> dict[str, Any] | None:
    """The signed-in person, their organisation, its consortia and peers; None for a
    session unknown, ended, expired or of a disabled account."""
    rows = await graph.query(SESSION_CONTEXT, {"key": key, "now": _now()},
                             name="session_context")
    return rows[0] if rows else None


async def end_session(graph: Graph, *, key: str) -> None:
    await graph.query(END_SESSION, {"key": key}, write=True, name="end_session")


@dataclass(frozen=True)
class Purged:
    sessions: int
    setup_links: int


async def purge_sessions(graph: Graph) -> Purged:
    """Deletes every expired web session and forgets every expired setup link."""
    rows = await graph.query(PURGE_SESSIONS, {"now": _now()}, write=True,
                             name="purge_sessions")
    return Purged(int(rows[0]["sessions"]), int(rows[0]["setupLinks"])) if rows \
        else Purged(0, 0)
