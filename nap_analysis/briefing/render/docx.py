"""A document as Word (.docx): the same sections as the HTML and the PDF, for briefing writers.

Ministries write in Word: a writer opens the briefing or an annex, changes a sentence and keeps
the tables as tables. So headings carry Word's own heading styles (the navigation pane and a
table of contents work), tables are real Word tables with a header row that repeats on every
page, figures are the 200 dpi PNG with their alt text, the page is A4 with the PDF's margins and
"pagina X van Y" in the footer, and the language of the document (and of a Dutch title quoted
in an English text) is set, so the spelling checker and a screen reader use the right one.

Made with python-docx. Where it has no API (repeating header rows, borders and shading,
languages, fields, alt text), the OOXML element is set through the proxies' ``element`` with
``docx.oxml`` helpers, in the order the schema (ECMA-376) gives. The bytes are the same on every
build: core properties carry the document's date, the zip entries fixed times.
"""

from __future__ import annotations

import datetime as dt
import io

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ... import __version__
from ...words import words
from .. import icons
from ..format import fmt
from ..model import BulletList, Document, Figure, Paragraph, Section, Span, Table
from . import cells
from .html import column_widths, compact, figure_width_mm, leads_in, memo_rows
from .ooxml import (
    PPR_ORDER,
    RPR_ORDER,
    TBLPR_ORDER,
    TCPR_ORDER,
    border,
    el,
    first_child,
    ppr,
    put,
    rpr,
    set_fonts,
    set_lang,
    shading,
    twips,
)
from .spreadsheet import FIXED_TIME, normalise_zip

#: BCP 47 tags Word knows, per document language.
LANGUAGE_TAGS = {"nl": "nl-NL", "en": "en-GB"}
#: Verdana is on every Windows and Mac; where it is missing (Linux) fontconfig maps it to DejaVu
#: Sans, the font of the PDF (both have the same design roots and metrics close enough).
FONT = "Verdana"
#: A4 and the PDF's margins (nap.css @page).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "right": 20, "bottom": 22, "left": 20}
#: Where the title block's value starts (a label as long as 'Voortgangsrapportage' fits before it),
#: and on a line of two pairs (html.memo_rows) where the second label and its value start.
META_VALUE_MM, META_PAIR_TABS_MM = 45, (92, 125)
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
INK, MUTED, ACCENT, RULE = "1D1D1B", "555555", "154273", "B7B7B7"
WARN, WARN_BG, NOTE_BG, HEAD_BG, BADGE = "8A4B00", "FFF4E0", "F3F3F3", "E8EEF5", "7A2E00"
#: Words added and removed in the overview of changes (nap.css ins, del): contrast 4.5:1 or more on white.
INSERTED, DELETED = "1B5E20", "A50E0E"

# --------------------------------------------------------------------------- styles and page

#: The template's styles a document uses (with the character styles Word links to them); the
#: house styles ("NAP ...") are added to these.
TEMPLATE_STYLES_KEPT = frozenset(
    {"Normal", "Default Paragraph Font", "No List", "Normal Table", "Table Grid", "Caption", "List Bullet"}
    | {f"{name}{char}" for name in ("Title", "Subtitle", "Header", "Footer") for char in ("", " Char")}
    | {f"Heading {level}{char}" for level in range(1, 10) for char in ("", " Char")}
)


def _styles(word, language_tag: str) -> None:
    """The house style as Word styles: writers restyle the whole document by changing a style."""

    styles = word.styles
    # The template's styles that no paragraph here takes go (98 table styles, Quote, Body Text 2 ...):
    # Word offers its built-in ones anyway, and python-docx scans every style each time a paragraph
    # gets one (66 styles: 0.7 ms a paragraph, ~1000 paragraphs a run).
    for unused in [s for s in styles if s.name not in TEMPLATE_STYLES_KEPT]:
        unused.delete()
    defaults = styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(default_rpr, FONT)
    put(default_rpr, el("w:lang", val=language_tag, eastAsia=language_tag, bidi="ar-SA"), RPR_ORDER)

    def font(style, size: float, bold: bool | None = None, colour: str = INK, italic: bool | None = False):
        set_fonts(rpr(style.element), FONT)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = italic
        style.font.color.rgb = RGBColor.from_string(colour)

    def spacing(style, before: float = 0, after: float = 0, line: float | None = 1.2):
        pf = style.paragraph_format
        pf.space_before, pf.space_after = Pt(before), Pt(after)
        if line is not None:
            pf.line_spacing = line

    normal = styles["Normal"]
    font(normal, 10)
    spacing(normal, after=6, line=1.25)
    normal.paragraph_format.widow_control = True
    for level, size, colour, before in ((1, 13, ACCENT, 16), (2, 11, INK, 12), (3, 10, INK, 10)):
        heading = styles[f"Heading {level}"]
        font(heading, size, bold=True, colour=colour)
        spacing(heading, before=before, after=5, line=1.15)
        heading.paragraph_format.keep_with_next = True
    title = styles["Title"]
    font(title, 15, bold=True, colour=ACCENT)  # nap.css h1; the title block is kept low
    spacing(title, after=5, line=1.1)
    for old in ppr(title.element).findall(qn("w:pBdr")):  # the template's blue rule
        ppr(title.element).remove(old)
    subtitle = styles["Subtitle"]
    font(subtitle, 11.5)
    for old in rpr(subtitle.element).findall(qn("w:spacing")):  # the template's letter spacing
        rpr(subtitle.element).remove(old)
    spacing(subtitle, after=7, line=1.2)
    caption = styles["Caption"]
    font(caption, 8.5, bold=True)
    spacing(caption, before=6, after=3, line=1.15)
    caption.paragraph_format.keep_with_next = True
    font(styles["List Bullet"], 10)
    spacing(styles["List Bullet"], after=4, line=1.25)
    footer = styles["Footer"]
    font(footer, 8, colour=MUTED)
    footer.paragraph_format.tab_stops.clear_all()

    def new(name: str, kind=WD_STYLE_TYPE.PARAGRAPH, base: str = "Normal"):
        style = styles.add_style(name, kind)
        style.base_style = styles[base]
        return style

    kicker = new("NAP Kicker")
    font(kicker, 8, colour=MUTED)
    kicker.font.all_caps = True
    spacing(kicker, after=4)
    meta = new("NAP Meta")
    font(meta, 9)
    spacing(meta, after=1)
    meta.paragraph_format.tab_stops.add_tab_stop(Mm(META_VALUE_MM))
    for name, points, line_colour, fill in (("NAP Note", 8.5, MUTED, NOTE_BG), ("NAP Warning", 8.5, WARN, WARN_BG)):
        box = new(name)
        font(box, points)
        spacing(box, before=3, after=6, line=1.25)
        box.paragraph_format.left_indent = Mm(3)
        box.paragraph_format.right_indent = Mm(1)
        borders = el("w:pBdr")
        borders.append(border("w:left", line_colour, 18, space=6))  # 2.25 pt rule, as the HTML's 3 px
        put(ppr(box.element), borders, PPR_ORDER)
        put(ppr(box.element), shading(fill), PPR_ORDER)
    cell_text = new("NAP Table Text")
    font(cell_text, 8)
    spacing(cell_text, line=1.15)
    cell_head = new("NAP Table Head", base="NAP Table Text")
    font(cell_head, 8, bold=True)
    # a table the PDF sets compact (nap.css .nap-compact: 7 pt) is set at 7 pt here too: at 8 pt
    # the amounts of the funds table wrapped in Word ('€ 4.670.00' / '0')
    for name, base, bold in (
        ("NAP Table Text Compact", "NAP Table Text", False),
        ("NAP Table Head Compact", "NAP Table Head", True),
    ):
        font(new(name, base=base), 7, bold=bold)
    figure_caption = new("NAP Figure Caption", base="Caption")
    font(figure_caption, 8.5, bold=False, colour=MUTED)
    figure_caption.paragraph_format.keep_with_next = False
    spacing(figure_caption, before=2, after=8, line=1.15)
    badge = new("NAP Badge", WD_STYLE_TYPE.CHARACTER, base="Default Paragraph Font")
    badge.font.size = Pt(7)
    badge.font.bold = True
    badge.font.color.rgb = RGBColor.from_string(BADGE)
    put(rpr(badge.element), border("w:bdr", BADGE, 4), RPR_ORDER)


def _page(word, doc: Document) -> None:
    """A4, the PDF's margins, the footer with the document's name left and 'pagina X van Y' right."""

    section = word.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    w = words(doc.language)
    footer = section.footer.paragraphs[0]
    footer.style = word.styles["Footer"]
    footer.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run(doc.footer)
    footer.add_run().add_tab()
    footer.add_run(w["page.page"] + " ")
    _field(footer, "PAGE", "1")
    footer.add_run(" " + w["page.of"] + " ")
    _field(footer, "NUMPAGES", "1")


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES): Word and LibreOffice put in the number when they lay out the page."""
    for kind, text in (
        ("begin", None),
        ("instr", f" {instruction} "),
        ("separate", None),
        ("shown", shown),
        ("end", None),
    ):
        run = paragraph.add_run()
        if kind == "instr":
            instr = el("w:instrText")
            instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            instr.text = text
            run.element.append(instr)
        elif kind == "shown":
            run.text = text
        else:
            run.element.append(el("w:fldChar", fldCharType=kind))


def _properties(word, doc: Document, language_tag: str) -> None:
    """Core properties from the document (no time of saving, no python-docx marks) and the language."""
    props = word.core_properties
    props.title = doc.title
    props.subject = doc.subtitle
    props.author = "nap-analysis"
    props.last_modified_by = "nap-analysis"
    props.keywords = ", ".join(doc.keywords)
    props.comments = f"nap-analysis {__version__}"
    props.category = doc.kind
    props.language = language_tag
    props.revision = 1
    stamp = _stamp(doc)
    props.created = stamp
    props.modified = stamp
    settings = word.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), language_tag)
    decimal, separator = (",", ";") if doc.language == "nl" else (".", ",")
    for tag, value in (("w:decimalSymbol", decimal), ("w:listSeparator", separator)):
        found = settings.find(qn(tag))
        if found is not None:
            found.set(qn("w:val"), value)


def _stamp(doc: Document) -> dt.datetime:
    """The document's date at midnight UTC; without one, the fixed time of every zip entry."""
    try:
        day = dt.date.fromisoformat(doc.date)
    except (TypeError, ValueError):
        return dt.datetime(*FIXED_TIME)
    return dt.datetime(day.year, day.month, day.day)


# --------------------------------------------------------------------------- content


class _Writer:
    """Writes one document's blocks into a python-docx document."""

    def __init__(self, word, doc: Document):
        self.word, self.doc = word, doc
        self.language = doc.language
        self.tag = LANGUAGE_TAGS.get(doc.language, doc.language)
        self.f = fmt(doc.language)
        self.w = words(doc.language)

    # ---------------------------------------------------------------- inline
    def runs(self, paragraph, items: list[Span]) -> None:
        for span in items:
            run = paragraph.add_run(span.text)
            if span.strong:
                run.bold = True
            if span.mark == "ins":  # as the HTML's <ins>: underlined, in the colour of an addition
                run.font.underline = True
                run.font.color.rgb = RGBColor.from_string(INSERTED)
            elif span.mark == "del":
                run.font.strike = True
                run.font.color.rgb = RGBColor.from_string(DELETED)
            self.mark_language(run, span.lang)

    def mark_language(self, run, lang: str | None) -> None:
        if lang and lang != self.language:
            set_lang(rpr(run.element), LANGUAGE_TAGS.get(lang, lang))

    def paragraph(self, block: Paragraph, following=None, first: bool = False):
        style = {"note": "NAP Note", "warning": "NAP Warning"}.get(block.style, "Normal")
        p = self.word.add_paragraph(style=self.word.styles[style])
        self.runs(p, block.spans)
        if leads_in(block, following, first):  # a run-in heading, 'X:' or a section's lead stays with what follows
            p.paragraph_format.keep_with_next = True
        return p

    # ---------------------------------------------------------------- blocks
    def title_block(self) -> None:
        doc = self.doc
        if doc.kicker:
            self.word.add_paragraph(doc.kicker, style=self.word.styles["NAP Kicker"])
        self.word.add_paragraph(doc.title, style=self.word.styles["Title"])
        if doc.subtitle:
            self.word.add_paragraph(doc.subtitle, style=self.word.styles["Subtitle"])
        for row in memo_rows(doc.meta):  # as the HTML: two pairs to a line when the values are short
            p = self.word.add_paragraph(style=self.word.styles["NAP Meta"])
            if len(row) > 1:
                for stop in META_PAIR_TABS_MM:
                    p.paragraph_format.tab_stops.add_tab_stop(Mm(stop))
            else:  # a long value wraps under itself, not under its label
                p.paragraph_format.left_indent = Mm(META_VALUE_MM)
                p.paragraph_format.first_line_indent = Mm(-META_VALUE_MM)
            for k, (label, value) in enumerate(row):
                if k:
                    p.add_run().add_tab()
                p.add_run(label).bold = True
                p.add_run().add_tab()
                p.add_run(value)
        if doc.warning is not None:
            self.paragraph(doc.warning)

    def section(self, section: Section) -> None:
        self.word.add_heading(section.heading, level=max(1, min(section.level - 1, 9)))
        for i, (block, following) in enumerate(zip(section.blocks, [*section.blocks[1:], None])):
            if isinstance(block, Paragraph):
                self.paragraph(block, following, first=i == 0)
            elif isinstance(block, BulletList):
                for item in block.items:
                    p = self.word.add_paragraph(style=self.word.styles["List Bullet"])
                    self.runs(p, item.spans)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Figure):
                self.figure(block)
            elif isinstance(block, Section):
                self.section(block)

    def figure(self, figure: Figure) -> None:

        p = self.word.add_paragraph()
        p.paragraph_format.keep_with_next = True
        # single line spacing: Normal's 1.25 applies to the line the picture stands on, and made an
        # 87 mm chart take 109 mm in LibreOffice (it moved to the next page, leaving a third empty)
        p.paragraph_format.line_spacing = 1.0
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run()
        run.add_picture(io.BytesIO(figure.png), width=Mm(min(figure_width_mm(figure), TEXT_WIDTH_MM)))
        self.describe(run, figure.alt, figure.name)
        self.word.add_paragraph(figure.caption, style=self.word.styles["NAP Figure Caption"])
        for note in figure.notes:
            self.paragraph(note)

    def describe(self, run, alt: str, name: str) -> None:
        """Alt text of the picture just added to ``run`` (Word: 'Alternatieve tekst'), and a name
        that says what it is in the selection pane."""
        for inline in run.element.iter(qn("wp:inline")):
            for side in ("distT", "distB", "distL", "distR"):  # as Word writes it; LibreOffice's default is 3 mm
                inline.set(side, "0")
        for properties in run.element.iter(qn("wp:docPr")):
            properties.set("descr", alt)
            properties.set("name", name)

    def table(self, table: Table) -> None:
        table = table.for_document()

        self.word.add_paragraph(table.caption, style=self.word.styles["Caption"])
        grid = self.word.add_table(rows=1 + len(table.rows), cols=len(table.columns))
        grid.alignment = WD_TABLE_ALIGNMENT.LEFT
        grid.autofit = False
        widths = [Mm(TEXT_WIDTH_MM * share / 100) for share in column_widths(table)]
        # python-docx has no API for a repeating header row, cell shading or borders: they are set
        # on the table's XML, reached through the document's public ``element`` (the table just added
        # is the body's last w:tbl)
        tbl = self.word.element.body.findall(qn("w:tbl"))[-1]
        rows_xml = tbl.findall(qn("w:tr"))
        self.table_properties(tbl, table)
        size = " Compact" if compact(table) else ""
        right = [cells.numeric(c) for c in table.columns]
        for j, column in enumerate(grid.columns):
            column.width = widths[j]
        for i, row in enumerate(grid.rows):
            tr_xml = rows_xml[i]
            tr_pr = first_child(tr_xml, "w:trPr", after=("tblPrEx",))
            # a row is not cut in two over a page break; a table breaks between rows, its header
            # repeated. No keep-with-next in a table's cells: LibreOffice makes it the whole table's
            # 'keep with next paragraph', which chained every action line of Bijlage 1 (heading,
            # caption, table, next heading ...) and started each on a new page
            tr_pr.append(el("w:cantSplit"))
            if i == 0:
                tr_pr.append(el("w:tblHeader"))  # the header row repeats on every page the table spans
            for j, cell in enumerate(row.cells):
                cell.width = widths[j]
                p = cell.paragraphs[0]
                p.style = self.word.styles[("NAP Table Head" if i == 0 else "NAP Table Text") + size]
                if right[j]:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                if i == 0:
                    p.add_run(table.columns[j].label)
                    tc_pr = first_child(tr_xml.findall(qn("w:tc"))[j], "w:tcPr")
                    borders = el("w:tcBorders")
                    borders.append(border("w:bottom", INK, 12))
                    put(tc_pr, borders, TCPR_ORDER)
                    put(tc_pr, shading(HEAD_BG), TCPR_ORDER)
                else:
                    self.cell(p, table.rows[i - 1][j], table.columns[j])
        for note in table.notes:
            self.paragraph(note)

    def table_properties(self, tbl, table: Table) -> None:
        """Width, rules between rows (no vertical lines, as in the PDF), cell padding, a description."""
        tbl_pr = first_child(tbl, "w:tblPr")
        put(tbl_pr, el("w:tblW", w=twips(TEXT_WIDTH_MM), type="dxa"), TBLPR_ORDER)
        borders = el("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            if edge in ("bottom", "insideH"):
                borders.append(border(f"w:{edge}", RULE, 4))
            else:
                borders.append(el(f"w:{edge}", val="nil"))
        put(tbl_pr, borders, TBLPR_ORDER)
        margins = el("w:tblCellMar")
        for edge, mm in (("top", 0.6), ("left", 1.2), ("bottom", 0.6), ("right", 1.2)):
            margins.append(el(f"w:{edge}", w=twips(mm), type="dxa"))
        put(tbl_pr, margins, TBLPR_ORDER)
        put(tbl_pr, el("w:tblCaption", val=table.caption[:255]), TBLPR_ORDER)

    def cell(self, paragraph, value, column) -> None:

        code = cells.icon_of(value)
        if code and code in icons.STATUSES:
            run = paragraph.add_run()
            run.add_picture(io.BytesIO(icons.png(code)), width=Pt(8.5))
            self.describe(run, self.w[f"icon_alt.{code}"], f"icon-{code}")
            put(rpr(run.element), el("w:position", val=-3), RPR_ORDER)  # on the text's baseline
            paragraph.add_run(" ")
        run = paragraph.add_run(cells.display(value, column, self.f))
        self.mark_language(run, cells.lang_of(value))
        badge = cells.badge_of(value)
        if badge:
            paragraph.add_run(" ")
            paragraph.add_run(badge, style=self.word.styles["NAP Badge"])


def document_docx(doc: Document) -> bytes:
    """The document as .docx bytes: the same bytes for the same document."""
    word = docx.Document()
    tag = LANGUAGE_TAGS.get(doc.language, doc.language)
    _styles(word, tag)
    _page(word, doc)
    writer = _Writer(word, doc)
    writer.title_block()
    for section in doc.sections:
        writer.section(section)
    _properties(word, doc, tag)
    buffer = io.BytesIO()
    word.save(buffer)
    stamp = _stamp(doc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return normalise_zip(buffer.getvalue(), core_time=stamp)


def warm_up() -> None:
    """Load python-docx's template and draw the icons once, while the kernels work."""
    for code in icons.STATUSES:
        icons.png(code)
    document_docx(Document(kind="notebook", language="nl", title="NAP", subtitle="", sections=[]))
