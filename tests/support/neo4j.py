"""A Neo4j server of a test's own: started on a free 127.0.0.1 port in a throwaway folder,
stopped afterwards. tests/conftest.py starts its three shared servers with it; a test that
stops and starts its server (tests/reliability/test_neo4j_outage.py) takes one of its own, so
that no other test loses its database."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from graph.server.managed import ManagedNeo4j, free_port
from supplygraph.settings import Settings


@contextlib.contextmanager
def managed_server(factory: pytest.TempPathFactory, name: str,
                   **overrides: Any) -> Iterator[Settings]:
    """Settings of a started server; `overrides` are further Settings fields."""
    values: dict[str, Any] = {
        "data_dir": factory.mktemp(name),
        "neo4j_bolt_port": free_port(),
        "neo4j_heap": "1g",
        "neo4j_pagecache": "512m",
        # Tests wipe and reload small worlds, so statistics swing past Neo4j's divergence
        # threshold all the time; replanning each visibility-heavy query shape costs seconds
        # and changes no answer.
        "neo4j_replan_interval": "1h",
        # Apps started by tests run no outbox worker unless a test asks for one, so that no
        # stray worker picks up another test's deliveries.
        "run_worker_in_serve": False,
        # A fixed bound on requests in flight: on this loaded machine tests' requests can take
        # over the adaptive target (a cold plan alone does), and a bound lowered by one test
        # would refuse another's concurrent requests (a browser's assets). The adaptive bound
        # is tested on its own (tests/api/http/test_adaptive_limit.py, tests/reliability).
        "admission_target_seconds": 0.0,
        **overrides,
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    server = ManagedNeo4j(settings)
    server.start()
    try:
        yield settings
    finally:
        server.stop()
