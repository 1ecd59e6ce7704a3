"""The adversarial suite: generated worlds, generated operations, two properties.

For each drawn world, attacker and perturbation (hypothesis, derandomized: the same examples
every run), every operation of tests/adversarial/ops.py runs as the attacker, through the
schema as the API runs it, against the real Neo4j:

(a) no canary: no answer, error, count, order or cursor carries a value the oracle says the
    attacker may not read (a hidden record's id or text, a protected value, a supply link's
    volume or price), unless the attacker put it in the operation itself;
(b) non-interference: after changing only what the attacker may not read (renaming every
    hidden value, deleting every hidden record, deleting every hidden record but the
    contracts, or adding hidden records where they would tell most), every answer is
    identical. Leverage is masked only when the change adds or removes hidden contracts: it
    counts them, banded, by design (docs/leverage.md).

`SUPPLYGRAPH_ADVERSARIAL_EXAMPLES` raises the number of examples (`make bench-adversarial`
runs 160); `make test` runs the default, at least 5,000 operations.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.core.derived import structure_changed_outside
from graph.core.db import Graph
from graph.core.ids import new_id, new_site_id
from graph.core.migrate import migrate
from graph.core.model import Label
from resolvers.core.context import Context
from resolvers.core.loaders import Loaders, RequestGraph
from schema import build_schema
from supplygraph import readpaths
from supplygraph.settings import Settings
from tests.adversarial.ops import Op, operations
from tests.adversarial.world import ATTACKERS, OPR, World, build, perturb
from tests.support.database import wipe
from tests.support.viewers import api_viewer

EXAMPLES = int(os.environ.get("SUPPLYGRAPH_ADVERSARIAL_EXAMPLES", "16"))
MIN_OPERATIONS = 5000 if EXAMPLES >= 16 else 0
SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
SCHEMA = build_schema(SETTINGS)


@dataclass
class Tally:
    operations: int = 0
    seconds: float = 0.0
    examples: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    by_root: dict[str, float] = field(default_factory=dict)


# Codes that say the server could not answer now (a query stopped at its time limit on a
# loaded machine): not an answer to compare, so the operation is asked again.
NOT_NOW = frozenset({"TIMEOUT", "OVERLOADED", "SERVICE_UNAVAILABLE"})


async def _execute(graph: Graph, viewer: Viewer, op: Op) -> str:
    for _ in range(3):
        runner = RequestGraph(graph)
        ctx = Context(viewer=viewer, graph=runner,
                      loaders=Loaders(runner, viewer.cypher_params()),
                      settings=SETTINGS, request_id="adversarial")
        # a copy: federation's resolvers annotate the representations they are given
        result = await SCHEMA.execute(op.query, json.loads(json.dumps(op.variables)), ctx)
        if not any((e.extensions or {}).get("code") in NOT_NOW for e in result.errors or []):
            break
    try:
        # Errors sorted: their order is the order in which resolvers ran into them, which
        # depends on how the event loop interleaved them (the spec leaves it open).
        errors = sorted((e.formatted for e in result.errors or []),
                        key=lambda e: json.dumps(e, sort_keys=True))
        return json.dumps({"data": result.data, "errors": errors}, sort_keys=True)
    except TypeError as exc:
        raise AssertionError(f"{op.root} {op.variables}: {result.errors}") from exc


def _masked(answer: str) -> Any:
    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: None if k == "leverage" else walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v
    return walk(json.loads(answer))


def _diff(before: str, after: str) -> str:
    """The lines of the two answers that differ: the difference may lie deep in an answer."""
    def lines(answer: str) -> list[str]:
        return json.dumps(json.loads(answer), indent=1, sort_keys=True).splitlines()
    diff = difflib.unified_diff(lines(before), lines(after), "before", "after", n=4, lineterm="")
    return "\n".join(list(diff)[:120])


def _leaks(answers: list[tuple[Op, str]], canaries: set[str]) -> list[str]:
    found = []
    for op, answer in answers:
        asked = op.text()
        for c in canaries:
            if c in answer and c not in asked:
                found.append(f"{c!r} in the answer to {op.root} {op.variables}: {answer[:300]}")
    return found


def _aimed_at_hidden(op: Op, w: World, attacker: str) -> bool:
    if not op.query.startswith("mutation"):
        return True
    target = op.variables.get("id")
    return target is not None and (not w.knows(target) or not w.sees(attacker, target))


async def _example(settings_: Settings, seed: int, attacker: str, kind: str,
                   tally: Tally) -> None:
    graph = Graph.from_settings(settings_)
    try:
        await migrate(graph)
        await wipe(graph)
        w = build(seed)
        await w.dataset().load(graph)
        for cypher, params in w.statements():
            await graph.query(cypher, params, write=True)
        await structure_changed_outside(graph)  # written around the commands
        operator = await api_viewer(graph, OPR, frozenset(Scope))
        for dup, keep in w.merging.items():
            answer = json.loads(await _execute(graph, operator, Op(
                "mergeProductionSites", "mutation($k: ID!, $d: [ID!]!) { mergeProductionSites("
                "input: {keepId: $k, duplicateIds: $d}) { mergedIds errors { code message } } }",
                {"k": keep, "d": [dup]})))["data"]["mergeProductionSites"]
            if answer["mergedIds"]:
                # a merge that would show the duplicate to anyone who may not see it is a leak
                assert w.merge_publishes_nothing(dup, keep), (dup, keep, answer)
                w.apply_merge(dup, keep)
            else:
                assert [e["code"] for e in answer["errors"]] == ["CONFLICT"], answer
        viewer = await api_viewer(graph, attacker, frozenset(Scope))
        assert viewer.is_operator == (attacker == OPR)
        unknown = {label: new_id("UNK", w.rng) for label in Label}
        unknown[Label.PRODUCTION_SITE] = new_site_id("VN", date(2026, 1, 1), w.rng)
        ops = [op for op in operations(SCHEMA._schema, w, unknown=unknown)
               if _aimed_at_hidden(op, w, attacker)]
        # The operator's writes moderate any record, hidden or not (docs/visibility.md): they
        # change the world, so they run once, last, and are held to (a) alone.
        moderation = [op for op in ops if attacker == OPR and op.query.startswith("mutation")]
        ops = [op for op in ops if op not in moderation]
        before_canaries = w.canaries(attacker)
        used_before = set(w.used)
        t0 = time.perf_counter()
        before = []
        for op in ops:
            t1 = time.perf_counter()
            before.append((op, await _execute(graph, viewer, op)))
            tally.by_root[op.root] = tally.by_root.get(op.root, 0.0) + time.perf_counter() - t1
        tally.seconds += time.perf_counter() - t0
        leaks = _leaks(before, before_canaries)
        assert leaks == [], leaks[:5]

        change = perturb(w, attacker, kind)
        for cypher, params in change.statements:
            await graph.query(cypher, params, write=True)
        await structure_changed_outside(graph)
        added_ids = {p["props"]["id"] for _, p in change.statements
                     if isinstance(p.get("props"), dict) and "id" in p["props"]
                     and p["props"]["id"] not in w.recs}
        after_canaries = before_canaries | (w.used - used_before) | added_ids
        after = [(op, await _execute(graph, viewer, op)) for op in ops]
        leaks = _leaks(after, after_canaries)
        assert leaks == [], leaks[:5]

        for (op, a), (_, b) in zip(before, after):
            if change.touches_contracts:
                same = _masked(a) == _masked(b)
            else:
                same = a == b
            assert same, (f"{kind} of what {attacker} may not see changed the answer to "
                          f"{op.root} {op.variables}:\n{_diff(a, b)}")
        last = [(op, await _execute(graph, viewer, op)) for op in moderation]
        leaks = _leaks(last, after_canaries)
        assert leaks == [], leaks[:5]
        tally.operations += 2 * len(ops) + len(moderation)
        tally.examples += 1
        tally.kinds[kind] = tally.kinds.get(kind, 0) + 1
    finally:
        await graph.close()


def test_no_answer_carries_a_canary_and_hidden_changes_change_no_answer(
        scratch_settings: Settings) -> None:
    tally = Tally()
    pool = ThreadPoolExecutor(max_workers=1)  # its own event loop, apart from pytest's

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate],  # an example is costly to shrink
              suppress_health_check=list(HealthCheck))
    @given(seed=st.integers(0, 2**31 - 1), attacker=st.sampled_from(ATTACKERS),
           kind=st.sampled_from(["rename", "delete", "unlink", "add"]))
    def example(seed: int, attacker: str, kind: str) -> None:
        pool.submit(asyncio.run, _example(scratch_settings, seed, attacker, kind,
                                          tally)).result()

    try:
        example()
    finally:
        pool.shutdown()
    print(f"adversarial: {tally.operations} operations over {tally.examples} examples "
          f"{tally.kinds}; {tally.seconds:.1f} s in the unperturbed runs; slowest roots "
          + ", ".join(f"{r} {s:.1f} s" for r, s in sorted(tally.by_root.items(),
                                                        key=lambda x: -x[1])[:8]))
    assert tally.operations >= MIN_OPERATIONS


def test_every_declared_root_field_is_attacked() -> None:
    w = build(1)
    unknown = {label: "UNK-1" for label in Label}
    roots = {op.root for op in operations(SCHEMA._schema, w, unknown=unknown)}
    declared = set(readpaths.GRAPHQL["Query"])
    assert sorted(declared - roots) == []
    mutated = {r for r in roots if r in readpaths.GRAPHQL["Mutation"]}
    # every mutation that takes the id of an existing record is aimed at hidden ones
    assert {"updateProductionSite", "updateContract", "updateFinding", "addRemediationAction",
            "setSharing", "submitReport", "requestDisclosure", "discloseContractSites",
            "recordSupplyLink", "deleteWebhook", "declineDisclosure"} <= mutated
