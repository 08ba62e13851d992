"""Tables for briefing writers: CSV for Dutch Excel and one .xlsx workbook, safe to open.

Cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) are
neutralised with a leading apostrophe. Files are written byte-identically on reruns.
"""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Fixed timestamp for zip entries and workbook properties (reproducible bytes).
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


def _neutralise_objects(series: pd.Series) -> pd.Series:
    """An object column that holds more than text: only its text cells can be a formula.

    A column of nothing but numbers (and gaps) becomes a numeric column, so it is written
    with the decimal comma like every other number; numbers among text stay as they are.
    """
    present = series[series.map(lambda x: not _is_missing(x))]
    if len(present) and present.map(_is_number).all():
        if present.map(lambda x: isinstance(x, (int, np.integer))).all():
            return series.astype("Int64")
        return series.astype("float64")
    risky = series.map(lambda x: isinstance(x, str) and x.startswith(FORMULA_START)).astype(bool)
    return series.mask(risky, "'" + series[risky].astype(str))


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that start like a formula with an apostrophe; numbers stay numbers."""
    frame = frame.copy()
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(str)
        if series.dtype == object and not series.map(lambda x: isinstance(x, str) or _is_missing(x)).all():
            frame[column] = _neutralise_objects(series)
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            text = series.astype("string")
            risky = text.str.startswith(FORMULA_START).fillna(False)
            frame[column] = text.mask(risky, "'" + text)
    return frame


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def save_table(frame: pd.DataFrame, name: str, out_dir: str | Path) -> Path:
    """Write ``<out_dir>/<name>.csv``: UTF-8 with BOM, ``;`` separated, decimal comma (Dutch Excel)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.csv"
    text = neutralise(frame).to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    _atomic_write(path, text.encode("utf-8-sig"))
    return path


def read_table(path: str | Path) -> pd.DataFrame:
    """Read back a table written by save_table (for the workbook and for tests)."""
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False, na_values=[""])


def write_workbook(csv_paths: list[Path], path: str | Path) -> Path:
    """All tables in one .xlsx, a sheet per table (named after the CSV), reproducible bytes."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with pd.ExcelWriter(tmp, engine="openpyxl") as book:
        for csv_path in sorted(csv_paths):
            frame = read_table(csv_path)
            frame.to_excel(book, sheet_name=csv_path.stem[:31], index=False)
            sheet = book.sheets[csv_path.stem[:31]]
            for cells in sheet.columns:
                width = max(len(str(c.value or "")) for c in cells[:200])
                sheet.column_dimensions[cells[0].column_letter].width = min(60, max(8, width + 2))
        fixed = pd.Timestamp(*FIXED_TIME).to_pydatetime()
        book.book.properties.created = fixed
        book.book.properties.modified = fixed
    _normalise_zip(tmp)
    os.replace(tmp, path)
    return path


def _normalise_zip(path: Path) -> None:
    """Rewrite a zip with fixed entry times and order, so equal content gives equal bytes."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for filename, data in entries:
            if filename == "docProps/core.xml":  # openpyxl stamps 'modified' with the time of saving
                stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % FIXED_TIME
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            info = zipfile.ZipInfo(filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
