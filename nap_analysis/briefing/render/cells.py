"""How a table cell reads: one place for HTML, PDF, Word and the CSV files.

A cell's display text comes from its column's kind through the one formatter, unless the cell
says its own text; its spreadsheet value is the typed value (numbers stay numbers).
"""

from __future__ import annotations

import datetime as dt

from ..format import Format, is_missing
from ..model import Cell, Column


def value_of(cell):
    return cell.value if isinstance(cell, Cell) else cell


def display(cell, column: Column, f: Format) -> str:
    """What a document shows in this cell (without the icon and badge)."""
    if isinstance(cell, Cell):
        if cell.text is not None:
            return cell.text
        cell = cell.value
    if is_missing(cell):
        return ""
    kind = column.kind
    if kind == "integer":
        return f.integer(cell)
    if kind == "number":
        return f.number(cell, column.decimals)
    if kind == "share":
        return f.percent(cell, column.decimals)
    if kind == "percent":
        return f.percent_value(cell, column.decimals)
    if kind == "pp":
        return f.number(cell, column.decimals or 1, sign=True)
    if kind == "euro":
        return f.euro(cell)
    if kind == "date" and isinstance(cell, (dt.date, dt.datetime)):
        return f.date(cell)
    if kind == "month" and isinstance(cell, (dt.date, dt.datetime)):
        return f.month(cell)
    if kind == "pvalue":
        return f.p_value(cell)
    return str(cell)


def badge_of(cell) -> str | None:
    return cell.badge if isinstance(cell, Cell) else None


def icon_of(cell) -> str | None:
    return cell.icon if isinstance(cell, Cell) else None


def lang_of(cell) -> str | None:
    return cell.lang if isinstance(cell, Cell) else None


def plain(cell, column: Column, f: Format) -> str:
    """Display text with the badge, as one string (CSV text cells, Word without styling)."""
    text = display(cell, column, f)
    badge = badge_of(cell)
    return f"{text} ({badge})" if badge else text


def numeric(column: Column) -> bool:
    return column.kind in ("integer", "number", "share", "percent", "pp", "euro", "pvalue", "year")
