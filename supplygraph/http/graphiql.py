"""GraphiQL served from the service itself: no CDN, so it works on closed networks.

The page and its assets (React 18, GraphiQL 3, pinned in tools/graphiql/package-lock.json and
copied into supplygraph/static/graphiql/vendor by `make graphiql-assets`) are static and hold
no data, so a browser may load them without a token; the page sends the bearer token typed
into it with every GraphQL request, and those requests are guarded as any other.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

# Which requests are for the page is decided once, by auth (which lets them through untokened).
from auth.backend import is_graphiql_request

STATIC_DIR = Path(__file__).resolve().parents[1] / "static" / "graphiql"
ASSETS_PATH = "/static/graphiql"

# The page loads only its own scripts and talks only to its own origin.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>supplygraph GraphiQL</title>
<link rel="stylesheet" href="{assets}/vendor/graphiql.min.css">
<link rel="stylesheet" href="{assets}/graphiql.css">
</head>
<body>
<form id="token-form" autocomplete="off">
  <div id="token-bar">
    <label for="token">Bearer token</label>
    <input id="token" name="token" type="password" placeholder="paste an access token">
    <button id="token-set" type="submit">Use token</button>
    <span id="token-state"></span>
  </div>
</form>
<div id="graphiql" data-endpoint="{endpoint}">Loading GraphiQL…</div>
<script src="{assets}/vendor/react.production.min.js"></script>
<script src="{assets}/vendor/react-dom.production.min.js"></script>
<script src="{assets}/vendor/graphiql.min.js"></script>
<script src="{assets}/init.js"></script>
</body>
</html>
"""


def graphiql_page(endpoint: str = "/graphql") -> HTMLResponse:
    html = _PAGE.format(assets=ASSETS_PATH, endpoint=escape(endpoint, quote=True))
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP,
                                       "Cache-Control": "no-cache",
                                       "X-Content-Type-Options": "nosniff"})


def graphiql_assets() -> Mount:
    return Mount(ASSETS_PATH, app=StaticFiles(directory=STATIC_DIR), name="graphiql-assets")


class OfflineGraphiQL:
    """Mixin for the strawberry view: renders our page, before any context (no token)."""

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        method = getattr(request, "method", None)
        if method == "GET" and is_graphiql_request(
                method, request.headers.get("accept", ""), "query" in request.query_params):
            return graphiql_page(request.url.path)
        kwargs = {k: v for k, v in (("context", context), ("root_value", root_value))
                  if v is not None}
        return await super().run(request, **kwargs)  # type: ignore[misc]

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        return graphiql_page(request.url.path)
