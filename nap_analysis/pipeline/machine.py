"""What ``--json`` prints, for CI: one JSON object per command on standard output, and its schema.

Every object has ``command``, ``ok`` and ``schema`` (this module's :data:`VERSION`); the rest
is the command's own (:data:`SCHEMAS`, JSON Schema draft 2020-12, checked in the tests and
printed by ``nap-analysis schema COMMAND``). A command that fails with bad data or bad
arguments prints an ``error`` object instead: its message key and text in the run's language,
and for data problems each problem with file, sheet (for a workbook), row, column, key and
message. Exit codes stay those of the command.
"""

from __future__ import annotations

import json
import math
import re

VERSION = 1

_STRING_OR_NULL = {"type": ["string", "null"]}
_INT_OR_NULL = {"type": ["integer", "null"]}

PROBLEM = {
    "type": "object",
    "required": ["file", "sheet", "row", "column", "key", "message"],
    "additionalProperties": False,
    "properties": {
        "file": {"type": "string"},
        "sheet": _STRING_OR_NULL,
        "row": _INT_OR_NULL,
        "column": _STRING_OR_NULL,
        "key": {"type": "string"},
        "message": {"type": "string"},
    },
}


def _object(command: str, properties: dict, required: list[str]) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"nap-analysis {command} --json",
        "type": "object",
        "required": ["command", "ok", "schema", *required],
        "additionalProperties": False,
        "properties": {
            "command": {"const": command},
            "ok": {"type": "boolean"},
            "schema": {"const": VERSION},
            **properties,
        },
    }


_ROWS = {"type": "array", "items": {"type": "object"}}

SCHEMAS = {
    "validate": _object(
        "validate",
        {
            "data": {"type": "string"},
            "tables": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}},
            "notes": {"type": "array", "items": {"type": "string"}},
        },
        ["data", "tables", "notes"],
    ),
    **{
        name: _object(name, {"year": _INT_OR_NULL, "columns": {"type": "array"}, "rows": _ROWS}, ["columns", "rows"])
        for name in ("progress", "flags", "indicators")
    },
    "check": _object(
        "check",
        {
            "year": {"type": "integer"},
            "documents_checked": {"type": "boolean"},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "findings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["kind", "item", "document", "words", "message"],
                    "properties": {k: {"type": "string"} for k in ("kind", "item", "document", "words", "message")},
                },
            },
        },
        ["year", "documents_checked", "counts", "findings"],
    ),
    "verify": _object(
        "verify",
        {"manifest": {"type": "string"}, "differences": {"type": "array", "items": {"type": "string"}}},
        ["manifest", "differences"],
    ),
    "collect": _object(
        "collect",
        {
            "year": {"type": "integer"},
            "previous": {"type": "integer"},
            "out": {"type": "string"},
            "workbooks": {"type": "array", "items": {"type": "string"}},
            "counts": {"type": "object"},
            "changed": _ROWS,
            "empty": _ROWS,
            "new": _ROWS,
            "missing": _ROWS,
            "unread": _ROWS,
            "report": {"type": "string"},
        },
        ["year", "previous", "out", "workbooks", "counts", "changed", "empty", "new", "missing", "report"],
    ),
    "error": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "nap-analysis COMMAND --json, when the command fails with a message",
        "type": "object",
        "required": ["command", "ok", "schema", "error"],
        "additionalProperties": False,
        "properties": {
            "command": {"type": "string"},
            "ok": {"const": False},
            "schema": {"const": VERSION},
            "error": {
                "type": "object",
                "required": ["key", "message", "exit_code", "problems"],
                "additionalProperties": False,
                "properties": {
                    "key": {"type": "string"},
                    "message": {"type": "string"},
                    "exit_code": {"type": "integer"},
                    "problems": {"type": "array", "items": PROBLEM},
                },
            },
        },
    },
}

#: The commands that take ``--json``.
COMMANDS = tuple(name for name in SCHEMAS if name != "error")

_WORKBOOK_PLACE = re.compile(r"^(?P<file>.+\.xls[xm]):(?P<sheet>[^:]+)$", re.IGNORECASE)


def dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False)


def envelope(command: str, ok: bool = True, **fields) -> dict:
    return {"command": command, "ok": ok, "schema": VERSION, **fields}


def error(command: str, exc, language: str) -> dict:
    """A NapError as JSON; a DataError with each of its problems located."""
    problems = [problem(p, language) for p in getattr(exc, "problems", [])]
    return envelope(
        command,
        ok=False,
        error={"key": exc.key, "message": exc.text(language), "exit_code": exc.exit_code, "problems": problems},
    )


def problem(found, language: str) -> dict:
    from ..words import words

    place = _WORKBOOK_PLACE.match(found.file)
    return {
        "file": place["file"] if place else found.file,
        "sheet": place["sheet"] if place else None,
        "row": found.row,
        "column": found.column,
        "key": found.message,
        "message": words(language).message(found.message, **dict(found.fields)),
    }


def records(frame) -> tuple[list[str], list[dict]]:
    """A table as column names and rows: numbers as numbers, missing values as null, categories as text."""
    columns = [str(c) for c in frame.columns]
    rows = []
    for values in frame.astype(object).itertuples(index=False, name=None):
        rows.append({c: _plain(v) for c, v in zip(columns, values)})
    return columns, rows


def _plain(value):
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return None if str(value) == "NaT" else value.isoformat()
    return str(value)


def collect_report(report, out, language: str) -> dict:
    """What came back in the returned workbooks, as `collect` reports it."""
    from dataclasses import asdict

    def items(found) -> list[dict]:
        return [{**asdict(item), "places": [{"sheet": p.sheet, "row": p.row} for p in item.places]} for item in found]

    return envelope(
        "collect",
        year=report.year,
        previous=report.previous,
        out=str(out),
        workbooks=list(report.workbooks),
        counts={name: asdict(counts) for name, counts in report.counts.items()},
        changed=items(report.changed),
        empty=items(report.empty),
        new=items(report.new),
        missing=items(report.missing),
        unread=[{"workbook": b, "sheet": s, "why": why} for b, s, why in report.unread],
        report=report.text(language),
    )
