"""The managed Neo4j, as an operator uses it through the CLI."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from graph.server.managed import free_port
from supplygraph.settings import Settings
from tests.support.cli import run_cli


@pytest.fixture
def own_server_settings(tmp_path: Path, neo4j_settings: Settings) -> Settings:
    # Its own data folder and port; the jars come from the shared cache.
    return neo4j_settings.model_copy(update={
        "data_dir": tmp_path / "data", "neo4j_bolt_port": free_port()})


def test_operator_starts_checks_restarts_and_stops_the_server(own_server_settings: Settings):
    s = own_server_settings
    try:
        started = run_cli(s, "neo4j", "start", "--json")
        assert started.returncode == 0, started.stderr
        info = json.loads(started.stdout)
        assert info["running"] is True
        assert info["uri"] == f"bolt://127.0.0.1:{s.neo4j_bolt_port}"

        status = run_cli(s, "neo4j", "status", "--json")
        assert status.returncode == 0
        assert json.loads(status.stdout)["running"] is True

        again = run_cli(s, "neo4j", "start", "--json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["pid"] == info["pid"], "a second start must not fork"

        # The generated password is kept in the data folder, readable by its owner only.
        pw = s.data_dir / "neo4j" / "password"
        assert pw.exists() and (pw.stat().st_mode & 0o077) == 0
        conf = (s.data_dir / "neo4j" / "conf" / "neo4j.conf").read_text()
        assert "server.http.enabled=false" in conf
        assert "dbms.security.auth_enabled=true" in conf
        assert "dbms.usage_report.enabled=false" in conf
        assert f"server.bolt.listen_address=127.0.0.1:{s.neo4j_bolt_port}" in conf
    finally:
        stopped = run_cli(s, "neo4j", "stop", "--json")
    assert stopped.returncode == 0
    assert json.loads(stopped.stdout) == {"stopped": True}
    status = run_cli(s, "neo4j", "status", "--json")
    assert status.returncode != 0
    assert json.loads(status.stdout)["running"] is False


def test_start_on_a_taken_port_says_so_in_one_line(own_server_settings: Settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", own_server_settings.neo4j_bolt_port))
        sock.listen()
        out = run_cli(own_server_settings, "neo4j", "start")
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"port {own_server_settings.neo4j_bolt_port}" in lines[0]
    assert "SUPPLYGRAPH_NEO4J_BOLT_PORT" in lines[0]


def test_start_without_java_names_the_fix(own_server_settings: Settings, tmp_path: Path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    out = run_cli(own_server_settings, "neo4j", "start", PATH=str(empty))
    assert out.returncode != 0
    assert out.stderr.strip().count("\n") == 0
    assert "Java not found" in out.stderr


def test_start_with_a_broken_setting_names_it_and_writes_nothing(own_server_settings: Settings):
    out = run_cli(own_server_settings, "neo4j", "start",
                  SUPPLYGRAPH_NEO4J_PAGECACHE="lots-of-memory")
    assert out.returncode != 0
    line = out.stderr.strip()
    assert line.count("\n") == 0
    assert "SUPPLYGRAPH_NEO4J_PAGECACHE" in line and "512m" in line
    assert not (own_server_settings.data_dir / "neo4j" / "conf" / "neo4j.conf").exists()
    assert run_cli(own_server_settings, "neo4j", "status").returncode != 0


def test_a_server_that_dies_during_start_points_at_its_logs(own_server_settings: Settings):
    # A heap larger than the machine can reserve: the JVM exits at once.
    out = run_cli(own_server_settings, "neo4j", "start", SUPPLYGRAPH_NEO4J_HEAP="100000g")
    assert out.returncode != 0
    line = out.stderr.strip()
    assert line.count("\n") == 0
    assert "exited during start" in line and "console.log" in line
    assert run_cli(own_server_settings, "neo4j", "status").returncode != 0


def test_bad_neo4j_uri_names_the_uri_and_never_the_password(neo4j_settings: Settings):
    secret = "correct-horse-battery-staple"
    out = run_cli(neo4j_settings, "db", "migrate", NEO4J_URI="http://127.0.0.1:1",
                  NEO4J_PASSWORD=secret)
    assert out.returncode != 0
    assert "http://127.0.0.1:1" in out.stderr and secret not in out.stderr

    closed = free_port()
    out = run_cli(neo4j_settings, "db", "migrate", NEO4J_URI=f"bolt://127.0.0.1:{closed}",
                  NEO4J_PASSWORD=secret)
    assert out.returncode != 0
    assert out.stderr.strip().count("\n") == 0
    assert f"bolt://127.0.0.1:{closed}" in out.stderr and secret not in out.stderr


def test_wrong_password_for_an_external_server_is_refused_clearly(neo4j_settings: Settings):
    uri = f"bolt://127.0.0.1:{neo4j_settings.neo4j_bolt_port}"
    secret = "not-the-password-123"
    out = run_cli(neo4j_settings, "db", "migrate", NEO4J_URI=uri, NEO4J_PASSWORD=secret)
    assert out.returncode != 0
    assert "refused the credentials" in out.stderr and uri in out.stderr
    assert secret not in out.stderr


# What the driver prints for the server's notifications (neo4j.notifications logger): on a
# fresh database every query naming a property or relationship type not yet written gets one.
NOTIFICATION_TEXT = ("Received notification", "GqlStatusObject", "does not exist",
                     "UnknownPropertyKeyWarning", "UnknownRelationshipTypeWarning", "01N5")


def test_cli_on_a_fresh_database_prints_no_driver_notifications(
        own_server_settings: Settings, tmp_path: Path):
    s = own_server_settings.model_copy(update={"neo4j_heap": "512m",
                                               "neo4j_pagecache": "256m"})
    sites = tmp_path / "sites.csv"
    sites.write_text("Factory Name,Street Address,City,Country,No. of workers\n"
                     "Acme Display Plant,55 Longgang Avenue,Shenzhen,CN,300\n")
    try:
        started = run_cli(s, "neo4j", "start", "--json")
        assert started.returncode == 0, started.stderr
        runs = [
            run_cli(s, "db", "migrate"),
            run_cli(s, "orgs", "add", "--name", "City of Freshford", "--kind", "PUBLIC_BUYER",
                    "--country", "GB", "--id", "GB-FRESH-1"),
            run_cli(s, "import", "sites", str(sites), "--org", "GB-FRESH-1"),
            run_cli(s, "import", "sites", str(sites), "--org", "GB-FRESH-1", "--dry-run"),
        ]
    finally:
        run_cli(s, "neo4j", "stop")
    for run in runs:
        assert run.returncode == 0, run.stderr
        printed = run.stdout + run.stderr
        assert not [t for t in NOTIFICATION_TEXT if t in printed], (run.args, printed)
    assert "1 created" in runs[2].stdout
