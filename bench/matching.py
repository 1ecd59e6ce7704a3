"""Site matching on labelled sets: precision, recall and F1 of automatic matches, and the
share sent to review (not a test; tests/graph/sites/test_matching_registry.py pins seed 13).

    .venv/bin/python bench/matching.py [SEED ...]      # default: 13 (tuned on), 2026 (held out)

The set (`bench/registry_set.py`): a registry of 2,000 sites and 1,800 rows a supplier
sends, each labelled with the site it is or none, decided as `supplygraph import sites`
decides (every visible site of the country in memory, plus the rows created before). An
automatic match is right when it picks the row's site; a match to any other site is a false
positive; a known site not matched automatically is a false negative (whether it went to
review or not). Also: the registry's 2,000 distinct sites imported into an empty registry
(every automatic match there merges two sites), and the pair set of `seeds.matching_set`.
No database needed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.registry_eval import evaluate, merges_into_empty
from bench.registry_set import labelled_registry  # noqa: E402
from seeds.matching_set import evaluate as evaluate_pairs  # noqa: E402
from seeds.matching_set import labelled_pairs  # noqa: E402
from supplygraph.settings import Settings  # noqa: E402

DEV_SEED, HELD_OUT_SEED = 13, 2026


def main() -> None:
    seeds = [int(a) for a in sys.argv[1:]] or [DEV_SEED, HELD_OUT_SEED]
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    low, high = settings.match_low, settings.match_high
    print(f"thresholds: automatic at {high:.0f} with strong evidence, review from {low:.0f}")
    print(f"{'seed':>6} {'rows':>5} {'precision':>9} {'recall':>7} {'F1':>6} {'FP':>4} "
          f"{'FN':>4} {'review':>7} {'truth in review':>15} {'empty: merged':>13} "
          f"{'empty: review':>13} {'ms/row':>6}")
    for seed in seeds:
        data = labelled_registry(seed=seed)
        t0 = time.perf_counter()
        f = evaluate(data, low=low, high=high)
        ms = (time.perf_counter() - t0) / f.rows * 1000
        merged, review = merges_into_empty(data, low=low, high=high)
        tag = " (held out)" if seed == HELD_OUT_SEED else ""
        print(f"{seed:>6} {f.rows:>5} {f.precision:9.4f} {f.recall:7.4f} {f.f1:6.4f} "
              f"{f.fp:>4} {f.fn:>4} {f.review_share:7.3f} "
              f"{f.review_has_truth:>7}/{f.review:<7} {merged:>13} "
              f"{review / len(data.sites):13.3f} {ms:6.2f}{tag}")
        if f.false_by_kind:
            print("       wrong automatic matches, by kind:", dict(f.false_by_kind))
        print("       known sites not matched automatically, by noise:",
              dict(f.missed_by_noise.most_common()))
    pairs = labelled_pairs(5000, seed=5)
    e = evaluate_pairs(pairs, high)
    print(f"pair set (seeds.matching_set, 5000 pairs, seed 5) at {high:.0f}: precision "
          f"{e.precision:.4f} recall {e.recall:.4f} F1 {e.f1:.4f}")


if __name__ == "__main__":
    main()
