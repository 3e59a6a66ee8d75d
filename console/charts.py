"""Charts as inline SVG for the dashboard: no JavaScript, no library, readable without CSS.

Each chart is one `<svg role="img">` with a `<title>` and a `<desc>` (the data in words, for
screen readers), a `<title>` on every bar (the tooltip), dark marks and #1a1a1a text meant
for a white page (WCAG AA), and a viewBox only, so it scales to its container. Every text
passed in is escaped. The caller passes the words (titles, labels, the "no data" sentence)
already translated, and may pass how numbers are written (`number`, `percent`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

INK = "#1a1a1a"  # text: 17.4:1 on white
BAR = "#1f4e79"  # bars: 8.9:1 on white
GRID = "#d0d0d0"  # decoration only
# Segments of a proportion bar, each at least 4.5:1 on white and apart from its neighbours.
SEGMENTS = ("#1f4e79", "#9a3412", "#595959", "#6b21a8", "#166534")
FONT = 12
CHAR = FONT * 0.62  # a rough width of one character, to leave room for labels

NumberFormat = Callable[[float], str]
# A label and its value; None is a value that does not exist (a week with nothing to take a
# median of): a flat bar said as MISSING, not a zero.
Point = tuple[str, float | None]
MISSING = "—"


def format_number(value: float) -> str:
    """12 for whole numbers, 12.5 otherwise."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def format_percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def bar_chart(
    points: Sequence[Point],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    height: int = 220,
    empty_text: str = "No data",
    number: NumberFormat = format_number,
    colon: str = ": ",
) -> Markup:
    """Vertical bars, one per point (days, weeks...), labels under them thinned to fit."""
    if not points:
        return _empty(title, empty_text, width, height)
    ceiling = _nice_top(points)
    ticks = _ticks(points, ceiling)
    left, right, top, bottom = max(_text_width(number(t)) for t in ticks) + 14, 8, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / len(points)
    every = max(1, math.ceil((max(len(label) for label, _ in points) * CHAR + 6) / slot))
    body = [_grid_horizontal(left, top, plot_w, plot_h, ticks, number)]
    for i, (label, value) in enumerate(points):
        bar_h = plot_h * _size(value) / ceiling
        x = left + i * slot + slot * 0.15
        y = top + plot_h - bar_h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar_h:.1f}" '
            f'fill="{BAR}"><title>{_said(label, value, unit, number, colon)}</title></rect>'
        )
        if i % every == 0:
            body.append(
                f'<text x="{left + (i + 0.5) * slot:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    return _svg("bar", title, _summary(points, unit, number, colon), width, height, body)


def horizontal_bar_chart(
    points: Sequence[Point],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    row_height: int = 24,
    empty_text: str = "No data",
    number: NumberFormat = format_number,
    colon: str = ": ",
) -> Markup:
    """One row per point (services...): the label on the left, the value after the bar."""
    height = 16 + row_height * max(len(points), 1)
    if not points:
        return _empty(title, empty_text, width, height)
    longest = max(_text_width(label) for label, _ in points)
    left = min(longest, width * 0.4) + 16
    values_w = max(_text_width(_value(v, unit, number)) for _, v in points) + 16
    plot_w = width - left - values_w
    ceiling = max(_size(v) for _, v in points) or 1
    body = []
    for i, (label, value) in enumerate(points):
        y = 8 + i * row_height
        bar_w = plot_w * _size(value) / ceiling
        middle = y + row_height / 2 + FONT * 0.35
        body.append(
            f'<text x="{left - 8:.1f}" y="{middle:.1f}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left:.1f}" y="{y + 3:.1f}" width="{bar_w:.1f}" '
            f'height="{row_height - 6}" fill="{BAR}">'
            f"<title>{_said(label, value, unit, number, colon)}</title></rect>"
            f'<text x="{left + bar_w + 6:.1f}" y="{middle:.1f}">'
            f"{escape(_value(value, unit, number))}</text>"
        )
    return _svg("hbar", title, _summary(points, unit, number, colon), width, height, body)


def proportion_bar(
    parts: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 640,
    height: int = 72,
    empty_text: str = "No data",
    number: NumberFormat = format_number,
    percent: NumberFormat = format_percent,
    colon: str = ": ",
) -> Markup:
    """One bar split into the parts of a whole (done, cancelled, expired...), the first part
    first, with a legend giving each count and share. Nothing to split: `empty_text`."""
    total = sum(max(v, 0) for _, v in parts)
    if not total:
        return _empty(title, empty_text, width, height)
    said = [
        f"{label}{colon}{number(value)} ({percent(max(value, 0) / total)})"
        for label, value in parts
    ]
    body, x, legend_x = [], 8.0, 8.0
    for i, ((_, value), words) in enumerate(zip(parts, said, strict=True)):
        colour = SEGMENTS[i % len(SEGMENTS)]
        part_w = (width - 16) * max(value, 0) / total
        body.append(
            f'<rect x="{x:.1f}" y="8" width="{part_w:.1f}" height="28" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="1"><title>{escape(words)}</title></rect>'
            f'<circle cx="{legend_x + 5:.1f}" cy="{height - 18}" r="5" fill="{colour}"/>'
            f'<text x="{legend_x + 14:.1f}" y="{height - 14}">{escape(words)}</text>'
        )
        x += part_w
        legend_x += 14 + _text_width(words) + 16
    return _svg("share", title, "; ".join(said), width, height, body)


def _svg(kind: str, title: str, desc: str, width: int, height: int, body: list[str]) -> Markup:
    ident = "chart-" + hashlib.blake2s(f"{kind}{title}{desc}".encode(), digest_size=5).hexdigest()
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}" fill="{INK}">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _empty(title: str, empty_text: str, width: int, height: int) -> Markup:
    text = (
        f'<text x="{width / 2:.1f}" y="{height / 2 + FONT * 0.35:.1f}" text-anchor="middle">'
        f"{escape(empty_text)}</text>"
    )
    return _svg("empty", title, empty_text, width, height, [text])


def _ticks(points: Sequence[Point], ceiling: float) -> tuple[float, ...]:
    """0, the top, and half-way unless that would put 2.5 on a scale of whole counts."""
    half = ceiling / 2
    counts = all(float(v).is_integer() for _, v in points if v is not None)
    return (0.0, half, ceiling) if half.is_integer() or not counts else (0.0, ceiling)


def _grid_horizontal(
    left: float,
    top: float,
    plot_w: float,
    plot_h: float,
    ticks: tuple[float, ...],
    number: NumberFormat,
) -> str:
    lines = []
    for tick in ticks:
        y = top + plot_h - plot_h * tick / ticks[-1]
        lines.append(
            f'<line x1="{left:.1f}" x2="{left + plot_w:.1f}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{INK if tick == 0 else GRID}" stroke-width="1"/>'
            f'<text x="{left - 6:.1f}" y="{y + FONT * 0.35:.1f}" text-anchor="end">'
            f"{escape(number(tick))}</text>"
        )
    return "".join(lines)


def _nice_top(points: Sequence[Point]) -> float:
    """The top of the scale: the largest value rounded up to 1, 2 or 5 times a power of ten
    (so the half-way line is a round number too); 1 when everything is zero."""
    biggest = max(_size(v) for _, v in points)
    if biggest <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(biggest))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= biggest)


def _text_width(text: str) -> float:
    return len(text) * CHAR


def _size(value: float | None) -> float:
    return max(value or 0.0, 0.0)


def _value(value: float | None, unit: str, number: NumberFormat) -> str:
    if value is None:
        return MISSING
    return f"{number(value)} {unit}".strip()


def _said(label: str, value: float | None, unit: str, number: NumberFormat, colon: str) -> Markup:
    return escape(f"{label}{colon}{_value(value, unit, number)}")


def _summary(points: Sequence[Point], unit: str, number: NumberFormat, colon: str) -> str:
    """`colon`: ": " in English, " : " in French typography."""
    return "; ".join(f"{label}{colon}{_value(value, unit, number)}" for label, value in points)
