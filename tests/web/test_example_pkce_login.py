"""examples/pkce_login.py, run for real against uvicorn: authlib's client sends the buyer to
the consent page, she approves (httpx standing in for her browser), and the example redeems
the code with its PKCE verifier and reads `me` as the health trust."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys

import httpx

from auth.client_registration import register_client
from graph.core.db import Graph
from seeds import sample as s
from tests.support.oauth import free_port
from tests.support.paths import REPO
from tests.support.web import Person, sign_in

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


async def test_example_app_signs_the_buyer_in_with_pkce_and_reads_as_her_organisation(
        web_url: str, people: dict[str, Person], sample_graph: Graph) -> None:
    callback = f"http://127.0.0.1:{free_port()}/callback"
    client_id, _ = await register_client(sample_graph, org_id=s.NW_HEALTH, name="Example app",
                                         public=True, scopes=["sites:read"],
                                         redirect_uris=[callback])
    env = {**os.environ, "SUPPLYGRAPH_CLIENT_ID": client_id,
           "SUPPLYGRAPH_REDIRECT_URI": callback}
    example = subprocess.Popen([sys.executable, str(REPO / "examples" / "pkce_login.py"),
                                web_url], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert example.stderr is not None
        address = ""
        while not address.startswith("http"):  # after warnings and "Open this address"
            line = await asyncio.to_thread(example.stderr.readline)
            assert line, "the example ended before printing the address"
            address = line.strip()
        assert address.startswith(f"{web_url}/oauth/authorize?")
        assert "code_challenge_method=S256" in address
        async with httpx.AsyncClient(base_url=web_url, timeout=120) as browser:
            await sign_in(browser, people["buyer"])
            consent = await browser.get(address)
            assert consent.status_code == 200 and "Example app" in consent.text
            allowed = await browser.post("/oauth/authorize", data={
                **dict(_HIDDEN.findall(consent.text)), "decision": "allow"})
            back = allowed.headers["location"]
            assert back.startswith(callback + "?code=")
            assert (await browser.get(back)).status_code == 200
        out, err = await asyncio.to_thread(example.communicate, timeout=120)
    finally:
        if example.poll() is None:
            example.kill()
    assert example.returncode == 0, err
    me = json.loads(out)["data"]["me"]
    assert me == {"organisation": {"id": s.NW_HEALTH, "name": me["organisation"]["name"]},
                  "scopes": ["sites:read"], "clientId": client_id}
