"""The imports page's upload, timed (not a test): a contributor uploads ROWS site rows over
HTTP (in process, httpx over ASGI) and the page is polled until the import ends; then the
same number of other rows goes through `supplygraph import sites`' own function, for the
ratio (after a warm-up import of 200 rows, so that neither pays for a cold database).

    .venv/bin/python bench/web_import.py [ROWS]

Starts a throwaway Neo4j (its own data folder and port) with the sample data, and stops it
and removes its folder at the end. Rows are `bench/import_rate.py`'s (new sites of
`seeds.matching_set`, about 10% noisy repeats of earlier rows). Prints the time to the
answer of the upload (file read and checked), to the end of the import as the page shows
it, the CLI's time on the same number of rows, and the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from auth.people import add_person  # noqa: E402
from bench.import_rate import make_csv  # noqa: E402
from graph.core.db import Graph  # noqa: E402
from graph.core.migrate import migrate  # noqa: E402
from graph.server.managed import ManagedNeo4j, free_port  # noqa: E402
from seeds.sample import MONITOR_WORKERS, NW_HEALTH, load_sample  # noqa: E402
from supplygraph.app import create_app  # noqa: E402
from supplygraph.imports.sites import import_sites  # noqa: E402
from supplygraph.settings import Settings  # noqa: E402

PASSWORD = "a bench passphrase of its own"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def bench(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, data_dir=Path(tmp) / "data",  # type: ignore[call-arg]
                            neo4j_bolt_port=free_port(), run_worker_in_serve=False)
        server = ManagedNeo4j(settings)
        server.start()
        graph = Graph.from_settings(settings)
        try:
            await migrate(graph)
            await load_sample(graph)
            await add_person(graph, org_id=MONITOR_WORKERS, email="bench@example.org",
                             role="contributor", password=PASSWORD, setup_hours=1)
            web_file, cli_file = Path(tmp) / "web.csv", Path(tmp) / "cli.csv"
            make_csv(web_file, rows, seed=7)
            make_csv(cli_file, rows, seed=8)
            # A warm-up import first, so that neither timed run pays for a cold database.
            warm = Path(tmp) / "warm.csv"
            make_csv(warm, 200, seed=9)
            await import_sites(graph, warm, org=NW_HEALTH, settings=settings)
            app = create_app(settings, graph=graph)
            load_before = os.getloadavg()
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                         base_url="http://127.0.0.1:8000",
                                         timeout=600) as web:
                page = await web.get("/signin")
                await web.post("/signin", data={
                    "csrf": _CSRF.search(page.text).group(1),  # type: ignore[union-attr]
                    "email": "bench@example.org", "password": PASSWORD, "next": ""})
                page = await web.get("/imports")
                t0 = time.perf_counter()
                sent = await web.post("/imports", data={
                    "csrf": _CSRF.search(page.text).group(1),  # type: ignore[union-attr]
                    "sharing": "PUBLIC"},
                    files={"file": ("web.csv", web_file.read_bytes(), "text/csv")})
                answered = time.perf_counter() - t0
                assert sent.status_code == 303, sent.text[:500]
                run = sent.headers["location"]
                polls = 0
                while True:
                    status = await web.get(run, headers={"HX-Request": "true"})
                    polls += 1
                    if "import-progress" not in status.text:
                        break
                    await asyncio.sleep(0.5)
                ended = time.perf_counter() - t0
                summary = await web.get(run)
                counts = re.search(r'<ul id="summary-counts">(.*?)</ul>', summary.text, re.S)
            t1 = time.perf_counter()
            await import_sites(graph, cli_file, org=NW_HEALTH, settings=settings)
            cli_took = time.perf_counter() - t1
            load_after = os.getloadavg()
            print(f"web upload of {rows} rows: answered (file read, checked) in "
                  f"{answered:.2f}s; import ended after {ended:.1f}s ({rows / ended:.0f} rows/s,"
                  f" {polls} status polls of 0.5 s)")
            print("  " + " / ".join(re.sub(r"<[^>]+>", "", li).strip() for li in
                                    re.findall(r"<li>.*?</li>", counts.group(1) if counts
                                               else "", re.S)))
            print(f"CLI's import_sites, {rows} other rows: {cli_took:.1f}s "
                  f"({rows / cli_took:.0f} rows/s); web / CLI = {ended / cli_took:.2f}")
            print(f"load average (1, 5, 15 min) before {load_before}, after {load_after}; "
                  f"{os.cpu_count()} cores")
        finally:
            await graph.close()
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int, nargs="?", default=1000)
    asyncio.run(bench(parser.parse_args().rows))


if __name__ == "__main__":
    main()
