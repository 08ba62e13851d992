"""Benchmarks of nap-analysis: what a briefing costs, and how the library scales.

Run from the repository root (the paths below are relative to this file, so any cwd works):

    .venv/bin/python benchmarks/run.py [--repeat N] [--quick] [--only SECTION ...] [--sizes N ...]

Sections (``--only``; default all):

floor    ``python -c "import pandas, matplotlib.pyplot, scipy.stats"``: the least any run in this
         environment can cost (interpreter start plus the three big imports).
naive    what a user's shell script would do without this package's runner: for every numbered
         notebook ``papermill`` (own kernel each), then ``jupyter nbconvert --to nap_html`` and
         ``--to nap_pdf`` of the executed notebook; all separate processes (15 for 5 notebooks).
ours     ``nap-analysis run --year 2025 --out <tmp> --date 2026-11-22`` (one process, two kernels).
incremental  after one full run into an output folder (a copy of data/): the same run again
         (nothing changed: 'unchanged'), and the run after one explanation in activities.csv
         changed ('explanation'); each sample in turns with a floor sample.
badinput ``nap-analysis validate`` and ``nap-analysis run`` on a copy of data/ with one misspelt
         status (both exit 2), in turns: a run must stop at the data as fast as validate.
scaling  the library alone on SYNTHETIC data with 10^3 .. 10^6 activity rows over 10 report years:
         load+validate, progress, flags, transitions; each size in a fresh process, so the peak
         RSS (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) belongs to that size alone.
batch    8 parameter sets (4 report years x nl/en) as one ``nap-analysis run --jobs 2`` against
         8 sequential single runs. The bundled data has only 2024 and 2025, so a copy of data/
         gets report years 2026 and 2027 as duplicates of 2024 and 2025 (SYNTHETIC, see JSON).

Ratios ours/naive and ours/floor are computed when those sections ran. With both floor and ours,
their samples are taken in turns (floor, ours, floor, ..., ours, floor: one floor sample more), so
the ratio compares timings from the same minutes of a machine whose speed drifts. Every measurement keeps
all samples and the median; the table goes to stdout, everything to ``outputs/benchmarks.json``
(``--json`` to change). ``--quick``: repeat 1, scaling only up to 10^5, no batch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
DATA = ROOT / "data"
NOTEBOOKS = ROOT / "notebooks"
KERNEL_PATH = ROOT / "nap_analysis" / "jupyter"
YEAR = 2025
DATE = "2026-11-22"
SECTIONS = ("floor", "naive", "ours", "incremental", "badinput", "scaling", "batch")
FULL_SIZES = (10**3, 10**4, 10**5, 10**6)
QUICK_SIZES = (10**3, 10**4, 10**5)
SCALING_YEARS = 10
FIRST_SYNTHETIC_YEAR = 2016
#: load() refuses files above 64 MB by default; 10^6 synthetic rows are bigger, so the scaling
#: benchmark raises the limit (the CLI would refuse such a file; that is noted in the JSON).
SCALING_MAX_BYTES = 2 * 1024**3

TARGETS = {
    "ours_over_naive": 0.2,  # ours <= 0.2 x naive (issue 18)
    "ours_over_floor": 4.0,  # ours <= 4 x floor
    "scaling_1e6_seconds": 3.0,  # load+validate+progress+flags at 10^6 rows
    "scaling_1e6_peak_mb": 1536.0,  # 1.5 GB
    "growth_linear": 10.0,  # time(10x rows)/time(rows) no faster than linear
    "batch_over_sequential": 0.6,
    "unchanged_over_floor": 1.5,  # an unchanged rerun (issue 31)
    "explanation_over_floor": 2.5,  # a rerun after one explanation changed
    "bad_run_over_validate": 1.5,  # run with bad data against validate
}


# --------------------------------------------------------------------------- helpers


def median(samples: list[float]) -> float:
    return float(statistics.median(samples))


def measurement(samples: list[float], unit: str = "s", **extra) -> dict:
    return {"samples": [round(s, 4) for s in samples], "median": round(median(samples), 4), "unit": unit, **extra}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def env_for_subprocess(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update({"PYTHONHASHSEED": "0", "CI": "1"})  # CI=1: plain progress lines from nap-analysis run
    env.pop("SOURCE_DATE_EPOCH", None)
    if extra:
        env.update(extra)
    return env


def run_cmd(
    cmd: list[str], *, cwd: Path | None = None, env: dict | None = None, expect: int = 0
) -> tuple[float, subprocess.CompletedProcess]:
    """Run one command, return its wall time; stop the benchmark if it exits other than ``expect``."""
    start = time.perf_counter()
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env or env_for_subprocess(), capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if proc.returncode != expect:
        raise SystemExit(
            f"benchmark command failed (exit {proc.returncode}): {' '.join(map(str, cmd))}\n"
            f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
        )
    return seconds, proc


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def stale_bytecode() -> list[str]:
    """Library modules a process must compile before it can import them (``make benchmark`` and
    ``make install`` compile them; pip does not for an editable install)."""
    from importlib.util import cache_from_source

    stale = []
    for source in sorted((ROOT / "nap_analysis").rglob("*.py")):
        cached = Path(cache_from_source(str(source)))
        if not cached.exists() or cached.stat().st_mtime < source.stat().st_mtime:
            stale.append(source.relative_to(ROOT / "nap_analysis").as_posix())
    return stale


def machine_info() -> dict:
    import importlib.metadata as md

    versions = {}
    for name in (
        "nap-analysis",
        "pandas",
        "numpy",
        "pyarrow",
        "scipy",
        "matplotlib",
        "papermill",
        "nbconvert",
        "nbclient",
        "jupyter_client",
        "ipykernel",
        "weasyprint",
    ):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            versions[name] = None
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_total_mb = None
    try:
        match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        mem_total_mb = round(int(match.group(1)) / 1024) if match else None
    except OSError:
        pass

    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_total_mb": mem_total_mb,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "python_executable": str(PYTHON),
        "packages": versions,
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty_files": dirty.splitlines() if dirty else [],
        "library_modules_without_fresh_bytecode": stale_bytecode(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


# --------------------------------------------------------------------------- floor


FLOOR_CMD = [PYTHON, "-c", "import pandas, matplotlib.pyplot, scipy.stats"]


def floor_measurement(samples: list[float], **extra) -> dict:
    return measurement(samples, command=" ".join(map(str, FLOOR_CMD)).replace(str(ROOT) + "/", ""), **extra)


def bench_floor(repeat: int) -> dict:
    return floor_measurement([run_cmd(FLOOR_CMD)[0] for _ in range(repeat)])


def bench_floor_and_ours(repeat: int) -> tuple[dict, dict]:
    """Floor and ours in turns (floor, ours, floor, ..., ours, floor), so the ratio compares
    timings from the same minutes: this VM's speed drifts 15-30% from minute to minute, and
    a floor measured in a block minutes before the runs moved the ratio by up to 0.7."""
    floor: list[float] = []

    def before_each_run() -> None:
        floor.append(run_cmd(FLOOR_CMD)[0])

    ours = bench_ours(repeat, before_each_run=before_each_run)
    floor.append(run_cmd(FLOOR_CMD)[0])
    return floor_measurement(floor, order="in turns with ours: floor, ours, floor, ..., ours, floor"), ours


# --------------------------------------------------------------------------- naive chain


_KERNEL_PROBE = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "probe",
            "metadata": {},
            "outputs": [],
            "source": "import sys\nprint(sys.prefix)\nprint(sys.executable)",
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def kernel_check(work: Path) -> dict:
    """Which Python a kernel named python3 runs when papermill is started as a user would.

    Tries the plain environment first; if python3 is not this venv's Python there, retries with
    JUPYTER_PATH=nap_analysis/jupyter (what nap-analysis run does) and uses that for the chain.
    """
    probe = work / "probe.ipynb"
    probe.write_text(json.dumps(_KERNEL_PROBE))
    venv_prefix = str((ROOT / ".venv").resolve())
    tried = []
    for extra in (
        {},
        {"JUPYTER_PATH": os.pathsep.join(filter(None, [str(KERNEL_PATH), os.environ.get("JUPYTER_PATH")]))},
    ):
        env = env_for_subprocess(extra)
        spec = subprocess.run(
            [VENV_BIN / "jupyter", "kernelspec", "list", "--json"], env=env, capture_output=True, text=True
        )
        spec_dir = (
            json.loads(spec.stdout)["kernelspecs"].get("python3", {}).get("resource_dir")
            if spec.returncode == 0
            else None
        )
        _, proc = run_cmd(
            [VENV_BIN / "papermill", probe, work / "probe-out.ipynb", "-k", "python3", "--no-progress-bar"],
            cwd=work,
            env=env,
        )
        out = json.loads((work / "probe-out.ipynb").read_text())
        text = "".join("".join(o.get("text", "")) for o in out["cells"][0]["outputs"]).split()  # str or list of str
        prefix, executable = (text + [None, None])[:2]
        ok = prefix is not None and str(Path(prefix).resolve()) == venv_prefix
        tried.append(
            {
                "JUPYTER_PATH": extra.get("JUPYTER_PATH"),
                "kernelspec_dir": spec_dir,
                "kernel_sys_prefix": prefix,
                "kernel_sys_executable": executable,
                "is_venv_python": ok,
            }
        )
        if ok:
            return {"resolved": True, "env": extra, "tried": tried}
    raise SystemExit(f"kernel python3 does not resolve to the venv python: {tried}")


def bench_naive(repeat: int) -> dict:
    """papermill, then nbconvert to nap_html and nap_pdf, per notebook: separate processes, like a shell script."""
    data_dir = DATA.resolve()
    with tempfile.TemporaryDirectory(prefix="nap-bench-naive-") as tmp:
        check = kernel_check(Path(tmp))
    env = env_for_subprocess(check["env"])
    totals: list[float] = []
    steps: dict[str, list[float]] = {}
    for i in range(repeat):
        with tempfile.TemporaryDirectory(prefix="nap-bench-naive-") as tmp:
            work = Path(tmp)
            total = 0.0
            for nb in notebook_paths():
                executed = work / nb.name
                chain = [
                    (
                        "papermill",
                        [
                            VENV_BIN / "papermill",
                            nb,
                            executed,
                            "-p",
                            "report_year",
                            str(YEAR),
                            "-p",
                            "data_dir",
                            data_dir,
                            "-p",
                            "briefing_date",
                            DATE,
                            "-k",
                            "python3",
                        ],
                    ),
                    ("nbconvert nap_html", [VENV_BIN / "jupyter", "nbconvert", "--to", "nap_html", executed]),
                    ("nbconvert nap_pdf", [VENV_BIN / "jupyter", "nbconvert", "--to", "nap_pdf", executed]),
                ]
                for what, cmd in chain:
                    seconds, _ = run_cmd(cmd, cwd=work, env=env)
                    steps.setdefault(f"{nb.stem}: {what}", []).append(seconds)
                    total += seconds
            produced = sorted(p.name for p in work.glob("*.pdf")) + sorted(p.name for p in work.glob("*.html"))
            if not any(p.endswith(".pdf") for p in produced):
                raise SystemExit(f"naive chain made no PDF: {produced}")
            totals.append(total)
            log(f"  naive run {i + 1}/{repeat}: {total:.1f} s")
    per_kind: dict[str, list[float]] = {}
    for name, samples in steps.items():
        kind = name.split(": ", 1)[1]
        for j, s in enumerate(samples):
            bucket = per_kind.setdefault(kind, [0.0] * len(samples))
            bucket[j] += s
    return measurement(
        totals,
        notebooks=[p.name for p in notebook_paths()],
        kernel_check=check,
        steps={k: measurement(v) for k, v in steps.items()},
        per_kind={k: measurement(v) for k, v in per_kind.items()},
        processes_per_run=3 * len(notebook_paths()),
    )


# --------------------------------------------------------------------------- ours


_STEP_LINE = re.compile(r"^\[(\d+)/(\d+)\] [^:]+: (.+) \((\d+(?:\.\d+)?) s\)$")


def step_times(stderr: str) -> dict[str, float]:
    """Per-step seconds from the plain progress lines of nap-analysis run (cumulative -> deltas)."""
    steps, last = {}, 0.0
    for line in stderr.splitlines():
        match = _STEP_LINE.match(line.strip())
        if match:
            at = float(match.group(4))
            steps[match.group(3)] = at - last
            last = at
    return steps


def bench_ours(repeat: int, before_each_run=None) -> dict:
    samples: list[float] = []
    steps: dict[str, list[float]] = {}
    for i in range(repeat):
        if before_each_run is not None:
            before_each_run()
        with tempfile.TemporaryDirectory(prefix="nap-bench-ours-") as tmp:
            seconds, proc = run_cmd(
                [VENV_BIN / "nap-analysis", "run", "--year", str(YEAR), "--out", tmp, "--date", DATE]
            )
            if not (Path(tmp) / str(YEAR) / "briefing.pdf").is_file():
                raise SystemExit("nap-analysis run made no briefing.pdf")
        samples.append(seconds)
        for name, s in step_times(proc.stderr).items():
            steps.setdefault(name, []).append(s)
        log(f"  ours run {i + 1}/{repeat}: {seconds:.1f} s")
    return measurement(
        samples,
        command=f"nap-analysis run --year {YEAR} --out <tmp> --date {DATE}",
        steps_from_progress_lines={k: measurement(v) for k, v in steps.items()},
    )


# --------------------------------------------------------------------------- incremental runs


def _explanation_edit(activities: Path) -> tuple[str, str]:
    """The first explanation of the report year in activities.csv, and the same with one word more."""
    import csv

    with activities.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["report_year"] == str(YEAR) and len(row["explanation"]) > 20:
                return row["explanation"], row["explanation"] + " (benchmark)"
    raise SystemExit(f"no explanation of {YEAR} in {activities}")


def bench_incremental(repeat: int) -> dict:
    """The same run again, and the run after one explanation changed, each after a full run."""
    unchanged, explanation, floor = [], [], []
    kept: list[int] = []
    with tempfile.TemporaryDirectory(prefix="nap-bench-incremental-") as tmp:
        data, out = Path(tmp) / "data", Path(tmp) / "out"
        shutil.copytree(DATA, data)
        activities = data / "activities.csv"
        original = activities.read_text(encoding="utf-8")
        before, after = _explanation_edit(activities)
        cmd = [VENV_BIN / "nap-analysis", "run", "--year", str(YEAR), "--data", data, "--out", out, "--date", DATE]
        run_cmd(cmd)  # the last good run the others start from (not timed)
        for i in range(repeat):
            floor.append(run_cmd(FLOOR_CMD)[0])
            seconds, proc = run_cmd(cmd)
            if "--fresh" not in proc.stderr:  # the one progress line of an unchanged run names --fresh
                raise SystemExit(f"the rerun was not recognised as unchanged:\n{proc.stderr[-2000:]}")
            unchanged.append(seconds)
            floor.append(run_cmd(FLOOR_CMD)[0])
            text = original if i % 2 else original.replace(before, after, 1)  # a change each time
            activities.write_text(text, encoding="utf-8")
            seconds, proc = run_cmd(cmd)
            explanation.append(seconds)
            kept.append(sum(1 for line in proc.stderr.splitlines() if "ongewijzigd" in line))
            log(f"  incremental {i + 1}/{repeat}: unchanged {unchanged[-1]:.2f} s, one explanation {seconds:.2f} s")
        floor.append(run_cmd(FLOOR_CMD)[0])
    base = median(floor)
    return {
        "floor": floor_measurement(floor, order="in turns: floor, unchanged, floor, explanation, ..., floor"),
        "unchanged": measurement(unchanged, command="the same nap-analysis run again into the same --out"),
        "explanation": measurement(
            explanation,
            command="nap-analysis run after one explanation of activities.csv changed",
            steps_taken_from_last_run=kept,
        ),
        "ratios": {
            key: {
                "value": round(median(samples) / base, 3),
                "target": TARGETS[key],
                "met": median(samples) / base <= TARGETS[key],
            }
            for key, samples in (("unchanged_over_floor", unchanged), ("explanation_over_floor", explanation))
        },
    }


def bench_badinput(repeat: int) -> dict:
    """validate and run on data with one misspelt status, in turns; both must exit 2."""
    validate, run = [], []
    with tempfile.TemporaryDirectory(prefix="nap-bench-bad-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(DATA, data)
        activities = data / "activities.csv"
        text = activities.read_text(encoding="utf-8")
        if ",completed," not in text:
            raise SystemExit("no ',completed,' in activities.csv to misspell")
        activities.write_text(text.replace(",completed,", ",complted,", 1), encoding="utf-8")
        nap = VENV_BIN / "nap-analysis"
        for i in range(repeat):
            validate.append(run_cmd([nap, "validate", "--data", data], expect=2)[0])
            run.append(run_cmd([nap, "run", "--data", data, "--out", Path(tmp) / "out"], expect=2)[0])
            log(f"  bad input {i + 1}/{repeat}: validate {validate[-1]:.2f} s, run {run[-1]:.2f} s")
    ratio = median(run) / median(validate)
    return {
        "data": "a copy of data/ with one status 'complted' in activities.csv",
        "validate": measurement(validate, command="nap-analysis validate --data <bad>"),
        "run": measurement(run, command="nap-analysis run --data <bad> --out <tmp>"),
        "ratio": {
            "value": round(ratio, 3),
            "target": TARGETS["bad_run_over_validate"],
            "met": ratio <= TARGETS["bad_run_over_validate"],
        },
    }


# --------------------------------------------------------------------------- scaling: synthetic data


def write_synthetic(data_dir: Path, rows: int, seed: int = 20261122) -> dict:
    """SYNTHETIC activities: ``rows`` rows over 10 report years, in the data contract's CSV format.

    Each year is a full snapshot of rows/10 activities; 1% of the ids of a year are new (a
    different id range), so the loader, flags (dropped/new) and transitions see realistic
    churn. Statuses drift year by year (some complete, some get delayed or stopped), and a
    fifth of the cells use accepted Dutch words instead of codes, as annexes from Excel do.
    Only the two required tables are written (actielijnen, activities); the optional tables
    are absent, which the loader notes and skips.
    """
    import numpy as np
    import pandas as pd

    data_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    per_year = max(1, rows // SCALING_YEARS)
    years = list(range(FIRST_SYNTHETIC_YEAR, FIRST_SYNTHETIC_YEAR + SCALING_YEARS))
    pd.DataFrame(
        {
            "actielijn": [1, 2, 3, 4, 5],
            "title_nl": [f"SYNTHETISCH actielijn {i} (benchmarkdata, geen echte NAP-tekst)" for i in range(1, 6)],
            "title_en": [f"SYNTHETIC action line {i} (benchmark data, not real NAP text)" for i in range(1, 6)],
            "owners": ["OCW; SZW"] * 4 + ["VWS; JenV"],
        }
    ).to_csv(data_dir / "actielijnen.csv", index=False, lineterminator="\n")

    codes = np.array(["completed", "in_progress", "delayed", "stopped", "not_started"])
    words = np.array(["afgerond", "in uitvoering", "vertraagd", "stopgezet", "niet gestart"])
    owners = np.array(["OCW", "SZW", "JenV", "VWS", "RC", "OCW; SZW"])
    frames = []
    ids = np.arange(per_year)
    status = rng.choice(5, size=per_year, p=[0.05, 0.70, 0.10, 0.02, 0.13])
    line = rng.integers(1, 6, size=per_year)
    owner = rng.integers(0, len(owners), size=per_year)
    next_id = per_year
    for k, year in enumerate(years):
        if k:
            churn = max(0, per_year // 100)  # 1% of activities replaced by new ones
            if churn:
                gone = rng.choice(per_year, size=churn, replace=False)
                ids = ids.copy()
                ids[gone] = np.arange(next_id, next_id + churn)
                next_id += churn
            move = rng.random(per_year)
            status = status.copy()
            status[(status == 1) & (move < 0.10)] = 0  # in progress -> completed
            status[(status == 1) & (move > 0.95)] = 2  # in progress -> delayed
            status[(status == 4) & (move < 0.30)] = 1  # not started -> in progress
            status[(status == 2) & (move < 0.05)] = 3  # delayed -> stopped
            status[(status == 0) & (move > 0.99)] = 1  # completed -> in progress (regressed)
        use_word = rng.random(per_year) < 0.2
        status_text = np.where(use_word, words[status], codes[status])
        needs_explanation = status >= 2
        id_text = np.char.add("S", np.char.zfill(ids.astype(str), 7))
        frames.append(
            pd.DataFrame(
                {
                    "activity_id": id_text,
                    "report_year": year,
                    "actielijn": line,
                    "title": np.char.add("SYNTHETISCH activiteit ", id_text),
                    "owner": owners[owner],
                    "status": status_text,
                    "status_basis": "illustrative",
                    "explanation": np.where(needs_explanation, "Synthetisch: benchmarkdata, geen echte status.", ""),
                    "source": "synthetic benchmark data",
                }
            )
        )
    activities = pd.concat(frames, ignore_index=True)
    path = data_dir / "activities.csv"
    activities.to_csv(path, index=False, lineterminator="\n")
    (data_dir / "README.md").write_text("SYNTHETIC benchmark data written by benchmarks/run.py; not NAP data.\n")
    return {
        "rows": int(len(activities)),
        "activities_per_year": per_year,
        "report_years": years,
        "activities_csv_mb": round(path.stat().st_size / 1e6, 2),
    }


_STAGES = ("load", "progress", "flags", "transitions")


def scaling_child(data_dir: Path) -> dict:
    """One size, in this (fresh) process: time and ru_maxrss after each stage."""
    import importlib

    import pandas as pd  # noqa: F401  (import cost is not part of any stage)

    # the modules, not the functions of the same name that nap_analysis.analysis exports
    flags_mod = importlib.import_module("nap_analysis.analysis.flags")
    progress_mod = importlib.import_module("nap_analysis.analysis.progress")
    stats_mod = importlib.import_module("nap_analysis.analysis.transitions")
    load_mod = importlib.import_module("nap_analysis.data.loader")

    def rss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB

    out = {"rss_after_imports_mb": rss_mb(), "seconds": {}, "peak_rss_after_mb": {}}
    t = time.perf_counter()
    programme = load_mod.load(data_dir, max_bytes=SCALING_MAX_BYTES)
    out["seconds"]["load"] = time.perf_counter() - t
    out["peak_rss_after_mb"]["load"] = rss_mb()
    acts = programme.activities
    year, previous = programme.latest_year, programme.previous_year(programme.latest_year)

    t = time.perf_counter()
    table = progress_mod.progress(acts, year)
    out["seconds"]["progress"] = time.perf_counter() - t
    out["peak_rss_after_mb"]["progress"] = rss_mb()

    t = time.perf_counter()
    flagged = flags_mod.flags(acts, year, previous)
    out["seconds"]["flags"] = time.perf_counter() - t
    out["peak_rss_after_mb"]["flags"] = rss_mb()

    t = time.perf_counter()
    long = stats_mod.status_transitions(acts, previous, year)
    wide = stats_mod.transition_matrix(acts, previous, year)
    out["seconds"]["transitions"] = time.perf_counter() - t
    out["peak_rss_after_mb"]["transitions"] = rss_mb()

    out["peak_rss_mb"] = rss_mb()
    out["check"] = {
        "rows": int(len(acts)),
        "progress_rows": int(len(table)),
        "flag_rows": int(len(flagged)),
        "transition_total": int(long["n"].sum()),
        "matrix_total": int(wide.to_numpy().sum()),
        "year": year,
        "previous": previous,
    }
    return out


def bench_scaling(repeat: int, sizes: list[int]) -> dict:
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="nap-bench-scaling-") as tmp:
        for rows in sizes:
            data_dir = Path(tmp) / f"rows-{rows}"
            log(f"  scaling: writing {rows} synthetic rows")
            info = write_synthetic(data_dir, rows)
            runs = []
            for _i in range(repeat):
                _, proc = run_cmd([PYTHON, Path(__file__).resolve(), "--scaling-child", data_dir])
                runs.append(json.loads(proc.stdout))
            stages = {s: measurement([r["seconds"][s] for r in runs]) for s in _STAGES}
            target = [sum(r["seconds"][s] for s in ("load", "progress", "flags")) for r in runs]
            total = [sum(r["seconds"][s] for s in _STAGES) for r in runs]
            results[str(rows)] = {
                **info,
                "stages": stages,
                "load_progress_flags": measurement(target),
                "total": measurement(total),
                "peak_rss_mb": measurement([r["peak_rss_mb"] for r in runs], unit="MB"),
                "rss_after_imports_mb": measurement([r["rss_after_imports_mb"] for r in runs], unit="MB"),
                "peak_rss_after_stage_mb": {
                    s: measurement([r["peak_rss_after_mb"][s] for r in runs], unit="MB") for s in _STAGES
                },
                "check": runs[0]["check"],
            }
            shown = ", ".join(f"{s} {stages[s]['median']:.3f}" for s in _STAGES)
            log(f"  scaling {rows}: {shown} s; peak {results[str(rows)]['peak_rss_mb']['median']:.0f} MB")
    growth = {}
    ordered = sorted(sizes)
    for small, big in zip(ordered, ordered[1:]):
        if small < 10**4 or big != 10 * small:
            continue
        a, b = results[str(small)], results[str(big)]
        growth[f"{big}/{small}"] = {
            "load_progress_flags": round(b["load_progress_flags"]["median"] / a["load_progress_flags"]["median"], 2),
            "total": round(b["total"]["median"] / a["total"]["median"], 2),
            **{s: round(b["stages"][s]["median"] / a["stages"][s]["median"], 2) for s in _STAGES},
        }
    out = {
        "data": "SYNTHETIC benchmark data generated by benchmarks/run.py (titles 'SYNTHETISCH ...', "
        "source 'synthetic benchmark data'); only actielijnen.csv and activities.csv (the required tables)",
        "report_years": SCALING_YEARS,
        "peak_memory_method": "resource.getrusage(RUSAGE_SELF).ru_maxrss of a fresh process per sample "
        "(includes the interpreter and pandas/scipy imports; see rss_after_imports_mb)",
        "max_bytes": SCALING_MAX_BYTES,
        "note": "load() is called with max_bytes raised to 2 GiB: the default limit (64 MB) would refuse "
        "the 10^6-row activities.csv",
        "stages": {
            "load": "nap_analysis.data.load(data_dir): read, validate, type",
            "progress": "nap_analysis.progress.progress(activities, latest year)",
            "flags": "nap_analysis.flags.flags(activities, latest year, previous year)",
            "transitions": "analysis.transitions.status_transitions + transition_matrix(previous, latest year)",
        },
        "sizes": results,
        "growth": growth,
    }
    largest = str(max(sizes))
    if largest == str(10**6):
        r = results[largest]
        out["targets"] = {
            "load_progress_flags_1e6_seconds": {
                "value": r["load_progress_flags"]["median"],
                "target": TARGETS["scaling_1e6_seconds"],
                "met": r["load_progress_flags"]["median"] < TARGETS["scaling_1e6_seconds"],
            },
            "peak_rss_1e6_mb": {
                "value": r["peak_rss_mb"]["median"],
                "target": TARGETS["scaling_1e6_peak_mb"],
                "met": r["peak_rss_mb"]["median"] < TARGETS["scaling_1e6_peak_mb"],
            },
        }
    if growth:
        out.setdefault("targets", {})["growth_no_faster_than_linear"] = {
            "value": max(g["load_progress_flags"] for g in growth.values()),
            "target": TARGETS["growth_linear"],
            "met": max(g["load_progress_flags"] for g in growth.values()) <= TARGETS["growth_linear"],
            "note": "largest time(10x rows)/time(rows) of load+progress+flags; 10 = linear",
        }
    return out


# --------------------------------------------------------------------------- batch


def four_year_data(target: Path) -> dict:
    """A copy of data/ where report years 2026 and 2027 duplicate 2024 and 2025 (SYNTHETIC years)."""
    shutil.copytree(DATA, target)
    added = {}
    for name, year_col in (("activities", "report_year"), ("motions", "report_year"), ("status_labels", "report_year")):
        path = target / f"{name}.csv"
        if not path.is_file():
            continue
        import csv

        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
            fields = list(rows[0].keys()) if rows else []
        extra = []
        for row in rows:
            if row[year_col] in ("2024", "2025"):
                copy = dict(row)
                copy[year_col] = str(int(row[year_col]) + 2)
                extra.append(copy)
        with path.open("a", newline="", encoding="utf-8") as handle:
            csv.DictWriter(handle, fieldnames=fields, lineterminator="\n").writerows(extra)
        added[name] = len(extra)
    return {
        "years": [2024, 2025, 2026, 2027],
        "rows_added": added,
        "synthetic": "report years 2026 and 2027 are copies of the 2024 and 2025 rows of activities, motions "
        "and status_labels (titles unchanged); they exist only to have 8 parameter sets",
    }


def bench_batch(repeat: int) -> dict:
    languages = ["nl", "en"]
    with tempfile.TemporaryDirectory(prefix="nap-bench-batch-") as tmp:
        data_dir = Path(tmp) / "data"
        info = four_year_data(data_dir)
        years = [str(y) for y in info["years"]]
        sets = [(y, lang) for y in years for lang in languages]
        batch, sequential, per_set = [], [], {}
        for i in range(repeat):
            out = Path(tmp) / f"batch-{i}"
            seconds, _ = run_cmd(
                [
                    VENV_BIN / "nap-analysis",
                    "run",
                    "--data",
                    data_dir,
                    "--year",
                    *years,
                    "--lang",
                    *languages,
                    "--out",
                    out,
                    "--jobs",
                    "2",
                    "--date",
                    DATE,
                ]
            )
            made = sorted(p.parent.name for p in out.glob("*/briefing.pdf"))
            if len(made) != len(sets):
                raise SystemExit(f"batch made {len(made)} briefings, expected {len(sets)}: {made}")
            shutil.rmtree(out)
            batch.append(seconds)
            log(f"  batch --jobs 2 run {i + 1}/{repeat}: {seconds:.1f} s")
            out = Path(tmp) / f"seq-{i}"
            total = 0.0
            for year, lang in sets:
                s, _ = run_cmd(
                    [
                        VENV_BIN / "nap-analysis",
                        "run",
                        "--data",
                        data_dir,
                        "--year",
                        year,
                        "--lang",
                        lang,
                        "--out",
                        out,
                        "--date",
                        DATE,
                    ]
                )
                per_set.setdefault(f"{year}-{lang}", []).append(s)
                total += s
            shutil.rmtree(out)
            sequential.append(total)
            log(f"  sequential 8 runs {i + 1}/{repeat}: {total:.1f} s")
    ratio = median(batch) / median(sequential)
    return {
        "data": info,
        "parameter_sets": [f"{y}-{lang}" for y, lang in sets],
        "jobs2": measurement(
            batch,
            command=f"nap-analysis run --data <tmp> --year {' '.join(years)} --lang nl en "
            f"--out <tmp> --jobs 2 --date {DATE}",
        ),
        "sequential": measurement(
            sequential, command="8 x nap-analysis run --data <tmp> --year Y --lang L --out <tmp>"
        ),
        "sequential_per_set": {k: measurement(v) for k, v in per_set.items()},
        "ratio": {
            "value": round(ratio, 3),
            "target": TARGETS["batch_over_sequential"],
            "met": ratio <= TARGETS["batch_over_sequential"],
        },
    }


# --------------------------------------------------------------------------- report


def ratios(results: dict) -> dict:
    out = {}
    ours = results.get("ours", {}).get("median")
    for key, other in (("ours_over_naive", "naive"), ("ours_over_floor", "floor")):
        base = results.get(other, {}).get("median")
        if ours and base:
            value = ours / base
            out[key] = {"value": round(value, 3), "target": TARGETS[key], "met": value <= TARGETS[key]}
    return out


def table(results: dict) -> str:
    lines: list[str] = []

    def row(name: str, value: str, target: str = "", verdict: str = "") -> None:
        lines.append(f"{name:<46} {value:>14}  {target:<22} {verdict}")

    def ok(met: bool) -> str:
        return "ok" if met else "MISSED"

    def ratio_row(label: str, r: dict) -> None:
        row(label, f"{r['value']:.2f}", f"<= {r['target']:g}", ok(r["met"]))

    row("measurement (median)", "value", "target", "")
    lines.append("-" * 92)
    m = results["measurements"]
    if "floor" in m:
        row("floor: python -c 'import pandas, mpl, scipy'", f"{m['floor']['median']:.2f} s")
    if "naive" in m:
        row("naive chain: papermill + nbconvert (+ PDF)", f"{m['naive']['median']:.2f} s")
        for kind, meas in m["naive"]["per_kind"].items():
            row(f"  of which {kind}", f"{meas['median']:.2f} s")
    if "ours" in m:
        row(f"ours: nap-analysis run --year {YEAR}", f"{m['ours']['median']:.2f} s")
        for step, meas in m["ours"]["steps_from_progress_lines"].items():
            row(f"  step {step[:38]}", f"{meas['median']:.2f} s")
    for key, label in (("ours_over_naive", "ratio ours / naive"), ("ours_over_floor", "ratio ours / floor")):
        if key in m.get("ratios", {}):
            ratio_row(label, m["ratios"][key])
    if "incremental" in m:
        inc = m["incremental"]
        lines.append("")
        row("incremental: floor (in turns)", f"{inc['floor']['median']:.2f} s")
        row("incremental: unchanged rerun", f"{inc['unchanged']['median']:.2f} s")
        row("incremental: after one explanation changed", f"{inc['explanation']['median']:.2f} s")
        for key, label in (
            ("unchanged_over_floor", "ratio unchanged / floor"),
            ("explanation_over_floor", "ratio one explanation / floor"),
        ):
            ratio_row(label, inc["ratios"][key])
    if "badinput" in m:
        bad = m["badinput"]
        lines.append("")
        row("bad data: nap-analysis validate", f"{bad['validate']['median']:.2f} s")
        row("bad data: nap-analysis run", f"{bad['run']['median']:.2f} s")
        ratio_row("ratio run / validate (bad data)", bad["ratio"])
    if "scaling" in m:
        sc = m["scaling"]
        lines.append("")
        lines.append(
            f"library scaling, SYNTHETIC data, {SCALING_YEARS} report years; seconds (median); peak = ru_maxrss"
        )
        head = (
            f"{'rows':>9} {'csv MB':>7} "
            + " ".join(f"{s:>11}" for s in _STAGES)
            + f" {'l+p+f':>9} {'total':>9} {'peak MB':>8}"
        )
        lines.append(head)
        for rows, r in sc["sizes"].items():
            lines.append(
                f"{int(rows):>9} {r['activities_csv_mb']:>7.1f} "
                + " ".join(f"{r['stages'][s]['median']:>11.4f}" for s in _STAGES)
                + f" {r['load_progress_flags']['median']:>9.3f} {r['total']['median']:>9.3f}"
                + f" {r['peak_rss_mb']['median']:>8.0f}"
            )
        for step, g in sc["growth"].items():
            row(
                f"growth time({step}) load+progress+flags",
                f"{g['load_progress_flags']:.2f}x",
                "<= 10 (linear)",
                ok(g["load_progress_flags"] <= TARGETS["growth_linear"]),
            )
            row(f"growth time({step}) all four stages", f"{g['total']:.2f}x")
        t = sc.get("targets", {})
        if "load_progress_flags_1e6_seconds" in t:
            x = t["load_progress_flags_1e6_seconds"]
            row("10^6 rows load+validate+progress+flags", f"{x['value']:.2f} s", f"< {x['target']:g} s", ok(x["met"]))
            x = t["peak_rss_1e6_mb"]
            row("10^6 rows peak RSS", f"{x['value']:.0f} MB", f"< {x['target']:.0f} MB", ok(x["met"]))
    if "batch" in m:
        b = m["batch"]
        lines.append("")
        row("batch: 8 sets, nap-analysis run --jobs 2", f"{b['jobs2']['median']:.2f} s")
        row("batch: 8 sequential single runs", f"{b['sequential']['median']:.2f} s")
        ratio_row("ratio jobs-2 / sequential", b["ratio"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=None, help="samples per measurement (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="smoke run: repeat 1, scaling up to 10^5, no batch")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SECTIONS,
        metavar="SECTION",
        help=f"run only these sections ({', '.join(SECTIONS)})",
    )
    parser.add_argument("--sizes", nargs="+", type=int, default=None, help="row counts for the scaling section")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "outputs" / "benchmarks.json", help="where to write the JSON"
    )
    parser.add_argument("--scaling-child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.scaling_child is not None:  # internal: one scaling sample in a fresh process
        print(json.dumps(scaling_child(args.scaling_child)))
        return 0

    repeat = args.repeat if args.repeat is not None else (1 if args.quick else 3)
    if repeat < 1:
        parser.error("--repeat must be at least 1")
    sections = list(args.only) if args.only else [s for s in SECTIONS if not (args.quick and s == "batch")]
    sizes = sorted(args.sizes) if args.sizes else list(QUICK_SIZES if args.quick else FULL_SIZES)
    if any(s < SCALING_YEARS for s in sizes):
        parser.error(f"--sizes must be at least {SCALING_YEARS} (one activity per report year)")
    if not PYTHON.exists():
        parser.error(f"{PYTHON} not found; run 'make install' first")

    results = {
        "schema": 1,
        "machine": machine_info(),
        "settings": {
            "repeat": repeat,
            "quick": args.quick,
            "sections": sections,
            "scaling_sizes": sizes,
            "report_year": YEAR,
            "briefing_date": DATE,
            "statistic": "median of samples",
        },
        "targets": TARGETS,
        "measurements": {},
    }
    # other work on the machine skews every timing; the 1/5/15-minute load averages say how much
    results["machine"]["loadavg_at_start"] = [round(x, 2) for x in os.getloadavg()]
    runners = {
        "floor": lambda: bench_floor(repeat),
        "naive": lambda: bench_naive(repeat),
        "ours": lambda: bench_ours(repeat),
        "incremental": lambda: bench_incremental(repeat),
        "badinput": lambda: bench_badinput(repeat),
        "scaling": lambda: bench_scaling(repeat, sizes),
        "batch": lambda: bench_batch(repeat),
    }
    in_turns = "floor" in sections and "ours" in sections
    for section in SECTIONS:
        if section not in sections or (in_turns and section == "floor"):
            continue
        if in_turns and section == "ours":
            log("[floor and ours, in turns]")
            results["measurements"]["floor"], results["measurements"]["ours"] = bench_floor_and_ours(repeat)
            continue
        log(f"[{section}]")
        results["measurements"][section] = runners[section]()
    results["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    found = ratios(results["measurements"])
    if found:
        results["measurements"]["ratios"] = found
    args.json.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.json.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, args.json)
    print(table(results))
    print(f"\nAll samples: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
