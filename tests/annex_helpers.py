"""Shared by test_annexes.py and test_docx.py: the annexes built in-process, a generated large
data set, and readers that get rows and words back out of HTML, PDF and Word files."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections import Counter
from functools import lru_cache
from pathlib import Path

from conftest import BUNDLED

DATE = "2026-11-22"
#: Activities (line 1 gets most of them, so its table spans pages) and motions of the generated data.
GENERATED_ACTIVITIES, GENERATED_LINE_1, GENERATED_MOTIONS = 100, 46, 45
ID = re.compile(r"^(A\d\d|M\d\d|G\d{3}|N\d{3})$")


def build(data_dir: Path, year: int, language: str) -> dict:
    """Both annexes of one report year, rendered in-process: {stem: {'doc', 'ctx', 'html', 'pdf', 'docx'}}."""
    from nap_analysis.briefing import annexes
    from nap_analysis.briefing.render import docx, html, pdf
    from nap_analysis.briefing.sections import Context

    ctx = Context.open(data_dir, year, language, DATE)
    built = {}
    for stem, doc in annexes.documents(ctx):
        page = html.document_html(doc)
        built[stem] = {
            "doc": doc,
            "ctx": ctx,
            "html": page,
            "pdf": pdf.document_pdf(doc, page),
            "docx": docx.document_docx(doc),
        }
    return built


def expected_rows(ctx, stem: str) -> list[dict]:
    """The rows of the report year an annex must list: id, status code, title, origin."""
    from nap_analysis.briefing.annexes import ACTIVITIES_STEM

    table = ctx.activities if stem == ACTIVITIES_STEM else ctx.motions
    key = "activity_id" if stem == ACTIVITIES_STEM else "item_id"
    return [
        {
            "id": r[key],
            "status": str(r["status"]),
            "title": r["title"],
            "made_up": r["origin"] == "made_up",
            "explanation": r["explanation"] or "",
            "line": int(r["actielijn"]) if "actielijn" in r else None,
        }
        for r in table.to_dict("records")
    ]


# --------------------------------------------------------------------------- generated data


def generated_data(target: Path) -> Path:
    """The bundled data with 2025 replaced by 100 activities and 45 motions with long titles and
    explanations, all marked made up (origin 'made_up', status basis 'illustrative')."""
    shutil.copytree(BUNDLED, target)
    statuses = ("completed", "in_progress", "delayed", "stopped", "not_started")
    with open(target / "activities.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    kept = [r for r in rows if r["report_year"] != "2025"]
    bases = [r for r in rows if r["report_year"] == "2025"]
    new = []
    for i in range(1, GENERATED_ACTIVITIES + 1):
        base = bases[i % len(bases)]
        line = 1 if i <= GENERATED_LINE_1 else 2 + (i - GENERATED_LINE_1) % 4
        new.append(
            {
                **base,
                "activity_id": f"G{i:03d}",
                "actielijn": str(line),
                "status": statuses[i % 5],
                "title": f"{base['title']} – voorbeeld {i} met een lange titel: {base['title'].lower()}",
                "explanation": " ".join([base["explanation"] or "Geen toelichting."] * 3),
                "status_basis": "illustrative",
                "origin": "made_up",
                "note": "gegenereerd voor de test",
            }
        )
    _write(target / "activities.csv", fields, kept + new)
    with open(target / "motions.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    kept = [r for r in rows if r["report_year"] != "2025"]
    bases = [r for r in rows if r["report_year"] == "2025"]
    new = [
        {
            **(base := bases[i % len(bases)]),
            "item_id": f"N{i:03d}",
            "kind": "motie" if i % 3 else "toezegging",
            "status": (*statuses, "alternative")[i % 6],
            "title": f"{base['title']} – voorbeeld {i:03d}",
            "explanation": " ".join([base["explanation"]] * 2),
            "status_basis": "illustrative",
            "origin": "made_up",
        }
        for i in range(1, GENERATED_MOTIONS + 1)
    ]
    _write(target / "motions.csv", fields, kept + new)
    return target


def _write(path: Path, fields, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


# --------------------------------------------------------------------------- reading the files back


def html_rows(page: str) -> list[dict]:
    """Every body row of an annex's tables but the legend: its first cell, its cells' texts, icons and badges."""
    import lxml.html

    tree = lxml.html.fromstring(page)
    rows = []
    for table in tree.xpath("//table[contains(@class, 'nap-table')]")[1:]:  # the first is the legend
        headers = [th.text_content().strip() for th in table.xpath("./thead/tr/th")]
        for tr in table.xpath("./tbody/tr"):
            cells = tr.xpath("./th|./td")
            status = [c for c in cells if c.xpath(".//svg[contains(@class, 'nap-icon')]")]
            rows.append(
                {
                    "id": cells[0].text_content().strip(),
                    "headers": headers,
                    "texts": [c.text_content().strip() for c in cells],
                    "icons": len(tr.xpath(".//svg[contains(@class, 'nap-icon')]")),
                    "status": status[0].text_content().strip() if status else None,
                    "badges": [b.text_content() for b in tr.xpath(".//*[contains(@class, 'nap-badge')]")],
                }
            )
    return rows


@lru_cache(maxsize=32)
def pdf_pages(data: bytes) -> list[dict]:
    """Per page: its size, its words (pdfplumber) and the small drawn or placed objects (icons);
    read once per PDF (reading is the slow part of these tests), not to be changed by a test."""
    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            small = [
                o
                for o in (*page.curves, *page.rects, *page.images)
                if o["x1"] - o["x0"] < 14 and o["bottom"] - o["top"] < 14
            ]
            pages.append(
                {
                    "width": float(page.width),
                    "height": float(page.height),
                    "words": page.extract_words(keep_blank_chars=False),
                    "small": small,
                }
            )
    return pages


def id_counts(pages: list[dict]) -> Counter:
    return Counter(w["text"] for p in pages for w in p["words"] if ID.match(w["text"]))


def icon_before(page: dict, word: dict) -> bool:
    """A small drawn object or picture just left of ``word`` on its line: the status icon."""
    return any(
        word["x0"] - 12 <= o["x1"] <= word["x0"] + 0.5 and o["top"] < word["bottom"] and o["bottom"] > word["top"]
        for o in page["small"]
    )


def row_line(page: dict, id_word: dict) -> list[dict]:
    """The words on the first text line of a table row (the line of its id)."""
    return sorted((w for w in page["words"] if abs(w["top"] - id_word["top"]) < 2.5), key=lambda w: w["x0"])


def check_pdf_rows(pages: list[dict], expected: list[dict], labels: dict[str, str]) -> None:
    """Every expected row once, with its status word's first word on the row's first line, an icon before it."""
    counts = id_counts(pages)
    ids = [r["id"] for r in expected]
    assert {i: counts[i] for i in ids} == dict.fromkeys(ids, 1)
    assert set(counts) == set(ids), f"rows of other years or tables: {set(counts) - set(ids)}"
    by_id = {r["id"]: r for r in expected}
    for page in pages:
        for word in page["words"]:
            if word["text"] in by_id:
                first = labels[by_id[word["text"]]["status"]].split()[0]
                line = row_line(page, word)
                status = [w for w in line if w["text"] == first and icon_before(page, w)]
                assert status, f"{word['text']}: no icon before '{first}' on {[w['text'] for w in line]}"


def header_repeated(pages: list[dict], ids: set[str], header: list[str]) -> list[int]:
    """The pages with rows of a table (by ids); asserts each shows the header words above its first row."""
    spans = []
    for number, page in enumerate(pages, start=1):
        tops = [w["top"] for w in page["words"] if w["text"] in ids]
        if not tops:
            continue
        spans.append(number)
        for label in header:
            above = [w for w in page["words"] if w["text"] == label and w["top"] < min(tops)]
            assert above, f"page {number}: header word '{label}' is not above the table's first row"
    return spans


def docx_rows(data: bytes) -> tuple[object, list[dict]]:
    """The Word document and every body row of its tables but the legend, as test_annexes reads HTML."""
    import docx
    from docx.drawing import Drawing

    def drawings(cell) -> int:
        return sum(
            isinstance(item, Drawing) for p in cell.paragraphs for run in p.runs for item in run.iter_inner_content()
        )

    document = docx.Document(io.BytesIO(data))
    rows = []
    for table in document.tables[1:]:  # the first is the legend
        headers = [c.text for c in table.rows[0].cells]
        for row in table.rows[1:]:
            cells = row.cells
            with_icon = [c for c in cells if drawings(c)]
            rows.append(
                {
                    "id": cells[0].text,
                    "headers": headers,
                    "texts": [c.text for c in cells],
                    "icons": sum(drawings(c) for c in cells),
                    "status": with_icon[0].text.strip() if with_icon else None,
                }
            )
    return document, rows


def zip_difference(left: bytes, right: bytes, context: int = 160) -> str:
    """Where two .docx (or any zip) files differ: the first entry whose name, content or header
    differs, with the differing text of an XML part around its first differing character. A byte
    comparison that fails says only 'at index 1853'; this says which part and what changed in it."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(left)) as a, zipfile.ZipFile(io.BytesIO(right)) as b:
        names_a, names_b = [i.filename for i in a.infolist()], [i.filename for i in b.infolist()]
        if names_a != names_b:
            return f"entries differ: {names_a} != {names_b}"
        for info_a, info_b in zip(a.infolist(), b.infolist()):
            data_a, data_b = a.read(info_a), b.read(info_b)
            if data_a != data_b:
                at = next((i for i, (x, y) in enumerate(zip(data_a, data_b)) if x != y), min(len(data_a), len(data_b)))
                start = max(0, at - context)
                return (
                    f"{info_a.filename} differs at byte {at} ({len(data_a)} vs {len(data_b)} bytes):\n"
                    f"left:  {data_a[start : at + context]!r}\nright: {data_b[start : at + context]!r}"
                )
            fields = ("date_time", "compress_type", "external_attr", "create_system", "flag_bits", "extra")
            header_a, header_b = [getattr(info_a, f) for f in fields], [getattr(info_b, f) for f in fields]
            if header_a != header_b:
                return f"{info_a.filename}: zip header {dict(zip(fields, header_a))} != {dict(zip(fields, header_b))}"
    return "same entries, same contents, same headers" if left != right else ""


def docx_text(document) -> str:
    """All text of a Word document: paragraphs and table cells, in order."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


# --------------------------------------------------------------------------- LibreOffice


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_libreoffice(files: list[Path], out: Path, profile: Path) -> dict[Path, Path]:
    """Each .docx converted to PDF by LibreOffice in one call (own profile: other users' LibreOffice
    processes on the machine are not touched); returns {docx: pdf}."""
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    converted = {f: out / f"{f.stem}.pdf" for f in files}
    missing = [str(f) for f, pdf in converted.items() if not pdf.is_file()]
    assert not missing, f"LibreOffice made no PDF of {missing}: {result.stdout} {result.stderr}"
    return converted
