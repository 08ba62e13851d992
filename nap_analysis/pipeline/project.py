"""A project folder that knows its own settings: ``nap.toml`` (or ``[tool.nap-analysis]`` in a
``pyproject.toml``), written by ``nap-analysis init`` and found by every command from the current
folder upwards, as Quarto finds ``_quarto.yml``.

Paths in it are relative to the file's folder. A flag on the command line overrides the file; the
file overrides the defaults. ``nap-analysis config`` shows what is in force and where each value
came from. A value that can be read two ways is refused with the file and the key, never guessed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError

FILE_NAME = "nap.toml"
#: The table of a pyproject.toml that holds the same keys.
PYPROJECT_TABLE = "nap-analysis"
#: Each key and what it holds: a folder, report years, languages.
KEYS = {
    "data": "folder",
    "notebooks": "folder",
    "outputs": "folder",
    "years": "years",
    "languages": "languages",
}
LANGUAGES = ("nl", "en")


@dataclass
class Project:
    """The settings of one project file: each key's value and the line it stands on."""

    file: Path
    values: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.file.parent

    def where(self, key: str) -> str:
        """'nap.toml:4' for a message or `config`."""
        return f"{self.file}:{self.lines[key]}" if key in self.lines else str(self.file)


def find(start: Path | None = None) -> Project | None:
    """The project the folder ``start`` (default: the current one) lies in, or None."""
    here = Path(start or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        candidate = folder / FILE_NAME
        if candidate.is_file():
            return read(candidate)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            project = read(pyproject, table=PYPROJECT_TABLE)
            if project is not None:
                return project
    return None


def read(path: Path, table: str | None = None) -> Project | None:
    """The checked settings of ``path``; with ``table``, of ``[tool.<table>]`` (None when absent)."""
    try:
        text = path.read_text(encoding="utf-8")
        document = tomllib.loads(text)
    except UnicodeDecodeError:
        raise UsageError("error.project_toml", file=str(path), detail="UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError("error.project_toml", file=str(path), detail=str(exc)) from None
    except OSError as exc:
        raise UsageError("error.project_toml", file=str(path), detail=exc.strerror or str(exc)) from None
    if table is not None:
        document = document.get("tool", {}).get(table)
        if document is None:
            return None
        if not isinstance(document, dict):
            raise UsageError("error.project_key", file=str(path), setting=f"tool.{table}", allowed=", ".join(KEYS))
    project = Project(path.absolute())
    for key, value in document.items():
        project.lines[key] = _line_of(text, key)
        if key not in KEYS:
            raise UsageError("error.project_key", file=project.where(key), setting=key, allowed=", ".join(KEYS))
        project.values[key] = _checked(project, key, value)
    return project


def _line_of(text: str, key: str) -> int:
    found = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, flags=re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else 0


def _checked(project: Project, key: str, value):
    kind = KEYS[key]
    if kind == "folder":
        if not isinstance(value, str) or not value.strip():
            raise _bad(project, key, value)
        return (project.root / value).resolve()
    if kind == "years":
        # whole numbers of four digits: 2025, not "2025" (a string could be a typo of anything) or 2025.0
        if not isinstance(value, list) or not value or not all(_is_year(v) for v in value):
            raise _bad(project, key, value)
        return [str(v) for v in value]
    if not isinstance(value, list) or not value or not all(v in LANGUAGES for v in value):
        raise _bad(project, key, value)
    return list(dict.fromkeys(value))


def _is_year(value) -> bool:
    return type(value) is int and 2000 <= value <= 2100


def _bad(project: Project, key: str, value) -> UsageError:
    return UsageError("error.project_value", file=project.where(key), setting=key, value=repr(value))


def write_template(folder: Path, w) -> Path:
    """``init``'s nap.toml in ``folder``, its comments in the language of ``w``; an existing one
    is never overwritten."""
    target = Path(folder) / FILE_NAME
    try:
        with target.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(w["project.template"])
    except FileExistsError:
        raise UsageError("error.init_exists", folder=str(target)) from None
    return target


#: The commands whose --data, --notebooks and --out (an output root) a project file may fill.
FOLDER_FLAGS = {
    "data": ("validate", "progress", "flags", "indicators", "run", "template", "collect", "bijlage", "check"),
    "notebooks": ("run",),
    "out": ("run", "bijlage", "check"),
}


def apply(args, argv: list[str], language: str) -> str:
    """Fill what the command line left open from the project file (nap.toml) the current folder
    lies in; a flag given always wins. Returns the language of the messages."""
    project = find()
    args.project = project
    if project is None:
        return language
    values = project.values
    for attr, commands in FOLDER_FLAGS.items():
        key = "outputs" if attr == "out" else attr
        if args.command in commands and getattr(args, attr, "") is None and key in values:
            setattr(args, attr, values[key])
    if "years" in values and getattr(args, "year", "") is None:
        args.year = values["years"] if args.command == "run" else max(values["years"])
    if "languages" in values and hasattr(args, "lang") and not _given("--lang", argv):
        args.lang = values["languages"] if args.command == "run" else values["languages"][0]
        return values["languages"][0]
    return language


def _given(flag: str, argv: list[str]) -> bool:
    """Whether ``flag`` is on the command line, also as argparse's abbreviation ('--lan en')."""
    return any(len(arg) > 3 and flag.startswith(arg.split("=", 1)[0]) for arg in argv if arg.startswith("--"))


def describe(project: Project | None, w) -> list[str]:
    """What is in force here, for `nap-analysis config`: each setting, its value and where it came from."""
    from ..resources import data_dir, notebooks_dir, outputs_dir

    lines = []

    if project is None:
        lines.append(w("cli.config.none", name=FILE_NAME, folder=str(Path.cwd())))
    else:
        lines.append(w("cli.config.project", file=str(project.file)))
    defaults = {
        "data": str(data_dir()),
        "notebooks": str(notebooks_dir()),
        "outputs": str(outputs_dir()),
        "years": w["cli.config.latest"],
        "languages": "nl",
    }
    width = max(map(len, KEYS))
    for key in KEYS:
        if project is not None and key in project.values:
            value = project.values[key]
            shown = ", ".join(value) if isinstance(value, list) else str(value)
            source = project.where(key)
        else:
            shown, source = defaults[key], w["cli.config.default"]
        lines.append(f"{key.ljust(width)}  {shown}  ({source})")
    return lines
