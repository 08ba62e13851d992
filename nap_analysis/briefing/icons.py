"""Status icons, drawn by the project: a shape per status as well as a colour.

Shapes tell the statuses apart in greyscale print and for colour-blind readers: completed is
a filled disc with a check, in progress a half-filled disc, delayed a triangle with an
exclamation mark, stopped a square with a cross, not started an empty circle, fulfilled
otherwise a diamond. The colours are the charts' (:data:`.charts.STATUS_COLOURS`). The icon is
decoration next to the status word, never the only carrier of meaning.
"""

from __future__ import annotations

from functools import cache

#: Same colours as the charts (kept here as text so icons need no matplotlib).
COLOURS = {
    "completed": "#0A2342",
    "in_progress": "#5A93C8",
    "delayed": "#F2DC3F",
    "stopped": "#C03C2C",
    "not_started": "#F7F7F7",
    "alternative": "#3CC79A",
}
_INK = "#1d1d1b"

_SHAPES = {
    "completed": (
        '<circle cx="8" cy="8" r="7" fill="{c}" stroke="{c}"/>'
        '<path d="M4.4 8.3 L7 10.8 L11.8 5.4" fill="none" stroke="#ffffff" stroke-width="1.8" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
    ),
    "in_progress": (
        '<circle cx="8" cy="8" r="6.6" fill="#ffffff" stroke="{c}" stroke-width="1.6"/>'
        '<path d="M8 1.4 A6.6 6.6 0 0 1 8 14.6 Z" fill="{c}"/>'
    ),
    "delayed": (
        '<path d="M8 1.2 L15.2 14.4 L0.8 14.4 Z" fill="{c}" stroke="' + _INK + '" stroke-width="1" '
        'stroke-linejoin="round"/><rect x="7.2" y="5.4" width="1.6" height="5" fill="' + _INK + '"/>'
        '<rect x="7.2" y="11.6" width="1.6" height="1.6" fill="' + _INK + '"/>'
    ),
    "stopped": (
        '<rect x="1.2" y="1.2" width="13.6" height="13.6" rx="1.5" fill="{c}" stroke="{c}"/>'
        '<path d="M4.6 4.6 L11.4 11.4 M11.4 4.6 L4.6 11.4" stroke="#ffffff" stroke-width="1.8" '
        'stroke-linecap="round"/>'
    ),
    "not_started": '<circle cx="8" cy="8" r="6.4" fill="{c}" stroke="#5c5c5c" stroke-width="1.4"/>',
    "alternative": (
        '<path d="M8 0.8 L15.2 8 L8 15.2 L0.8 8 Z" fill="{c}" stroke="' + _INK + '" stroke-width="0.8"/>'
        '<path d="M5 8 L11 8 M8.6 5.6 L11 8 L8.6 10.4" fill="none" stroke="' + _INK + '" '
        'stroke-width="1.3" stroke-linecap="round" stroke-linejoin="round"/>'
    ),
}

STATUSES = tuple(_SHAPES)


@cache
def svg(code: str, size_px: int = 12, standalone: bool = False) -> str:
    """The icon of a status as SVG markup (inline in HTML, or a standalone .svg file)."""
    shape = _SHAPES.get(code)
    if shape is None:
        return ""
    body = shape.format(c=COLOURS[code])
    namespace = ' xmlns="http://www.w3.org/2000/svg"'
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    hidden = "" if standalone else ' aria-hidden="true" focusable="false"'
    return (
        f'{head}<svg{namespace} class="nap-icon" width="{size_px}" height="{size_px}" viewBox="0 0 16 16"'
        f"{hidden}>{body}</svg>"
    )


@cache
def png(code: str, size_px: int = 48) -> bytes:
    """The icon as a PNG (for Word, which does not take inline SVG everywhere): drawn with Pillow."""
    import io

    from PIL import Image, ImageDraw

    scale = size_px / 16
    image = Image.new("RGBA", (size_px, size_px), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    colour = COLOURS[code]

    def pts(*xy):
        return [(x * scale, y * scale) for x, y in zip(xy[::2], xy[1::2])]

    width = max(1, round(1.6 * scale))
    if code == "completed":
        draw.ellipse(pts(1, 1, 15, 15), fill=colour)
        draw.line(pts(4.4, 8.3, 7, 10.8, 11.8, 5.4), fill="white", width=round(1.8 * scale), joint="curve")
    elif code == "in_progress":
        draw.ellipse(pts(1.4, 1.4, 14.6, 14.6), fill="white", outline=colour, width=width)
        draw.pieslice(pts(1.4, 1.4, 14.6, 14.6), -90, 90, fill=colour)
    elif code == "delayed":
        draw.polygon(pts(8, 1.2, 15.2, 14.4, 0.8, 14.4), fill=colour, outline=_INK)
        draw.rectangle(pts(7.2, 5.4, 8.8, 10.4), fill=_INK)
        draw.rectangle(pts(7.2, 11.6, 8.8, 13.2), fill=_INK)
    elif code == "stopped":
        draw.rounded_rectangle(pts(1.2, 1.2, 14.8, 14.8), radius=1.5 * scale, fill=colour)
        draw.line(pts(4.6, 4.6, 11.4, 11.4), fill="white", width=round(1.8 * scale))
        draw.line(pts(11.4, 4.6, 4.6, 11.4), fill="white", width=round(1.8 * scale))
    elif code == "not_started":
        draw.ellipse(pts(1.6, 1.6, 14.4, 14.4), fill=colour, outline="#5c5c5c", width=round(1.4 * scale))
    elif code == "alternative":
        draw.polygon(pts(8, 0.8, 15.2, 8, 8, 15.2, 0.8, 8), fill=colour, outline=_INK)
        draw.line(pts(5, 8, 11, 8), fill=_INK, width=round(1.3 * scale))
        draw.line(pts(8.6, 5.6, 11, 8, 8.6, 10.4), fill=_INK, width=round(1.3 * scale))
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    return buffer.getvalue()
