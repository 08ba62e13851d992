"""The notebooks' code, executed in this process: what each cell displays, without a kernel.

Tests that need the sections of a data set (escaping, rendering, layout) take them from the real
notebooks, so a change to a notebook is tested too, at a fraction of a run's cost. A cell's last
expression is what Jupyter would display; ``display(...)`` calls are captured as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def execute(path: Path, parameters: dict) -> list:
    """Every object the notebook displays, in order, with ``parameters`` replacing the parameters cell."""
    nb = nbformat.read(path, as_version=4)
    shown: list = []
    namespace: dict = {"display": lambda *objs, **kw: shown.extend(objs)}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):
            exec(compile(cell.source, f"{path.name}:parameters", "exec"), namespace)
            namespace.update(parameters)
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, path.name, "exec"), namespace)
        if last is not None:
            value = eval(compile(ast.Expression(last.value), path.name, "eval"), namespace)
            if value is not None:
                shown.append(value)
    return shown


def sections(data_dir, year, language: str = "nl", date: str = "2026-11-22") -> list:
    """The sections all numbered notebooks display, in notebook order (what a run assembles)."""
    from nap_analysis.briefing.model import Section

    found = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        shown = execute(
            path, {"data_dir": str(data_dir), "report_year": year, "language": language, "briefing_date": date}
        )
        found += [obj for obj in shown if isinstance(obj, Section)]
    return found


def briefing(data_dir, year, language: str = "nl", date: str = "2026-11-22"):
    """The briefing Document from the notebooks' sections, as a run assembles it."""
    from nap_analysis.briefing import assemble
    from nap_analysis.briefing.sections import Context

    ctx = Context.open(data_dir, year, language, date)
    return assemble.briefing(ctx, sections(data_dir, year, language, date), date)
