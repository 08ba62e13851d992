"""Two renderings of one Word document merged into one with tracked changes (Word's w:ins / w:del).

A writer who sent the December draft of an annex to the bewindspersonen wants to see, in Word,
what changed since: the new annex with every insertion and deletion marked, with an author and
a date, so that "accept all" gives the new annex and "reject all" the old one. python-docx has no
API for tracked changes, so the old and the new document (both made by :mod:`.docx`, so their
bodies have the same shape) are merged on their XML, reached through ``Document.element`` and
built with ``docx.oxml``'s ``OxmlElement`` and ``qn`` (ECMA-376 part 1, 17.13.5):

- paragraphs are paired by their style and text (a changed paragraph pairs with the one it
  replaces); inside a pair the text is compared word by word, and each changed word goes into a
  run inside ``w:del`` (its text as ``w:delText``) or ``w:ins``;
- tables are paired by their caption, rows by the text of their first cell (the activity's id);
  a row only in the new table is an inserted row (``w:ins`` in its ``w:trPr``, its runs and
  paragraph marks inserted), a row only in the old one a deleted row, as Word records them;
- a paragraph or table only in one of the two is inserted or deleted whole.

Pictures (the status icons) of deleted text are added to the new document's package through
python-docx's public ``get_or_add_image``. Every ``w:id`` is numbered in document order and the
date is a parameter, so the same two documents give the same bytes.
"""

from __future__ import annotations

import copy
import difflib
import io
import re

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from .spreadsheet import normalise_zip

#: Words and the spaces between them: a changed word is marked without the text around it.
_TOKENS = re.compile(r"\S+|\s+")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: The children of w:settings that come before w:trackRevisions (ECMA-376 part 1, 17.15.1.78).
_SETTINGS_BEFORE = (
    "writeProtection",
    "view",
    "zoom",
    "removePersonalInformation",
    "removeDateAndTime",
    "doNotDisplayPageBoundaries",
    "displayBackgroundShape",
    "printPostScriptOverText",
    "printFractionalCharacterWidth",
    "printFormsData",
    "embedTrueTypeFonts",
    "embedSystemFonts",
    "saveSubsetFonts",
    "saveFormsData",
    "mirrorMargins",
    "alignBordersAndEdges",
    "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter",
    "gutterAtTop",
    "hideSpellingErrors",
    "hideGrammaticalErrors",
    "activeWritingStyle",
    "proofState",
    "formsDesign",
    "attachedTemplate",
    "linkStyles",
    "stylePaneFormatFilter",
    "stylePaneSortMethod",
    "documentType",
    "mailMerge",
    "revisionView",
    ").split(",
)


def _local(element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _text(element) -> str:
    """The visible text of a paragraph, row or table (w:t only)."""
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def _style(paragraph) -> str:
    found = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return "" if found is None else found.get(qn("w:val"), "")


def _caption(table) -> str:
    found = table.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}")
    return "" if found is None else found.get(qn("w:val"), "")


def _block_key(block) -> tuple:
    if _local(block) == "tbl":
        return ("tbl", _caption(block))
    return ("p", _style(block), _text(block))


def _shape(block) -> tuple:
    """What two blocks must share to be paired as one changed block."""
    return ("tbl", _caption(block)) if _local(block) == "tbl" else ("p", _style(block))


class _Tracker:
    """Makes the w:ins and w:del elements of one merged document: one author, one date."""

    def __init__(self, author: str, date: str):
        self.author, self.date = author, date

    def mark(self, kind: str):
        element = OxmlElement(f"w:{kind}")
        element.set(qn("w:id"), "0")  # numbered in document order at the end
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        return element

    # ---------------------------------------------------------------- runs and paragraphs
    def wrapped(self, kind: str, runs: list):
        """The runs inside one w:ins or w:del; deleted text becomes w:delText."""
        wrapper = self.mark(kind)
        for run in runs:
            if kind == "del":
                for t in run.findall(qn("w:t")):
                    t.tag = qn("w:delText")
                for instr in run.findall(qn("w:instrText")):
                    instr.tag = qn("w:delInstrText")
            wrapper.append(run)
        return wrapper

    def mark_paragraph(self, paragraph, kind: str) -> None:
        """The whole paragraph inserted or deleted: its runs, and its paragraph mark (w:pPr/w:rPr)."""
        runs = [child for child in paragraph if _local(child) == "r"]
        if runs:
            at = list(paragraph).index(runs[0])
            for run in runs:
                paragraph.remove(run)
            paragraph.insert(at, self.wrapped(kind, runs))
        self.mark_paragraph_mark(paragraph, kind)

    def mark_paragraph_mark(self, paragraph, kind: str) -> None:
        ppr = paragraph.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            paragraph.insert(0, ppr)
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            after = [c for c in ppr if _local(c) in ("sectPr", "pPrChange")]
            if after:
                after[0].addprevious(rpr)
            else:
                ppr.append(rpr)
        rpr.insert(0, self.mark(kind))  # w:ins and w:del come first in a paragraph mark's w:rPr

    def merge_paragraph(self, old, new) -> None:
        """``new`` becomes the new paragraph with the words of ``old`` it lost as deletions and the
        words it gained as insertions; equal words keep the new paragraph's formatting."""
        old_tokens, new_tokens = _tokens(old), _tokens(new)
        if [t[0] for t in old_tokens] == [t[0] for t in new_tokens]:
            return
        kept = [child for child in new if _local(child) == "pPr"]
        for child in list(new):
            new.remove(child)
        for child in kept:
            new.append(child)
        matcher = difflib.SequenceMatcher(
            _space, [t[0] for t in old_tokens], [t[0] for t in new_tokens], autojunk=False
        )
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                new.extend(_runs(new_tokens[j1:j2]))
                continue
            if i2 > i1:
                new.append(self.wrapped("del", _runs(old_tokens[i1:i2])))
            if j2 > j1:
                new.append(self.wrapped("ins", _runs(new_tokens[j1:j2])))

    # ---------------------------------------------------------------- tables
    def mark_row(self, row, kind: str) -> None:
        """A whole row inserted or deleted, as Word records it: in w:trPr, and every run and mark."""
        trpr = row.find(qn("w:trPr"))
        if trpr is None:
            trpr = OxmlElement("w:trPr")
            before = [c for c in row if _local(c) == "tblPrEx"]
            row.insert(len(before), trpr)
        change = trpr.find(qn("w:trPrChange"))
        if change is not None:
            change.addprevious(self.mark(kind))
        else:
            trpr.append(self.mark(kind))
        for paragraph in row.iter(qn("w:p")):
            self.mark_paragraph(paragraph, kind)

    def merge_table(self, old, new) -> None:
        """The rows of ``new``, with those only ``old`` has put back as deleted rows where they stood."""
        old_rows, new_rows = old.findall(qn("w:tr")), new.findall(qn("w:tr"))
        matcher = difflib.SequenceMatcher(
            None, [_row_key(r) for r in old_rows], [_row_key(r) for r in new_rows], autojunk=False
        )
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                for old_row, new_row in zip(old_rows[i1:i2], new_rows[j1:j2]):
                    if len(old_row.findall(qn("w:tc"))) == len(new_row.findall(qn("w:tc"))):
                        self.merge_row(old_row, new_row)
                    else:  # another shape: the old row out, the new one in
                        self.replace_rows([old_row], [new_row], new_row, new)
                continue
            self.replace_rows(old_rows[i1:i2], new_rows[j1:j2], new_rows[j1] if j1 < len(new_rows) else None, new)

    def replace_rows(self, old_rows: list, new_rows: list, anchor, table) -> None:
        """``old_rows`` put back as deleted rows before ``anchor`` (or at the end), ``new_rows`` inserted."""
        for old_row in old_rows:
            row = copy.deepcopy(old_row)
            self.mark_row(row, "del")
            if anchor is not None:
                anchor.addprevious(row)
            else:
                table.append(row)
        for new_row in new_rows:
            self.mark_row(new_row, "ins")

    def merge_row(self, old, new) -> None:
        old_cells, new_cells = old.findall(qn("w:tc")), new.findall(qn("w:tc"))
        for old_cell, new_cell in zip(old_cells, new_cells):
            old_ps, new_ps = old_cell.findall(qn("w:p")), new_cell.findall(qn("w:p"))
            self.merge_blocks(old_ps, new_ps, new_cell)

    # ---------------------------------------------------------------- a sequence of blocks
    def merge_blocks(self, old_blocks: list, new_blocks: list, parent) -> None:
        """Merge ``old_blocks`` into ``new_blocks`` (children of ``parent``): paired, inserted, deleted."""
        matcher = difflib.SequenceMatcher(
            None, [_block_key(b) for b in old_blocks], [_block_key(b) for b in new_blocks], autojunk=False
        )
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                for old, new in zip(old_blocks[i1:i2], new_blocks[j1:j2]):
                    if _local(new) == "tbl":
                        self.merge_table(old, new)
                continue
            # a changed stretch: pair blocks of the same shape (a paragraph whose words changed)
            olds, news = old_blocks[i1:i2], new_blocks[j1:j2]
            inner = difflib.SequenceMatcher(None, [_shape(b) for b in olds], [_shape(b) for b in news], autojunk=False)
            for op2, a1, a2, b1, b2 in inner.get_opcodes():
                if op2 == "equal":
                    for old, new in zip(olds[a1:a2], news[b1:b2]):
                        if _local(new) == "tbl":
                            self.merge_table(old, new)
                        else:
                            self.merge_paragraph(old, new)
                    continue
                anchor = news[b1] if b1 < len(news) else (new_blocks[j2] if j2 < len(new_blocks) else None)
                for old in olds[a1:a2]:
                    gone = copy.deepcopy(old)
                    self.delete_block(gone)
                    if anchor is not None:
                        anchor.addprevious(gone)
                    else:
                        _append_block(parent, gone)
                for new in news[b1:b2]:
                    self.insert_block(new)

    def delete_block(self, block) -> None:
        if _local(block) == "tbl":
            for row in block.findall(qn("w:tr")):
                self.mark_row(row, "del")
        else:
            self.mark_paragraph(block, "del")

    def insert_block(self, block) -> None:
        if _local(block) == "tbl":
            for row in block.findall(qn("w:tr")):
                self.mark_row(row, "ins")
        else:
            self.mark_paragraph(block, "ins")


def _append_block(parent, block) -> None:
    """At the end of a body or cell: before the body's w:sectPr, which must stay last."""
    last = parent.find(qn("w:sectPr"))
    if last is not None:
        last.addprevious(block)
    else:
        parent.append(block)


def _space(key: tuple) -> bool:
    """A space does not anchor a match: 'een twee drie' -> 'een drie vier' loses 'twee ' and gains
    ' vier', instead of pairing the spaces and replacing both words."""
    return key[1] == "t" and key[2].isspace()


def _row_key(row) -> str:
    cells = row.findall(qn("w:tc"))
    return _text(cells[0]) if cells else ""


def _tokens(paragraph) -> list[tuple[tuple, object, object]]:
    """The paragraph as (key, run properties, content) per word, tab, picture or field part."""
    tokens: list[tuple[tuple, object, object]] = []
    for run in paragraph.iter(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        style = b"" if rpr is None else _canonical(rpr)
        for child in run:
            name = _local(child)
            if name == "rPr":
                continue
            if name == "t":
                for word in _TOKENS.findall(child.text or ""):
                    t = OxmlElement("w:t")
                    t.text = word
                    tokens.append(((style, "t", word), rpr, t))
            elif name == "drawing":
                described = [d.get("descr", "") for d in child.iter(qn("wp:docPr"))]
                pictures = [b.get(qn("r:embed"), "") for b in child.iter(qn("a:blip"))]
                tokens.append(((style, "drawing", tuple(described), tuple(pictures)), rpr, child))
            else:
                tokens.append(((style, name, _canonical(child)), rpr, child))
    return tokens


def _canonical(element) -> bytes:
    return etree.tostring(element, method="c14n")


def _runs(tokens) -> list:
    """Tokens back into runs: one run per stretch of the same properties, words joined."""
    runs: list = []
    current_style = None
    for key, rpr, content in tokens:
        style = key[0]
        if not runs or style != current_style:
            run = OxmlElement("w:r")
            if rpr is not None:
                run.append(copy.deepcopy(rpr))
            runs.append(run)
            current_style = style
        run = runs[-1]
        last = run[-1] if len(run) else None
        if _local(content) == "t" and last is not None and _local(last) == "t":
            last.text = (last.text or "") + content.text
        else:
            run.append(copy.deepcopy(content))
    for run in runs:
        for t in run.findall(qn("w:t")):
            if t.text != t.text.strip():
                t.set(_XML_SPACE, "preserve")
    return runs


def _adopt_pictures(old_word, new_word) -> None:
    """The pictures the old document shows, added to the new document's package (public
    ``get_or_add_image``: the same image is stored once), and its references pointed there."""
    embed = qn("r:embed")
    for blip in old_word.element.body.iter(qn("a:blip")):
        rid = blip.get(embed)
        if not rid:
            continue
        blob = old_word.part.related_parts[rid].blob
        new_rid, _image = new_word.part.get_or_add_image(io.BytesIO(blob))
        blip.set(embed, new_rid)


def _number(body) -> None:
    """Every change and every picture numbered in document order (ids unique, bytes stable)."""
    changes = list(body.iter(qn("w:ins"), qn("w:del")))
    for i, change in enumerate(changes, start=1):
        change.set(qn("w:id"), str(i))
    for i, properties in enumerate(body.iter(qn("wp:docPr")), start=1):
        properties.set("id", str(i))


def _track_revisions(word) -> None:
    """Word and LibreOffice go on recording changes the writer makes in this document."""
    settings = word.settings.element
    if settings.find(qn("w:trackRevisions")) is not None:
        return
    track = OxmlElement("w:trackRevisions")
    before = [c for c in settings if _local(c) in _SETTINGS_BEFORE]
    if before:
        before[-1].addnext(track)
    else:
        settings.insert(0, track)


def tracked_docx(old: bytes, new: bytes, author: str, date: str, core_time: str | None = None) -> bytes:
    """The ``new`` .docx with every difference from ``old`` as a tracked change by ``author`` on
    ``date`` (W3CDTF, '2025-04-14T00:00:00Z'); ``core_time`` is the document's own date."""
    old_word, new_word = docx.Document(io.BytesIO(old)), docx.Document(io.BytesIO(new))
    _adopt_pictures(old_word, new_word)
    old_body, new_body = old_word.element.body, new_word.element.body
    blocks = ("p", "tbl")
    tracker = _Tracker(author, date)
    tracker.merge_blocks(
        [b for b in old_body if _local(b) in blocks], [b for b in new_body if _local(b) in blocks], new_body
    )
    _number(new_body)
    _track_revisions(new_word)
    buffer = io.BytesIO()
    new_word.save(buffer)
    return normalise_zip(buffer.getvalue(), core_time=core_time or date)
