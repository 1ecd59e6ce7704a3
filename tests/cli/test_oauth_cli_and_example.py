"""The operator's CLI (orgs, clients, keys) via subprocess, and the README example script run
against a real uvicorn server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.core.db import Graph
from graph.core.migrate import migrate
from supplygraph.settings import Settings
from tests.support.oauth import build_app, free_port, serve_in_thread
from tests.support.paths import REPO

# The installed console script (`python -m supplygraph.cli` would load two CliError classes).
CLI = [str(Path(sys.executable).parent / "supplygraph")]


@pytest.fixture
def cli_env(neo4j_settings: Settings, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SUPPLYGRAPH_"))}
    env.update(SUPPLYGRAPH_DATA_DIR=str(neo4j_settings.data_dir),
               SUPPLYGRAPH_NEO4J_BOLT_PORT=str(neo4j_settings.neo4j_bolt_port),
               SUPPLYGRAPH_KEYS_DIR=str(tmp_path / "keys"))
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, cwd=tmp_cwd(), capture_output=True,
                          text=True, timeout=120)


def tmp_cwd() -> str:
    # Not the repo: a developer's .env there must not change what the test talks to.
    return str(Path("/tmp"))


async def test_operator_creates_consortium_member_and_client_then_lists_and_revokes(
        cli_env: dict[str, str], graph: Graph) -> None:
    await migrate(graph)
    out = run(cli_env, "orgs", "add", "--name", "Test centre", "--kind", "consortium", "--json")
    assert out.returncode == 0, out.stderr
    centre = json.loads(out.stdout)["id"]
    out = run(cli_env, "orgs", "add", "--name", "Test trust", "--kind", "PUBLIC_BUYER",
              "--consortium", centre, "--country", "gb", "--id", f"GB-TEST-{centre[-6:]}")
    assert out.returncode == 0, out.stderr
    member = out.stdout.strip()
    assert member == f"GB-TEST-{centre[-6:]}"

    listed = json.loads(run(cli_env, "orgs", "list", "--json").stdout)["organisations"]
    row = next(o for o in listed if o["id"] == member)
    assert row["consortia"] == [centre] and row["countryCode"] == "GB"

    out = run(cli_env, "clients", "add", "--org", member, "--scopes", "sites:read reports:read",
              "--json")
    assert out.returncode == 0, out.stderr
    created = json.loads(out.stdout)
    assert created["client_secret"] and created["scopes"] == ["reports:read", "sites:read"]
    clients = json.loads(run(cli_env, "clients", "list", "--org", member, "--json").stdout)
    assert [c["client_id"] for c in clients["clients"]] == [created["client_id"]]
    assert created["client_secret"] not in json.dumps(clients)

    out = run(cli_env, "clients", "revoke", created["client_id"])
    assert out.returncode == 0, out.stderr
    clients = json.loads(run(cli_env, "clients", "list", "--org", member, "--json").stdout)
    assert clients["clients"][0]["revoked"] is True

    # the admin scope is the operator's: a member's client cannot be granted it
    out = run(cli_env, "clients", "add", "--org", member, "--scopes", "sites:read admin")
    assert out.returncode != 0 and out.stdout == ""
    assert "the admin scope is for the operator's clients" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    clients = json.loads(run(cli_env, "clients", "list", "--org", member, "--json").stdout)
    assert len(clients["clients"]) == 1


@pytest.mark.parametrize("args, message", [
    (["orgs", "add", "--name", "X", "--kind", "VENDOR"], "unknown kind 'VENDOR'"),
    (["orgs", "add", "--name", "X", "--kind", "MONITOR", "--consortium", "NOPE"],
     "unknown consortium 'NOPE'"),
    (["clients", "add", "--org", "NOPE", "--scopes", "sites:read"],
     "unknown organisation 'NOPE'"),
    (["clients", "add", "--org", "NOPE", "--scopes", "sites:read everything"],
     "unknown scope 'everything'"),
    (["clients", "revoke", "sgc_nobody"], "unknown client 'sgc_nobody'"),
])
async def test_operator_mistakes_give_one_line_on_stderr_and_nonzero_exit(
        cli_env: dict[str, str], graph: Graph, args: list[str], message: str) -> None:
    await migrate(graph)
    out = run(cli_env, *args, "--json") if args[0] == "orgs" else run(cli_env, *args)
    assert out.returncode != 0
    assert out.stdout == ""
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_operator_rotates_keys_and_jwks_keeps_both(cli_env: dict[str, str]) -> None:
    first = json.loads(run(cli_env, "keys", "list", "--json").stdout)
    out = run(cli_env, "keys", "rotate", "--json")
    assert out.returncode == 0, out.stderr
    rotated = json.loads(out.stdout)
    assert rotated["previous"] == first["current"] != rotated["current"]
    assert set(rotated["jwks"]) == {first["current"], rotated["current"]}
    keys_dir = Path(cli_env["SUPPLYGRAPH_KEYS_DIR"])
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in keys_dir.iterdir())


async def test_procurement_system_runs_readme_example_against_a_real_server(
        cli_env: dict[str, str], graph: Graph, neo4j_settings: Settings,
        tmp_path: Path) -> None:
    await migrate(graph)
    org = run(cli_env, "orgs", "add", "--name", "Example trust", "--kind", "PUBLIC_BUYER")
    assert org.returncode == 0, org.stderr
    created = json.loads(run(cli_env, "clients", "add", "--org", org.stdout.strip(),
                             "--scopes", "sites:read", "--json").stdout)
    port = free_port()
    settings = neo4j_settings.model_copy(update={
        "keys_dir": tmp_path / "server-keys", "public_url": f"http://127.0.0.1:{port}"})
    # The app opens its own driver in its lifespan, on uvicorn's event loop.
    with serve_in_thread(build_app_without_graph(settings), port) as base:
        env = {**cli_env, "SUPPLYGRAPH_CLIENT_ID": created["client_id"],
               "SUPPLYGRAPH_CLIENT_SECRET": created["client_secret"]}
        out = subprocess.run([sys.executable, str(REPO / "examples" / "get_token.py"), base],
                             env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    me = json.loads(out.stdout)["data"]["me"]
    assert me["organisation"]["id"] == org.stdout.strip()
    assert me["scopes"] == ["sites:read"] and me["clientId"] == created["client_id"]


def build_app_without_graph(settings: Settings):  # noqa: ANN201
    return build_app(settings, None)  # type: ignore[arg-type]


async def test_operator_registers_a_public_app_with_an_exact_redirect_uri(
        cli_env: dict[str, str], graph: Graph) -> None:
    await migrate(graph)
    org = run(cli_env, "orgs", "add", "--name", "App trust", "--kind", "PUBLIC_BUYER")
    assert org.returncode == 0, org.stderr
    member = org.stdout.strip()
    out = run(cli_env, "clients", "add", "--org", member, "--scopes", "sites:read", "--public",
              "--name", "Trust dashboard", "--redirect-uri", "http://127.0.0.1:8765/callback",
              "--json")
    assert out.returncode == 0, out.stderr
    created = json.loads(out.stdout)
    assert created["client_secret"] is None and created["public"] is True
    listed = json.loads(run(cli_env, "clients", "list", "--org", member, "--json").stdout)
    assert listed["clients"][0]["redirect_uris"] == ["http://127.0.0.1:8765/callback"]
    assert listed["clients"][0]["name"] == "Trust dashboard"
    for extra, words in ((["--redirect-uri", "http://app.example.org/cb"], "use https"),
                         ([], "needs at least one --redirect-uri")):
        refused = run(cli_env, "clients", "add", "--org", member, "--scopes", "sites:read",
                      "--public", *extra)
        assert refused.returncode != 0 and refused.stdout == ""
        assert words in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    listed = json.loads(run(cli_env, "clients", "list", "--org", member, "--json").stdout)
    assert len(listed["clients"]) == 1
