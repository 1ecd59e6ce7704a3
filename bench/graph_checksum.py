"""A checksum of the whole graph: every node but the migration mark (it holds a time) and the
exposure generation (a counter every load bumps), with its labels and every property, and
every relationship (type, both ends' ids, every property), so that two loads can be
compared (not a test).

    .venv/bin/python -m bench.graph_checksum [--wipe]

Uses the configured Neo4j (the managed one of SUPPLYGRAPH_DATA_DIR, or NEO4J_URI). `--wipe`
deletes everything instead (for a scratch server only). Prints counts and a sha256; the
same seed loaded twice must print the same line.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.core.db import Graph  # noqa: E402
from supplygraph.settings import Settings  # noqa: E402

_NODES = """
MATCH (n) WHERE NOT n:SchemaMigration AND NOT n:ExposureState
RETURN labels(n) AS labels, properties(n) AS props
"""
_RELS = """
MATCH (a)-[r]->(b)
RETURN type(r) AS type, a.id AS a, b.id AS b, properties(r) AS props
"""
_COUNTS = """
CALL () { MATCH (n) WHERE NOT n:SchemaMigration AND NOT n:ExposureState RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN nodes, rels
"""


def _line(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


async def checksum(graph: Graph) -> dict[str, Any]:
    """Counts and a sha256 over sorted lines, one per node and one per relationship."""
    counts = (await graph.query(_COUNTS))[0]
    lines = [_line([sorted(r["labels"]), r["props"]]) for r in await graph.query(_NODES)]
    lines += [_line([r["type"], r["a"], r["b"], r["props"]]) for r in await graph.query(_RELS)]
    lines.sort()
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return {"nodes": counts["nodes"], "relationships": counts["rels"], "sha256": digest}


async def wipe(graph: Graph) -> None:
    async with graph.driver.session(database=graph.database) as session:
        result = await session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        await result.consume()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wipe", action="store_true", help="delete everything instead")
    args = parser.parse_args()
    graph = Graph.from_settings(Settings())
    try:
        if args.wipe:
            await wipe(graph)
            print("wiped")
        else:
            print(json.dumps(await checksum(graph)))
    finally:
        await graph.close()


if __name__ == "__main__":
    asyncio.run(main())
