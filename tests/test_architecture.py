"""The shape of the package: layers that import downwards only, no cycles, public APIs of other
libraries only, and a README whose module map matches the folders."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "nap_analysis"

#: Lower layers first; a module may import its own layer and the layers before it.
LAYERS = ("words", "errors", "resources", "data", "analysis", "briefing", "intake", "pipeline", "cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _imports() -> dict[str, set[str]]:
    """Every nap_analysis module and the nap_analysis modules it imports (anywhere in the file)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.startswith("nap_analysis"):
                    graph[name].add(target)
                    for alias in node.names:  # 'from . import vocabulary' imports a module
                        candidate = f"{target}.{alias.name}"
                        if (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists():
                            graph[name].add(candidate)
            elif isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names if a.name.startswith("nap_analysis"))
        graph.setdefault(name, set())
    return graph


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else -1


def test_layers_import_downwards_only():
    wrong = []
    for module, targets in _imports().items():
        for target in targets:
            if _layer(module) >= 0 and _layer(target) > _layer(module):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_import_cycles():
    modules = _imports()
    graph = {m: {t for t in targets if t in modules and t != m} for m, targets in modules.items()}
    # a package's __init__ importing its own modules is not a cycle of meaning: leave those edges out
    graph = {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in graph.items()}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_importing_the_package_is_cheap_and_has_no_cycle():
    import subprocess
    import sys

    code = (
        "import sys, nap_analysis, nap_analysis.cli; "
        "assert not {'pandas', 'matplotlib', 'weasyprint'} & set(sys.modules), 'heavy import at start-up'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_formatting_a_number_loads_no_charts_and_the_notebooks_import_still_works():
    """briefing/__init__ resolves Context on first use: the formatter (and a table's words) come
    without matplotlib, and the notebooks' `from nap_analysis.briefing import Context, sections` works."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from nap_analysis.briefing.format import fmt\n"
        "assert fmt('nl').number(2549000, 0) == '2.549.000'\n"
        "assert 'matplotlib' not in sys.modules, 'the formatter imported matplotlib'\n"
        "from nap_analysis.briefing import Context, sections\n"
        "assert Context is sections.Context and callable(sections.progress_section)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


#: Names with a leading underscore that the standard library documents as public.
DOCUMENTED_UNDERSCORE = {"os._exit"}


def _private_access(source: str) -> list[str]:
    """Every use of another library's private name in ``source``: ``from lib import _name``, and an
    attribute ``_name`` read or written on anything but ``self``, ``cls`` or a module of this
    package (``paragraph._p`` of python-docx, ``matplotlib._api``, ``kernel._async_wait``)."""
    tree = ast.parse(source)
    own = {"self", "cls"}
    for node in ast.walk(tree):  # names bound to this package's modules may use their private helpers
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("nap_analysis")):
            own.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            own.update(a.asname or a.name for a in node.names if a.name.startswith("nap_analysis"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and not (node.module or "").startswith("nap_analysis"):
            found += [(node.lineno, f"from {node.module} import {a.name}") for a in node.names if _private(a.name)]
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            if isinstance(node.value, ast.Name) and node.value.id in own:
                continue
            if ast.unparse(node) in DOCUMENTED_UNDERSCORE:
                continue
            found.append((node.lineno, ast.unparse(node)))
    return [f"{line}: {text}" for line, text in sorted(found)]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_private_api_of_another_library():
    """Public APIs of other libraries only (issue 18): any new private access fails here, not only
    the ones earlier versions used."""
    hits = [f"{p.relative_to(ROOT)}:{hit}" for p in PACKAGE.rglob("*.py") for hit in _private_access(p.read_text())]
    assert hits == []


def test_the_private_api_check_finds_what_it_is_for():
    caught = _private_access(
        "import matplotlib\n"
        "from docx.oxml import _helper\n"
        "from . import html\n"
        "matplotlib._api.check()\n"
        "cell._tc.append(x)\n"
        "client.kernel._async_wait = None\n"
        "self._cache = html._environment()\n"
        "os._exit(1)\n"
    )
    assert caught == [
        "2: from docx.oxml import _helper",
        "4: matplotlib._api",
        "5: cell._tc",
        "6: client.kernel._async_wait",
    ]


def test_no_patching_of_another_librarys_attributes():
    """Assigning to an attribute of an imported library (monkeypatching) is not done anywhere, but
    for the hooks Python documents as there to be replaced (for the length of a run, then restored)."""
    documented_hooks = {"sys.unraisablehook"}
    libraries = {
        "matplotlib",
        "mtext",
        "weasyprint",
        "jupyter_client",
        "nbclient",
        "papermill",
        "ipykernel",
        "pandas",
        "pd",
        "np",
        "numpy",
        "docx",
        "openpyxl",
        "argparse",
        "atexit",
        "sys",
    }
    hits = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, (ast.AugAssign, ast.AnnAssign))
                else []
            )
            for target in targets:
                root = target
                while isinstance(root, (ast.Attribute, ast.Subscript)):
                    root = root.value
                if ast.unparse(target) in documented_hooks:
                    continue
                if isinstance(target, ast.Attribute) and isinstance(root, ast.Name) and root.id in libraries:
                    hits.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(target)}")
    assert hits == []


def test_readme_module_map_matches_the_folders():
    """Every subpackage and module of nap_analysis is in the README's map, and the map names nothing else."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    mapped = set(re.findall(r"`(nap_analysis/[A-Za-z_/]+(?:\.py)?)`", readme))
    real = {
        f"nap_analysis/{p.relative_to(PACKAGE).as_posix()}"
        for p in PACKAGE.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py" and p.name != "__init__.py")
    }
    real = {r + "/" if (ROOT / r).is_dir() else r for r in real}
    assert real <= mapped, sorted(real - mapped)
    named = {m for m in mapped if m.count("/") == 1 or (m.count("/") == 2 and m.endswith("/"))}
    assert {m for m in named if not (ROOT / m).exists()} == set()


@pytest.mark.parametrize("command", [["check", "."], ["format", "--check", "."]], ids=["lint", "format"])
def test_the_tree_is_ruff_clean(command):
    """The same ruff the test lock pins, with pyproject's configuration: CI fails on a lint finding."""
    import shutil
    import subprocess
    import sys

    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed; it is in requirements-test.lock")
    done = subprocess.run([ruff, *command], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]


def test_a_run_starts_its_kernels_before_it_imports_the_heavy_libraries():
    """run() lists the notebooks and starts the kernel pool with nothing heavy imported: the
    kernels boot while this process imports pandas, matplotlib and nbformat. Listing the notebooks
    once imported all three and kept the kernels waiting 5 s. And nbformat comes without
    jsonschema's rfc3987_syntax checker (4.7 s of Lark parsers at import)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from nap_analysis.pipeline import run, kernels\n"
        "from nap_analysis.resources import notebooks_dir\n"
        "run.numbered_notebooks(notebooks_dir())\n"
        "names = ('pandas', 'matplotlib', 'nbformat', 'papermill', 'weasyprint')\n"
        "heavy = sorted(m for m in names if m in sys.modules)\n"
        "import nap_analysis.pipeline.notebooks\n"
        "print(heavy, sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] None"
