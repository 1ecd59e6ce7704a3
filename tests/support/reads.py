"""Helpers for the read API tests: viewers per actor and executing the schema as them.

Peers are computed here from MEMBER_OF independently of `graph.orgs.organisations`, so the visibility
tests do not trust the code they test.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.db import Graph
from resolvers.core.loaders import Loaders, RequestGraph
from schema import Schema, build_schema
from resolvers.core.context import Context
from supplygraph.settings import Settings

READ_SCOPES = frozenset({Scope.SITES_READ, Scope.REPORTS_READ, Scope.CONTRACTS_READ})

PEERS = """
MATCH (o:Organisation {id: $org})
OPTIONAL MATCH (o)-[:MEMBER_OF]->(:Organisation {kind: 'CONSORTIUM'})<-[:MEMBER_OF]-(p)
RETURN collect(DISTINCT p.id) AS peers
"""


@cache
def schema() -> Schema:
    return build_schema(Settings(_env_file=None))  # type: ignore[call-arg]


async def viewer_for(graph: Graph, org: str,
                     scopes: frozenset[Scope] = READ_SCOPES) -> Viewer:
    rows = await graph.query(PEERS, {"org": org})
    return Viewer(org_id=org, client_id=f"test-{org}", scopes=scopes,
                  peers=frozenset(rows[0]["peers"]) | {org})


@dataclass
class Answer:
    data: Any
    errors: list[dict[str, Any]]
    round_trips: int

    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    def errors_at(self, *path: str | int) -> list[dict[str, Any]]:
        return [e for e in self.errors if tuple(e.get("path") or ()) == path]


async def run(graph: Graph, viewer: Viewer, query: str,
              variables: dict[str, Any] | None = None) -> Answer:
    runner = RequestGraph(graph)
    ctx = Context(viewer=viewer, graph=runner, loaders=Loaders(runner, viewer.cypher_params()),
                  settings=Settings(_env_file=None),  # type: ignore[call-arg]
                  request_id="test")
    result = await schema().execute(query, variables, ctx)
    return Answer(result.data, [e.formatted for e in result.errors or []], runner.round_trips)


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["node"] for e in connection["edges"]]
