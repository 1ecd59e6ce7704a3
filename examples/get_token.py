"""Get an access token with client credentials and call the API's `me`.

    SUPPLYGRAPH_URL=http://127.0.0.1:8000 \
    SUPPLYGRAPH_CLIENT_ID=sgc_... SUPPLYGRAPH_CLIENT_SECRET=... \
    python examples/get_token.py

The base URL may also be the first argument. Prints the `me` answer as JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

from authlib.integrations.httpx_client import AsyncOAuth2Client

ME = "{ me { organisation { id name kind } consortia scopes clientId } }"


async def main(base_url: str) -> dict:
    async with AsyncOAuth2Client(
        client_id=os.environ["SUPPLYGRAPH_CLIENT_ID"],
        client_secret=os.environ["SUPPLYGRAPH_CLIENT_SECRET"],
        token_endpoint_auth_method="client_secret_basic",
        scope=os.environ.get("SUPPLYGRAPH_SCOPE"),  # None: every scope the client holds
        base_url=base_url,
    ) as client:
        await client.fetch_token(f"{base_url}/oauth/token", grant_type="client_credentials")
        resp = await client.post("/graphql", json={"query": ME})
        resp.raise_for_status()
        return resp.json()


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SUPPLYGRAPH_URL",
                                                                "http://127.0.0.1:8000")
    print(json.dumps(asyncio.run(main(url.rstrip("/"))), indent=2))
