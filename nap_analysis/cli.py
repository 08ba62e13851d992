"""Command line: argument parsing, exit codes and messages over the Python API.

Exit codes: 0 success, 1 a run or export failed, 2 bad data, arguments or environment,
130 interrupted. Messages are in the language of the run (``--lang``, Dutch by default).
Heavy modules are imported inside the commands, so ``nap-analysis --help`` answers at once.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import NapError, UsageError
from .words import words


def _message_language(argv: list[str]) -> str:
    """The language of the messages: the first ``--lang`` value (Dutch by default)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "nl"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "nl"
    return "nl"


def build_parser(language: str = "nl") -> argparse.ArgumentParser:
    w = words(language)
    parser = argparse.ArgumentParser(prog="nap-analysis", description=w["cli.description"])
    parser.add_argument("--version", action="version", version=f"nap-analysis {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def data(p):
        p.add_argument("--data", type=Path, default=None, help=w["cli.help.data"])

    def year(p):
        p.add_argument("--year", default=None, help=w["cli.help.year"])

    def lang(p):
        p.add_argument("--lang", choices=("nl", "en"), default=language, help=w["cli.help.lang_one"])

    def output(p):
        p.add_argument("--format", choices=("table", "csv", "csv-en"), default="table", help=w["cli.help.format"])

    p = commands.add_parser("validate", help=w["cli.cmd.validate"])
    data(p), lang(p)
    p = commands.add_parser("progress", help=w["cli.cmd.progress"])
    data(p), year(p), lang(p), output(p)
    p = commands.add_parser("flags", help=w["cli.cmd.flags"])
    data(p), year(p), lang(p), output(p)
    p = commands.add_parser("indicators", help=w["cli.cmd.indicators"])
    data(p), lang(p), output(p)
    p = commands.add_parser("run", help=w["cli.cmd.run"])
    data(p)
    p.add_argument("--year", nargs="+", default=None, help=w["cli.help.years"])
    p.add_argument("--out", type=Path, default=None, help=w["cli.help.out"])
    p.add_argument("--lang", choices=("nl", "en"), nargs="+", default=["nl"], help=w["cli.help.lang"])
    p.add_argument("--jobs", type=int, default=1, help=w["cli.help.jobs"])
    p.add_argument("--date", default=None, help=w["cli.help.date"])
    p.add_argument("--notebooks", type=Path, default=None, help=w["cli.help.notebooks"])
    p = commands.add_parser("template", help=w["cli.cmd.template"])
    data(p)
    p.add_argument("--year", required=True, help=w["cli.help.intake_year"])
    p.add_argument("--owner", default=None, help=w["cli.help.owner"])
    p.add_argument("--out", type=Path, required=True, help=w["cli.help.template_out"])
    p.add_argument("--due", default=None, help=w["cli.help.due"])
    lang(p)
    p = commands.add_parser("collect", help=w["cli.cmd.collect"])
    p.add_argument("workbooks", nargs="+", type=Path, metavar="FILE.xlsx", help=w["cli.help.workbooks"])
    data(p)
    p.add_argument("--year", required=True, help=w["cli.help.intake_year"])
    p.add_argument("--out", type=Path, required=True, help=w["cli.help.collect_out"])
    lang(p)
    p = commands.add_parser("bijlage", help=w["cli.cmd.bijlage"])
    p.add_argument("number", type=int, choices=(1, 2), help=w["cli.help.annex"])
    data(p), year(p), lang(p)
    p.add_argument("--out", type=Path, default=None, help=w["cli.help.annex_out"])
    p.add_argument("--date", default=None, help=w["cli.help.annex_date"])
    p = commands.add_parser("verify", help=w["cli.cmd.verify"])
    p.add_argument("outdir", type=Path, help=w["cli.help.outdir"])
    p.add_argument("--allow-other-versions", action="store_true", help=w["cli.help.allow_versions"])
    lang(p)
    return parser


# --------------------------------------------------------------------------- commands


def _programme(args):
    from .data import load
    from .resources import data_dir

    return load(args.data or data_dir())


def _basis_note(programme, year: int, w) -> None:
    """On standard error (standard output stays clean CSV): how many statuses are not official."""
    from .analysis import basis_counts

    counts = dict(zip(*basis_counts(programme.activities, year).T.values))
    illustrative, inferred = int(counts.get("illustrative", 0)), int(counts.get("inferred", 0))
    if illustrative or inferred:
        print(w("cli.basis_note", n=sum(map(int, counts.values())), year=year, illustrative=illustrative,
                inferred=inferred, stated=int(counts.get("stated", 0))), file=sys.stderr)


def _emit(frame, fmt: str) -> None:
    """A table on standard output: readable, or CSV in the dialect of tables/ (``csv``) or English (``csv-en``)."""
    from .briefing.render.spreadsheet import neutralise

    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object or str(shown[column].dtype) in ("category", "string", "str"):
            shown[column] = shown[column].astype("string").map(lambda x: x if x is None or x != x else _safe(str(x)))
            if fmt.startswith("csv"):
                shown[column] = shown[column].map(lambda x: neutralise(x) if isinstance(x, str) else x)
    if fmt == "csv":
        shown.to_csv(sys.stdout, index=False, sep=";", decimal=",", lineterminator="\n")
    elif fmt == "csv-en":
        shown.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(shown.to_string(index=False))


def _safe(text: str) -> str:
    """Control characters (terminal escapes) made visible: text from data never drives the terminal."""
    return "".join(c if c.isprintable() or c in "\t" else f"\\x{ord(c):02x}" for c in text)


def cmd_validate(args, w) -> int:
    programme = _programme(args)
    counts = ", ".join(w("cli.rows", name=name, n=len(getattr(programme, name))) for name in programme.files)
    print(w("cli.valid", folder=str(args.data or "data/"), counts=counts))
    for note in programme.notes:
        print(w("cli.note", note=note.text(args.lang) if hasattr(note, "text") else note))
    return 0


def cmd_progress(args, w) -> int:
    from .analysis import progress

    programme = _programme(args)
    year = programme.report_year(args.year)
    table = progress(programme.activities, year)
    _basis_note(programme, year, w)
    if args.format == "table":
        print(w("cli.progress_title", year=year))
        from .briefing.format import fmt

        table = table.assign(share=table["share"].map(fmt(args.lang).percent))
    _emit(table, args.format)
    return 0


def cmd_flags(args, w) -> int:
    from .analysis import flags

    programme = _programme(args)
    year = programme.report_year(args.year)
    table = flags(programme.activities, year, programme.previous_year(year))
    _basis_note(programme, year, w)
    if args.format == "table":
        print(w("cli.flags_title", year=year, previous=programme.previous_year(year) or w["word.unknown"]))
        table = table.assign(title=table["title"].str.slice(0, 60), explanation=table["explanation"].str.slice(0, 60))
    _emit(table, args.format)
    return 0


def cmd_indicators(args, w) -> int:
    from .analysis.statistics import INDICATOR_CSV_COLUMNS, indicator_changes

    programme = _programme(args)
    if programme.indicators is None:
        raise UsageError("error.no_indicators")
    table = indicator_changes(programme.indicators)
    _emit(table[INDICATOR_CSV_COLUMNS] if args.format != "table" else table, args.format)
    return 0


def cmd_run(args, w) -> int:
    from .pipeline.run import check_date, run_many

    if args.jobs < 1:
        raise UsageError("error.jobs")
    if args.date is not None:
        check_date(args.date)
    for year in args.year or []:
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            raise UsageError("error.year_not_a_year", year=year)
    results = run_many(args.year, args.lang, data_dir=args.data, out_root=args.out, jobs=args.jobs, date=args.date,
                       notebook_dir=args.notebooks)
    for result in results:
        print(w("cli.done", folder=str(result.out_dir), n=len(result.files), seconds=f"{result.seconds:.1f}"))
    return 0


def cmd_bijlage(args, w) -> int:
    """One annex in HTML, PDF and Word into the run's output folder, without running the notebooks."""
    import time

    from .pipeline.annex import rebuild

    started = time.monotonic()
    written = rebuild(args.number, year=args.year, language=args.lang, data_dir=args.data, out_root=args.out,
                      date=args.date)
    print(w("cli.annex_done", files=", ".join(p.name for p in written), folder=str(written[0].parent),
            seconds=f"{time.monotonic() - started:.1f}"))
    return 0


def cmd_verify(args, w) -> int:
    from .pipeline.run import verify

    different = verify(args.outdir, allow_other_versions=args.allow_other_versions, language=args.lang)
    if different:
        print(w("cli.verify_failed", n=len(different), manifest=str(args.outdir / "manifest.json")), file=sys.stderr)
        for line in different:
            print(f"- {line}", file=sys.stderr)
        return 1
    print(w("cli.verify_ok", manifest=str(args.outdir / "manifest.json")))
    return 0


def _intake_year(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise UsageError("error.year_not_a_year", year=text)
    return int(text)


def cmd_template(args, w) -> int:
    from .intake.layout import split_owners
    from .intake.template import check_due, write_template

    year = _intake_year(args.year)
    due = check_due(args.due) if args.due is not None else None
    summary = write_template(_programme(args), year, args.out, split_owners(args.owner or ""), due)
    print(w("cli.template_done", path=str(summary.path), year=summary.year, previous=summary.previous,
            activities=summary.activities, motions=summary.motions))
    return 0


def cmd_collect(args, w) -> int:
    from .intake import collect
    from .resources import data_dir

    year = _intake_year(args.year)
    report = collect(args.workbooks, year, args.out, args.data or data_dir())
    print(_safe_lines(report.text(args.lang)))
    print(w("cli.collect_done", folder=str(args.out), year=year, years=", ".join(str(y) for y in report.earlier_years)))
    return 0


COMMANDS = {
    "validate": cmd_validate,
    "progress": cmd_progress,
    "flags": cmd_flags,
    "indicators": cmd_indicators,
    "run": cmd_run,
    "template": cmd_template,
    "collect": cmd_collect,
    "bijlage": cmd_bijlage,
    "verify": cmd_verify,
}


def _interrupt(signum, frame):
    """SIGTERM (a CI timeout, kill) unwinds like Ctrl-C: build folder removed, kernels shut down."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    language = _message_language(argv)
    w = words(language)
    args = build_parser(language).parse_args(argv)
    if args.command in ("run", "bijlage", "verify"):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)
            # also where the shell started us with SIGINT ignored (a background job): Ctrl-C
            # or kill -INT always ends a run cleanly
            signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return COMMANDS[args.command](args, w)
    except NapError as exc:
        print(f"nap-analysis {args.command}: {_safe_lines(exc.text(language))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"nap-analysis {args.command}: {w['cli.interrupted']}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file-system state no check foresaw: one line, never a traceback
        print(f"nap-analysis {args.command}: {w('error.os', detail=f'{exc.strerror or exc}', path=exc.filename or '')}",
              file=sys.stderr)
        return 1


def _safe_lines(text: str) -> str:
    return "\n".join(_safe(line) for line in text.split("\n"))


def entry() -> None:
    """The ``nap-analysis`` command."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
