"""Get a token with client credentials, then page through every production site you may see.

    SUPPLYGRAPH_URL=http://127.0.0.1:8000 \
    SUPPLYGRAPH_CLIENT_ID=sgc_... SUPPLYGRAPH_CLIENT_SECRET=... \
    python examples/list_sites.py [--page-size 50]

Prints one JSON object per site (id, name, countryCode) and, on stderr, the count. Uses only
httpx (a dependency of supplygraph): POST /oauth/token, then `productionSites` with `after`
cursors until `hasNextPage` is false.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator

import httpx

SITES = """query Sites($first: Int!, $after: String) {
  productionSites(first: $first, after: $after) {
    totalCount
    edges { node { id name countryCode } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def get_token(client: httpx.Client, client_id: str, client_secret: str) -> str:
    r = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                    auth=(client_id, client_secret))
    r.raise_for_status()
    return str(r.json()["access_token"])


def sites(client: httpx.Client, token: str, page_size: int) -> Iterator[dict]:
    after = None
    while True:
        r = client.post("/graphql", json={"query": SITES,
                                          "variables": {"first": page_size, "after": after}},
                        headers={"authorization": f"Bearer {token}"})
        r.raise_for_status()
        body = r.json()
        if body.get("errors"):
            raise RuntimeError(f"GraphQL errors: {body['errors']}")
        page = body["data"]["productionSites"]
        for edge in page["edges"]:
            yield edge["node"]
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SUPPLYGRAPH_URL",
                                                        "http://127.0.0.1:8000"))
    parser.add_argument("--page-size", type=int, default=50)
    args = parser.parse_args()
    client_id = os.environ["SUPPLYGRAPH_CLIENT_ID"]
    client_secret = os.environ["SUPPLYGRAPH_CLIENT_SECRET"]
    count = 0
    with httpx.Client(base_url=args.url.rstrip("/"), timeout=30) as client:
        token = get_token(client, client_id, client_secret)
        for site in sites(client, token, args.page_size):
            print(json.dumps(site))
            count += 1
    print(f"{count} sites", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
