"""Headless Debian Chromium driven by Playwright for Python (its executable path set;
`playwright install` is never run), and the web app served live for it."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from graph.core.db import Graph
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.live_api import missing
from tests.support.oauth import free_port, serve_in_thread
from tests.support.paths import REPO

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE = REPO / "tests" / "web" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def chromium() -> str:
    if shutil.which(CHROMIUM) is None:
        missing("chromium", "apt-get install -y chromium (make test does, as root)")
    return CHROMIUM


def axe_script() -> str:
    if not AXE.is_file():
        missing("tests/web/axe/node_modules",
                "run `npm ci --prefix tests/web/axe` (make test does)")
    return str(AXE)


@pytest.fixture(scope="module")
def web_url(sample_graph: Graph, neo4j_settings: Settings,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free 127.0.0.1 port, over the shared test Neo4j with the sample data."""
    port = free_port()
    settings = neo4j_settings.model_copy(update={
        "keys_dir": tmp_path_factory.mktemp("web-keys"), "run_worker_in_serve": False,
        "public_url": f"http://127.0.0.1:{port}"})
    with serve_in_thread(create_app(settings), port) as base:
        yield base


# A generous bound on Playwright's auto-waiting, never a measure of speed: on a busy
# machine the first exposure of an organisation (built, then kept) can take seconds.
EXPECT_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)

    executable = chromium()
    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=executable, args=ARGS,
                                            headless=True)
        try:
            yield instance
        finally:
            await instance.close()
