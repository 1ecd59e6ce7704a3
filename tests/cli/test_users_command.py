"""`supplygraph users add|list|disable` and the sample people of `demo-client`, as the
operator runs them: the installed console script in a subprocess, against a test Neo4j."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auth.people import add_person, token_key, verify_password
from graph.core.db import Graph
from graph.orgs.users import create_session, user_for_sign_in
from seeds import sample as s
from supplygraph.settings import Settings
from tests.support.cli import cli_env

CLI = [str(Path(sys.executable).parent / "supplygraph")]


@pytest.fixture
def env(neo4j_settings: Settings) -> dict[str, str]:
    return cli_env(neo4j_settings, SUPPLYGRAPH_PUBLIC_URL="https://sg.example.org")


def run(env: dict[str, str], *args: str, stdin: str | None = None,
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, cwd="/tmp", input=stdin,
                          capture_output=True, text=True, timeout=120)


def _email(tag: str) -> str:
    return f"{tag}-{os.urandom(4).hex()}@example.org"


async def test_operator_adds_a_person_who_gets_a_one_time_setup_link(
        env: dict[str, str], sample_graph: Graph) -> None:
    email = _email("invited")
    out = run(env, "users", "add", "--org", s.NW_HEALTH, "--email", email, "--role", "reader",
              "--json")
    assert out.returncode == 0, out.stderr
    made = json.loads(out.stdout)
    assert made["email"] == email and made["role"] == "reader"
    assert re.fullmatch(r"https://sg\.example\.org/setup/[A-Za-z0-9_-]{40,}", made["setupLink"])
    listed = json.loads(run(env, "users", "list", "--org", s.NW_HEALTH, "--json").stdout)
    row = next(u for u in listed["users"] if u["email"] == email)
    assert row == {**row, "passwordSet": False, "disabled": False, "org": s.NW_HEALTH}
    assert "Hash" not in out.stdout and "hash" not in json.dumps(listed)


async def test_automation_sets_the_password_from_stdin_and_can_disable_the_person(
        env: dict[str, str], sample_graph: Graph) -> None:
    email = _email("robot")
    out = run(env, "users", "add", "--org", s.MONITOR_WORKERS, "--email", email, "--role",
              "contributor", "--password-stdin", stdin="a sturdy passphrase\n")
    assert out.returncode == 0, out.stderr
    assert "setup" not in out.stdout
    row = await user_for_sign_in(sample_graph, email=email)
    assert row is not None and verify_password(row["passwordHash"], "a sturdy passphrase")
    out = run(env, "users", "disable", email)
    assert out.returncode == 0, out.stderr
    listed = run(env, "users", "list").stdout
    assert re.search(rf"\tdisabled\t{re.escape(email)}$", listed, re.M)


@pytest.mark.parametrize("args,message", [
    (["--org", "ORG-NOPE", "--role", "reader"], "unknown organisation"),
    (["--org", s.NW_HEALTH, "--role", "boss"], "unknown role"),
])
async def test_a_bad_add_is_one_line_on_stderr(env: dict[str, str], sample_graph: Graph,
                                               args: list[str], message: str) -> None:
    out = run(env, "users", "add", "--email", _email("bad"), *args)
    assert out.returncode == 2 and out.stdout == ""
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1


async def test_a_short_password_from_stdin_is_refused_and_nobody_is_added(
        env: dict[str, str], sample_graph: Graph) -> None:
    email = _email("short")
    out = run(env, "users", "add", "--org", s.NW_HEALTH, "--email", email, "--role", "reader",
              "--password-stdin", stdin="short\n")
    assert out.returncode == 2 and "at least 12" in out.stderr
    assert await user_for_sign_in(sample_graph, email=email) is None


async def test_demo_client_prints_a_sample_persons_sign_in_that_works(
        env: dict[str, str], sample_graph: Graph) -> None:
    out = run(env, "demo-client")
    assert out.returncode == 0, out.stderr
    found = re.search(r"sign in as (\S+) .*?password\s+(\S+)", out.stdout, re.S)
    assert found, out.stdout
    email, password = found.groups()
    assert email == s.SAMPLE_PEOPLE[0][1]
    row = await user_for_sign_in(sample_graph, email=email)
    assert row is not None and verify_password(row["passwordHash"], password)
    # run again (as `make run` does each time): the same password, kept in the data folder
    again = run(env, "demo-client")
    assert f"password\n  {password}\n" in again.stdout


async def test_operator_purges_expired_sessions_and_setup_links_and_nothing_live(
        env: dict[str, str], sample_graph: Graph) -> None:
    # given a person with a live and an expired session, and two invitations: one whose link
    # is still good, one whose link has expired
    user, _ = await add_person(sample_graph, org_id=s.NW_HEALTH, email=_email("sessions"),
                               role="reader", password="a sturdy passphrase", setup_hours=1)
    live, dead = os.urandom(16).hex(), os.urandom(16).hex()
    assert await create_session(sample_graph, key=live, user_id=user, csrf="c",
                                expires_at="2999-01-01T00:00:00+00:00")
    assert await create_session(sample_graph, key=dead, user_id=user, csrf="c",
                                expires_at="2000-01-01T00:00:00+00:00")
    _, fresh = await add_person(sample_graph, org_id=s.NW_HEALTH, email=_email("fresh"),
                                role="reader", password=None, setup_hours=24)
    _, stale = await add_person(sample_graph, org_id=s.NW_HEALTH, email=_email("stale"),
                                role="reader", password=None, setup_hours=-1)
    assert fresh and stale
    # when the operator purges
    out = run(env, "users", "purge-sessions", "--json")
    assert out.returncode == 0, out.stderr
    purged = json.loads(out.stdout)
    # then the expired session and link are gone, the live ones kept
    sessions = await sample_graph.query(
        "MATCH (s:WebSession) WHERE s.key IN $keys RETURN s.key AS key", {"keys": [live, dead]})
    assert [r["key"] for r in sessions] == [live]
    links = await sample_graph.query(
        "MATCH (u:User) WHERE u.setupHash IN $hashes RETURN u.setupHash AS h",
        {"hashes": [token_key(fresh), token_key(stale)]})
    assert [r["h"] for r in links] == [token_key(fresh)]
    assert purged["sessions"] >= 1 and purged["setupLinks"] >= 1
    # and a second purge finds nothing of these left to remove
    again = run(env, "users", "purge-sessions")
    assert again.returncode == 0 and again.stdout.startswith("removed ")


async def test_the_servers_sweeper_removes_an_expired_session_and_keeps_a_live_one(
        neo4j_settings: Settings, sample_graph: Graph) -> None:
    from supplygraph.housekeeping import Sweeper

    user, _ = await add_person(sample_graph, org_id=s.NW_CITY, email=_email("sweep"),
                               role="reader", password="a sturdy passphrase", setup_hours=1)
    live, dead = os.urandom(16).hex(), os.urandom(16).hex()
    await create_session(sample_graph, key=live, user_id=user, csrf="c",
                         expires_at="2999-01-01T00:00:00+00:00")
    await create_session(sample_graph, key=dead, user_id=user, csrf="c",
                         expires_at="2000-01-01T00:00:00+00:00")
    purged = await Sweeper(sample_graph, neo4j_settings).run_once()
    assert purged.sessions >= 1
    left = await sample_graph.query(
        "MATCH (s:WebSession) WHERE s.key IN $keys RETURN s.key AS key", {"keys": [live, dead]})
    assert [r["key"] for r in left] == [live]
