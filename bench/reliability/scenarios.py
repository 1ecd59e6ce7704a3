"""The scenarios: each takes a started `Stack`, runs bounded in time, and returns its row.

- `mix`: C clients for D seconds, 80% reads (a filtered site list, a site page, myExposure,
  a text search), 20% report submissions (each with its Idempotency-Key); then every
  acknowledged report is looked for in Neo4j (lost: absent; duplicated: more than once).
- `neo4j_kill`: a smaller mix while Neo4j is SIGKILLed and started again; adds the seconds
  to the first 503 after the kill, the slowest answer during the outage, and the seconds from
  Neo4j's bolt port accepting again (and from Neo4j answering a query) to the first
  successful read.
- `api_kill`: report submissions while the whole `serve` process group is SIGKILLed; the API
  is started again and every unanswered submission sent again with its Idempotency-Key (what
  a client does); then no acknowledged write may be missing and none may be there twice, and
  each acknowledged report's alert reaches a webhook receiver of the scenario's own once
  (bench/reliability/alerts.py).
- `hostile`: the generator's requests (bench/reliability/hostile.py) while a canary asks
  /healthz every 0.25 s (an answer slower than 2 s is a blocked-server episode).
- `import_crash` (bench/reliability/imports.py): an import killed mid-way and run again.

Clients back off as clients should: on a 503 they wait its Retry-After (RFC 9110 10.2.3; 1 s
from this API) plus up to half of it again at random, so that the clients refused together do
not all come back together; on a 429 its Retry-After, at most 1 s. Until issue 15's adaptive
bound the clients waited a fixed 0.25 s on a 503, four times sooner than asked and all in
step: `--backoff-503 0.25` runs that client again, to compare with the figures before it.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from typing import Any, LiteralString

import httpx

from bench.exposure import GQL as GQL_EXPOSURE
from bench.read_api import CPV, FLOOR_SITE, GQL_SITE, GQL_SITES, GQL_TEXT
from bench.reliability import alerts
from bench.reliability.env import Stack
from bench.reliability.hostile import generate, problems
from bench.reliability.stats import Recorder

CLIENT_TIMEOUT = 30.0
# None: a 503's Retry-After with jitter; a number: that fixed wait (the client before issue
# 15's adaptive bound: 0.25). Set by `--backoff-503`.
BACKOFF_503: float | None = None
_JITTER = random.Random(15)
SUBMIT = """mutation($input: SubmitReportInput!) { submitReport(input: $input) {
  report { id title } errors { code message } } }"""
TEXTS = ["battery", "electronics", "assembly", "Shenzhen", "works"]
COUNT_TITLES = ("UNWIND $titles AS t OPTIONAL MATCH (r:AuditReport {title: t}) "
                "RETURN t AS title, count(r) AS n")


def _read(stack: Stack, rng: random.Random) -> dict[str, Any]:
    pick = rng.random()
    if pick < 0.3:
        return {"query": GQL_SITES, "variables": {"cpv": CPV}}
    if pick < 0.65:
        return {"query": GQL_SITE, "variables": {"id": rng.choice(stack.site_ids)}}
    if pick < 0.8:
        return {"query": GQL_EXPOSURE}
    return {"query": GQL_TEXT, "variables": {"text": rng.choice(TEXTS)}}


def _submission(stack: Stack, rng: random.Random) -> tuple[str, dict[str, Any]]:
    key = uuid.uuid4().hex
    return key, {"query": SUBMIT, "variables": {"input": {
        "siteId": rng.choice(stack.site_ids), "kind": "WORKER_DRIVEN_MONITORING",
        "title": f"reliability {key}", "visitDate": "2026-06-01",
        "findings": [{"category": "WAGES", "severity": "HIGH"}]}}}


async def _send(http: httpx.AsyncClient, rec: Recorder, body: dict[str, Any],
                headers: dict[str, str]) -> tuple[int, list[str], Any] | None:
    """One request: (status, codes, parsed body), or None when no answer came."""
    start = time.monotonic()
    try:
        r = await http.post("/graphql", json=body, headers=headers)
    except httpx.TimeoutException:
        rec.timed_out(time.monotonic() - start)
        return None
    except httpx.TransportError:
        rec.extra["refused"] = rec.extra.get("refused", 0) + 1
        return None
    codes = rec.answer(time.monotonic() - start, r.status_code, r.content)
    rec.events.append((start, time.monotonic(), r.status_code, codes))
    try:
        data = r.json()
    except ValueError:
        data = None
    if r.status_code == 503:
        await asyncio.sleep(_backoff_503(r))
    elif r.status_code == 429:
        await asyncio.sleep(min(1.0, float(r.headers.get("retry-after", "1"))))
    return r.status_code, codes, data


def _backoff_503(r: httpx.Response) -> float:
    if BACKOFF_503 is not None:
        return BACKOFF_503
    try:
        asked = float(r.headers.get("retry-after", "0.25"))
    except ValueError:
        asked = 0.25
    return asked * _JITTER.uniform(1.0, 1.5)


def _acked(result: tuple[int, list[str], Any] | None) -> bool:
    if result is None or result[0] != 200 or not isinstance(result[2], dict):
        return False
    payload = (result[2].get("data") or {}).get("submitReport") or {}
    return bool(payload.get("report")) and not payload.get("errors")


async def _client(stack: Stack, i: int, rec: Recorder, until: float, writes: float,
                  acked: list[str], sent: dict[str, dict[str, Any]]) -> None:
    rng = random.Random(i)
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=CLIENT_TIMEOUT) as http:
        while time.monotonic() < until:
            headers = stack.auth(i)
            if rng.random() < writes:
                key, body = _submission(stack, rng)
                sent[key] = {"client": i, "body": body}
                result = await _send(http, rec, body, {**headers, "Idempotency-Key": key})
                if _acked(result):
                    acked.append(key)
            else:
                await _send(http, rec, _read(stack, rng), headers)


async def warm_up(stack: Stack) -> None:
    """Each read and a submission, twice, before anything is measured: a cold Neo4j plans
    the visibility-heavy queries for seconds the first time (bench/README.md)."""
    rng = random.Random(0)
    rec = Recorder("warm-up")
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=120) as http:
        for _ in range(2):
            for body in (
                    {"query": GQL_SITES, "variables": {"cpv": CPV}},
                    {"query": GQL_SITE, "variables": {"id": stack.site_ids[0]}},
                    {"query": GQL_EXPOSURE},
                    {"query": GQL_TEXT, "variables": {"text": TEXTS[0]}},
                    _submission(stack, rng)[1]):
                await _send(http, rec, body, stack.auth(0))


async def _writes_check(stack: Stack, rec: Recorder, acked: list[str],
                        keys: list[str]) -> None:
    rows = await stack.cypher(COUNT_TITLES, titles=[f"reliability {k}" for k in keys])
    counts = {r["title"]: r["n"] for r in rows}
    rec.extra["acked writes"] = len(acked)
    rec.extra["lost"] = sum(1 for k in acked if counts.get(f"reliability {k}", 0) == 0)
    rec.extra["duplicated"] = sum(1 for n in counts.values() if n > 1)


async def mix(stack: Stack, clients: int = 64, seconds: float = 60.0,
              writes: float = 0.2) -> Recorder:
    rec = Recorder("mix")
    rec.extra["RSS before MB"] = stack.api_rss_mb()
    acked: list[str] = []
    sent: dict[str, dict[str, Any]] = {}
    until = time.monotonic() + seconds
    await asyncio.gather(*(_client(stack, i, rec, until, writes, acked, sent)
                           for i in range(clients)))
    rec.stop()
    rec.extra["RSS after MB"] = stack.api_rss_mb()
    await _writes_check(stack, rec, acked, list(sent))
    return rec


async def neo4j_kill(stack: Stack, clients: int = 16, before: float = 5.0,
                     outage: float = 5.0, after: float = 5.0,
                     patience: float = 120.0) -> Recorder:
    rec = Recorder("neo4j-kill")
    rec.extra["RSS before MB"] = stack.api_rss_mb()
    acked: list[str] = []
    sent: dict[str, dict[str, Any]] = {}
    forever = time.monotonic() + 3600
    tasks = [asyncio.create_task(_client(stack, i, rec, forever, 0.2, acked, sent))
             for i in range(clients)]
    readyz = asyncio.create_task(_poll_readyz(stack, rec))
    await asyncio.sleep(before)
    killed = time.monotonic()
    # In a thread: reaping the JVM takes a while, and the clients' clocks must keep running.
    await asyncio.to_thread(stack.kill_neo4j)
    await asyncio.sleep(outage)
    # The clock of the return starts when Neo4j's bolt port accepts a connection again (the
    # JVM's start before that is no part of the API's recovery), polled beside the start.
    starting = asyncio.create_task(asyncio.to_thread(stack.neo4j.start))
    accepts = await _bolt_accepts(stack, starting, patience)
    # A driver of its own, no circuit, polling from the moment bolt accepts.
    answering = asyncio.create_task(_neo4j_answers(stack, patience, stack.site_ids[0]))
    await starting  # returns once bolt answers a connectivity check
    back = time.monotonic()
    answers, floor_read = await answering
    # Until a read succeeds (bounded by `patience`), then `after` seconds more.
    while time.monotonic() - accepts < patience and not any(
            start >= accepts and status == 200 and not codes
            for start, _, status, codes in rec.events[-200:]):
        await asyncio.sleep(0.1)
    await asyncio.sleep(after)
    for t in [*tasks, readyz]:
        t.cancel()
    await asyncio.gather(*tasks, readyz, return_exceptions=True)
    rec.stop()
    first_503 = min((end for start, end, status, _ in rec.events
                     if status == 503 and end >= killed), default=None)
    during = [end - start for start, end, _, _ in rec.events if killed <= start < accepts]
    first_ok = min((end for start, end, status, codes in rec.events
                    if start >= accepts and status == 200 and not codes), default=None)
    # What the clients got between Neo4j answering and the first success: says whether the
    # API refused (503s, and which code) or was slow (the answers' times).
    between = [(status, ",".join(codes) or "-", end - start)
               for start, end, status, codes in rec.events
               if answers and first_ok and answers <= end < first_ok]
    if between:
        print("neo4j-kill, between Neo4j answering and the first success:",
              dict(Counter(f"{st} {c}" for st, c, _ in between)),
              f"slowest {max(t for _, _, t in between):.2f} s", flush=True)
    rec.extra.update({
        "first 503 after kill s": round(first_503 - killed, 2) if first_503 else None,
        "slowest during outage s": round(max(during), 2) if during else None,
        "readyz slowest during outage s": round(max(rec.extra.pop("readyz", [0])), 2),
        "Neo4j answers queries after bolt accepts s": round(answers - accepts, 2)
        if answers else None,
        "first success after bolt accepts s": round(first_ok - accepts, 2)
        if first_ok else None,
        "API success after Neo4j answers s": round(first_ok - answers, 2)
        if first_ok and answers else None,
        # The floor of that: a site read written by hand, through a bare driver, asked in a
        # loop from the moment Neo4j answers `RETURN 1` (a cold server plans it first).
        "hand-written site read after Neo4j answers s": round(floor_read - answers, 2)
        if floor_read and answers else None,
        "Neo4j restart to bolt s": round(accepts - killed - outage, 1),
        "bolt accepts to start returned s": round(back - accepts, 1),
        "RSS after MB": stack.api_rss_mb()})
    await _writes_check(stack, rec, acked, list(sent))
    return rec


async def _bolt_accepts(stack: Stack, starting: asyncio.Task[Any], patience: float) -> float:
    """When Neo4j's bolt port first accepts a TCP connection (polled every 20 ms)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        if starting.done():
            starting.result()  # a failed start raises here
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(
                "127.0.0.1", stack.settings.neo4j_bolt_port), timeout=1)
        except (OSError, TimeoutError):
            await asyncio.sleep(0.02)
            continue
        accepted = time.monotonic()
        writer.close()
        return accepted
    raise RuntimeError(f"Neo4j's bolt port did not accept within {patience:.0f} s")


async def _neo4j_answers(stack: Stack, patience: float,
                         site: str) -> tuple[float | None, float | None]:
    """When Neo4j first answers `RETURN 1` (after a kill it recovers its logs first), and
    when it then first answers the hand-written read of a site with its reports and
    findings (bench/read_api.py's floor), asked again every 50 ms until it does."""
    from neo4j import AsyncGraphDatabase

    from graph.core.db import connection_params

    uri, auth = connection_params(stack.settings)
    driver = AsyncGraphDatabase.driver(uri, auth=auth, connection_timeout=1.0,
                                       max_transaction_retry_time=0)
    deadline = time.monotonic() + patience
    found: list[float | None] = [None, None]
    asks: list[tuple[LiteralString, dict[str, Any]]] = [
        ("RETURN 1", {}),
        (FLOOR_SITE, {"id": site, "viewerOrg": "ORG-RELIABILITY", "viewerPeers": []})]
    try:
        for i, (query, params) in enumerate(asks):
            while time.monotonic() < deadline:
                try:
                    await driver.execute_query(query, params)
                    found[i] = time.monotonic()
                    break
                except Exception:  # noqa: BLE001 - not yet
                    await asyncio.sleep(0.05)
    finally:
        await driver.close()
    return found[0], found[1]


async def _poll_readyz(stack: Stack, rec: Recorder) -> None:
    times = rec.extra.setdefault("readyz", [])
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=CLIENT_TIMEOUT) as http:
        while True:
            start = time.monotonic()
            try:
                r = await http.get("/readyz")
                rec.answer(time.monotonic() - start, r.status_code, r.content)
            except httpx.HTTPError:
                pass
            times.append(time.monotonic() - start)
            await asyncio.sleep(0.2)


async def api_kill(stack: Stack, clients: int = 16, before: float = 8.0) -> Recorder:
    # The API again, now with its outbox worker and a webhook to a receiver of our own: the
    # alerts of the acknowledged reports are counted too (bench/reliability/alerts.py).
    stack.extra_env.update(alerts.worker_env())
    await asyncio.to_thread(stack.kill_api)
    await stack.start_api()
    with alerts.receiver() as (url, got):
        hook = await alerts.register(stack, url)
        try:
            rec, acked, sent = await _api_kill(stack, clients, before)
            rec.extra.update(await alerts.count(
                stack, hook, got, [f"reliability {k}" for k in acked]))
        finally:
            await alerts.unregister(stack, hook)
    await _writes_check(stack, rec, acked, list(sent))
    return rec


async def _api_kill(stack: Stack, clients: int, before: float
                    ) -> tuple[Recorder, list[str], dict[str, dict[str, Any]]]:
    rec = Recorder("api-kill")
    rec.extra["RSS before MB"] = stack.api_rss_mb()
    acked: list[str] = []
    sent: dict[str, dict[str, Any]] = {}
    forever = time.monotonic() + 3600
    tasks = [asyncio.create_task(_client(stack, i, rec, forever, 1.0, acked, sent))
             for i in range(clients)]
    await asyncio.sleep(before)
    rec.extra["acked before kill"] = len(acked)
    # Mid-write: 16 submissions are in flight at any moment.
    await asyncio.to_thread(stack.kill_api)
    await asyncio.sleep(0.5)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await stack.start_api()
    # Every submission not acknowledged is sent again with its key, as a client would.
    unanswered = [k for k in sent if k not in set(acked)]
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=CLIENT_TIMEOUT) as http:
        for key in unanswered:
            # The same client sends it again: an Idempotency-Key is the client's own.
            result = await _send(http, rec, sent[key]["body"],
                                 {**stack.auth(sent[key]["client"]), "Idempotency-Key": key})
            if _acked(result):
                acked.append(key)
    rec.stop()
    rec.extra["resent"] = len(unanswered)
    rec.extra["RSS after MB"] = stack.api_rss_mb()
    return rec, acked, sent


async def hostile(stack: Stack, count: int = 3300, seed: int = 15,
                  concurrency: int = 8) -> Recorder:
    rec = Recorder("hostile")
    rec.extra["RSS before MB"] = stack.api_rss_mb()
    requests = list(generate(seed, count))
    bad: list[str] = []
    canary: list[float] = []
    done = asyncio.Event()

    async def worker(w: int) -> None:
        async with httpx.AsyncClient(base_url=stack.base_url, timeout=CLIENT_TIMEOUT) as http:
            for n in range(w, len(requests), concurrency):
                h = requests[n]
                start = time.monotonic()
                try:
                    r = await http.request(h.method, "/graphql?" + h.query_string,
                                           content=h.body,
                                           headers={**h.headers, **stack.auth(n)})
                except httpx.TimeoutException:
                    rec.timed_out(time.monotonic() - start)
                    continue
                rec.answer(time.monotonic() - start, r.status_code, r.content)
                found = problems(r.status_code, r.headers, r.content)
                if found:
                    bad.append(f"{h.category}: {found[0]}")

    async def watch() -> None:
        async with httpx.AsyncClient(base_url=stack.base_url, timeout=CLIENT_TIMEOUT) as http:
            while not done.is_set():
                start = time.monotonic()
                try:
                    await http.get("/healthz")
                except httpx.HTTPError:
                    pass
                canary.append(time.monotonic() - start)
                await asyncio.sleep(0.25)

    watcher = asyncio.create_task(watch())
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    done.set()
    await watcher
    rec.stop()
    rec.extra.update({"bad answers": len(bad), "blocked episodes": sum(x > 2 for x in canary),
                      "healthz slowest s": round(max(canary, default=0), 2),
                      "RSS after MB": stack.api_rss_mb()})
    if bad:
        rec.extra["first bad"] = json.dumps(sorted(set(bad))[:5])
    return rec
