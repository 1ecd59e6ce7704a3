"""Test fixtures: a real Neo4j started once per test run, on a free port, in a throwaway
data folder, so tests never touch anyone's data and can run beside `make run`.

Three servers, each started on first use: the shared one (sample data plus what tests add),
a scratch one (tests that wipe or bulk-load), and a story one (only the sample data, for
expectations hand-checked against its story). If a server cannot be started the run
fails: there is no skip and no stand-in.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator

import pytest

from graph.core.db import Graph
from supplygraph.settings import Settings
from tests.support.neo4j import managed_server

# Tests always use the Neo4j they start, never one named in the environment.
for _var in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
    os.environ.pop(_var, None)


@contextlib.asynccontextmanager
async def _graph(settings: Settings) -> AsyncIterator[Graph]:
    g = Graph.from_settings(settings)
    try:
        yield g
    finally:
        await g.close()


async def _with_sample(graph: Graph) -> Graph:
    from graph.core.migrate import migrate
    from seeds.sample import load_sample

    await migrate(graph)
    await load_sample(graph)
    return graph


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of the shared test server (sample data lives here)."""
    with managed_server(tmp_path_factory, "neo4j-main") as settings:
        yield settings


@pytest.fixture(scope="session")
def scratch_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A second server for tests that wipe or bulk-load the database."""
    with managed_server(tmp_path_factory, "neo4j-scratch") as settings:
        yield settings


@pytest.fixture(scope="session")
def story_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A third server holding only the sample data, for tests whose expectations are
    hand-checked against the sample's story (exposure, leverage, risk, contradictions, the
    sample data itself): what write tests add to the shared server cannot shift their numbers."""
    with managed_server(tmp_path_factory, "neo4j-story") as settings:
        yield settings


@pytest.fixture(scope="session")
async def graph(neo4j_settings: Settings) -> AsyncIterator[Graph]:
    async with _graph(neo4j_settings) as g:
        yield g


@pytest.fixture(scope="session")
async def scratch_graph(scratch_settings: Settings) -> AsyncIterator[Graph]:
    async with _graph(scratch_settings) as g:
        yield g


@pytest.fixture(scope="session")
async def story_graph(story_settings: Settings) -> AsyncIterator[Graph]:
    async with _graph(story_settings) as g:
        yield await _with_sample(g)


@pytest.fixture(scope="session")
async def sample_graph(graph: Graph) -> Graph:
    """The shared server, migrated and holding the sample data set."""
    return await _with_sample(graph)
