"""Shared helpers for the OAuth tests: actors (an organisation with a client) and apps: a real
uvicorn in a thread, and `build_app`, the production app with /graphql as a minimal strawberry
app exposing only `me` when the real schema is not mounted."""

from __future__ import annotations

import contextlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

from auth.backend import get_viewer
from auth.client_secrets import hash_secret, new_client_secret
from graph.orgs.clients import create_client
from graph.core.db import Graph
from graph.orgs.organisations import create_organisation
from schema.orgs.viewer import ViewerType, me_field
from supplygraph.app import create_app
from supplygraph.settings import Settings


@dataclass(frozen=True)
class Actor:
    org_id: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]


async def make_actor(graph: Graph, *, kind: str = "PUBLIC_BUYER",
                     scopes: tuple[str, ...] = ("sites:read", "reports:read"),
                     consortia: list[str] | None = None) -> Actor:
    org = await create_organisation(graph, name=f"Test org {secrets.token_hex(3)}", kind=kind,
                                    consortia=consortia, country_code="GB", source="test")
    client_id = "sgc_test_" + secrets.token_hex(6)
    secret = new_client_secret()
    await create_client(graph, client_id=client_id, org_id=org.id,
                        secret_hash=hash_secret(secret), scopes=list(scopes))
    return Actor(org.id, client_id, secret, scopes)


async def get_token(client: httpx.AsyncClient, actor: Actor, **form: str) -> httpx.Response:
    return await client.post("/oauth/token", data={"grant_type": "client_credentials", **form},
                             auth=(actor.client_id, actor.client_secret))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_in_thread(app: Any, port: int) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1:port in a thread; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


ME = "{ me { organisation { id name kind } consortia scopes clientId } }"


@strawberry.type
class _Query:
    me: ViewerType = me_field


class _MeOnly(GraphQL):
    async def get_context(self, request: Any, response: Any) -> dict[str, Any]:
        return {"viewer": get_viewer(request), "request": request}


def build_app(settings: Settings, graph: Graph) -> Starlette:
    app = create_app(settings, graph)
    if not any(getattr(r, "path", None) == "/graphql" for r in app.routes):
        app.router.routes.append(Route("/graphql", _MeOnly(strawberry.Schema(query=_Query)),
                                       methods=["GET", "POST"]))
    return app
