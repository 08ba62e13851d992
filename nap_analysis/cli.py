"""Command line: argument parsing, exit codes and messages over the Python API.

Exit codes: 0 success, 1 a run or export failed, 2 bad data or bad arguments, 130 interrupted.
Heavy modules are imported inside the commands, so ``nap-analysis --help`` answers at once.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import NapError, UsageError

from .paths import DATA_DIR as DEFAULT_DATA
from .paths import OUTPUT_DIR as DEFAULT_OUT


def _add_data(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="map met de data (standaard: de meegeleverde data/)")


def _add_year(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--year", type=int, default=None, help="verslagjaar (standaard: het laatste in de data)")


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "csv"), default="table", help="uitvoer: leesbare tabel (standaard) of csv")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nap-analysis",
        description="Voortgang van het Nationaal Actieprogramma Aanpak seksueel grensoverschrijdend gedrag en seksueel geweld (NAP).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("validate", help="controleer een datamap (exit 0 = goed, 2 = problemen)")
    _add_data(p)

    p = commands.add_parser("progress", help="voortgang per actielijn: aantal en aandeel per status")
    _add_data(p), _add_year(p), _add_format(p)

    p = commands.add_parser("flags", help="vertraagde en stopgezette activiteiten en wijzigingen sinds vorig jaar")
    _add_data(p), _add_year(p), _add_format(p)

    p = commands.add_parser("indicators", help="monitorindicatoren: verschil tussen metingen met betrouwbaarheidsinterval en toets")
    _add_data(p), _add_format(p)

    p = commands.add_parser("run", help="voer de notebooks uit en maak de briefing (HTML en PDF) in outputs/<jaar>/")
    _add_data(p)
    p.add_argument("--year", type=int, nargs="+", default=None, help="verslagja(a)r(en) (standaard: het laatste in de data)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="map voor de uitvoer (standaard: outputs/)")
    p.add_argument("--lang", choices=("nl", "en"), nargs="+", default=["nl"], help="taal of talen van de briefing (standaard nl)")
    p.add_argument("--jobs", type=int, default=1, help="zoveel runs tegelijk bij meerdere jaren/talen (standaard 1)")
    p.add_argument("--date", default=None, help="datum op de briefing, JJJJ-MM-DD (standaard: SOURCE_DATE_EPOCH of vandaag)")

    p = commands.add_parser("verify", help="voer een run opnieuw uit volgens manifest.json en vergelijk (exit 1 bij verschil)")
    p.add_argument("outdir", type=Path, help="uitvoermap met manifest.json, bijv. outputs/2025")
    return parser


def _programme(args):
    from .load import load

    return load(args.data)


def _year(programme, args) -> int:
    if args.year is None:
        return programme.latest_year
    if args.year not in programme.report_years:
        years = ", ".join(str(y) for y in programme.report_years)
        raise UsageError(f"verslagjaar {args.year} staat niet in de data (wel: {years})")
    return args.year


def _emit(frame, fmt: str) -> None:
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(frame.to_string(index=False))


def _basis_note(programme, year: int) -> None:
    """On stderr (stdout stays clean CSV): how many statuses are not stated by a memo or annex."""
    from .progress import basis_counts

    counts = dict(zip(*basis_counts(programme.activities, year).T.values))
    illustrative, inferred = int(counts.get("illustrative", 0)), int(counts.get("inferred", 0))
    if illustrative or inferred:
        print(f"Let op: van de {sum(map(int, counts.values()))} statussen in {year} zijn er {illustrative} illustratief "
              f"(geen uitspraak over het echte programma) en {inferred} afgeleid uit openbare feiten; "
              f"{int(counts.get('stated', 0))} vastgesteld.", file=sys.stderr)


def cmd_validate(args) -> int:
    programme = _programme(args)
    counts = ", ".join(f"{name}: {len(getattr(programme, name))} rijen" for name in programme.files)
    print(f"Data in orde ({args.data}): {counts}.")
    for note in programme.notes:
        print(f"Let op: {note}.")
    return 0


def cmd_progress(args) -> int:
    from .progress import progress

    programme = _programme(args)
    year = _year(programme, args)
    table = progress(programme.activities, year)
    _basis_note(programme, year)
    if args.format == "csv":
        _emit(table, "csv")
    else:
        shown = table.assign(share=(table["share"] * 100).round(1).astype(str) + "%")
        print(f"Voortgang per actielijn, verslagjaar {year}")
        _emit(shown, "table")
    return 0


def cmd_flags(args) -> int:
    from .flags import flags

    programme = _programme(args)
    year = _year(programme, args)
    table = flags(programme.activities, year, programme.previous_year(year))
    _basis_note(programme, year)
    if args.format == "table":
        print(f"Signalen, verslagjaar {year} (vergeleken met {programme.previous_year(year) or 'geen eerder jaar'})")
        table = table.assign(title=table["title"].str.slice(0, 60), explanation=table["explanation"].str.slice(0, 60))
    _emit(table, args.format)
    return 0


def cmd_indicators(args) -> int:
    from .stats import INDICATOR_CSV_COLUMNS, indicator_changes

    programme = _programme(args)
    if programme.indicators is None:
        raise UsageError("geen indicators-bestand in de data; niets te toetsen")
    table = indicator_changes(programme.indicators)
    _emit(table[INDICATOR_CSV_COLUMNS] if args.format == "csv" else table, args.format)
    return 0


def cmd_run(args) -> int:
    from .run import run_many

    if args.jobs < 1:
        raise UsageError("--jobs moet minstens 1 zijn")
    for result in run_many(args.year, args.lang, data_dir=args.data, out_root=args.out, jobs=args.jobs, date=args.date):
        print(f"Klaar: {result.out_dir / 'briefing.html'} en briefing.pdf ({len(result.files)} bestanden, {result.seconds:.1f} s)")
    return 0


def cmd_verify(args) -> int:
    from .run import verify

    different = verify(args.outdir)
    if different:
        print(f"Niet reproduceerbaar: {len(different)} bestand(en) anders dan in {args.outdir / 'manifest.json'}:", file=sys.stderr)
        for line in different:
            print(f"- {line}", file=sys.stderr)
        return 1
    print(f"Gelijk: een nieuwe run geeft dezelfde bestanden als {args.outdir / 'manifest.json'} vermeldt.")
    return 0


COMMANDS = {
    "validate": cmd_validate,
    "progress": cmd_progress,
    "flags": cmd_flags,
    "indicators": cmd_indicators,
    "run": cmd_run,
    "verify": cmd_verify,
}


def _interrupt(signum, frame):
    """SIGTERM (a CI timeout, kill) unwinds like Ctrl-C: temp folders removed, kernels shut down."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("run", "verify"):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)
    try:
        return COMMANDS[args.command](args)
    except NapError as exc:
        print(f"nap-analysis {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"nap-analysis {args.command}: onderbroken", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def entry() -> None:
    """The ``nap-analysis`` command: :func:`main`, then leave at once.

    A run leaves pandas, matplotlib, nbconvert and WeasyPrint loaded, and tearing the interpreter
    down frees each of their objects (0.4 s) in a process that is ending anyway. Exit handlers
    still run and the output is flushed first; ``main`` itself (tests, scripts) exits normally.
    """
    code = main()
    import atexit
    import os

    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
