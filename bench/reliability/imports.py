"""The import crash: `supplygraph import sites` of ROWS generated rows, SIGKILLed once a third
of them are written, then run again to the end. The import writes a batch and its checkpoint
in one transaction, so the second run resumes after the last whole batch: no row may be
missing (other than rows the import itself reports as rejected or needing confirmation) and
none may be written twice (bench/README.md)."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import time

from bench.reliability.env import REPO, Stack
from bench.reliability.stats import Recorder
from seeds import sample as s

SYLLABLES = ["ka", "lo", "mi", "ren", "tas", "vo", "qui", "bel", "dra", "nu", "sor", "phe",
             "gal", "tiv", "mon", "ze", "hul", "cra", "wi", "jor", "pex", "ly", "fa", "dun"]
COUNTRIES = ["VN", "CN", "MY", "TH", "ID", "PH", "IN", "MX", "PL", "CZ", "HU", "RO"]
BY_TAG = ("MATCH (s:ProductionSite) WHERE s.address STARTS WITH $tag "
          "RETURN s.address AS address, count(*) AS n")
COUNT_TAG = "MATCH (s:ProductionSite) WHERE s.address STARTS WITH $tag RETURN count(s) AS n"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def write_rows(path: os.PathLike[str], rows: int, tag: str, seed: int = 15) -> None:
    """Rows unlike each other (random names, the tag only in the address), so that matching
    creates every one rather than proposing one as another."""
    rng = random.Random(seed)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Factory name", "Address", "City", "Country", "Workers"])
        for i in range(rows):
            w.writerow([f"{_word(rng)} {_word(rng)} {_word(rng)}", f"{tag} {i}",
                        _word(rng), rng.choice(COUNTRIES), rng.randint(10, 5000)])


async def import_crash(stack: Stack, rows: int = 20_000) -> Recorder:
    rec = Recorder("import-crash")
    tag = f"rel{secrets.token_hex(4)}"
    path = stack.root / f"{tag}.csv"
    write_rows(path, rows, tag)
    cmd = [sys.executable, "-m", "supplygraph.cli", "import", "sites", str(path),
           "--org", s.NW_HEALTH, "--json", "--summary", str(stack.root / f"{tag}-summary.csv")]
    log = (stack.root / f"{tag}.log").open("ab")
    first = subprocess.Popen(cmd, env=stack.env(), cwd=REPO, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
    started = time.monotonic()
    written = 0
    while first.poll() is None and written < rows // 3 and time.monotonic() - started < 1800:
        await asyncio.sleep(0.5)
        written = (await stack.cypher(COUNT_TAG, tag=tag))[0]["n"]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=60)
    rec.extra["written at kill"] = (await stack.cypher(COUNT_TAG, tag=tag))[0]["n"]
    second = await asyncio.to_thread(subprocess.run, cmd, env=stack.env(), cwd=REPO,
                                     capture_output=True, text=True, timeout=3600)
    rec.stop()
    summary = json.loads(second.stdout.strip().splitlines()[-1]) if second.stdout else {}
    counts = {r["address"]: r["n"] for r in await stack.cypher(BY_TAG, tag=tag)}
    # Rows matched to a site already there (or to an earlier row) update it rather than
    # create one; rows needing confirmation or rejected are reported, never written.
    not_written = sum(summary.get(k, 0) for k in ("matched", "updated", "needsConfirmation",
                                                  "rejected"))
    rec.extra.update({
        "rows": rows, "resumed batches": summary.get("resumedBatches"),
        "created": summary.get("created"), "matched or not written by design": not_written,
        "lost": rows - len(counts) - not_written,
        "duplicated": sum(n - 1 for n in counts.values() if n > 1),
        "rows/s": round(rows / (rec.ended - rec.started), 1) if rec.ended else None})
    return rec
