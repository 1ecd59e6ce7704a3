"""A generator of hostile requests, and the check every answer to one must pass.

`generate(seed, count)` yields `Hostile` requests (method, body bytes, headers) drawn from
categories that have broken GraphQL servers, this one included (issue 15): JSON bodies that
are not objects, not UTF-8 or nested thousands deep; fragments that fan out, cycle or do not
exist; lone surrogates; cursors and integers past 2^31 and 2^63; `_entities` with bad
representations; oversized, deeply nested and alias-heavy documents; wrong types everywhere.
The same seed gives the same requests, so a failure found once is found again.

`problems(status, headers, body)` says what is wrong with an answer: a 5xx other than a
deliberate 503, an INTERNAL_SERVER_ERROR, a body that is not JSON, an error without a code,
an answer without the request id. An empty list means the answer is acceptable.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = {"content-type": "application/json"}
# 503s the service means: Neo4j down (circuit open) or this process full (load shed).
DELIBERATE_503 = frozenset({"SERVICE_UNAVAILABLE", "OVERLOADED"})


@dataclass(frozen=True)
class Hostile:
    category: str
    body: bytes | None = None
    method: str = "POST"
    query_string: str = ""
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON_TYPE))


def _doc(query: str, variables: Any = None, operation: Any = None) -> bytes:
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation is not None:
        body["operationName"] = operation
    return json.dumps(body).encode()


def _cursor(offset: int | str) -> str:
    return base64.urlsafe_b64encode(f"sg1:{offset}".encode()).decode()


def _lone_surrogate(rng: random.Random) -> str:
    return "\\u" + format(rng.randint(0xD800, 0xDFFF), "04x")


# ----- the categories: each a function of the generator's random source -------------------
def body_not_object(rng: random.Random) -> Hostile:
    body = rng.choice([b"null", b"[]", b"[1, 2]", b'["a"]', b"[null]", b"[[{}]]", b"true",
                       b"12", b'"{ me { clientId } }"', b"[{}, 3]", b'{"query": null}',
                       b'{"query": 5}', b'{"query": ["{ me { clientId } }"]}', b"{}",
                       b'{"query": "{ me { clientId } }", "variables": [1]}',
                       b'{"query": "{ me { clientId } }", "variables": "x"}',
                       b'{"query": "{ me { clientId } }", "extensions": 7}',
                       b'{"query": "{ me { clientId } }", "operationName": 3}'])
    return Hostile("body-not-object", body)


def body_not_utf8(rng: random.Random) -> Hostile:
    good = _doc("{ me { clientId } }")
    pos = rng.randint(0, len(good))
    bad = bytes([rng.choice([0xFF, 0xFE, 0xC0, 0x80, 0xED])])
    return Hostile("body-not-utf8", good[:pos] + bad + good[pos:])


def body_deep_json(rng: random.Random) -> Hostile:
    depth = rng.choice([1_000, 5_000, 20_000, 100_000])
    shape = rng.choice(["list", "object", "variables"])
    if shape == "list":
        body = b"[" * depth + b"]" * depth
    elif shape == "object":
        body = b'{"a":' * depth + b"1" + b"}" * depth
    else:
        body = (b'{"query": "query($x: String) { me { clientId } }", "variables": {"x": '
                + b"[" * depth + b"]" * depth + b"}}")
    return Hostile("body-deep-json", body)


def body_broken(rng: random.Random) -> Hostile:
    good = _doc("{ me { clientId } }")
    cut = good[: rng.randint(0, len(good) - 1)]
    return Hostile("body-broken", rng.choice([cut, b"", b"\x00" * 10, b"{" * 3, good + b"}"]))


def fragment_unknown(rng: random.Random) -> Hostile:
    name = rng.choice(["Nope", "X", "F" * 200])
    query = rng.choice([f"{{ me {{ ...{name} }} }}",
                        f"{{ productionSites(first: 1) {{ edges {{ node {{ ...{name} }} }} }} }}",
                        f"query Q {{ ...{name} }}"])
    return Hostile("fragment-unknown", _doc(query))


def fragment_fanout(rng: random.Random) -> Hostile:
    # Each fragment spreads the previous one twice: 2^n fields, in about 30 n bytes.
    n = rng.randint(20, 60)
    frags = ["fragment F0 on ProductionSite { id name }"]
    frags += [f"fragment F{i} on ProductionSite {{ ...F{i - 1} ...F{i - 1} }}"
              for i in range(1, n)]
    query = f"{{ productionSite(id: \"x\") {{ ...F{n - 1} }} }} " + " ".join(frags)
    return Hostile("fragment-fanout", _doc(query))


def fragment_fanout_wide(rng: random.Random) -> Hostile:
    # The same explosion through inline fragments and aliases inside each fragment.
    n = rng.randint(10, 30)
    frags = ["fragment F0 on ProductionSite { id }"]
    frags += [f"fragment F{i} on ProductionSite {{ a: __typename ...F{i - 1} "
              f"... on ProductionSite {{ ...F{i - 1} ...F{i - 1} }} }}" for i in range(1, n)]
    query = f"{{ productionSite(id: \"x\") {{ ...F{n - 1} }} }} " + " ".join(frags)
    return Hostile("fragment-fanout", _doc(query))


def fragment_cycle(rng: random.Random) -> Hostile:
    n = rng.randint(1, 50)
    frags = [f"fragment F{i} on ProductionSite {{ id ...F{(i + 1) % n} }}" for i in range(n)]
    query = "{ productionSite(id: \"x\") { ...F0 } } " + " ".join(frags)
    return Hostile("fragment-cycle", _doc(query))


def lone_surrogate(rng: random.Random) -> Hostile:
    s = _lone_surrogate(rng)
    where = rng.choice(["string", "operation", "variable", "name", "comment"])
    if where == "string":
        body = ('{"query": "{ productionSites(filter: {search: \\"a' + s
                + '\\"}) { totalCount } }"}')
    elif where == "operation":
        body = '{"query": "query Q { me { clientId } }", "operationName": "Q' + s + '"}'
    elif where == "variable":
        body = ('{"query": "query($s: String) { productionSites(filter: {search: $s}) '
                '{ totalCount } }", "variables": {"s": "x' + s + '"}}')
    elif where == "name":
        body = '{"query": "query Q' + s + ' { me { clientId } }"}'
    else:
        body = '{"query": "# ' + s + '\\n{ me { clientId } }"}'
    return Hostile("lone-surrogate", body.encode())


def big_numbers(rng: random.Random) -> Hostile:
    n = rng.choice([2**31, 2**31 + 1, 2**32, 2**53 + 1, 2**63, 2**64, 10**30, -(2**31) - 1])
    where = rng.choice(["cursor", "first", "first-var", "cursor-digits"])
    if where == "cursor":
        query = f'{{ productionSites(first: 5, after: "{_cursor(n)}") {{ totalCount }} }}'
    elif where == "cursor-digits":
        query = ('{ reports(first: 5, after: "' + _cursor("9" * rng.randint(10, 20))
                 + '") { totalCount } }')
    elif where == "first":
        query = f"{{ productionSites(first: {n}) {{ totalCount }} }}"
    else:
        return Hostile("big-numbers", _doc("query($n: Int) { brands(first: $n) { totalCount } }",
                                           {"n": n}))
    return Hostile("big-numbers", _doc(query))


def entities(rng: random.Random) -> Hostile:
    reps = rng.choice([[{"__typename": "ProductionSite"}],
                       [{"__typename": "ProductionSite", "id": None}],
                       [{"__typename": "ProductionSite", "id": 5}],
                       [{"__typename": "ProductionSite", "id": ["a"]}],
                       [{"__typename": "Nope", "id": "x"}],
                       [{"id": "x"}],
                       [{}], [1], ["x"], [None],
                       [{"__typename": "Brand", "id": {"a": 1}}],
                       [{"__typename": "ProductionSite", "id": "x" * 10_000}]])
    query = ("query($r: [_Any!]!) { _entities(representations: $r) { "
             "... on ProductionSite { id name } ... on Brand { id } } }")
    return Hostile("entities", _doc(query, {"r": reps}))


def deep_document(rng: random.Random) -> Hostile:
    depth = rng.choice([50, 500, 5_000])
    kind = rng.choice(["selection", "list-value", "object-value"])
    if kind == "selection":
        query = "{ me " + "{ clientId " * depth + "}" * depth + " }"
    elif kind == "list-value":
        query = ("{ productionSites(filter: {countryCode: " + "[" * depth + '"GB"'
                 + "]" * depth + "}) { totalCount } }")
    else:
        query = ("{ productionSites(filter: " + "{countryCode: " * depth + '"GB"'
                 + "}" * depth + ") { totalCount } }")
    return Hostile("deep-document", _doc(query))


def many_aliases(rng: random.Random) -> Hostile:
    n = rng.choice([31, 100, 1_000])
    query = "{ " + " ".join(f"a{i}: me {{ clientId }}" for i in range(n)) + " }"
    return Hostile("many-aliases", _doc(query))


def costly(rng: random.Random) -> Hostile:
    n = rng.randint(5, 30)
    query = "{ " + " ".join(f"a{i}: productionSites(first: 100) {{ edges {{ node {{ "
                            f"openFindingCount reports(first: 100) {{ totalCount }} }} }} }}"
                            for i in range(n)) + " }"
    return Hostile("costly", _doc(query))


def wrong_types(rng: random.Random) -> Hostile:
    variables = rng.choice([{"id": 5}, {"id": None}, {"id": [1]}, {"id": {"a": 1}},
                            {"id": "x" * 100_000}, {"id": "\u0000"}, {}, {"id": True},
                            {"id": 1.5e308}])
    return Hostile("wrong-types", _doc(
        "query($id: ID!) { productionSite(id: $id) { id name } }", variables))


def bad_mutation(rng: random.Random) -> Hostile:
    findings = rng.choice([[{"category": "NOPE", "severity": "HIGH"}], [None], "x",
                           [{"category": "CHILD_LABOUR"}], [{}] * 50])
    variables = {"input": {"siteId": rng.choice(["x", "", "\u0000", "s" * 5000]),
                           "kind": rng.choice(["AUDIT", "NOPE", 5]),
                           "title": rng.choice(["t", "", None, "\ud800".encode(
                               "utf-8", "surrogatepass").decode("latin-1")]),
                           "visitDate": rng.choice(["2024-13-45", "not a date", "9" * 40]),
                           "findings": findings}}
    query = ("mutation($input: SubmitReportInput!) { submitReport(input: $input) "
             "{ report { id } errors { code path message } } }")
    return Hostile("bad-mutation", _doc(query, variables))


def garbage_document(rng: random.Random) -> Hostile:
    alphabet = "{}()[]:$@!.\"#,=&|... abcdefXYZ019\n\t\\"
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 400)))
    return Hostile("garbage-document", _doc(text))


def operations(rng: random.Random) -> Hostile:
    choice = rng.randint(0, 4)
    if choice == 0:
        return Hostile("operations", _doc("query A { me { clientId } } "
                                          "query B { me { clientId } }"))
    if choice == 1:
        return Hostile("operations", _doc("query A { me { clientId } }", operation="Z"))
    if choice == 2:
        return Hostile("operations", _doc("subscription { me { clientId } }"))
    if choice == 3:
        return Hostile("operations", _doc("{ __schema { types { name fields { name } } } }"))
    return Hostile("operations", _doc("{ me { clientId } }", operation=""))


def batches(rng: random.Random) -> Hostile:
    n = rng.choice([0, 11, 100])
    return Hostile("batches", json.dumps([{"query": "{ me { clientId } }"}] * n).encode())


def transport(rng: random.Random) -> Hostile:
    choice = rng.randint(0, 5)
    if choice == 0:
        return Hostile("transport", b"query=1", headers={"content-type": "text/plain"})
    if choice == 1:
        return Hostile("transport", None, method="GET",
                       query_string="query=" + "%ff%fe" * rng.randint(1, 50))
    if choice == 2:
        return Hostile("transport", None, method="GET",
                       query_string="query=mutation%7Bx%7D")
    if choice == 3:
        return Hostile("transport", None, method="GET",
                       query_string="query=%7Bme%7BclientId%7D%7D&variables=%5B1")
    if choice == 4:
        return Hostile("transport", _doc("{ me { clientId } }"),
                       headers={"content-type": "application/json; charset=latin-1"})
    return Hostile("transport", _doc("{ me { clientId } }"),
                   headers={**JSON_TYPE, "x-supplygraph-bookmark": "1.AAAA." + "A" * 43})


def oversized(rng: random.Random) -> Hostile:
    n = rng.choice([100_000, 1_100_000])
    return Hostile("oversized", _doc("{ me { clientId } }" + " " * n))


CATEGORIES: tuple[Callable[[random.Random], Hostile], ...] = (
    body_not_object, body_not_utf8, body_deep_json, body_broken, fragment_unknown,
    fragment_fanout, fragment_fanout_wide, fragment_cycle, lone_surrogate, big_numbers,
    entities, deep_document, many_aliases, costly, wrong_types, bad_mutation,
    garbage_document, operations, batches, transport, oversized,
)


def generate(seed: int, count: int) -> Iterator[Hostile]:
    """`count` requests, the categories in turn (so that a small count covers them all),
    each drawn from a random source seeded with `seed`."""
    rng = random.Random(seed)
    for i in range(count):
        yield CATEGORIES[i % len(CATEGORIES)](rng)


# ----- the check ------------------------------------------------------------------------------
def problems(status: int, headers: Any, body: bytes) -> list[str]:
    """What is wrong with an answer to a hostile request (empty: nothing)."""
    found: list[str] = []
    request_id = headers.get("x-request-id")
    if not request_id:
        found.append("no X-Request-Id header")
    try:
        data = json.loads(body)
    except ValueError:
        return [*found, f"HTTP {status} with a body that is not JSON: {body[:80]!r}"]
    answers = data if isinstance(data, list) else [data]
    codes: list[str] = []
    for answer in answers:
        if not isinstance(answer, dict):
            found.append(f"an answer that is not an object: {str(answer)[:80]}")
            continue
        for error in answer.get("errors") or ():
            code = ((error or {}).get("extensions") or {}).get("code")
            if not code:
                found.append(f"an error without a code: {str(error)[:120]}")
            codes.append(str(code))
            if code == "INTERNAL_SERVER_ERROR":
                found.append(f"INTERNAL_SERVER_ERROR: {error.get('message')}")
    if status >= 500 and not (status == 503 and set(codes) & DELIBERATE_503):
        found.append(f"HTTP {status} (codes {codes})")
    if status >= 400 and not codes:
        found.append(f"HTTP {status} without an error code")
    return found
