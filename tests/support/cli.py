"""Shared test helpers: running the CLI against a test server."""

from __future__ import annotations

import os
import subprocess
import sys

from supplygraph.settings import Settings
from tests.support.paths import REPO


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SUPPLYGRAPH_"))}
    env.update(
        SUPPLYGRAPH_DATA_DIR=str(settings.data_dir),
        SUPPLYGRAPH_CACHE_DIR=str(settings.cache_dir),
        SUPPLYGRAPH_NEO4J_BOLT_PORT=str(settings.neo4j_bolt_port),
        SUPPLYGRAPH_NEO4J_HEAP=settings.neo4j_heap,
        SUPPLYGRAPH_NEO4J_PAGECACHE=settings.neo4j_pagecache,
        # `serve` in a subprocess keeps the tests' fixed bound too (tests/support/neo4j.py).
        SUPPLYGRAPH_ADMISSION_TARGET_SECONDS=str(settings.admission_target_seconds),
    )
    if settings.keys_dir is not None:
        env["SUPPLYGRAPH_KEYS_DIR"] = str(settings.keys_dir)
    env.update(extra)
    return env


def run_cli(settings: Settings, *args: str, timeout: float = 300, **extra: str,
            ) -> subprocess.CompletedProcess[str]:
    """`supplygraph ARGS` in a subprocess, configured for the given test server."""
    return subprocess.run(
        [sys.executable, "-m", "supplygraph.cli", *args],
        env=cli_env(settings, **extra), cwd=REPO, capture_output=True, text=True,
        timeout=timeout, check=False,
    )
