"""What tagging costs: the three PDFs of a run printed tagged (PDF/A-3a with PDF/UA-1, what every
run writes) and untagged, in turns, from the run's own HTML pages.

    .venv/bin/python benchmarks/pdf_tagging.py outputs/2025 [--rounds 7]

Tagged and untagged alternate within each round, so both are timed in the same minutes on a shared
machine; the medians per document and for the three together are printed, as wall time and as
this process's CPU time (printing is single-threaded, so CPU time is what tagging costs even when
other work slows the wall clock), with the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

STEMS = ("briefing", "bijlage-1-activiteiten", "bijlage-2-moties-en-toezeggingen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a run's output folder (with briefing.html and the annexes)")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    from nap_analysis.briefing.render.pdf import html_to_pdf

    pages = {stem: (args.run / f"{stem}.html").read_text(encoding="utf-8") for stem in STEMS}
    for page in pages.values():  # load WeasyPrint, Pango and the fonts before timing
        html_to_pdf(page, tagged=False)
    load_before = os.getloadavg()
    samples = {(stem, tagged): [] for stem in STEMS for tagged in (False, True)}
    cpu = {(stem, tagged): [] for stem in STEMS for tagged in (False, True)}
    sizes = {}
    for round_number in range(args.rounds):
        for stem, page in pages.items():
            for tagged in (False, True) if round_number % 2 == 0 else (True, False):
                start, start_cpu = time.perf_counter(), time.process_time()
                data = html_to_pdf(page, tagged=tagged)
                samples[stem, tagged].append(time.perf_counter() - start)
                cpu[stem, tagged].append(time.process_time() - start_cpu)
                sizes[stem, tagged] = len(data)
    load_after = os.getloadavg()

    print(
        f"{args.rounds} rounds; load average before {load_before[0]:.2f} {load_before[1]:.2f} "
        f"{load_before[2]:.2f}, after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"{'document':36} {'wall untagged':>13} {'tagged':>8} {'extra':>6}   {'CPU untagged':>12} {'tagged':>8} "
        f"{'extra':>6}   {'bytes untagged':>14} {'tagged':>9}"
    )
    for stem in (*STEMS, None):
        row = []
        for measure in (samples, cpu):
            if stem is None:  # the three together, round by round
                plain, tagged = (
                    statistics.median(map(sum, zip(*(measure[s, t] for s in STEMS)))) for t in (False, True)
                )
            else:
                plain, tagged = (statistics.median(measure[stem, t]) for t in (False, True))
            row.append(f"{plain:12.2f}s {tagged:7.2f}s {100 * (tagged / plain - 1):+5.0f}%")
        size = "" if stem is None else f"{sizes[stem, False]:>14,} {sizes[stem, True]:>9,}"
        print(f"{stem or 'the three together':36} {row[0]}   {row[1]}   {size}")


if __name__ == "__main__":
    main()
