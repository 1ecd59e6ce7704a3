"""Registering an OAuth client, and rotating its secret: the one command the CLI
(`supplygraph clients add`) and the administration page (supplygraph/web/clients.py) share.

- Scopes: at most what the organisation may grant, which is what its admins hold
  (auth/people.py: read and write; `admin` only for the OPERATOR organisation).
- Redirect URIs (the code grant, auth/code_grant.py): absolute, matched exactly later, so no
  wildcard, fragment or credentials; https, or http only to the person's own machine
  (127.0.0.1, [::1], localhost: RFC 8252 7.3 for native apps).
- A public client (no secret) needs a redirect URI: the code grant is all it may use.
- The secret is made here, returned once and stored as a slow hash (auth/client_secrets.py).
"""

from __future__ import annotations

import asyncio
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from auth.client_secrets import hash_secret, new_client_secret
from auth.people import scopes_of
from auth.scopes import Scope
from graph.orgs.clients import create_client, rotate_secret
from graph.orgs.organisations import organisation_info
from graph.orgs.users import Role

if TYPE_CHECKING:
    from graph.core.db import Graph

MAX_NAME = 100
MAX_URI = 2000
MAX_URIS = 10
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class ClientRefused(ValueError):
    """A registration that cannot be made: `field` names the input, `code` the reason (a
    message key suffix), `detail` the value at fault, if any."""

    def __init__(self, field: str, code: str, detail: str = "") -> None:
        super().__init__(f"{field}: {code}{f' ({detail})' if detail else ''}")
        self.field, self.code, self.detail = field, code, detail


def grantable_scopes(org_kind: str) -> frozenset[Scope]:
    """What a client of an organisation of this kind may hold: what its admins hold."""
    return scopes_of(Role.ADMIN.value, org_kind)


def redirect_uri_problem(uri: str) -> str | None:
    """Why `uri` may not be registered, as a message key suffix, or None."""
    if len(uri) > MAX_URI:
        return "uri_too_long"
    if "*" in uri or any(c.isspace() or ord(c) < 32 for c in uri):
        return "uri_wildcard"
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "uri_invalid"
    if not parts.hostname:
        return "uri_invalid"
    if parts.fragment or "#" in uri:
        return "uri_fragment"
    if parts.username or parts.password:
        return "uri_credentials"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and parts.hostname.lower() in LOOPBACK:
        return None
    return "uri_scheme"


def check_registration(*, name: str, public: bool, scopes: list[str],
                       redirect_uris: list[str], org_kind: str) -> list[str]:
    """The sorted scopes to register; raises `ClientRefused` at the first field at fault."""
    if len(name) > MAX_NAME:
        raise ClientRefused("name", "name_too_long")
    try:
        asked = Scope.parse(" ".join(scopes))
    except ValueError as exc:
        raise ClientRefused("scopes", "scope_unknown", str(exc)) from None
    if not asked:
        raise ClientRefused("scopes", "scope_none")
    beyond = sorted(s.value for s in asked - grantable_scopes(org_kind))
    if beyond:
        raise ClientRefused("scopes", "scope_beyond", " ".join(beyond))
    if len(redirect_uris) > MAX_URIS:
        raise ClientRefused("redirect_uris", "too_many_uris")
    for uri in redirect_uris:
        if (problem := redirect_uri_problem(uri)) is not None:
            raise ClientRefused("redirect_uris", problem, uri)
    if public and not redirect_uris:
        raise ClientRefused("redirect_uris", "public_needs_uri")
    return sorted(s.value for s in asked)


async def register_client(graph: Graph, *, org_id: str, name: str, public: bool,
                          scopes: list[str],
                          redirect_uris: list[str]) -> tuple[str, str | None]:
    """(client id, its secret, shown once; None for a public client)."""
    org = await organisation_info(graph, org_id=org_id)
    if org is None:
        raise ClientRefused("org", "org_unknown", org_id)
    uris = list(dict.fromkeys(u.strip() for u in redirect_uris if u.strip()))
    granted = check_registration(name=name.strip(), public=public, scopes=scopes,
                                 redirect_uris=uris, org_kind=org["kind"] or "")
    client_id = "sgc_" + secrets.token_urlsafe(12)
    secret = None if public else new_client_secret()
    hashed = await asyncio.to_thread(hash_secret, secret) if secret is not None else None
    if not await create_client(graph, client_id=client_id, org_id=org_id, secret_hash=hashed,
                               scopes=granted, name=name.strip(), redirect_uris=uris):
        raise ClientRefused("org", "org_unknown", org_id)
    return client_id, secret


async def new_secret(graph: Graph, *, client_id: str, org_id: str | None) -> str | None:
    """A new secret for an active confidential client (of `org_id`, when given), shown once;
    None when there is no such client."""
    secret = new_client_secret()
    hashed = await asyncio.to_thread(hash_secret, secret)
    if not await rotate_secret(graph, client_id=client_id, org_id=org_id, secret_hash=hashed):
        return None
    return secret
