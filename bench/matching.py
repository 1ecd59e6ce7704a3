"""Site matching on the generated labelled set: precision, recall and F1 (not a test).

    .venv/bin/python bench/matching.py [N_PAIRS] [SEED]

Pairs come from `seeds.matching_set.labelled_pairs`: half true duplicates with realistic noise
(typos, abbreviations, reordered address parts, dropped Pinyin/Vietnamese diacritics,
suite/building numbers, legal forms, a missing address), half hard non-duplicates (a sister
plant on the same street, another company in the same building or park, the same company
in another city, plant 2 vs plant 3, a similar name). A pair is "matched" when its score
reaches the threshold. At `match_high` a match is automatic; from `match_low` the caller is
asked, so recall at `match_low` is the share of duplicates that at least get asked about.
No database needed.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.sites.matching import score  # noqa: E402
from seeds.matching_set import evaluate, labelled_pairs  # noqa: E402
from supplygraph.settings import Settings  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    pairs = labelled_pairs(n, seed=seed)
    t0 = time.perf_counter()
    for p in pairs:
        score(p.a, p.b)
    per_pair_us = (time.perf_counter() - t0) / len(pairs) * 1e6
    dups = sum(p.duplicate for p in pairs)
    print(f"{len(pairs)} labelled pairs (seed {seed}): {dups} duplicates, "
          f"{len(pairs) - dups} hard non-duplicates; {per_pair_us:.0f} us per score")
    print(f"{'threshold':>22} {'precision':>9} {'recall':>7} {'F1':>6} {'FP':>5} {'FN':>5}")
    rows = [("match_high (auto)", settings.match_high), ("match_low (ask)", settings.match_low)]
    rows += [(f"{t:.0f}", float(t)) for t in (60, 65, 75, 80, 85, 90)]
    for label, threshold in rows:
        e = evaluate(pairs, threshold)
        print(f"{label + ' ' + format(threshold, '.0f'):>22} {e.precision:9.3f} "
              f"{e.recall:7.3f} {e.f1:6.3f} {e.fp:5d} {e.fn:5d}")
    misses: Counter[str] = Counter()
    false: Counter[str] = Counter()
    for p in pairs:
        s = score(p.a, p.b)
        if p.duplicate and s < settings.match_high:
            misses.update(p.noise.split("+"))
        if not p.duplicate and s >= settings.match_low:
            false[p.noise] += 1
    print("duplicates not auto-matched, by noise:", dict(misses.most_common()))
    print("non-duplicates asked about (>= match_low), by kind:", dict(false.most_common()))


if __name__ == "__main__":
    main()
