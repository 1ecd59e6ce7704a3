"""Every read path is declared against the visibility policy (supplygraph/readpaths.py).

Walks what can leave the service (the GraphQL schema, the CLI's subcommands, the labels of
`/metrics`; a webhook body is checked where one is delivered, tests/api/alerts) and fails on a
path nobody declared, on a declaration of a path that is gone, and on a declaration whose
code cannot hold its rule.
"""

from __future__ import annotations

import argparse
import inspect
import types
from typing import Any

import pytest
from graphql import GraphQLObjectType

from graph.core.nodes import Relation
from graph.core.visibility import Protected, Shape
from schema import build_schema
from supplygraph import readpaths as rp
from supplygraph.cli import _load_extra_commands, build_parser
from supplygraph.http import metrics
from supplygraph.settings import Settings


def _schema_fields() -> set[tuple[str, str]]:
    schema = build_schema(Settings(_env_file=None))._schema  # type: ignore[call-arg]
    return {(name, field) for name, t in schema.type_map.items()
            if isinstance(t, GraphQLObjectType) and not name.startswith("__")
            for field in t.fields}


def _declared() -> set[tuple[str, str]]:
    return {(t, f) for t, fields in rp.GRAPHQL.items() for f in fields}


def test_every_graphql_field_is_a_declared_read_path() -> None:
    undeclared = sorted(_schema_fields() - _declared())
    assert undeclared == [], f"declare these in supplygraph/readpaths.py: {undeclared}"


def test_no_declaration_names_a_field_the_schema_does_not_have() -> None:
    assert sorted(_declared() - _schema_fields()) == []


def _module_of(by: Any) -> str:
    if isinstance(by, types.ModuleType):
        return by.__name__
    if inspect.isfunction(by) or inspect.isclass(by):
        return by.__module__
    if callable(getattr(by, "__wrapped__", None)):  # lru_cache'd query builders
        return by.__wrapped__.__module__
    return type(by).__module__


def _all_paths() -> list[tuple[str, rp.ReadPath]]:
    out = [(f"{t}.{f}", p) for t, fields in rp.GRAPHQL.items() for f, p in fields.items()]
    out += [(f"webhook body {k}", p) for k, p in rp.WEBHOOK_BODY.items()]
    out += [(f"cli {k}", p) for k, p in rp.CLI.items()]
    out += [(f"web {k}", p) for k, p in rp.WEB.items()]
    return out


@pytest.mark.parametrize("where,path", _all_paths(), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_a_rule_held_in_cypher_names_code_in_graph(where: str, path: rp.ReadPath) -> None:
    if path.rule not in rp.IN_CYPHER:
        return
    by = path.by
    assert by is not None, f"{where}: {path.rule.name} needs the code that holds it"
    if isinstance(by, str):
        # a named Cypher statement: it must take the viewer (an OWN one may take just the
        # calling organisation as $org, as graph/core/records.Actor passes it)
        takes = ("$viewer", "$org") if path.rule is rp.Rule.OWN else ("$viewer",)
        assert any(t in by for t in takes), f"{where}: its Cypher does not take the viewer"
    else:
        assert _module_of(by).startswith("graph."), \
            f"{where}: {path.rule.name} is held in Cypher, but {by!r} is not in graph/"


def _shape_of(type_name: str) -> Shape | None:
    shapes = {p.by for p in rp.GRAPHQL[type_name].values()
              if p.rule is rp.Rule.FIELD and isinstance(p.by, Shape)}
    assert len(shapes) <= 1, f"{type_name}: one shape per record type"
    return next(iter(shapes), None)


@pytest.mark.parametrize("type_name", sorted(rp.GRAPHQL))
def test_record_fields_are_read_by_their_shape_and_protected_ones_protected(
        type_name: str) -> None:
    shape = _shape_of(type_name)
    for field, path in rp.GRAPHQL[type_name].items():
        if path.rule is rp.Rule.FIELD and isinstance(path.by, Shape):
            reads = set(shape.plain) | {k for k, _ in shape.computed}  # type: ignore[union-attr]
            assert field in reads, f"{type_name}.{field}: {shape.label} does not read it"
        if path.rule is rp.Rule.PROTECTED:
            assert isinstance(path.by, Protected)
            assert shape is not None and path.by in shape.protected, \
                f"{type_name}.{field}: its shape does not protect {path.by.name}"
            assert path.by.name == field
        if path.rule is rp.Rule.RELATED and isinstance(path.by, Relation):
            assert shape is None or path.by.start == shape.label, \
                f"{type_name}.{field}: {path.by.name} starts elsewhere"


def test_a_shape_never_reads_a_protected_property_as_plain() -> None:
    for type_name in rp.GRAPHQL:
        shape = _shape_of(type_name)
        if shape is None:
            continue
        guarded = {prop for p in shape.protected for prop in p.props}
        assert not guarded & set(shape.plain), type_name


def _cli_listings() -> set[str]:
    _load_extra_commands()
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found: set[str] = set()
    for name, p in sub.choices.items():
        action = next((a for a in p._actions if a.dest == "action" and a.choices), None)
        if action is None or name in ("neo4j", "db"):
            found.add(name)
        else:
            found.update(f"{name} {c}" for c in action.choices)
    return found


def test_every_cli_command_is_a_declared_read_path() -> None:
    assert sorted(_cli_listings() ^ set(rp.CLI)) == []


def test_every_metric_label_is_declared_and_from_a_fixed_vocabulary() -> None:
    labels = {label for collector in metrics.REGISTRY._collector_to_names
              for label in getattr(collector, "_labelnames", ())}
    assert labels, "no labelled metric found: the walk is broken"
    assert sorted(labels - set(rp.METRIC_LABELS)) == []
    assert all(p.rule is rp.Rule.FIXED for p in rp.METRIC_LABELS.values())


def test_every_web_page_is_a_declared_read_path() -> None:
    from supplygraph.web import PAGES

    assert sorted(set(PAGES) ^ set(rp.WEB)) == []


def test_a_web_page_reads_only_through_documents_that_exist() -> None:
    from supplygraph.web.queries import documents

    names = set(documents())
    for path, declared in rp.WEB.items():
        if declared.rule is rp.Rule.PAGE:
            assert set(declared.by.split()) <= names, path
    used = {n for p in rp.WEB.values() if p.rule is rp.Rule.PAGE for n in p.by.split()}
    assert used >= names, "a document no page declares"
