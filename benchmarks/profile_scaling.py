"""cProfile of the library stages on SYNTHETIC data (default 10^6 activity rows, 10 report years).

    .venv/bin/python benchmarks/profile_scaling.py [--rows N] [--top K] [--stage load progress flags transitions]

Writes the synthetic data to a temporary folder (same generator as benchmarks/run.py), then
profiles each stage separately and prints the top functions by cumulative and by own time,
plus ``outputs/profile-<stage>.pstats`` for a closer look (``python -m pstats``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10**6)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--stage", nargs="+", default=list(bench._STAGES), choices=bench._STAGES)
    parser.add_argument(
        "--data", type=Path, default=None, help="use this (synthetic) data folder instead of writing one"
    )
    args = parser.parse_args()

    import importlib

    # the modules, not the functions of the same name that nap_analysis.analysis exports
    flags = importlib.import_module("nap_analysis.analysis.flags")
    progress = importlib.import_module("nap_analysis.analysis.progress")
    stats = importlib.import_module("nap_analysis.analysis.statistics")
    load = importlib.import_module("nap_analysis.data.loader")

    with tempfile.TemporaryDirectory(prefix="nap-profile-") as tmp:
        data_dir = args.data or Path(tmp) / "data"
        if args.data is None:
            print(bench.write_synthetic(data_dir, args.rows))
        state: dict = {}

        def do_load():
            state["p"] = load.load(data_dir, max_bytes=bench.SCALING_MAX_BYTES)

        def years():
            p = state["p"]
            return p.activities, p.latest_year, p.previous_year(p.latest_year)

        stages = {
            "load": do_load,
            "progress": lambda: progress.progress(years()[0], years()[1]),
            "flags": lambda: flags.flags(*years()),
            "transitions": lambda: (
                stats.status_transitions(years()[0], years()[2], years()[1]),
                stats.transition_matrix(years()[0], years()[2], years()[1]),
            ),
        }
        if "load" not in args.stage:
            do_load()
        out_dir = bench.ROOT / "outputs"
        out_dir.mkdir(exist_ok=True)
        for name in args.stage:
            profiler = cProfile.Profile()
            start = time.perf_counter()
            profiler.runcall(stages[name])
            seconds = time.perf_counter() - start
            profiler.dump_stats(out_dir / f"profile-{name}.pstats")
            for order in ("cumulative", "tottime"):
                buf = io.StringIO()
                pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(order).print_stats(args.top)
                print(f"===== {name}: {seconds:.2f} s under cProfile, sorted by {order}")
                print(buf.getvalue().split("\n", 6)[-1] if order == "cumulative" else buf.getvalue().split("\n", 6)[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
