"""End to end: run the notebooks on the bundled data and read what a person would see."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import DATE, FIXTURES, ROOT


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_layout_of_the_output_folder(built):
    out = built.out_dir
    assert out.name == "2025"
    for name in ("briefing.html", "briefing.pdf", "manifest.json", "tables/tabellen.xlsx"):
        assert (out / name).stat().st_size > 0, name
    inputs = sorted(p.name for p in (out / "data").iterdir())
    # the run keeps the data it read, and the data dictionary its Verantwoording points to
    assert inputs == sorted([*(p.name for p in (ROOT / "data").glob("*.csv")), "README.md"])
    assert all((out / "data" / n).read_bytes() == (ROOT / "data" / n).read_bytes() for n in inputs)
    executed = sorted(p.name for p in (out / "notebooks").glob("*.ipynb"))
    assert executed == sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert not list(out.parent.glob(".tmp-*")), "temporary build folder left behind"


def test_every_figure_as_png_at_200_dpi_and_svg(built):
    from PIL import Image

    figures = built.out_dir / "figures"
    pngs = sorted(figures.glob("*.png"))
    assert {p.stem for p in pngs} == {
        "voortgang_per_actielijn",
        "moties_en_toezeggingen",
        "middelen_per_instrument",
        "planning_en_mijlpalen",  # this report's cycle: one phase
        "activiteiten_per_bewindspersoon",
        "monitorindicatoren",
        "projectie_afgerond",
        "veranderingen_sinds_vorig_jaar",
    }
    for png in pngs:
        svg = png.with_suffix(".svg")
        assert svg.stat().st_size > 1000 and png.stat().st_size > 1000
        with Image.open(png) as image:
            assert round(image.info["dpi"][0]) >= 200
        text = svg.read_text(encoding="utf-8")
        assert text.lstrip().startswith("<?xml") and "<text" in text


def read_csv(path: Path) -> pd.DataFrame:
    """A table of tables/ as Dutch Excel reads it: ';' separated, decimal comma, UTF-8 with BOM."""
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_every_table_as_csv_and_in_the_workbook(built):
    tables = built.out_dir / "tables"
    csvs = sorted(tables.glob("*.csv"))
    assert {p.stem for p in csvs} >= {
        "voortgang_per_actielijn",
        "vertraagd_en_stopgezet",
        "moties_en_toezeggingen",
        "middelen",
        "mijlpalen",
        "monitorindicatoren",
        "statusovergangen",
        "veranderingen_sinds_vorig_jaar",
        "projectie_historie",
    }
    for path in csvs:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0]
        assert len(read_csv(path)) > 0
    book = pd.read_excel(tables / "tabellen.xlsx", sheet_name=None)
    assert set(book) == {"Toelichting"} | {p.stem[:31] for p in csvs}
    progress = read_csv(tables / "voortgang_per_actielijn.csv").set_index("Actielijn")
    raw = pd.read_csv(ROOT / "data" / "activities.csv", dtype=str)
    assert int(progress.loc["Totaal", "Totaal"]) == (raw["report_year"] == "2025").sum()
    assert progress.loc["Totaal", "Afgerond 2025"] == "21%"  # 6 of 28, as the briefing shows it


def test_html_has_no_code_and_has_the_content(built):
    html = (built.out_dir / "briefing.html").read_text(encoding="utf-8")
    for code in ("Context.open", "sections.", "from nap_analysis", "import ", "briefing_date = "):
        assert code not in html, code
    assert "Kernpunten" in html
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
    assert "Kernpunten" in text
    assert "Van de 28 activiteiten" in text  # the key number: activities in the 2025 overview
    assert "Rijksbrede norm" in text and "subsidie" in text
    assert "wordt invulling gegeven aan" in text
    assert "Let op" in text and "illustratief" in text
    assert re.search(r"pagina 1 van \d+", text)
    assert "Context.open" not in text and "report_year = 2025" not in text


def test_english_2024_briefing(built_en):
    assert built_en.out_dir.name == "2024-en"
    text = re.sub(r"\s+", " ", pdf_text(built_en.out_dir / "briefing.pdf"))
    assert "Key points" in text and re.search(r"page 1 of \d+", text)
    assert "progress report 2024" in text.lower()
    assert "Kernpunten" not in text


def test_executed_notebooks_hold_the_parameters(built):
    nb = nbformat.read(built.out_dir / "notebooks" / "01_voortgang_per_actielijn.ipynb", as_version=4)
    params = nb.metadata["papermill"]["parameters"]
    assert params["report_year"] == 2025 and params["language"] == "nl" and params["briefing_date"] == DATE
    assert "start_time" not in nb.metadata["papermill"]


def test_manifest_lists_inputs_and_outputs(built):
    manifest = json.loads((built.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert "data/activities.csv" in manifest["inputs"] and "data/activities.csv" not in manifest["outputs"]
    assert "briefing.pdf" in manifest["outputs"] and "figures/voortgang_per_actielijn.svg" in manifest["outputs"]
    assert manifest["parameters"]["report_year"] == 2025
    assert manifest["packages"]["pandas"] == pd.__version__


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def open_in_chromium(html: Path, screenshot: Path) -> dict:
    """Open a briefing in Debian's headless Chromium; what a reader's browser saw and logged."""
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed; .ci/run should have installed it")
        pytest.skip("chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    seen: dict = {"errors": [], "dialogs": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda msg: seen["errors"].append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
        page.on("requestfailed", lambda req: seen["errors"].append(f"failed: {req.url}"))
        page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
        page.goto(html.as_uri(), wait_until="load")
        page.wait_for_timeout(300)  # give any injected handler (onerror, onload) its chance to fire
        seen["images"] = page.evaluate(
            "() => Array.from(document.images).map(i => [i.currentSrc.slice(0, 40), i.complete, i.naturalWidth])"
        )
        seen["h2"] = page.evaluate("() => document.querySelector('h2') && document.querySelector('h2').innerText")
        seen["pwned"] = page.evaluate("() => window.__pwned === undefined ? null : String(window.__pwned)")
        seen["scripts"] = page.evaluate("() => document.scripts.length")
        seen["text"] = page.evaluate("() => document.body.innerText")
        page.screenshot(path=str(screenshot), full_page=False)
        browser.close()
    return seen


def test_briefing_in_a_real_headless_chromium(built):
    """Every image loads, the page logs no errors; a screenshot is kept next to the briefing."""
    shot = built.out_dir.parent / "briefing-2025.png"
    seen = open_in_chromium(built.out_dir / "briefing.html", shot)
    assert len(seen["images"]) >= 7, "the briefing shows at least seven figures"
    assert all(complete and width > 0 for _, complete, width in seen["images"]), seen["images"]
    assert seen["h2"] and "Kernpunten" in seen["h2"]
    assert not seen["errors"], seen["errors"]
    assert seen["scripts"] == 0
    assert shot.stat().st_size > 10_000


XSS = {
    "title": "<script>window.__pwned='script';alert(1)</script>",
    "explanation": "<img src=x onerror=\"window.__pwned='img';alert(2)\">",
    "owner": '"><svg onload="window.__pwned=\'svg\'">',
}


@pytest.fixture(scope="module")
def built_xss(tmp_path_factory):
    """A full run on the small data set where an activity's texts are script injections."""
    from nap_analysis.pipeline.run import run

    data = tmp_path_factory.mktemp("xss") / "data"
    shutil.copytree(FIXTURES / "small", data)
    path = data / "activities.csv"
    frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    stopped = frame.index[(frame["report_year"] == "2025")][0]
    for column, payload in XSS.items():
        frame.loc[stopped, column] = payload
    frame.loc[stopped, "status"] = "vertraagd"  # so it is listed with its explanation among the flags
    frame.to_csv(path, sep=";", index=False)
    return run(year=2025, data_dir=data, out_root=tmp_path_factory.mktemp("xss_out"), language="nl", date=DATE)


def test_script_in_the_data_shows_as_text_and_never_runs(built_xss):
    out = built_xss.out_dir
    html = (out / "briefing.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned" in html and "<script>window.__pwned" not in html
    assert "<img src=x" not in html and "<svg onload" not in html
    seen = open_in_chromium(out / "briefing.html", out.parent / "xss.png")
    assert seen["pwned"] is None and not seen["dialogs"], (seen["pwned"], seen["dialogs"])
    assert seen["scripts"] == 0
    assert "<script>window.__pwned='script';alert(1)</script>" in seen["text"]  # shown, as text
    text = re.sub(r"\s+", " ", pdf_text(out / "briefing.pdf"))
    assert "<script>window.__pwned" in text  # the PDF prints the title literally too
