"""Imports go one way (docs/architecture.md): a change that crosses a line fails here."""

from __future__ import annotations

import ast

import pytest

from tests.support.paths import REPO

FORBIDDEN = {
    "graph": {"auth", "schema", "resolvers", "seeds", "starlette", "supplygraph.app",
              "supplygraph.cli", "supplygraph.graphql_app", "supplygraph.worker"},
    "auth": {"schema", "resolvers", "seeds"},
    "seeds": {"auth", "schema", "resolvers", "supplygraph.app"},
}


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_downwards(package: str):
    crossings = []
    for path in sorted((REPO / package).rglob("*.py")):
        for name in _imports(path):
            for banned in FORBIDDEN[package]:
                if name == banned or name.startswith(banned + "."):
                    crossings.append(f"{path.relative_to(REPO)} imports {name}")
    assert crossings == []
