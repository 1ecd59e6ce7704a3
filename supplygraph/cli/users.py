"""`supplygraph users add|list|disable|purge-sessions`: people's accounts for the web app
(docs/ui.md)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from auth.people import PasswordRefused, add_person
from graph.core.db import Graph
from graph.orgs import users
from supplygraph.cli import CliError, _print_json, _with_graph
from supplygraph.settings import Settings

_PASSWORD_MESSAGES = {"password_too_short": "the password needs at least 12 characters",
                      "password_too_long": "the password is too long"}


def _add(args: argparse.Namespace, settings: Settings) -> int:
    if not args.org or not args.email or not args.role:
        raise CliError("users add: --org, --email and --role are required")
    password = None
    if args.password_stdin:
        # One line: what `printf '%s\n' "$PW" | supplygraph users add ...` sends.
        password = sys.stdin.readline().rstrip("\r\n")

    async def add(graph: Graph) -> tuple[str, str | None]:
        return await add_person(graph, org_id=args.org, email=args.email, role=args.role,
                                password=password, setup_hours=settings.web_setup_link_hours)

    try:
        user_id, setup = asyncio.run(_with_graph(settings, add))
    except users.UserError as exc:
        raise CliError(f"users add: {exc}") from None
    except PasswordRefused as exc:
        raise CliError(f"users add: {_PASSWORD_MESSAGES.get(str(exc), str(exc))}") from None
    link = f"{settings.public_url.rstrip('/')}/setup/{setup}" if setup else None
    if args.json:
        _print_json({"id": user_id, "email": args.email.strip().lower(), "org": args.org,
                     "role": args.role.lower(), "setupLink": link})
    elif link:
        print(f"{user_id}: send this one-time link to {args.email} to choose a password "
              f"(valid {settings.web_setup_link_hours:g} h):\n{link}")
    else:
        print(f"{user_id}: {args.email} may sign in now")
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    async def listing(graph: Graph) -> Any:
        return await users.list_users(graph, org_id=args.org)

    people = asyncio.run(_with_graph(settings, listing))
    if args.json:
        _print_json({"users": [
            {"id": u.id, "email": u.email, "org": u.org_id, "role": u.role,
             "disabled": u.disabled, "passwordSet": u.has_password, "createdAt": u.created_at}
            for u in people]})
    else:
        for u in people:
            state = "disabled" if u.disabled else ("active" if u.has_password else "invited")
            print(f"{u.id}\t{u.org_id}\t{u.role}\t{state}\t{u.email}")
    return 0


def _disable(args: argparse.Namespace, settings: Settings) -> int:
    if not args.user:
        raise CliError("users disable: say which USER (id or e-mail address)")

    async def disable(graph: Graph) -> bool:
        return await users.disable_user(graph, ref=args.user, org_id=args.org)

    if not asyncio.run(_with_graph(settings, disable)):
        raise CliError(f"users disable: no account {args.user!r}")
    if args.json:
        _print_json({"user": args.user, "disabled": True})
    else:
        print(f"disabled {args.user}: their sessions ended now")
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    """What `serve`'s sweeper does every `web_purge_minutes`, once (supplygraph/housekeeping.py)."""
    purged = asyncio.run(_with_graph(settings, users.purge_sessions))
    if args.json:
        _print_json({"sessions": purged.sessions, "setupLinks": purged.setup_links})
    else:
        print(f"removed {purged.sessions} expired web sessions and {purged.setup_links} "
              "expired setup links")
    return 0


def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    return {"add": _add, "list": _list, "disable": _disable,
            "purge-sessions": _purge}[args.action](args, settings)


def register(sub: Any) -> None:
    roles = ", ".join(r.value for r in users.Role)
    p = sub.add_parser("users", help="people who sign in to the web app")
    p.add_argument("action", choices=["add", "list", "disable", "purge-sessions"])
    p.add_argument("user", nargs="?", metavar="USER", help="disable: an id or e-mail address")
    p.add_argument("--org", metavar="ORG_ID")
    p.add_argument("--email")
    p.add_argument("--role", help=f"one of {roles}")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input instead of printing a "
                        "one-time setup link")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users)
