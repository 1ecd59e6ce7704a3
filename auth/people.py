"""People signing in to the web app: passwords, roles, session tokens, and the `Viewer` a
signed-in person acts as (docs/ui.md).

A person's role maps to the same OAuth scopes a client holds, so the GraphQL schema, run in
process for a page, applies the same scope checks, visibility and limits to a person as to
their organisation's clients. Only an OPERATOR's administrators get the `admin` scope: as for
clients, a role alone makes no one the operator.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.orgs.users import Role, create_user, parse_role

if TYPE_CHECKING:
    from graph.core.db import Graph

WEB_ISSUER = "web"
"""The `issuer` of a person's viewer: keeps their rate-limit budget apart from clients'."""

_READ = frozenset({Scope.SITES_READ, Scope.REPORTS_READ, Scope.CONTRACTS_READ})
_WRITE = frozenset({Scope.SITES_WRITE, Scope.REPORTS_WRITE, Scope.CONTRACTS_WRITE})

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.READER: _READ,
    Role.CONTRIBUTOR: _READ | _WRITE,
    Role.ADMIN: _READ | _WRITE,
}

# argon2-cffi's defaults follow RFC 9106's second recommendation (Argon2id, 64 MiB, t=3).
_HASHER = PasswordHasher()
# Verified when the e-mail is unknown, so that an unknown address costs what a known one does
# and the answer's timing does not tell which addresses have accounts.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # Argon2 hashes any length; a bound keeps a request from buying CPU


class PasswordRefused(ValueError):
    """A new password that does not meet the rules (said in the message key)."""


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise PasswordRefused("password_too_short")
    if len(password) > MAX_PASSWORD:
        raise PasswordRefused("password_too_long")


def hash_password(password: str) -> str:
    check_new_password(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; an absent hash (account never set up) never matches,
    after the same work as a wrong password."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A random token for a session cookie, a CSRF field or a setup link (256 bits)."""
    return secrets.token_urlsafe(32)


def token_key(token: str) -> str:
    """What is stored for a token: its SHA-256, so that a copy of the database holds no
    usable session or setup link."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


TOTP_ISSUER = "supplygraph"


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app takes (typed, or pasted)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=TOTP_ISSUER)


def totp_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The 30-second time step whose code `code` is (this one or its neighbours, for clock
    drift), or None. The step is what is spent, so that no code works twice."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    at = time.time() if now is None else now
    for drift in (0, -1, 1):
        moment = at + drift * totp.interval
        try:
            expected = totp.at(moment)
        except ValueError:  # not base 32 (binascii.Error): a secret sent back altered
            return None
        if hmac.compare_digest(expected, code):
            return int(moment // totp.interval)
    return None


def scopes_of(role: str, org_kind: str) -> frozenset[Scope]:
    scopes = ROLE_SCOPES.get(Role(role), _READ)
    if role == Role.ADMIN.value and org_kind == "OPERATOR":
        scopes = scopes | {Scope.ADMIN}
    return scopes


def person_viewer(row: dict[str, Any]) -> Viewer:
    """The viewer of a signed-in person, from `graph.orgs.users.session_context`'s row."""
    org, user = row["org"], row["user"]
    return Viewer(
        org_id=org["id"], client_id=f"user:{user['id']}",
        scopes=scopes_of(user["role"], org["kind"] or ""),
        org_kind=org["kind"] or "", org_name=org["name"] or "",
        consortia=frozenset(row["consortia"]),
        peers=frozenset(row["peers"]) | {org["id"]}, issuer=WEB_ISSUER)


async def add_person(graph: Graph, *, org_id: str, email: str, role: str,
                     password: str | None, setup_hours: float) -> tuple[str, str | None]:
    """A new account of `org_id`: (its id, the one-time setup token, or None when `password`
    was given). Raises `UserError` (bad e-mail, role or organisation) or `PasswordRefused`.
    The CLI (`users add`) and the administration page both come here."""
    parsed = parse_role(role)
    password_hash = await asyncio.to_thread(hash_password, password) \
        if password is not None else None
    setup = new_token() if password is None else None
    expires = (datetime.now(UTC) + timedelta(hours=setup_hours)).isoformat() if setup else None
    user_id = await create_user(graph, user_id="usr_" + secrets.token_urlsafe(9),
                                org_id=org_id, email=email, role=parsed,
                                password_hash=password_hash,
                                setup_hash=token_key(setup) if setup else None,
                                setup_expires_at=expires)
    return user_id, setup
