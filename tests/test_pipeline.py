"""End to end: run the notebooks on the bundled data and read what a person would see."""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import ROOT

DATE = "2026-11-22"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The Dutch 2025 briefing, built once for all tests of this module."""
    from nap_analysis.run import run

    out = tmp_path_factory.mktemp("outputs")
    return run(year=2025, out_root=out, language="nl", date=DATE)


@pytest.fixture(scope="session")
def built_en(tmp_path_factory):
    from nap_analysis.run import run

    out = tmp_path_factory.mktemp("outputs_en")
    return run(year=2024, out_root=out, language="en", date=DATE)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_layout_of_the_output_folder(built):
    out = built.out_dir
    assert out.name == "2025"
    for name in ("briefing.html", "briefing.pdf", "manifest.json", "tables/tabellen.xlsx"):
        assert (out / name).stat().st_size > 0, name
    executed = sorted(p.name for p in (out / "notebooks").glob("*.ipynb"))
    assert executed == sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert not list(out.parent.glob(".tmp-*")), "temporary build folder left behind"


def test_every_figure_as_png_at_200_dpi_and_svg(built):
    from PIL import Image

    figures = built.out_dir / "figures"
    pngs = sorted(figures.glob("*.png"))
    assert {p.stem for p in pngs} >= {"voortgang_per_actielijn", "moties_en_toezeggingen", "middelen_per_ministerie",
                                      "planning_en_mijlpalen", "monitorindicatoren", "projectie_afgerond"}
    for png in pngs:
        svg = png.with_suffix(".svg")
        assert svg.stat().st_size > 1000 and png.stat().st_size > 1000
        with Image.open(png) as image:
            assert round(image.info["dpi"][0]) >= 200
        assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_every_table_as_csv_and_in_the_workbook(built):
    from nap_analysis.tables import read_table

    tables = built.out_dir / "tables"
    csvs = sorted(tables.glob("*.csv"))
    assert {p.stem for p in csvs} >= {"voortgang_per_actielijn", "signalen", "moties_en_toezeggingen", "middelen_per_jaar",
                                      "mijlpalen", "indicatoren_veranderingen", "statusovergangen"}
    for path in csvs:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0]
        assert len(read_table(path)) > 0
    book = pd.read_excel(tables / "tabellen.xlsx", sheet_name=None)
    assert set(book) == {p.stem[:31] for p in csvs}
    progress = read_table(tables / "voortgang_per_actielijn.csv")
    total = progress[progress["actielijn"] == "total"]
    raw = pd.read_csv(ROOT / "data" / "activities.csv", dtype=str)
    assert total["n"].sum() == (raw["report_year"] == "2025").sum()
    assert (total[["n_stated", "n_inferred", "n_illustrative"]].sum(axis=1) == total["n"]).all()


def test_html_has_no_code_and_has_the_content(built):
    html = (built.out_dir / "briefing.html").read_text(encoding="utf-8")
    for code in ("Report.open", "report.kernpunten()", "from nap_analysis", "import ", "briefing_date = "):
        assert code not in html, code
    assert "Kernpunten (concept)" in html
    assert "Rijksbrede norm" in html and "stopgezet" in html
    assert "wordt invulling gegeven aan" in html  # the 2025 word for completed
    assert "illustratief" in html
    assert "<script" not in html.lower().replace('<script type="text/x-mathjax-config"', "")


def test_pdf_reads_like_a_briefing(built):
    from pypdf import PdfReader

    pdf = built.out_dir / "briefing.pdf"
    reader = PdfReader(pdf)
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1.5 and abs(float(box.height) - 841.9) < 1.5  # A4
    text = re.sub(r"\s+", " ", pdf_text(pdf))
    assert "Kernpunten (concept)" in text
    assert "28 activiteiten" in text  # the key number: activities in the 2025 overview
    assert "Rijksbrede norm" in text and "subsidie" in text
    assert "wordt invulling gegeven aan" in text
    assert "Let op" in text and "illustratief" in text
    assert re.search(r"pagina 1 van \d+", text)
    assert "Report.open" not in text and "report_year = 2025" not in text


def test_english_2024_briefing(built_en):
    assert built_en.out_dir.name == "2024-en"
    text = re.sub(r"\s+", " ", pdf_text(built_en.out_dir / "briefing.pdf"))
    assert "Key points (draft)" in text and re.search(r"page 1 of \d+", text)
    assert "report year 2024" in text.lower()
    assert "Kernpunten" not in text


def test_executed_notebooks_hold_the_parameters(built):
    nb = nbformat.read(built.out_dir / "notebooks" / "01_voortgang_per_actielijn.ipynb", as_version=4)
    params = nb.metadata["papermill"]["parameters"]
    assert params["report_year"] == 2025 and params["language"] == "nl" and params["briefing_date"] == DATE
    assert "start_time" not in nb.metadata["papermill"]


def test_manifest_lists_inputs_and_outputs(built):
    manifest = json.loads((built.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert "data/activities.csv" in manifest["inputs"]
    assert "briefing.pdf" in manifest["outputs"] and "figures/voortgang_per_actielijn.svg" in manifest["outputs"]
    assert manifest["parameters"]["report_year"] == 2025
    assert manifest["packages"]["pandas"] == pd.__version__


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_briefing_in_a_real_headless_chromium(built):
    """Every image loads, the page logs no errors; a screenshot is kept next to the briefing."""
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed; .ci/run should have installed it")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("requestfailed", lambda req: errors.append(f"failed: {req.url}"))
        page.goto((built.out_dir / "briefing.html").as_uri(), wait_until="load")
        images = page.evaluate("""() => Array.from(document.images).map(i => [i.currentSrc.slice(0, 40), i.complete, i.naturalWidth])""")
        svgs = page.evaluate("() => document.querySelectorAll('svg').length")
        heading = page.evaluate("() => document.querySelector('h2') && document.querySelector('h2').innerText")
        shot = built.out_dir.parent / "briefing-2025.png"
        page.screenshot(path=str(shot), full_page=False)
        browser.close()
    assert len(images) + svgs >= 6, "the briefing shows at least six figures"
    assert all(complete and width > 0 for _, complete, width in images), images
    assert heading and "Kernpunten" in heading
    assert not errors, errors
    assert shot.stat().st_size > 10_000
