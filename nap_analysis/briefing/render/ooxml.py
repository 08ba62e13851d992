"""The OOXML python-docx has no API for (repeating header rows, borders and shading, languages,
fields, alt text): new ``w:`` elements with ``docx.oxml`` helpers, put in the child order the
schema (ECMA-376 part 1, 17.3 and 17.4) gives, so Word opens the file without repairing it.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

# Child order of the OOXML property elements this module writes into (ECMA-376 part 1, 17.3 and 17.4).
RPR_ORDER = (
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
)
PPR_ORDER = (
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
)
TBLPR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
)
TCPR_ORDER = (
    "cnfStyle",
    "tcW",
    "gridSpan",
    "hMerge",
    "vMerge",
    "tcBorders",
    "shd",
    "noWrap",
    "tcMar",
    "textDirection",
    "tcFitText",
    "vAlign",
    "hideMark",
)


# --------------------------------------------------------------------------- OOXML helpers


def el(tag: str, **attributes) -> BaseOxmlElement:
    """A new ``w:`` element with ``w:`` attributes (``val="single"`` -> ``w:val="single"``)."""
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), str(value))
    return element


def put(parent, child, order: tuple[str, ...]):
    """Put ``child`` into ``parent`` at its place in the schema order, replacing one of the same tag."""
    local = child.tag.rsplit("}", 1)[-1]
    for old in parent.findall(child.tag):
        parent.remove(old)
    later = set(order[order.index(local) + 1 :])
    for i, sibling in enumerate(parent):
        if sibling.tag.rsplit("}", 1)[-1] in later:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def child(parent, tag: str, order: tuple[str, ...]):
    """The ``tag`` child of ``parent``, made where missing (at its place in the schema order)."""
    found = parent.find(qn(tag))
    return found if found is not None else put(parent, el(tag), order)


def first_child(parent, tag: str, after: tuple[str, ...] = ()):
    """The ``tag`` child of ``parent``; made where missing, as the first child after those of ``after``."""
    found = parent.find(qn(tag))
    if found is not None:
        return found
    element = el(tag)
    position = sum(1 for child in parent if child.tag.rsplit("}", 1)[-1] in after)
    parent.insert(position, element)
    return element


def rpr(element):
    """The run properties of a run or of a style."""
    found = element.find(qn("w:rPr"))
    if found is not None:
        return found
    if element.tag == qn("w:r"):
        props = el("w:rPr")
        element.insert(0, props)
        return props
    return put(element, el("w:rPr"), STYLE_ORDER)


STYLE_ORDER = (
    "name",
    "aliases",
    "basedOn",
    "next",
    "link",
    "autoRedefine",
    "hidden",
    "uiPriority",
    "semiHidden",
    "unhideWhenUsed",
    "qFormat",
    "locked",
    "personal",
    "personalCompose",
    "personalReply",
    "rsid",
    "pPr",
    "rPr",
    "tblPr",
    "trPr",
    "tcPr",
    "tblStylePr",
)


def ppr(style_element):
    return child(style_element, "w:pPr", STYLE_ORDER)


def set_lang(rpr, tag: str) -> None:
    put(rpr, el("w:lang", val=tag), RPR_ORDER)


def set_fonts(rpr, name: str) -> None:
    """Fonts by name for every script, without theme fonts (which would win over the name)."""
    put(rpr, el("w:rFonts", ascii=name, hAnsi=name, cs=name, eastAsia=name), RPR_ORDER)


def border(tag: str, colour: str, eighths: int, space: int = 0):
    return el(tag, val="single", sz=eighths, space=space, color=colour)


def shading(fill: str):
    return el("w:shd", val="clear", color="auto", fill=fill)


def twips(mm: float) -> int:
    return round(mm / 25.4 * 1440)
