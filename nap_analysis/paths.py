"""Where the repository keeps things: bundled data, notebooks, outputs."""
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
#: The bundled data (read-only input), the default for ``--data`` and ``data_dir``.
DATA_DIR = ROOT / "data"
NOTEBOOK_DIR = ROOT / "notebooks"
#: Generated outputs, one folder per report year (and language).
OUTPUT_DIR = ROOT / "outputs"
