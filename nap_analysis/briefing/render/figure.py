"""Figure files: a chart as PNG (200 dpi, RGB) and SVG bytes, and as a document figure block.

The PNG is RGB where the figure is opaque; the SVG keeps its text as text (editable in Inkscape
or Word), names fallback fonts for machines without DejaVu Sans, and carries a ``<title>`` (the
caption) and a ``<desc>`` (the alt text), so the file read on its own says what the chart shows.
Both are byte-identical on reruns.
"""

from __future__ import annotations

import io
import re

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..charts import house_style
from ..model import Figure as FigureBlock
from ..model import Paragraph

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


#: Resolution of the PNG files (and of the measurement of the tight box, for both formats).
SAVE_DPI = 200


def tight_box(fig: Figure):
    """The tight bounding box (inches) with the house padding: measured once, used for each format.

    Measured at SAVE_DPI, as savefig's own ``bbox_inches='tight'`` does: text is laid out per
    resolution, and a box measured at the figure's 100 dpi cut 0.13 in off the longest label of
    the indicators chart at 200 dpi.
    """
    with house_style():
        dpi = fig.dpi
        fig.set_dpi(SAVE_DPI)
        try:
            return fig.get_tightbbox().padded(0.06)
        finally:
            fig.set_dpi(dpi)


class OpaquePNGCanvas(FigureCanvasAgg):
    """Agg, but an opaque figure is saved as an RGB PNG instead of RGBA.

    The charts have a white background; an alpha channel of 255 everywhere only costs: the PDF
    printer splits it off into a separate image mask (0.3 s per briefing) and the file is larger.
    A figure with any transparent pixel keeps its alpha channel.
    """

    def print_png(self, filename_or_obj, *, metadata=None, pil_kwargs=None, **_ignored):
        from PIL import Image
        from PIL.PngImagePlugin import PngInfo

        FigureCanvasAgg.draw(self)
        rgba = np.asarray(self.buffer_rgba())
        opaque = bool((rgba[..., 3] == 255).all())
        image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]) if opaque else rgba, "RGB" if opaque else "RGBA")
        info = PngInfo()
        for key, value in {"Software": f"Matplotlib version{matplotlib.__version__}", **(metadata or {})}.items():
            if value is not None:
                info.add_text(key, value)
        image.save(
            filename_or_obj, format="png", pnginfo=info, dpi=(self.figure.dpi, self.figure.dpi), **(pil_kwargs or {})
        )


#: savefig(backend="module://nap_analysis.figures") renders with this canvas.
FigureCanvas = OpaquePNGCanvas


#: Fonts an SVG names after DejaVu Sans: a machine without it (Word on Windows, a browser on a
#: Mac) draws the labels in a font of the same design roots and width, not in a serif default.
SVG_FONT_FALLBACKS = ("Verdana", "Arial")


_SVG_FAMILY = re.compile(rb"font-family: ?([^;\"]*)")


def _with_font_fallbacks(svg: bytes) -> bytes:
    """Every font-family list of the SVG that names DejaVu Sans gets the fallbacks before the
    generic family ('DejaVu Sans', Verdana, Arial, sans-serif); the text stays text."""

    def widen(match: re.Match) -> bytes:
        names = [n.strip() for n in match.group(1).decode("utf-8").split(",") if n.strip()]
        if not any(n.strip("'\"") == "DejaVu Sans" for n in names):
            return match.group(0)
        generic = [n for n in names if n in ("sans-serif", "serif", "monospace")]
        named = [n for n in names if n not in generic]
        named += [f for f in SVG_FONT_FALLBACKS if f not in (n.strip("'\"") for n in named)]
        return b"font-family: " + ", ".join(named + (generic or ["sans-serif"])).encode("utf-8")

    return _SVG_FAMILY.sub(widen, svg)


def figure_bytes(fig: Figure, kind: str, box=None) -> bytes:
    """Render ``fig`` as 'png' (200 dpi, RGB when opaque) or 'svg' (text as text), byte-identical on reruns.

    ``box``: a tight bounding box from :func:`tight_box`, so saving both formats measures once
    (savefig's ``bbox_inches='tight'`` draws the whole figure an extra time per format).
    """
    metadata: dict[str, str | None]  # None: matplotlib leaves the entry out (no date: byte-identical)
    backend: str | None
    if kind == "png":
        metadata, backend = {"Software": "nap-analysis"}, f"module://{__name__}"
    elif kind == "svg":
        metadata, backend = {"Date": None, "Creator": "nap-analysis"}, None
    else:
        raise ValueError(f"format must be 'png' or 'svg', not {kind!r}")
    buffer = io.BytesIO()
    # SVG text stays text (fonttype 'none'), so a nota writer can edit a label
    with house_style(), matplotlib.rc_context({"svg.hashsalt": "nap-analysis", "svg.fonttype": "none"}):
        fig.savefig(
            buffer,
            format=kind,
            dpi=SAVE_DPI,
            metadata=metadata,
            bbox_inches=box or tight_box(fig),
            backend=backend,
        )
    return _with_font_fallbacks(buffer.getvalue()) if kind == "svg" else buffer.getvalue()


_SVG_ROOT = re.compile(rb"<svg\b[^>]*>")


def describe_svg(svg: bytes, title: str, description: str, lang: str | None = None) -> bytes:
    """The SVG with a ``<title>`` and a ``<desc>`` as the first children of its root (what a screen
    reader or a file browser names and describes the image by) and, given ``lang``, the language of
    both on the root; the same words give the same bytes."""
    from xml.sax.saxutils import escape, quoteattr

    match = _SVG_ROOT.search(svg)
    if match is None:
        raise ValueError("not an SVG image: no <svg> element")
    root = match.group(0)
    if lang:
        root = root[:-1] + f" xml:lang={quoteattr(lang)} lang={quoteattr(lang)}>".encode()
    inner = f"\n <title>{escape(title)}</title>\n <desc>{escape(description)}</desc>".encode()
    return svg[: match.start()] + root + inner + svg[match.end() :]


def render(
    fig: Figure,
    name: str,
    caption: str,
    alt: str,
    notes: list[Paragraph] | None = None,
    svg: bool = True,
    lang: str | None = None,
) -> FigureBlock:
    """The chart as a document figure: PNG (and SVG) rendered once, with its caption and alt text;
    the SVG carries the caption as its ``<title>`` and the alt text as its ``<desc>`` (in ``lang``)."""
    _check_name(name)
    box = tight_box(fig)
    png = figure_bytes(fig, "png", box)
    vector = describe_svg(figure_bytes(fig, "svg", box), caption, alt, lang) if svg else None
    return FigureBlock(name=name, caption=caption, alt=alt, png=png, svg=vector, notes=list(notes or []))


def _check_name(name) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"figure name must be a plain file stem (letters, digits, . _ -), not {name!r}")
