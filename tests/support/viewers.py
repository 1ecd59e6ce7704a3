"""A viewer exactly as the API builds it for a bearer token (`auth.backend.resolve_viewer`:
the organisation, its consortia and peers), for tests that compare another entry point (an
import, an alert delivery) with what the API shows the same organisation."""

from __future__ import annotations

import secrets

from starlette.types import ASGIApp, Receive, Send
from starlette.types import Scope as AsgiScope

from auth.backend import ViewerUser, resolve_viewer
from auth.scopes import Scope
from auth.tokens import TokenClaims
from auth.viewer import Viewer
from graph.core.db import Graph


async def api_viewer(graph: Graph, org: str, scopes: frozenset[Scope] = frozenset(Scope),
                     ) -> Viewer:
    claims = TokenClaims(issuer="test", subject=f"test-{org}", client_id=f"test-{org}",
                         org_id=org, scopes=scopes, jti=f"jti-{secrets.token_hex(6)}",
                         expires_at=2**31, issued_at=None, external=True)
    return await resolve_viewer(graph, claims)


class AsViewer:
    """Stands in for the bearer middleware: every request is `viewer`."""

    def __init__(self, app: ASGIApp, viewer: Viewer) -> None:
        self.app, self.viewer = app, viewer

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        scope["user"] = ViewerUser(self.viewer)
        await self.app(scope, receive, send)
