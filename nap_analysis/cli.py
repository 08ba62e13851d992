"""Command line: argument parsing, exit codes and messages over the Python API.

Exit codes: 0 success, 1 a run or export failed, 2 bad data, arguments or environment,
130 interrupted. Messages are in the language of the run (``--lang``, Dutch by default).
Heavy modules are imported inside the commands, so ``nap-analysis --help`` answers at once.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from pathlib import Path

from . import __version__
from .errors import NapError, UsageError
from .words import words
from .words.argparse_messages import NapArgumentParser


def _message_language(argv: list[str]) -> str:
    """The language of the messages: the last ``--lang``'s (first) value; without one Dutch, except that
    ``--help`` follows an English locale (the help is read before anyone knows ``--lang``)."""
    for i in reversed(range(len(argv))):  # the last --lang: the command's own wins over one before it
        arg = argv[i]
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "nl"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "nl"
    if any(arg in ("-h", "--help") for arg in argv) and _locale_language() == "en":
        return "en"
    return "nl"


def _locale_language() -> str:
    """The language of the user's locale as POSIX orders it (LC_ALL, LC_MESSAGES, LANG): 'en' or ''."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip()
        if value:
            return "en" if value.lower().startswith("en") else ""
    return ""


def build_parser(language: str = "nl") -> argparse.ArgumentParser:
    w = words(language)
    parser = NapArgumentParser(prog="nap-analysis", description=w["cli.description"], language=language)
    parser.add_argument(
        "--version", action="version", version=f"nap-analysis {__version__}", help=w["cli.help.version"]
    )
    # before the command too ('nap-analysis --lang en --help'); the command's own --lang wins
    parser.add_argument("--lang", choices=("nl", "en"), dest="top_lang", default=None, help=w["cli.help.lang_one"])
    commands = parser.add_subparsers(dest="command", required=True, metavar=w["cli.metavar.command"])

    def data(p):
        p.add_argument("--data", type=Path, default=None, help=w["cli.help.data"])

    def year(p):
        p.add_argument("--year", default=None, help=w["cli.help.year"])

    def lang(p):
        p.add_argument("--lang", choices=("nl", "en"), default=language, help=w["cli.help.lang_one"])

    def output(p):
        p.add_argument("--format", choices=("table", "csv", "csv-en"), default="table", help=w["cli.help.format"])
        as_json(p)

    def as_json(p):
        p.add_argument("--json", action="store_true", help=w["cli.help.json"])

    def chatter(p):
        group = p.option_group.add_mutually_exclusive_group()  # under the translated heading
        group.add_argument("-q", "--quiet", action="store_true", help=w["cli.help.quiet"])
        group.add_argument("-v", "--verbose", action="store_true", help=w["cli.help.verbose"])

    p = commands.add_parser("validate", help=w["cli.cmd.validate"])
    data(p), lang(p), as_json(p), chatter(p)
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
    p.add_argument("--to", default=None, metavar="html,pdf,docx", help=w["cli.help.to"])
    p.add_argument("--fresh", action="store_true", help=w["cli.help.fresh"])
    chatter(p)
    p = commands.add_parser("init", help=w["cli.cmd.init"])
    p.add_argument("folder", type=Path, metavar=w["cli.metavar.folder"], help=w["cli.help.init_folder"])
    lang(p)
    p = commands.add_parser("template", help=w["cli.cmd.template"])
    data(p)
    p.add_argument("--year", required=True, help=w["cli.help.intake_year"])
    p.add_argument("--owner", default=None, help=w["cli.help.owner"])
    p.add_argument("--out", type=Path, required=True, help=w["cli.help.template_out"])
    p.add_argument("--due", default=None, help=w["cli.help.due"])
    lang(p)
    p = commands.add_parser("collect", help=w["cli.cmd.collect"])
    p.add_argument("workbooks", nargs="+", type=Path, metavar=w["cli.metavar.workbook"], help=w["cli.help.workbooks"])
    data(p)
    p.add_argument("--year", required=True, help=w["cli.help.intake_year"])
    p.add_argument("--out", type=Path, required=True, help=w["cli.help.collect_out"])
    lang(p), as_json(p), chatter(p)
    p = commands.add_parser("bijlage", help=w["cli.cmd.bijlage"])
    p.add_argument("number", type=int, choices=(1, 2), help=w["cli.help.annex"])
    data(p), year(p), lang(p)
    p.add_argument("--out", type=Path, default=None, help=w["cli.help.annex_out"])
    p.add_argument("--date", default=None, help=w["cli.help.annex_date"])
    p = commands.add_parser("diff", help=w["cli.cmd.diff"])
    p.add_argument("--old", type=Path, required=True, help=w["cli.help.diff_old"])
    p.add_argument("--new", type=Path, required=True, help=w["cli.help.diff_new"])
    year(p), lang(p)
    p.add_argument("--out", type=Path, default=None, help=w["cli.help.diff_out"])
    p.add_argument("--date", default=None, help=w["cli.help.diff_date"])
    p = commands.add_parser("check", help=w["cli.cmd.check"])
    data(p), year(p), lang(p)
    p.add_argument("--out", type=Path, default=None, help=w["cli.help.check_out"])
    as_json(p)
    p = commands.add_parser("config", help=w["cli.cmd.config"])
    lang(p)
    p = commands.add_parser("verify", help=w["cli.cmd.verify"])
    p.add_argument("outdir", type=Path, help=w["cli.help.outdir"])
    p.add_argument("--allow-other-versions", action="store_true", help=w["cli.help.allow_versions"])
    lang(p), as_json(p), chatter(p)
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
        print(
            w(
                "cli.basis_note",
                n=sum(map(int, counts.values())),
                year=year,
                illustrative=illustrative,
                inferred=inferred,
                stated=int(counts.get("stated", 0)),
            ),
            file=sys.stderr,
        )


def _print_json(command: str, ok: bool = True, **fields) -> int:
    """The command's --json object on standard output (pipeline/machine.py documents each)."""
    from .pipeline import machine

    print(machine.dumps(machine.envelope(command, ok, **fields)))
    return 0


def _emit(frame, fmt: str, args=None, year: int | None = None) -> None:
    """A table on standard output: readable, CSV in the dialect of tables/ (``csv``) or English
    (``csv-en``), or with ``--json`` its rows as objects."""
    from .briefing.render.spreadsheet import neutralise

    if args is not None and args.json:
        from .pipeline.machine import records

        columns, rows = records(frame)
        _print_json(args.command, year=year, columns=columns, rows=rows)
        return

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
    if args.json:
        tables = {name: len(getattr(programme, name)) for name in programme.files}
        notes = [note.text(args.lang) for note in programme.notes]
        return _print_json("validate", data=str(programme.data_dir), tables=tables, notes=notes)
    counts = ", ".join(
        w(
            "cli.rows_one" if len(getattr(programme, name)) == 1 else "cli.rows",
            name=name,
            n=len(getattr(programme, name)),
        )
        for name in programme.files
    )
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
    if args.format == "table" and not args.json:
        print(w("cli.progress_title", year=year))
        from .briefing.format import fmt

        table = table.assign(share=table["share"].map(fmt(args.lang).percent))
    _emit(table, args.format, args, year)
    return 0


def cmd_flags(args, w) -> int:
    from .analysis import flags

    programme = _programme(args)
    year = programme.report_year(args.year)
    table = flags(programme.activities, year, programme.previous_year(year))
    _basis_note(programme, year, w)
    if args.format == "table" and not args.json:
        print(w("cli.flags_title", year=year, previous=programme.previous_year(year) or w["word.unknown"]))
        table = table.assign(title=table["title"].str.slice(0, 60), explanation=table["explanation"].str.slice(0, 60))
    _emit(table, args.format, args, year)
    return 0


def cmd_indicators(args, w) -> int:
    from .analysis.statistics import INDICATOR_CSV_COLUMNS, indicator_changes

    programme = _programme(args)
    if programme.indicators is None:
        raise UsageError("error.no_indicators")
    table = indicator_changes(programme.indicators)
    _emit(table[INDICATOR_CSV_COLUMNS] if args.format != "table" or args.json else table, args.format, args)
    return 0


def cmd_run(args, w) -> int:
    from .data.arguments import check_date, check_year
    from .pipeline.run import run_many

    if args.jobs < 1:
        raise UsageError("error.jobs")
    if args.date is not None:
        check_date(args.date)
    for year in args.year or []:
        check_year(year)
    report = None
    if args.quiet:
        report = _silent
    elif args.verbose:
        from .pipeline.run import StepTimer

        report = StepTimer(w)
    results = run_many(
        args.year,
        args.lang,
        data_dir=args.data,
        out_root=args.out,
        jobs=args.jobs,
        date=args.date,
        notebook_dir=args.notebooks,
        formats=args.to,
        report=report,
        fresh=args.fresh,
    )
    for result in results:
        print(w("cli.done", folder=str(result.out_dir), n=len(result.files), seconds=f"{result.seconds:.1f}"))
    _check_summary(args, results, w)
    return 0


def _silent(*_) -> None:
    """The progress report of a --quiet run: nothing."""


def _check_summary(args, results, w) -> None:
    """The last step of every run: what `check` found (the run checks), one warning line per document folder."""
    if args.quiet:
        return
    for result in results:
        if result.findings:
            parts = ", ".join(f"{n} × {w[f'check.kind.{kind}'].lower()}" for kind, n in result.findings.items())
            command = f"nap-analysis check --year {result.year}" + (
                f" --lang {result.language}" if result.language != "nl" else ""
            )
            for option, value in (("--data", args.data), ("--out", args.out)):
                if value is not None:
                    command += f" {option} {_shell_word(Path(value))}"
            n = sum(result.findings.values())
            print(w("check.run_summary", n=n, parts=parts, command=command), file=sys.stderr)


def cmd_check(args, w) -> int:

    from .pipeline.check import KINDS, as_json, check
    from .pipeline.outputs import out_name
    from .resources import outputs_dir

    programme = _programme(args)
    year = programme.report_year(args.year)
    folder = (args.out or outputs_dir()) / out_name(year, args.lang)
    documents = folder.is_dir()
    found = check(programme, year, folder if documents else None, args.lang)
    if args.json:
        _print_json("check", not found, **as_json(found, year, documents))
        return 1 if found else 0
    if not documents:
        print(w("check.no_documents", year=year, folder=str(folder)), file=sys.stderr)
    if programme.report_date(year) is None:
        print(w("check.no_report_date", year=year), file=sys.stderr)
    if not found:
        print(w("check.clean", year=year))
        return 0
    print(w("check.head", year=year, n=len(found)))
    for kind in KINDS:
        mine = [f for f in found if f.kind == kind]
        if mine:
            print(f"\n{w[f'check.kind.{kind}']} ({len(mine)}):")
            for finding in mine:
                print(f"- {_safe(finding.line())}")
    return 1


def cmd_init(args, w) -> int:
    """The bundled notebooks and data, copied into a folder of the researcher's own to edit."""
    from .pipeline.project import FILE_NAME, write_template
    from .resources import copy_for_editing

    if (args.folder / FILE_NAME).exists():  # refused before anything is copied
        raise UsageError("error.init_exists", folder=str(args.folder / FILE_NAME))
    data, notebooks = copy_for_editing(args.folder)
    settings = write_template(args.folder, w)
    n = sum(1 for p in notebooks.glob("*.ipynb"))
    print(
        w(
            "cli.init_done",
            data=str(data),
            notebooks=str(notebooks),
            n=n,
            settings=str(settings),
            command=f"cd {_shell_word(args.folder)}",
        )
    )
    return 0


def _shell_word(path: Path) -> str:
    """A path as one word for the shell, cmd.exe and PowerShell alike (double quotes if needed)."""
    text = str(path)
    return f'"{text}"' if any(c.isspace() for c in text) else text


def cmd_bijlage(args, w) -> int:
    """One annex in HTML, PDF and Word into the run's output folder, without running the notebooks."""
    import time

    from .pipeline.annex import rebuild

    started = time.monotonic()
    written = rebuild(
        args.number, year=args.year, language=args.lang, data_dir=args.data, out_root=args.out, date=args.date
    )
    print(
        w(
            "cli.annex_done",
            files=", ".join(p.name for p in written),
            folder=str(written[0].parent),
            seconds=f"{time.monotonic() - started:.1f}",
        )
    )
    return 0


def cmd_diff(args, w) -> int:
    """Draft against final: the annexes with tracked changes, the overview, the table of changes."""
    import time

    from .pipeline.diff import compare

    started = time.monotonic()
    result = compare(args.old, args.new, year=args.year, language=args.lang, out_root=args.out, date=args.date)
    seconds = f"{time.monotonic() - started:.1f}"
    if result.changes.empty:
        print(w("cli.diff_none", year=result.year, folder=str(result.folder), seconds=seconds))
    else:
        n, files = len(result.changes), len(result.files)
        print(w("cli.diff_done", n=n, year=result.year, files=files, folder=str(result.folder), seconds=seconds))
    return 0


def cmd_config(args, w) -> int:
    """What is in force here (nap.toml or the defaults), and where each value came from."""
    from .pipeline.project import describe

    for line in describe(args.project, w):
        print(_safe(line))
    return 0


def cmd_verify(args, w) -> int:
    from .pipeline.run import verify

    different = verify(args.outdir, allow_other_versions=args.allow_other_versions, language=args.lang)
    if args.json:
        _print_json("verify", not different, manifest=str(args.outdir / "manifest.json"), differences=different)
        return 1 if different else 0
    if different:
        print(w("cli.verify_failed", n=len(different), manifest=str(args.outdir / "manifest.json")), file=sys.stderr)
        for line in different:
            print(f"- {line}", file=sys.stderr)
        return 1
    print(w("cli.verify_ok", manifest=str(args.outdir / "manifest.json")))
    return 0


def cmd_template(args, w) -> int:
    from .data.arguments import check_date, check_year
    from .intake.layout import split_owners
    from .intake.template import write_template

    year = check_year(args.year)
    due = check_date(args.due, "--due") if args.due is not None else None
    summary = write_template(_programme(args), year, args.out, split_owners(args.owner or ""), due)
    print(
        w(
            "cli.template_done",
            path=str(summary.path),
            year=summary.year,
            previous=summary.previous,
            activities=summary.activities,
            motions=summary.motions,
        )
    )
    return 0


def cmd_collect(args, w) -> int:
    from .data.arguments import check_year
    from .intake import collect
    from .resources import data_dir

    year = check_year(args.year)
    report = collect(args.workbooks, year, args.out, args.data or data_dir())
    if args.json:
        from .pipeline.machine import collect_report, dumps

        print(dumps(collect_report(report, args.out, args.lang)))
        return 0
    print(_safe_lines(report.text(args.lang)))
    print(w("cli.collect_done", folder=str(args.out), year=year, years=", ".join(str(y) for y in report.earlier_years)))
    return 0


COMMANDS = {
    "validate": cmd_validate,
    "progress": cmd_progress,
    "flags": cmd_flags,
    "indicators": cmd_indicators,
    "run": cmd_run,
    "init": cmd_init,
    "template": cmd_template,
    "collect": cmd_collect,
    "bijlage": cmd_bijlage,
    "diff": cmd_diff,
    "verify": cmd_verify,
    "check": cmd_check,
    "config": cmd_config,
}


def main(argv: list[str] | None = None, *, hard_exit: bool = False) -> int:
    """The command line; ``hard_exit`` (the ``nap-analysis`` command) ends an interrupted process
    at once, see below."""
    argv = list(sys.argv[1:] if argv is None else argv)
    language = _message_language(argv)
    w = words(language)
    args = build_parser(language).parse_args(argv)
    given = argv.count("--lang") + sum(a.startswith("--lang=") for a in argv)
    if args.top_lang and given == 1 and hasattr(args, "lang"):  # only before the command: it holds for it
        args.lang = [args.top_lang] if isinstance(args.lang, list) else args.top_lang
    try:
        from .pipeline.project import apply

        language = apply(args, argv, language)
    except NapError as exc:
        print(f"nap-analysis {args.command}: {_safe_lines(exc.text(language))}", file=sys.stderr)
        return exc.exit_code
    w = words(language)
    if args.command in ("run", "bijlage", "diff", "verify"):
        import signal
        import threading

        from .pipeline.interrupts import on_signal

        if threading.current_thread() is threading.main_thread():
            # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C: build folder removed, kernels shut
            # down; SIGINT also where the shell started us with it ignored (a background job).
            # Both are remembered as well as raised, so a library that swallows the
            # KeyboardInterrupt cannot make the run go on (pipeline/interrupts.py).
            signal.signal(signal.SIGTERM, on_signal)
            signal.signal(signal.SIGINT, on_signal)
    try:
        from .pipeline.run import check_matplotlib_backend

        check_matplotlib_backend()  # before anything imports matplotlib, which raises on a bad MPLBACKEND
        if getattr(args, "quiet", False) and not getattr(args, "json", False):
            with open(os.devnull, "w", encoding="utf-8") as nowhere, contextlib.redirect_stdout(nowhere):
                return COMMANDS[args.command](args, w)  # --quiet: only errors (standard error)
        return COMMANDS[args.command](args, w)
    except NapError as exc:
        if getattr(args, "json", False):  # CI reads the failure too: key, message, each problem located
            from .pipeline import machine

            print(machine.dumps(machine.error(args.command, exc, language)))
        print(f"nap-analysis {args.command}: {_safe_lines(exc.text(language))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"nap-analysis {args.command}: {w['cli.interrupted']}", file=sys.stderr)
        if hard_exit:
            # Everything the run owns is cleaned up by now (kernels shut down, build folder and
            # lock removed: finally blocks on the way here). But Ctrl-C can land inside a library
            # call and leave an object half-built: a zipfile.ZipFile interrupted in __init__
            # printed 'Exception ignored in ZipFile.__del__ ... Traceback' when this exception was
            # released (1 in 13 interrupted runs on a busy machine). The process ends here,
            # before any such finaliser runs.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file-system state no check foresaw: one line, never a traceback
        print(
            f"nap-analysis {args.command}: {w('error.os', detail=f'{exc.strerror or exc}', path=exc.filename or '')}",
            file=sys.stderr,
        )
        return 1


def _safe_lines(text: str) -> str:
    return "\n".join(_safe(line) for line in text.split("\n"))


def entry() -> None:
    """The ``nap-analysis`` command."""
    for stream in (sys.stdout, sys.stderr):
        # a Windows pipe or an old console writes cp1252: a character it lacks (from the data, or
        # 'ë' on an ASCII terminal) is written as a backslash escape instead of ending in a traceback
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    from .pipeline.run import own_process

    own_process()  # this process is the command's: a run may freeze the garbage collector (pipeline/run.py)
    code = main(hard_exit=True)
    if code:
        # A command that failed has cleaned up what it owns (kernels shut down, build folder and lock
        # removed: finally blocks), but a library object it left half-closed can print a traceback
        # from its finaliser when Python shuts down: a refused write (full disk) closed the socket of
        # the kernel client's asyncio loop, and 'Exception ignored in BaseEventLoop.__del__' followed
        # the one clear line (1 run in CI). The process ends here, before such finalisers run.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    # Everything is written, swapped in and flushed. What the command built in memory (data frames,
    # the documents' layout, the kernel client's objects) is left for the operating system to free:
    # Python's last garbage collections would walk all of it first, 0.8-1.0 s after a run (gc.freeze,
    # measured on this machine: 0.14 s from the end of the command to the end of the process).
    gc.freeze()
    sys.exit(0)


if __name__ == "__main__":
    entry()
