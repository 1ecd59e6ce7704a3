"""Test fixtures: a real Neo4j started once per test run, on a free port, in a throwaway
data folder, so tests never touch anyone's data and can run beside `make run`.

If the server cannot be started the run fails: there is no skip and no stand-in.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from graph.db import Graph
from graph.server import ManagedNeo4j, free_port
from supplygraph.settings import Settings

# Tests always use the Neo4j they start, never one named in the environment.
for _var in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
    os.environ.pop(_var, None)


def _settings_for(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        neo4j_bolt_port=free_port(),
        neo4j_heap="1g",
        neo4j_pagecache="512m",
        # Apps started by tests run no outbox worker unless a test asks for one, so that no
        # stray worker picks up another test's deliveries.
        run_worker_in_serve=False,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of the shared test server (sample data lives here)."""
    settings = _settings_for(tmp_path_factory.mktemp("neo4j-main"))
    server = ManagedNeo4j(settings)
    server.start()
    try:
        yield settings
    finally:
        server.stop()


@pytest.fixture(scope="session")
def scratch_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A second server for tests that wipe or bulk-load the database."""
    settings = _settings_for(tmp_path_factory.mktemp("neo4j-scratch"))
    server = ManagedNeo4j(settings)
    server.start()
    try:
        yield settings
    finally:
        server.stop()


@pytest.fixture(scope="session")
def story_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A third server holding only the sample data, for tests whose expectations are
    hand-checked against the sample's story (exposure, leverage, risk, contradictions):
    what write tests add to the shared server cannot shift their numbers."""
    settings = _settings_for(tmp_path_factory.mktemp("neo4j-story"))
    server = ManagedNeo4j(settings)
    server.start()
    try:
        yield settings
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def story_graph(story_settings: Settings) -> AsyncIterator[Graph]:
    from graph.migrate import migrate
    from seeds.sample import load_sample

    g = Graph.from_settings(story_settings)
    try:
        await migrate(g)
        await load_sample(g)
        yield g
    finally:
        await g.close()


@pytest.fixture(scope="session")
async def graph(neo4j_settings: Settings) -> AsyncIterator[Graph]:
    g = Graph.from_settings(neo4j_settings)
    try:
        yield g
    finally:
        await g.close()


@pytest.fixture(scope="session")
async def scratch_graph(scratch_settings: Settings) -> AsyncIterator[Graph]:
    g = Graph.from_settings(scratch_settings)
    try:
        yield g
    finally:
        await g.close()


@pytest.fixture(scope="session")
async def sample_graph(graph: Graph) -> Graph:
    """The shared server, migrated and holding the sample data set."""
    from graph.migrate import migrate
    from seeds.sample import load_sample

    await migrate(graph)
    await load_sample(graph)
    return graph
