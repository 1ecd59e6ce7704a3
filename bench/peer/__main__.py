"""supplygraph beside @neo4j/graphql (the peer) on one Neo4j, and the hand-written floor.

    make bench-peer                                   # 100k sites, the defaults below
    .venv/bin/python -m bench.peer --scale 100000 --clients 16 --seconds 5 --rounds 3

Neo4j is the managed server of the settings (SUPPLYGRAPH_DATA_DIR, SUPPLYGRAPH_NEO4J_BOLT_PORT;
APOC core is installed into its plugins and the server restarted once) or NEO4J_URI, which
must then have APOC. `--scale N` loads `seed --scale N` unless N sites are there. Then:
supplygraph is started as `supplygraph serve` (one process; `--sg-workers` passes
`--workers`), the peer as `node bench/peer/server.mjs`, both on 127.0.0.1; both answer
every case once and must return the floor's ids; then, interleaved, one client (p50, p95)
and `--clients` clients (req/s, p95) per case. Ratios and a JSON file (`--out`) come last.
Benchmarks, not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import OctKey

from auth.client_secrets import hash_secret, new_client_secret
from bench.peer import apoc
from bench.peer.cases import Case, cases, remove_written
from bench.peer.load import many_clients, one_client, rss_mb
from bench.read_api import _ensure_data, _pick
from graph.core.db import Graph
from graph.orgs.clients import create_client
from graph.orgs.viewer import viewer_context
from graph.server.managed import ManagedNeo4j, free_port
from supplygraph.settings import Settings, get_settings

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCOPES = ["sites:read", "reports:read", "contracts:read", "reports:write"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ----- Neo4j with APOC ---------------------------------------------------------------------
async def _has_apoc(graph: Graph) -> bool:
    try:
        await graph.query("RETURN apoc.version() AS v")
        return True
    except Exception:  # noqa: BLE001 - an unknown function is the answer "no"
        return False


async def ensure_neo4j(settings: Settings) -> None:
    if not settings.managed:
        graph = Graph.from_settings(settings)
        try:
            if not await _has_apoc(graph):
                raise SystemExit("the Neo4j at NEO4J_URI has no APOC core: the peer needs it")
        finally:
            await graph.close()
        return
    server = ManagedNeo4j(settings)
    server.ensure_jars()
    added = apoc.install(server)
    if added and server.status().running:
        log("APOC added to plugins: restarting the managed Neo4j")
        server.stop()
    server.start()
    graph = Graph.from_settings(settings)
    try:
        if not await _has_apoc(graph):
            raise SystemExit(f"APOC did not load: see {server.console_log}")
    finally:
        await graph.close()


# ----- the two servers ---------------------------------------------------------------------
def _neo4j_env(settings: Settings) -> dict[str, str]:
    if settings.managed:
        server = ManagedNeo4j(settings)
        return {"NEO4J_URI": server.uri, "NEO4J_USER": settings.neo4j_user,
                "NEO4J_PASSWORD": server.password()}
    pw = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
    return {"NEO4J_URI": settings.neo4j_uri or "", "NEO4J_USER": settings.neo4j_user,
            "NEO4J_PASSWORD": pw}


def start_sg(settings: Settings, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ,
               # The peer has no rate limits and sheds no load: neither does supplygraph here
               # (every client's request admitted, no adaptive lowering of the bound). The
               # cost ceiling still applies to every request.
               SUPPLYGRAPH_RATE_LIMIT_REQUESTS_PER_MINUTE="0",
               SUPPLYGRAPH_RATE_LIMIT_COST_PER_MINUTE="0",
               SUPPLYGRAPH_MAX_IN_FLIGHT="256",
               SUPPLYGRAPH_ADMISSION_TARGET_SECONDS="0")
    cmd = [sys.executable, "-m", "supplygraph.cli", "serve", "--host", "127.0.0.1",
           "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=open(settings.data_dir / "bench-sg.log", "wb"),
                            start_new_session=True)


def start_peer(settings: Settings, port: int, key: str) -> subprocess.Popen[bytes]:
    if not (HERE / "node_modules" / "@neo4j" / "graphql").exists():
        subprocess.run(["npm", "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
                       check=True)
    env = dict(os.environ, **_neo4j_env(settings), PEER_JWT_KEY=key, PEER_PORT=str(port),
               NODE_ENV="production")
    return subprocess.Popen(["node", str(HERE / "server.mjs")], env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=open(settings.data_dir / "bench-peer.log", "wb"),
                            start_new_session=True)


async def wait_http(http: httpx.AsyncClient, url: str, proc: subprocess.Popen[bytes],
                    what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited during start (exit {proc.returncode})")
        try:
            r = await http.post(url, json={"query": "{ __typename }"})
            if r.status_code < 500:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.3)
    raise SystemExit(f"{what} did not answer at {url} within {timeout:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# ----- one run -----------------------------------------------------------------------------
async def _graphql(http: httpx.AsyncClient, url: str, headers: dict[str, str],
                   body: dict[str, Any]) -> dict[str, Any]:
    r = await http.post(url, headers=headers, json=body)
    data = r.json()
    if r.status_code != 200 or data.get("errors"):
        raise RuntimeError(f"HTTP {r.status_code}: {str(data.get('errors'))[:200]}")
    payload = data["data"]
    for value in payload.values():
        if isinstance(value, dict) and value.get("errors"):
            raise RuntimeError(f"mutation error: {value['errors']}")
    return payload


async def _round_trips(http: httpx.AsyncClient, base: str, send: Any) -> int:
    """Neo4j statements of one request, from the service's own metric (fewest of three
    tries: the outbox worker's polls may fall inside one)."""
    async def count() -> float:
        text = (await http.get(base + "/metrics")).text
        return sum(float(line.split()[-1]) for line in text.splitlines()
                   if line.startswith("supplygraph_neo4j_query_seconds_count"))

    best = None
    for _ in range(3):
        before = await count()
        await send()
        n = int(await count() - before)
        best = n if best is None else min(best, n)
    return best or 0


async def run(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    await ensure_neo4j(settings)
    graph = Graph.from_settings(settings)
    sg_proc = peer_proc = None
    try:
        await _ensure_data(graph, None if args.no_load else args.scale, args.seed)
        if removed := await remove_written(graph):
            log(f"removed {removed} reports an earlier run's mutation case left")
        org = args.org or (await graph.query(
            "MATCH (o:Organisation {kind: 'PUBLIC_BUYER'})-[:HOLDS]->(:Contract) "
            "WITH o, count(*) AS n ORDER BY n DESC, o.id LIMIT 1 RETURN o.id AS id"))[0]["id"]
        ctx = await viewer_context(graph, org_id=org, client_id="bench", jti="bench")
        peers = sorted(set(ctx["peers"]) | {org})
        vis = {"viewerOrg": org, "viewerPeers": peers}
        picked = await _pick(graph, org)
        write_sites = [r["id"] for r in await graph.query(
            "MATCH (s:ProductionSite {sharing: 'PUBLIC'}) WHERE NOT (s)<-[:ASSESSES]-() "
            "RETURN s.id AS id ORDER BY s.id LIMIT 500")]
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        the_cases = cases(org=org, site=picked["site"], brand=picked["brand"], text=args.text,
                          write_sites=write_sites, now=now)
        if args.only:
            the_cases = [c for c in the_cases if any(o in c.name for o in args.only)]

        client_id, secret = "sgc_bench_" + secrets.token_hex(4), new_client_secret()
        await create_client(graph, client_id=client_id, org_id=org,
                            secret_hash=hash_secret(secret), scopes=SCOPES)
        key = secrets.token_urlsafe(32)
        sg_port, peer_port = free_port(), free_port()
        sg_proc = start_sg(settings, sg_port, args.sg_workers)
        peer_proc = start_peer(settings, peer_port, key)
        sg_base, peer_url = f"http://127.0.0.1:{sg_port}", f"http://127.0.0.1:{peer_port}/"
        limits = httpx.Limits(max_connections=args.clients * 2,
                              max_keepalive_connections=args.clients * 2)
        async with httpx.AsyncClient(timeout=120, limits=limits) as sg_http, \
                httpx.AsyncClient(timeout=120, limits=limits) as peer_http:
            await wait_http(sg_http, sg_base + "/graphql", sg_proc, "supplygraph")
            await wait_http(peer_http, peer_url, peer_proc, "the peer")
            tok = await sg_http.post(sg_base + "/oauth/token",
                                     data={"grant_type": "client_credentials"},
                                     auth=(client_id, secret))
            sg_headers = {"authorization": f"Bearer {tok.json()['access_token']}"}
            claims = {"sub": org, "org": org, "peers": peers, "iat": int(time.time()),
                      "exp": int(time.time()) + 6 * 3600}
            peer_token = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(key))
            peer_headers = {"authorization": f"Bearer {peer_token}"}

            results = []
            for case in the_cases:
                results.append(await _measure(case, args, graph, vis, sg_http, sg_base,
                                              sg_headers, peer_http, peer_url, peer_headers,
                                              sg_proc.pid, peer_proc.pid))
        return {"when": now, "scale": args.scale, "viewer": org, "clients": args.clients,
                "seconds": args.seconds, "rounds": args.rounds, "repeat": args.repeat,
                "sg_workers": args.sg_workers, "neo4j": settings.neo4j_version,
                "results": results}
    finally:
        for proc in (sg_proc, peer_proc):
            if proc is not None:
                stop(proc)
        try:
            await remove_written(graph)
        finally:
            await graph.close()


async def _measure(case: Case, args: argparse.Namespace, graph: Graph, vis: dict[str, Any],
                   sg_http: httpx.AsyncClient, sg_base: str, sg_headers: dict[str, str],
                   peer_http: httpx.AsyncClient, peer_url: str, peer_headers: dict[str, str],
                   sg_pid: int, peer_pid: int) -> dict[str, Any]:
    async def sg() -> dict[str, Any]:
        return await _graphql(sg_http, sg_base + "/graphql", sg_headers, case.sg())

    async def peer() -> dict[str, Any]:
        return await _graphql(peer_http, peer_url, peer_headers, case.peer())

    async def floor() -> list[dict[str, Any]]:
        cypher, params = case.floor()
        return await graph.query(cypher, {**params, **vis}, write=case.write, name="floor")

    log(f"-- {case.name}")
    ids = {"supplygraph": case.sg_ids(await sg()), "peer": case.peer_ids(await peer()),
           "floor": case.floor_ids(await floor())}
    same = {"supplygraph": ids["supplygraph"] == ids["floor"], "peer": ids["peer"] == ids["floor"]}
    if case.peer_floor is not None:
        cypher, params = case.peer_floor()
        same["peer"] = ids["peer"] == case.floor_ids(
            await graph.query(cypher, {**params, **vis}, name="floor"))
    if not all(same.values()):
        log(f"   answers differ: { {k: v[:8] for k, v in ids.items()} }")
    trips = await _round_trips(sg_http, sg_base, sg)
    targets = {"supplygraph": sg, "peer": peer, "floor": floor}
    single = await one_client(targets, args.repeat)
    rss: dict[str, float] = {}

    def sample(name: str) -> None:
        for who, pid in (("supplygraph", sg_pid), ("peer", peer_pid)):
            if who == name and (mb := rss_mb(pid)) is not None:
                rss[who] = max(rss.get(who, 0.0), mb)

    loaded = await many_clients(targets, clients=args.clients, seconds=args.seconds,
                                rounds=args.rounds, sample=sample)
    out: dict[str, Any] = {"query": case.name, "note": case.note, "round_trips": trips,
                           "same_ids_as_floor": same, "ids": len(ids["floor"]),
                           "rss_mb": rss}
    for name in targets:
        one, many = single[name].summary(), loaded[name].summary()
        out[name] = {"p50_ms": one["p50_ms"], "p95_ms": one["p95_ms"],
                     "req_per_s": many["req_per_s"], "p95_ms_loaded": many["p95_ms"],
                     "errors": one["errors"] + many["errors"],  # type: ignore[operator]
                     "first_error": one["first_error"] or many["first_error"]}
    sgr, pr, fr = out["supplygraph"], out["peer"], out["floor"]
    out["throughput_vs_peer"] = sgr["req_per_s"] / pr["req_per_s"] if pr["req_per_s"] else None
    out["p50_vs_floor"] = sgr["p50_ms"] / fr["p50_ms"] if fr["p50_ms"] else None
    out["peer_p50_vs_floor"] = pr["p50_ms"] / fr["p50_ms"] if fr["p50_ms"] else None
    log(f"   sg {sgr['p50_ms']:.1f} ms, {sgr['req_per_s']:.1f}/s; peer {pr['p50_ms']:.1f} ms, "
        f"{pr['req_per_s']:.1f}/s; floor {fr['p50_ms']:.1f} ms, {fr['req_per_s']:.1f}/s")
    return out


def table(report: dict[str, Any]) -> str:
    lines = [
        f"{report['scale']} sites, viewer {report['viewer']}, one client x {report['repeat']} "
        f"and {report['clients']} clients x {report['rounds']} windows of "
        f"{report['seconds']} s, supplygraph workers {report['sg_workers']}",
        "",
        "| query | p50 ms sg / peer / floor | p95 ms sg / peer / floor | req/s at "
        f"{report['clients']} sg / peer / floor | p95 ms at {report['clients']} sg / peer | "
        "throughput sg/peer | p50 sg/floor | round trips | same ids |",
        "|---|---|---|---|---|---:|---:|---:|:---:|",
    ]
    for r in report["results"]:
        s, p, f = r["supplygraph"], r["peer"], r["floor"]
        same = "yes" if all(r["same_ids_as_floor"].values()) else (
            "sg " + ("yes" if r["same_ids_as_floor"]["supplygraph"] else "NO") + ", peer "
            + ("yes" if r["same_ids_as_floor"]["peer"] else "NO"))
        errs = "" if not (s["errors"] or p["errors"]) else (
            f" (errors sg {s['errors']}, peer {p['errors']})")
        lines.append(
            f"| {r['query']}{errs} | {s['p50_ms']:.1f} / {p['p50_ms']:.1f} / {f['p50_ms']:.1f} "
            f"| {s['p95_ms']:.1f} / {p['p95_ms']:.1f} / {f['p95_ms']:.1f} "
            f"| {s['req_per_s']:.1f} / {p['req_per_s']:.1f} / {f['req_per_s']:.1f} "
            f"| {s['p95_ms_loaded']:.0f} / {p['p95_ms_loaded']:.0f} "
            f"| {_ratio(r['throughput_vs_peer'])} | {_ratio(r['p50_vs_floor'])} "
            f"| {r['round_trips']} | {same} |")
    rss = [r["rss_mb"] for r in report["results"] if r["rss_mb"]]
    if rss:
        lines.append("")
        lines.append("Peak RSS under load: supplygraph "
                     f"{max(x.get('supplygraph', 0) for x in rss):.0f} MB, peer "
                     f"{max(x.get('peer', 0) for x in rss):.0f} MB")
    return "\n".join(lines)


def _ratio(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", type=int, default=100_000)
    p.add_argument("--no-load", action="store_true", help="measure the data already there")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--org", default=None, help="the viewer (default: the buyer with most "
                                                "contracts)")
    p.add_argument("--text", default="Kunshan")
    p.add_argument("--repeat", type=int, default=20, help="one-client requests per target")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=5.0, help="one loaded window")
    p.add_argument("--rounds", type=int, default=3, help="loaded windows per target")
    p.add_argument("--sg-workers", type=int, default=1)
    p.add_argument("--only", action="append", help="cases whose name contains this")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "peer.json")
    args = p.parse_args(argv)
    report = asyncio.run(run(get_settings(), args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(report))
    print(f"\n(JSON: {args.out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
