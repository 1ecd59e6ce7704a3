"""`supplygraph seed` via subprocess against the scratch server: it migrates first, and refuses a
nonsense scale."""

from __future__ import annotations

from graph.core.db import Graph
from graph.core.migrate import is_migrated
from supplygraph.settings import Settings
from tests.support.cli import run_cli
from tests.support.database import drop_schema, wipe


async def test_seed_on_an_unmigrated_database_migrates_first(scratch_settings: Settings,
                                                             scratch_graph: Graph):
    await wipe(scratch_graph)
    await drop_schema(scratch_graph)
    assert not await is_migrated(scratch_graph)
    out = run_cli(scratch_settings, "seed", "--sample")
    assert out.returncode == 0, out.stderr
    assert "migrating first" in out.stderr
    assert await is_migrated(scratch_graph)


def test_seed_refuses_a_nonsense_scale(scratch_settings: Settings):
    for bad in ("0", "-5", "2000000"):
        out = run_cli(scratch_settings, "seed", "--scale", bad)
        assert out.returncode != 0
        assert out.stderr.startswith("supplygraph: seed: --scale")
