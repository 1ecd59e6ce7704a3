"""`supplygraph orgs|clients|keys`: the operator's side of OAuth (loaded by supplygraph.cli)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from auth.scopes import Scope
from graph.core.db import Graph
from graph.core.model import OrganisationKind
from supplygraph.cli import CliError, _print_json, _with_graph
from supplygraph.cli.oidc import add_arguments as oidc_arguments
from supplygraph.cli.oidc import cmd_oidc
from supplygraph.settings import Settings


# ----- orgs -----------------------------------------------------------------------------
def cmd_orgs(args: argparse.Namespace, settings: Settings) -> int:
    from graph.orgs.organisations import OrganisationError, create_organisation, list_organisations

    if args.action == "add":
        async def add(graph: Graph) -> Any:
            return await create_organisation(graph, name=args.name, kind=args.kind,
                                             consortia=args.consortium,
                                             country_code=args.country, org_id=args.id)
        try:
            org = asyncio.run(_with_graph(settings, add))
        except OrganisationError as exc:
            raise CliError(f"orgs add: {exc}") from None
        if args.json:
            _print_json({"id": org.id, "name": org.name, "kind": org.kind,
                         "countryCode": org.country_code, "consortia": list(org.consortia)})
        else:
            print(org.id)
        return 0

    orgs = asyncio.run(_with_graph(settings, list_organisations))
    if args.json:
        _print_json({"organisations": [
            {"id": o.id, "name": o.name, "kind": o.kind, "countryCode": o.country_code,
             "consortia": list(o.consortia)} for o in orgs]})
    else:
        for o in orgs:
            member = f"  member of {', '.join(o.consortia)}" if o.consortia else ""
            print(f"{o.id}\t{o.kind}\t{o.name}{member}")
    return 0


# ----- clients --------------------------------------------------------------------------
def _parse_scopes(text: str) -> list[str]:
    try:
        scopes = Scope.parse(text.replace(",", " "))
    except ValueError as exc:
        allowed = " ".join(s.value for s in Scope)
        raise CliError(f"clients add: {exc} (known scopes: {allowed})") from None
    if not scopes:
        raise CliError("clients add: --scopes names no scope")
    return sorted(s.value for s in scopes)


_REFUSALS = {
    "uri_scheme": "use https, or http only to 127.0.0.1, [::1] or localhost",
    "uri_wildcard": "no wildcard or space in a redirect URI",
    "uri_fragment": "no fragment (#) in a redirect URI",
    "uri_credentials": "no user name or password in a redirect URI",
    "uri_invalid": "not an absolute URL with a host",
    "uri_too_long": "a redirect URI is longer than 2000 characters",
    "too_many_uris": "at most 10 redirect URIs",
    "public_needs_uri": "a --public client needs at least one --redirect-uri",
    "name_too_long": "the name is longer than 100 characters",
}


def _refusal(exc: Exception) -> str:
    from auth.client_registration import ClientRefused

    assert isinstance(exc, ClientRefused)
    reason = _REFUSALS.get(exc.code, exc.code.replace("_", " "))
    return f"{reason}: {exc.detail}" if exc.detail else reason


def cmd_clients(args: argparse.Namespace, settings: Settings) -> int:
    from auth.client_registration import ClientRefused, register_client
    from graph.orgs.clients import list_clients, revoke_client
    from graph.orgs.organisations import organisation_info

    if args.action == "add":
        if not args.org:
            raise CliError("clients add: --org ORG_ID is required")
        scopes = _parse_scopes(args.scopes or "")

        async def add(graph: Graph) -> tuple[str, str | None]:
            # The registration the administration page makes too (auth/client_registration.py).
            org = await organisation_info(graph, org_id=args.org)
            if org is None:
                raise CliError(f"clients add: unknown organisation {args.org!r}")
            if Scope.ADMIN.value in scopes and org["kind"] != "OPERATOR":
                raise CliError(f"clients add: the admin scope is for the operator's clients; "
                               f"{args.org!r} is a {org['kind']}")
            try:
                return await register_client(graph, org_id=args.org, name=args.name or "",
                                             public=args.public, scopes=scopes,
                                             redirect_uris=args.redirect_uri)
            except ClientRefused as exc:
                raise CliError(f"clients add: {_refusal(exc)}") from None

        client_id, secret = asyncio.run(_with_graph(settings, add))
        if args.json:
            _print_json({"client_id": client_id, "client_secret": secret, "org": args.org,
                         "scopes": scopes, "name": args.name or "",
                         "redirect_uris": args.redirect_uri, "public": secret is None})
        else:
            print(f"client_id:     {client_id}")
            if secret is None:
                print("a public client: no secret; it uses the code grant with PKCE")
            else:
                print(f"client_secret: {secret}")
                print("The secret is shown once and stored hashed: keep it now.")
        return 0

    if args.action == "revoke":
        if not args.client_id:
            raise CliError("clients revoke: say which CLIENT_ID")

        async def revoke(graph: Graph) -> bool:
            return await revoke_client(graph, client_id=args.client_id)

        if not asyncio.run(_with_graph(settings, revoke)):
            raise CliError(f"clients revoke: unknown client {args.client_id!r}")
        if args.json:
            _print_json({"client_id": args.client_id, "revoked": True})
        else:
            print(f"revoked {args.client_id}: its tokens stop working now")
        return 0

    async def listing(graph: Graph) -> Any:
        return await list_clients(graph, org_id=args.org)

    clients = asyncio.run(_with_graph(settings, listing))
    if args.json:
        _print_json({"clients": [
            {"client_id": c.id, "org": c.org_id, "scopes": list(c.scopes),
             "revoked": c.revoked, "createdAt": c.created_at, "name": c.name,
             "redirect_uris": list(c.redirect_uris), "public": c.public} for c in clients]})
    else:
        for c in clients:
            state = "revoked" if c.revoked else "active"
            print(f"{c.id}\t{c.org_id}\t{state}\t{' '.join(c.scopes)}")
    return 0


# ----- keys -----------------------------------------------------------------------------
def cmd_keys(args: argparse.Namespace, settings: Settings) -> int:
    from auth.keys import KeyStore

    store = KeyStore(settings.signing_keys_dir, token_ttl=settings.token_ttl_seconds,
                     leeway=settings.token_leeway_seconds)
    if args.action == "rotate":
        old, new = store.rotate()
        if args.json:
            _print_json({"previous": old, "current": new,
                         "jwks": [k["kid"] for k in store.public_jwks()["keys"]]})
        else:
            print(f"signing key {new} now signs; {old} stays in the JWKS until its tokens "
                  f"expire ({settings.token_ttl_seconds + settings.token_leeway_seconds}s)")
        return 0
    jwks = store.public_jwks()
    if args.json:
        _print_json({"current": store.signing_key().kid,
                     "jwks": [k["kid"] for k in jwks["keys"]]})
    else:
        print(f"current: {store.signing_key().kid}; in JWKS: "
              + ", ".join(k["kid"] for k in jwks["keys"]))
    return 0


def register(sub: Any) -> None:
    kinds = ", ".join(k.value for k in OrganisationKind)

    p = sub.add_parser("orgs", help="organisations")
    p.add_argument("action", choices=["add", "list", "oidc"])
    p.add_argument("--name")
    p.add_argument("--kind", help=f"one of {kinds}")
    p.add_argument("--consortium", action="append", default=[], metavar="ID",
                   help="a consortium it belongs to (repeatable)")
    p.add_argument("--country", metavar="CC", help="ISO 3166-1 alpha-2")
    p.add_argument("--id", help="a scheme-prefixed id (default: generated)")
    p.add_argument("--json", action="store_true")
    oidc_arguments(p)  # `orgs oidc set|show|clear ORG_ID` (supplygraph/cli/oidc.py)
    p.set_defaults(func=_orgs_checked)

    p = sub.add_parser("clients", help="OAuth clients")
    p.add_argument("action", choices=["add", "list", "revoke"])
    p.add_argument("client_id", nargs="?", metavar="CLIENT_ID")
    p.add_argument("--org", metavar="ORG_ID")
    p.add_argument("--scopes", metavar='"SCOPE ..."')
    p.add_argument("--name", help="shown on the consent page and in the administration")
    p.add_argument("--redirect-uri", action="append", default=[], metavar="URI",
                   help="for the code grant, matched exactly (repeatable)")
    p.add_argument("--public", action="store_true",
                   help="no secret: the code grant with PKCE only (needs --redirect-uri)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_clients)

    p = sub.add_parser("keys", help="token signing keys")
    p.add_argument("action", choices=["rotate", "list"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_keys)


def _orgs_checked(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "oidc":
        return cmd_oidc(args, settings)
    if args.action == "add":
        if not args.name or not args.kind:
            raise CliError("orgs add: --name and --kind are required")
        if args.kind.upper() not in OrganisationKind.__members__:
            kinds = ", ".join(k.value for k in OrganisationKind)
            raise CliError(f"orgs add: unknown kind {args.kind!r} (one of {kinds})")
    return cmd_orgs(args, settings)
