"""`supplygraph serve`: the API, in front of the managed Neo4j unless NEO4J_URI is set."""

from __future__ import annotations

import argparse
import os
import signal
from types import FrameType
from typing import Any

from supplygraph.settings import Settings


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """The API on host:port, in `workers` processes. SIGTERM stops it gracefully: the
    listening socket closes, requests in flight get `shutdown_grace_seconds` to finish,
    then each process stops its outbox worker, closes its driver and exits (0)."""
    import uvicorn

    from graph.server.managed import ManagedNeo4j
    from supplygraph.app import APP_FACTORY, create_app
    from supplygraph.cli import CliError

    host = args.host or settings.host
    port = args.port or settings.port
    workers = settings.workers if args.workers is None else args.workers
    if not 1 <= workers <= 64:
        raise CliError(f"--workers must be between 1 and 64, not {workers}")
    if settings.managed:
        # Once, here: the workers only open drivers to it.
        status = ManagedNeo4j(settings).start()
        print(f"Neo4j at {status.uri}")
    settings = settings.model_copy(update={"host": host, "port": port, "workers": workers})
    each = "" if workers == 1 else f" ({workers} processes)"
    print(f"supplygraph API on http://{host}:{port}/graphql{each}; "
          f"the web app on http://{host}:{port}/", flush=True)
    options: dict[str, Any] = {
        "host": host, "port": port, "log_level": "warning", "access_log": False,
        "proxy_headers": args.proxy_headers or settings.proxy_headers, "server_header": False,
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds}
    signal.signal(signal.SIGTERM, _exit_cleanly)
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
    else:
        # Each worker is a new interpreter that builds its app from the environment: hand it
        # what the command line changed.
        os.environ.update(SUPPLYGRAPH_HOST=host, SUPPLYGRAPH_PORT=str(port),
                          SUPPLYGRAPH_WORKERS=str(workers))
        uvicorn.run(APP_FACTORY, factory=True, workers=workers, **options)
    return 0


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again for the handler
    # it found: this one, so that a graceful stop exits 0 rather than -15. A SIGTERM before
    # uvicorn took over (while the app is built) ends the process here too.
    raise SystemExit(0)


DEMO_ORG = "ORG-NRHT"  # Northwind Regional Health Trust, of the sample data
DEMO_SCOPES = ["contracts:read", "reports:read", "sites:read"]


def cmd_demo_client(args: argparse.Namespace, settings: Settings) -> int:
    """A client for a sample organisation, kept in the data folder (mode 0600) so that
    `make run` can say how to get a token without printing a new secret every time."""
    import asyncio
    import json
    import os
    import secrets

    from auth.client_secrets import hash_secret, new_client_secret
    from graph.orgs.clients import create_client, get_client
    from graph.orgs.organisations import organisation_info
    from supplygraph.cli import CliError, _with_graph

    path = settings.data_dir / "demo-client.json"
    stored = json.loads(path.read_text()) if path.exists() else None

    async def ensure(graph: Any) -> dict[str, Any]:
        if stored is not None:
            record = await get_client(graph, client_id=stored["client_id"])
            if record is not None and not record.revoked:
                return stored
        if await organisation_info(graph, org_id=DEMO_ORG) is None:
            raise CliError(f"demo-client: {DEMO_ORG} not found: run `supplygraph seed --sample`")
        client_id, secret = "sgc_" + secrets.token_urlsafe(12), new_client_secret()
        await create_client(graph, client_id=client_id, org_id=DEMO_ORG,
                            secret_hash=hash_secret(secret), scopes=DEMO_SCOPES)
        return {"client_id": client_id, "client_secret": secret, "org": DEMO_ORG}

    creds = asyncio.run(_with_graph(settings, ensure))
    if creds is not stored:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(creds, fh)
        tmp.replace(path)
    base = f"http://{settings.host}:{settings.port}"
    people = _sample_people(settings)
    token_of_json = """'import json,sys; print(json.load(sys.stdin)["access_token"])'"""
    print(f"""A client for the sample organisation {DEMO_ORG} (Northwind Regional Health Trust):
  client_id {creds['client_id']}, secret in {path}
Get a token and call the API:
  SECRET=$(python3 -c 'import json; print(json.load(open("{path}"))["client_secret"])')
  TOKEN=$(curl -s -u "{creds['client_id']}:$SECRET" -d grant_type=client_credentials \\
      {base}/oauth/token | python3 -c {token_of_json})
  curl -s {base}/graphql -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
      -d '{{"query": "{{ me {{ organisation {{ id name }} scopes }} }}"}}'""")
    emails = ", ".join(email for _, email, _ in people["people"][1:])
    print(f"""
The web app: {base}/
  sign in as {people['people'][0][1]} (the health trust's admin) with the password
  {people['password']}
  (the same password for every sample person: {emails}; kept in {people['path']})""")
    return 0


def _sample_people(settings: Settings) -> dict[str, Any]:
    """One person per sample organisation (seeds/sample.py SAMPLE_PEOPLE), all with one
    password made here and kept in the data folder (mode 0600): sample data for trying the
    web app, never an account for production use."""
    import asyncio
    import json
    import os
    import secrets

    from auth.people import hash_password
    from graph.orgs.users import create_user, list_users, parse_role, set_password
    from seeds.sample import SAMPLE_PEOPLE
    from supplygraph.cli import _with_graph

    path = settings.data_dir / "demo-people.json"
    stored = json.loads(path.read_text()) if path.exists() else None
    password = stored["password"] if stored else secrets.token_urlsafe(12)

    async def ensure(graph: Any) -> None:
        known = {u.email for u in await list_users(graph)}
        missing = [p for p in SAMPLE_PEOPLE if p[1] not in known]
        if not missing and stored is not None:
            return
        # One Argon2 hash for them all: the same sample password.
        hashed = await asyncio.to_thread(hash_password, password)
        for org, email, role in SAMPLE_PEOPLE:
            if email not in known:
                await create_user(graph, user_id="usr_" + secrets.token_urlsafe(9),
                                  org_id=org, email=email, role=parse_role(role),
                                  password_hash=hashed, setup_hash=None,
                                  setup_expires_at=None)
            elif stored is None:  # made before, with a password no longer known: the new one
                await set_password(graph, email=email, password_hash=hashed)

    asyncio.run(_with_graph(settings, ensure))
    if stored is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump({"password": password}, fh)
    return {"password": password, "path": path, "people": SAMPLE_PEOPLE}


def register(sub: Any) -> None:
    p = sub.add_parser("demo-client", help="a client for a sample organisation (make run)")
    p.set_defaults(func=cmd_demo_client)

    p = sub.add_parser("serve", help="serve the GraphQL API")
    p.add_argument("--host", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8000)")
    p.add_argument("--workers", type=int,
                   help="API processes sharing the port (default 1, or SUPPLYGRAPH_WORKERS)")
    p.add_argument("--proxy-headers", action="store_true",
                   help="behind a reverse proxy: client addresses from X-Forwarded-For, "
                        "trusted from FORWARDED_ALLOW_IPS only (or SUPPLYGRAPH_PROXY_HEADERS)")
    p.set_defaults(func=cmd_serve)
