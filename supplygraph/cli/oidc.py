"""`supplygraph orgs oidc set|show|clear ORG_ID`: an organisation's own OpenID Connect
provider for signing in to the web app (graph/orgs/oidc.py, docs/ui.md).

The client secret is given as a reference (`--client-secret-env NAME` or
`--client-secret-file PATH`), read by the serving process when it uses it: the command
never sees, stores nor prints a secret.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from graph.core.db import Graph
from graph.orgs import oidc
from supplygraph.cli import CliError, _print_json, _with_graph
from supplygraph.settings import Settings

VERBS = ("set", "show", "clear")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `orgs oidc` on the `orgs` parser (argparse has one per command)."""
    p.add_argument("verb", nargs="?", metavar="set|show|clear", help="oidc: what to do")
    p.add_argument("org", nargs="?", metavar="ORG_ID", help="oidc: the organisation")
    p.add_argument("--issuer", help="oidc set: the provider's issuer URL (https)")
    p.add_argument("--client-id", help="oidc set: our client id at the provider")
    p.add_argument("--client-secret-env", metavar="NAME",
                   help="oidc set: the environment variable holding the client secret")
    p.add_argument("--client-secret-file", metavar="PATH",
                   help="oidc set: the file holding the client secret")
    p.add_argument("--scopes", dest="oidc_scopes", default="openid email profile",
                   metavar='"SCOPE ..."', help="oidc set: scopes asked (openid required)")
    p.add_argument("--email-claim", default="email", help="oidc set: the e-mail's claim")
    p.add_argument("--role-claim", help="oidc set: the claim whose values give a role")
    p.add_argument("--role-value", action="append", default=[], metavar="ROLE=VALUE",
                   help="oidc set: a value of the role claim giving ROLE (repeatable)")
    p.add_argument("--default-role", default="reader",
                   help="oidc set: the role when no value matches (reader, contributor, "
                        "admin, or none)")
    p.add_argument("--domain", action="append", default=[], metavar="DOMAIN",
                   help="oidc set: an e-mail domain of the organisation (repeatable)")
    p.add_argument("--create-users", action="store_true",
                   help="oidc set: create an account on first sign-in (else it must exist)")
    p.add_argument("--button", action="store_true",
                   help='oidc set: a "Sign in with <organisation>" button on the sign-in page')


def _config(args: argparse.Namespace) -> oidc.OidcConfig:
    if not args.issuer or not args.client_id:
        raise CliError("orgs oidc set: --issuer and --client-id are required")
    if args.client_secret_env and args.client_secret_file:
        raise CliError("orgs oidc set: give --client-secret-env or --client-secret-file, "
                       "not both")
    ref = f"env:{args.client_secret_env}" if args.client_secret_env else \
        f"file:{args.client_secret_file}" if args.client_secret_file else None
    values: dict[str, list[str]] = {}
    for pair in args.role_value:
        role, eq, value = pair.partition("=")
        if not eq or not value or role not in oidc.ROLES:
            raise CliError(f"orgs oidc set: --role-value {pair!r} is not ROLE=VALUE "
                           f"(roles: {', '.join(oidc.ROLES)})")
        values.setdefault(role, []).append(value)
    default = None if args.default_role.lower() == "none" else args.default_role.lower()
    return oidc.OidcConfig(
        org_id=args.org, issuer=args.issuer.strip(), client_id=args.client_id.strip(),
        secret_ref=ref, scopes=tuple(args.oidc_scopes.replace(",", " ").split()),
        email_claim=args.email_claim, role_claim=args.role_claim,
        role_values={r: tuple(v) for r, v in values.items()}, default_role=default,
        domains=tuple(d.strip().lower() for d in args.domain),
        create_users=args.create_users, button=args.button)


def cmd_oidc(args: argparse.Namespace, settings: Settings) -> int:
    if args.verb not in VERBS or not args.org:
        raise CliError("orgs oidc: say set, show or clear, and the ORG_ID")
    if args.verb == "set":
        config = _config(args)

        async def store(graph: Graph) -> Any:
            await oidc.set_config(graph, config)
            return await oidc.config_of_org(graph, org_id=config.org_id)

        try:
            stored = asyncio.run(_with_graph(settings, store))
        except oidc.OidcConfigError as exc:
            raise CliError(f"orgs oidc set: {exc}") from None
        _show(stored, args.json)
        return 0
    if args.verb == "show":
        async def read(graph: Graph) -> Any:
            return await oidc.config_of_org(graph, org_id=args.org)

        found = asyncio.run(_with_graph(settings, read))
        if found is None:
            raise CliError(f"orgs oidc show: {args.org!r} signs in with no provider")
        _show(found, args.json)
        return 0

    async def clear(graph: Graph) -> bool:
        return await oidc.clear_config(graph, org_id=args.org)

    cleared = asyncio.run(_with_graph(settings, clear))
    if args.json:
        _print_json({"org": args.org, "cleared": cleared})
    else:
        print(f"{args.org}: " + ("its people sign in with passwords only now" if cleared
                                  else "had no provider"))
    return 0


def _show(config: oidc.OidcConfig, as_json: bool) -> None:
    shown = config.public()
    if as_json:
        _print_json(shown)
        return
    for key, value in shown.items():
        print(f"{key}\t{value}")
