"""examples/list_sites.py, run for real against uvicorn: token, then every page of sites."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx

from tests.support.live_api import LiveApi, live  # noqa: F401 - `live` is a fixture
from tests.support.paths import REPO

TOTAL = "{ productionSites(first: 1) { totalCount } }"


def test_example_client_pages_through_every_site_a_member_may_see(
        live: LiveApi) -> None:  # noqa: F811
    member = live.clients["northwind"]
    env = {**os.environ, "SUPPLYGRAPH_CLIENT_ID": member.client_id,
           "SUPPLYGRAPH_CLIENT_SECRET": member.client_secret}
    out = subprocess.run([sys.executable, str(REPO / "examples" / "list_sites.py"),
                          "--url", live.base_url, "--page-size", "3"],
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    ids = [json.loads(line)["id"] for line in out.stdout.splitlines()]
    total = httpx.post(live.graphql_url, json={"query": TOTAL}, headers=live.headers(
        "northwind")).json()["data"]["productionSites"]["totalCount"]
    assert len(ids) == len(set(ids)) == total > 3  # more than one page, none twice
    assert out.stderr.strip() == f"{total} sites"
