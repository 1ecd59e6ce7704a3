"""Signing in through an organisation's own OpenID Connect provider: the operator's
configuration, one per organisation (docs/ui.md, "Signing in through the organisation's
provider").

`(Organisation)-[:SIGNS_IN_WITH]->(OidcProvider {orgId, issuer, clientId, secretRef, scopes,
emailClaim, roleClaim, readerValues, contributorValues, adminValues, defaultRole, domains,
createUsers, button, updatedAt})`. The client secret is never stored: `secretRef` names
where the serving process reads it (`env:NAME` or `file:/path`), so a copy of the database
holds no usable secret and rotating it needs no database write.

Two organisations never share an e-mail domain, nor an issuer with the same client id: the
domain a person types picks exactly one organisation, and a token one provider issued for
one client can only ever be checked against one organisation's configuration.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, LiteralString

from graph.core.db import Graph

ROLES = ("reader", "contributor", "admin")


class OidcConfigError(ValueError):
    """A provider configuration that cannot be stored as asked."""


@dataclass(frozen=True)
class OidcConfig:
    org_id: str
    issuer: str
    client_id: str
    secret_ref: str | None = None  # env:NAME | file:/path | None (a public client, PKCE only)
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    email_claim: str = "email"
    role_claim: str | None = None
    # role -> the values of role_claim that give it (the highest role found wins)
    role_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    default_role: str | None = "reader"
    domains: tuple[str, ...] = ()
    create_users: bool = False  # just-in-time accounts; else the person must exist
    button: bool = False  # a "Sign in with <organisation>" button on the sign-in page
    org_name: str = ""

    def public(self) -> dict[str, Any]:
        """What `orgs oidc show` prints: the secret's reference, never a secret."""
        out = asdict(self)
        out["scopes"] = list(self.scopes)
        out["domains"] = list(self.domains)
        out["role_values"] = {k: list(v) for k, v in self.role_values.items()}
        return out


SET_CONFIG: LiteralString = """
MATCH (o:Organisation {id: $orgId})
MERGE (o)-[:SIGNS_IN_WITH]->(p:OidcProvider {orgId: $orgId})
SET p.issuer = $issuer, p.clientId = $clientId, p.secretRef = $secretRef,
    p.scopes = $scopes, p.emailClaim = $emailClaim, p.roleClaim = $roleClaim,
    p.readerValues = $readerValues, p.contributorValues = $contributorValues,
    p.adminValues = $adminValues, p.defaultRole = $defaultRole, p.domains = $domains,
    p.createUsers = $createUsers, p.button = $button, p.updatedAt = $now
RETURN p.orgId AS orgId
"""

# Another organisation's configuration that would make the choice ambiguous.
CONFLICTS: LiteralString = """
MATCH (p:OidcProvider) WHERE p.orgId <> $orgId
  AND ((p.issuer = $issuer AND p.clientId = $clientId)
       OR any(d IN p.domains WHERE d IN $domains))
RETURN p.orgId AS orgId
LIMIT 1
"""

_RETURN: LiteralString = """
RETURN p {.*} AS provider, o.name AS orgName
"""

CONFIG_OF_ORG: LiteralString = """
MATCH (o:Organisation {id: $orgId})-[:SIGNS_IN_WITH]->(p:OidcProvider)
""" + _RETURN

CONFIG_OF_DOMAIN: LiteralString = """
MATCH (p:OidcProvider) WHERE $domain IN p.domains
MATCH (o:Organisation {id: p.orgId})
""" + _RETURN

# collect() leaves out the nulls of organisations without a button.
SIGN_IN_CHOICES: LiteralString = """
OPTIONAL MATCH (o:Organisation)-[:SIGNS_IN_WITH]->(p:OidcProvider)
WITH o, p ORDER BY o.name, o.id
RETURN count(p) AS configured,
       collect(CASE WHEN p.button THEN {id: o.id, name: o.name} END) AS buttons
"""

CLEAR_CONFIG: LiteralString = """
MATCH (:Organisation {id: $orgId})-[:SIGNS_IN_WITH]->(p:OidcProvider)
DETACH DELETE p
RETURN count(*) AS cleared
"""


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _from_row(row: dict[str, Any]) -> OidcConfig:
    p = row["provider"]
    values = {role: tuple(p.get(f"{role}Values") or ()) for role in ROLES}
    return OidcConfig(
        org_id=p["orgId"], issuer=p["issuer"], client_id=p["clientId"],
        secret_ref=p.get("secretRef"), scopes=tuple(p.get("scopes") or ()),
        email_claim=p.get("emailClaim") or "email", role_claim=p.get("roleClaim"),
        role_values={r: v for r, v in values.items() if v}, default_role=p.get("defaultRole"),
        domains=tuple(p.get("domains") or ()), create_users=bool(p.get("createUsers")),
        button=bool(p.get("button")), org_name=row.get("orgName") or p["orgId"])


def check(config: OidcConfig) -> None:
    """Raises `OidcConfigError` for a configuration no sign-in could use."""
    if not config.issuer or not config.client_id:
        raise OidcConfigError("an issuer and a client id are required")
    if "openid" not in config.scopes:
        raise OidcConfigError("the scopes must include openid")
    if config.secret_ref is not None and not config.secret_ref.startswith(("env:", "file:")):
        raise OidcConfigError("the client secret is a reference: env:NAME or file:/path")
    if config.default_role is not None and config.default_role not in ROLES:
        raise OidcConfigError(f"unknown role {config.default_role!r} (one of "
                              f"{', '.join(ROLES)})")
    if config.role_values and not config.role_claim:
        raise OidcConfigError("role values need the claim they are read from (role claim)")
    if config.create_users and config.default_role is None and not config.role_values:
        raise OidcConfigError("creating accounts needs a default role or role values")
    for domain in config.domains:
        if "@" in domain or "." not in domain or domain != domain.strip().lower():
            raise OidcConfigError(f"not an e-mail domain: {domain!r}")


async def set_config(graph: Graph, config: OidcConfig) -> None:
    """Stores (or replaces) the organisation's provider; raises `OidcConfigError` for an
    unknown organisation or a domain or issuer+client another organisation has."""
    check(config)
    params = {
        "orgId": config.org_id, "issuer": config.issuer, "clientId": config.client_id,
        "secretRef": config.secret_ref, "scopes": list(config.scopes),
        "emailClaim": config.email_claim, "roleClaim": config.role_claim,
        **{f"{r}Values": list(config.role_values.get(r, ())) for r in ROLES},
        "defaultRole": config.default_role, "domains": list(config.domains),
        "createUsers": config.create_users, "button": config.button, "now": _now()}
    taken = await graph.query(CONFLICTS, params, name="oidc_conflicts")
    if taken:
        raise OidcConfigError(f"organisation {taken[0]['orgId']!r} already signs in with "
                              "that issuer and client id, or one of those domains")
    rows = await graph.query(SET_CONFIG, params, write=True, name="oidc_set")
    if not rows:
        raise OidcConfigError(f"unknown organisation {config.org_id!r}")


async def config_of_org(graph: Graph, *, org_id: str) -> OidcConfig | None:
    rows = await graph.query(CONFIG_OF_ORG, {"orgId": org_id}, name="oidc_of_org")
    return _from_row(rows[0]) if rows else None


async def config_of_email(graph: Graph, *, email: str) -> OidcConfig | None:
    """The configuration of the organisation whose domains include the address's."""
    domain = email.strip().lower().rpartition("@")[2]
    if not domain:
        return None
    rows = await graph.query(CONFIG_OF_DOMAIN, {"domain": domain}, name="oidc_of_domain")
    return _from_row(rows[0]) if rows else None


async def sign_in_choices(graph: Graph) -> tuple[int, list[dict[str, str]]]:
    """(how many organisations sign in through a provider, the id and name of those whose
    operator chose a button on the sign-in page: organisations are public records)."""
    rows = await graph.query(SIGN_IN_CHOICES, name="oidc_sign_in_choices")
    return int(rows[0]["configured"]), [dict(b) for b in rows[0]["buttons"]]


async def clear_config(graph: Graph, *, org_id: str) -> bool:
    rows = await graph.query(CLEAR_CONFIG, {"orgId": org_id}, write=True, name="oidc_clear")
    return bool(rows and rows[0]["cleared"])
