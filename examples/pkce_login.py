"""Sign a person in with the authorization code grant and PKCE, then call the API's `me`
as them (docs/oauth.md). For a public client registered with this redirect URI:

    supplygraph clients add --org ORG --scopes sites:read --public \
        --redirect-uri http://127.0.0.1:8765/callback
    SUPPLYGRAPH_CLIENT_ID=sgc_... python examples/pkce_login.py http://127.0.0.1:8000

It prints the address to open in a browser, waits for the one redirect back on
127.0.0.1:8765 (`SUPPLYGRAPH_REDIRECT_URI` names another), redeems the code with its
verifier and prints the `me` answer as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit

from authlib.integrations.httpx_client import AsyncOAuth2Client

# The registered redirect URI; this script listens on its port of 127.0.0.1.
REDIRECT = os.environ.get("SUPPLYGRAPH_REDIRECT_URI", "http://127.0.0.1:8765/callback")
ME = "{ me { organisation { id name } scopes clientId } }"


def callback_server(seen: list[str]) -> HTTPServer:
    """Listens on the redirect URI's port of 127.0.0.1 (before the address is shown, so the
    redirect cannot come first); each request's URL goes to `seen`."""
    port = urlsplit(REDIRECT).port or 80

    class Once(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            seen.append(f"http://127.0.0.1:{port}{self.path}")
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"Signed in: you may close this tab.")

        def log_message(self, *args: object) -> None:
            pass

    return HTTPServer(("127.0.0.1", port), Once)


async def main(base_url: str) -> dict:
    verifier = secrets.token_urlsafe(48)
    async with AsyncOAuth2Client(
        client_id=os.environ["SUPPLYGRAPH_CLIENT_ID"], redirect_uri=REDIRECT,
        scope=os.environ.get("SUPPLYGRAPH_SCOPE", "sites:read"),
        code_challenge_method="S256", token_endpoint_auth_method="none", base_url=base_url,
    ) as client:
        url, state = client.create_authorization_url(f"{base_url}/oauth/authorize",
                                                     code_verifier=verifier)
        seen: list[str] = []
        with callback_server(seen) as server:
            print(f"Open this address to sign in:\n{url}", file=sys.stderr, flush=True)
            await asyncio.to_thread(server.handle_request)  # the one redirect back
        back = seen[0]
        # authlib checks `state` against the one it sent.
        await client.fetch_token(f"{base_url}/oauth/token", authorization_response=back,
                                 state=state, code_verifier=verifier)
        resp = await client.post("/graphql", json={"query": ME})
        return resp.json()


if __name__ == "__main__":
    base = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SUPPLYGRAPH_URL",
                                                                "http://127.0.0.1:8000")
    print(json.dumps(asyncio.run(main(base)), indent=2))
