"""Helpers for tests that reset the scratch server: wipe its data, drop its schema."""

from __future__ import annotations

from graph.core.db import Graph


async def wipe(graph: Graph) -> None:
    """Deletes every node and relationship (for the scratch server only)."""
    # CALL ... IN TRANSACTIONS needs an auto-commit transaction.
    async with graph.driver.session(database=graph.database) as session:
        result = await session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        await result.consume()


async def drop_schema(graph: Graph) -> None:
    """Drops every constraint and index but the lookup ones (for the scratch server only)."""
    # Test-only: names come from the server, not from input.
    for row in await graph.query("SHOW CONSTRAINTS YIELD name RETURN name"):
        await graph.query(f"DROP CONSTRAINT {row['name']}", write=True)  # type: ignore[arg-type]
    for row in await graph.query(
            "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name"):
        await graph.query(f"DROP INDEX {row['name']}", write=True)  # type: ignore[arg-type]
