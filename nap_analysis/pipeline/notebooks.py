"""The numbered notebooks: which there are, how one runs in a run's kernel, and what it made.

A notebook runs with papermill in a kernel of the run, in the run's build folder, with its
parameters injected. Before its own cells a setup cell gives it a clean namespace and the
build folder as working directory; that cell is taken out again afterwards, and everything
that changes from run to run (times, papermill's paths, execution counts that depend on which
kernel ran which notebook) is normalised, so the executed notebook has the same bytes whatever
the schedule.
"""

from __future__ import annotations

import sys
from pathlib import Path

# nbformat imports jsonschema, which registers a format checker for each optional library it
# finds; rfc3987_syntax (installed by jupyter-events) builds ~35 Lark parsers when imported:
# 4.7 s of CPU in every run, measured with python -X importtime (python-jsonschema/jsonschema#1392).
# Its 'iri' formats appear in no notebook schema, and jsonschema skips a checker whose import
# fails: an import-time block (only if nothing imported it before), not a patch.
# None in sys.modules is the import system's documented block; typeshed types the values as modules only
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

import nbformat

from ..briefing.model import Section, sections_in_notebook
from ..errors import RunError
from .kernels import CELL_TIMEOUT

SETUP_TAG = "nap-setup"
#: The kernel spec every notebook names; wherever ipykernel is installed it exists.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def execute(km, source: Path, target: Path, parameters: dict, workdir: Path, handed: Path | None = None) -> Path:
    """Execute ``source`` in the kernel of ``km`` with ``parameters``; the normalised result in ``target``.

    ``handed``: the run's checked data (:mod:`nap_analysis.data.handover`) for the notebook's
    ``data_dir``, so that its ``load`` does not read and check the files again.

    A failing cell is a RunError naming the notebook, the cell (as its author counts it: the
    injected parameters cell counts, the setup cell does not) and the error; the executed
    notebook is then in ``target`` too, for whoever wants to see the traceback.
    """
    import papermill as pm

    nb = nbformat.read(source, as_version=4)
    code = f"%reset -f\nimport os as _os\n_os.chdir({str(workdir)!r})\ndel _os"
    if handed is not None:
        code += (
            "\nfrom nap_analysis.data import handover as _handover"
            f"\n_handover.receive({str(handed)!r}, {str(parameters['data_dir'])!r})\ndel _handover"
        )
    setup = nbformat.v4.new_code_cell(code)
    setup.metadata["tags"] = [SETUP_TAG]
    nb.cells.insert(0, setup)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = target.with_name(f".running-{target.name}")
    try:
        pm.execute_notebook(
            nb,
            str(scratch),
            parameters=parameters,
            kernel_name=KERNELSPEC["name"],
            km=km,
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=CELL_TIMEOUT,
            log_output=False,
        )
        normalise(scratch, target)
    except pm.PapermillExecutionError as exc:
        normalise(scratch, target)
        line = next((s.strip() for s in str(exc.source).splitlines() if s.strip()), "")
        raise RunError(
            "error.notebook_failed",
            notebook=source.name,
            cell=exc.cell_index,
            line=line[:60],
            error=f"{exc.ename}: {exc.evalue}",
        ) from None
    except Exception as exc:  # noqa: BLE001 - a kernel that died, a timeout, a refused start (the run is closing)
        if scratch.exists():
            normalise(scratch, target)
        raise RunError("error.notebook_broke", notebook=source.name, error=f"{type(exc).__name__}: {exc}") from None
    finally:
        scratch.unlink(missing_ok=True)
    return target


def normalise(source: Path, target: Path) -> None:
    """Write ``source`` to ``target`` without the setup cell and without what differs per run."""
    nb = nbformat.read(source, as_version=4)
    nb.cells = [c for c in nb.cells if SETUP_TAG not in c.get("metadata", {}).get("tags", [])]
    for key in ("start_time", "end_time", "duration", "output_path", "input_path", "exception"):
        nb.metadata.get("papermill", {}).pop(key, None)
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
        cell.metadata.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell.metadata.get("papermill", {}).pop(key, None)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))


def sections_of(path: Path) -> list[Section]:
    """The sections an executed notebook displayed, in cell order."""
    return sections_in_notebook(nbformat.read(path, as_version=4))
