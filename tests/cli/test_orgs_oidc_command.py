"""`supplygraph orgs oidc set|show|clear` as the operator runs it: the console script in a
subprocess against a test Neo4j. The client secret is a reference the command never reads."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from graph.core.db import Graph
from graph.orgs import oidc
from graph.orgs.organisations import create_organisation
from supplygraph.settings import Settings
from tests.support.cli import cli_env

CLI = [str(Path(sys.executable).parent / "supplygraph")]


@pytest.fixture
def env(neo4j_settings: Settings) -> dict[str, str]:
    return cli_env(neo4j_settings)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, cwd="/tmp", capture_output=True, text=True,
                          timeout=120)


async def _org(graph: Graph, letter: str) -> str:
    tag = secrets.token_hex(3)
    org = await create_organisation(graph, name=f"Oidc Cli {letter} {tag}",
                                    kind="PUBLIC_BUYER", org_id=f"XX-OIDC-C{letter}-{tag}")
    return org.id


async def test_operator_sets_shows_and_clears_an_organisations_provider(
        sample_graph: Graph, env: dict[str, str]) -> None:
    org = await _org(sample_graph, "A")
    domain = f"{org.lower()}.example"
    secret = "the-actual-secret-" + secrets.token_hex(8)
    env["TRUST_OIDC_SECRET"] = secret
    r = run(env, "orgs", "oidc", "set", org, "--issuer", "https://login.trust.example",
            "--client-id", "supplygraph", "--client-secret-env", "TRUST_OIDC_SECRET",
            "--domain", domain, "--create-users", "--role-claim", "groups",
            "--role-value", "contributor=sg-editors", "--role-value", "admin=sg-admins",
            "--default-role", "none", "--button", "--json")
    assert r.returncode == 0, r.stderr
    shown = json.loads(r.stdout)
    assert shown["secret_ref"] == "env:TRUST_OIDC_SECRET" and secret not in r.stdout
    assert shown["role_values"] == {"contributor": ["sg-editors"], "admin": ["sg-admins"]}
    assert shown["default_role"] is None and shown["domains"] == [domain]
    r = run(env, "orgs", "oidc", "show", org)
    assert r.returncode == 0 and "https://login.trust.example" in r.stdout
    assert secret not in r.stdout
    stored = await oidc.config_of_email(sample_graph, email=f"someone@{domain}")
    assert stored is not None and stored.org_id == org and stored.create_users
    r = run(env, "orgs", "oidc", "clear", org, "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == {"org": org, "cleared": True}
    assert await oidc.config_of_org(sample_graph, org_id=org) is None


async def test_operator_gets_one_line_errors_for_a_configuration_no_sign_in_could_use(
        sample_graph: Graph, env: dict[str, str]) -> None:
    org, other = await _org(sample_graph, "B"), await _org(sample_graph, "C")
    domain = f"{org.lower()}.example"
    base = ["orgs", "oidc", "set", org, "--issuer", "https://id.b.example", "--client-id", "sg"]
    cases = {
        ("orgs", "oidc", "set", org): "--issuer and --client-id are required",
        (*base, "--scopes", "email"): "must include openid",
        (*base, "--role-value", "boss=x"): "is not ROLE=VALUE",
        (*base, "--default-role", "owner"): "unknown role",
        ("orgs", "oidc", "set", "XX-NO-SUCH-ORG", "--issuer", "https://x.example",
         "--client-id", "sg"): "unknown organisation",
        ("orgs", "oidc", "show", org): "signs in with no provider",
        ("orgs", "oidc", "frobnicate", org): "say set, show or clear",
    }
    for args, message in cases.items():
        r = run(env, *args)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
    # a domain another organisation already signs in with is refused
    assert run(env, *base, "--domain", domain).returncode == 0
    r = run(env, "orgs", "oidc", "set", other, "--issuer", "https://id.c.example",
            "--client-id", "sg", "--domain", domain)
    assert r.returncode == 2 and "already signs in" in r.stderr
    assert await oidc.config_of_org(sample_graph, org_id=other) is None
    await oidc.clear_config(sample_graph, org_id=org)
