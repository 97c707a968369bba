"""The reports' charts, drawn on the server as SVG and sent inline as ``data:`` images.

No script and nothing fetched from elsewhere: an image cannot run script anyway. Every chart
sits beside a table with the same numbers, which is what screen readers read; the image's alt
text says so.

The SVG is written here as text, a few elements per bar: a chart costs well under a millisecond
(pygal, used before, took 15 to 40 ms a chart and far more for a range of many weeks, most of
the time a new date range's page took). Each drawn chart is still kept by a hash of everything
it shows (its kind, title, labels and numbers, so the language is part of the key).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import ParamSpec
from xml.sax.saxutils import escape, quoteattr

# Calm colours with enough contrast against white; the same order on every chart.
COLOURS = ("#1d4e89", "#00a6a6", "#f49d37", "#7d5ba6", "#d64550", "#3f8f29", "#8c6d46", "#5c5c5c")
FOREGROUND = "#1f2933"
SUBTLE = "#52606d"
GRID = "#d9e2ec"
FONT = "system-ui, sans-serif"
# The most series one chart draws; the table beside it lists every value.
MAX_SERIES = 8
# Charts kept per process: a dashboard has nine, in up to five languages and a few ranges.
KEPT_CHARTS = 256
WIDTH = 720
PLOT_HEIGHT = 200
# Legend entries are laid out in columns this wide, their text cut to fit.
LEGEND_COLUMN = 175
LEGEND_CHARS = 26
# Axis labels longer than this are cut (the table beside the chart has the whole words).
LABEL_CHARS = 24

P = ParamSpec("P")
_kept: OrderedDict[str, str] = OrderedDict()
_kept_lock = threading.Lock()


def kept_by_data(draw: Callable[P, str]) -> Callable[P, str]:
    """Keep what ``draw`` returns by a hash of its arguments (least recently used dropped)."""

    @functools.wraps(draw)
    def cached(*args: P.args, **kwargs: P.kwargs) -> str:
        key = hashlib.sha256(repr((draw.__name__, args, sorted(kwargs.items()))).encode())
        digest = key.hexdigest()
        with _kept_lock:
            if digest in _kept:
                _kept.move_to_end(digest)
                return _kept[digest]
        drawn = draw(*args, **kwargs)
        with _kept_lock:
            _kept[digest] = drawn
            while len(_kept) > KEPT_CHARTS:
                _kept.popitem(last=False)
        return drawn

    return cached


def to_data_uri(svg: str) -> str:
    """The chart as a ``data:image/svg+xml`` address for an ``<img>``."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


# Drawing helpers --------------------------------------------------------------------------------


def _cut(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) and not value.is_integer() else f"{value:.0f}"


def _ticks(highest: float) -> list[float]:
    """Round steps from 0 to at least ``highest``, about five of them."""
    if highest <= 0:
        return [0.0, 1.0]
    raw = highest / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if highest >= 5:
        step = max(step, 1)
    count = math.ceil(highest / step - 1e-9)
    return [round(step * n, 6) for n in range(count + 1)]


class _Canvas:
    """The SVG being written: a title, a plot area and a legend under it."""

    def __init__(self, title: str, legend: Sequence[str], bottom_margin: int) -> None:
        self.title = title
        self.legend = [_cut(name, LEGEND_CHARS) for name in legend]
        per_row = max(1, (WIDTH - 40) // LEGEND_COLUMN)
        legend_rows = math.ceil(len(self.legend) / per_row)
        self.per_row = per_row
        self.plot_top = 44
        self.plot_bottom = self.plot_top + PLOT_HEIGHT
        self.legend_top = self.plot_bottom + bottom_margin
        self.height = self.legend_top + legend_rows * 20 + 10
        self.parts: list[str] = []

    def text(self, x: float, y: float, words: str, **attributes: str) -> None:
        extra = "".join(
            f" {name.replace('_', '-')}={quoteattr(v)}" for name, v in attributes.items()
        )
        self.parts.append(f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(words)}</text>')

    def rect(self, x: float, y: float, width: float, height: float, colour: str) -> None:
        self.parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" '
            f'height="{max(height, 0):.1f}" fill="{colour}"/>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str = GRID) -> None:
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}"/>'
        )

    def svg(self) -> str:
        legend = []
        for index, name in enumerate(self.legend):
            x = 20 + (index % self.per_row) * LEGEND_COLUMN
            y = self.legend_top + (index // self.per_row) * 20
            legend.append(
                f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOURS[index % 8]}"/>'
                f'<text x="{x + 18}" y="{y + 11}">{escape(name)}</text>'
            )
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{self.height}" '
            f'viewBox="0 0 {WIDTH} {self.height}" role="img" aria-label={quoteattr(self.title)} '
            f'font-family="{FONT}" font-size="12" fill="{FOREGROUND}">'
            f'<rect width="100%" height="100%" fill="white"/>'
            f'<text x="{WIDTH / 2}" y="24" font-size="16" text-anchor="middle">'
            f"{escape(self.title)}</text>" + "".join(self.parts) + "".join(legend) + "</svg>"
        )


def _value_axis(canvas: _Canvas, left: float, right: float, highest: float) -> float:
    """Horizontal grid lines and their numbers on the left; the top of the scale."""
    ticks = _ticks(highest)
    top = ticks[-1]
    for tick in ticks:
        y = canvas.plot_bottom - tick / top * PLOT_HEIGHT
        canvas.line(left, y, right, y)
        canvas.text(left - 6, y + 4, _number(tick), text_anchor="end", fill=SUBTLE)
    return top


def _category_labels(
    canvas: _Canvas, labels: Sequence[str], left: float, slot: float, *, rotate: bool
) -> None:
    # Every label when they fit, otherwise every n-th (the table has them all).
    every = max(1, math.ceil(len(labels) * 14 / (WIDTH - left - 20))) if rotate else 1
    for index, name in enumerate(labels):
        if index % every:
            continue
        x = left + slot * (index + 0.5)
        y = canvas.plot_bottom + 14
        if rotate:
            canvas.text(
                x,
                y,
                _cut(name, LABEL_CHARS),
                text_anchor="end",
                transform=f"rotate(-30 {x:.1f} {y:.1f})",
                fill=SUBTLE,
            )
        else:
            canvas.text(x, y, _cut(name, LABEL_CHARS), text_anchor="middle", fill=SUBTLE)


# The charts -------------------------------------------------------------------------------------


@kept_by_data
def stacked_weeks(
    title: str, weeks: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> str:
    """Inquiries per week, one stacked colour per value (the first :data:`MAX_SERIES`)."""
    shown = list(series[:MAX_SERIES])
    canvas = _Canvas(title, [name for name, _values in shown], bottom_margin=70)
    # Room on the left for the first week's slanted label.
    left, right = 80.0, WIDTH - 20.0
    totals = [sum(values[week] for _name, values in shown) for week in range(len(weeks))]
    top = _value_axis(canvas, left, right, max(totals, default=0))
    slot = (right - left) / max(len(weeks), 1)
    for week in range(len(weeks)):
        base = 0
        for number, (_name, values) in enumerate(shown):
            value = values[week]
            if value:
                height = value / top * PLOT_HEIGHT
                y = canvas.plot_bottom - (base + value) / top * PLOT_HEIGHT
                canvas.rect(left + slot * (week + 0.1), y, slot * 0.8, height, COLOURS[number])
                base += value
    _category_labels(canvas, weeks, left, slot, rotate=True)
    return to_data_uri(canvas.svg())


@kept_by_data
def horizontal_bars(title: str, bars: Sequence[tuple[str, float | None]]) -> str:
    """One bar per label (a funnel, a load per owner)."""
    canvas = _Canvas(title, [], bottom_margin=24)
    left, right = 190.0, WIDTH - 50.0
    highest = max((value or 0 for _label, value in bars), default=0)
    scale = highest if highest > 0 else 1
    slot = PLOT_HEIGHT / max(len(bars), 1)
    for index, (name, value) in enumerate(bars):
        y = canvas.plot_top + slot * index
        canvas.text(left - 8, y + slot / 2 + 4, _cut(name, LABEL_CHARS), text_anchor="end")
        width = (value or 0) / scale * (right - left)
        canvas.rect(left, y + slot * 0.15, width, slot * 0.7, COLOURS[0])
        if value is not None:
            canvas.text(left + width + 6, y + slot / 2 + 4, _number(value), fill=SUBTLE)
    canvas.line(left, canvas.plot_top, left, canvas.plot_bottom, SUBTLE)
    return to_data_uri(canvas.svg())


@kept_by_data
def grouped_bars(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> str:
    """Bars side by side per label (median and 90th percentile per priority, a source's yield)."""
    shown = list(series[:MAX_SERIES])
    canvas = _Canvas(title, [name for name, _values in shown], bottom_margin=30)
    left, right = 60.0, WIDTH - 20.0
    highest = max((v or 0 for _name, values in shown for v in values), default=0)
    top = _value_axis(canvas, left, right, highest)
    slot = (right - left) / max(len(labels), 1)
    width = slot * 0.8 / max(len(shown), 1)
    for index in range(len(labels)):
        for number, (_name, values) in enumerate(shown):
            value = values[index] if index < len(values) else None
            if value:
                height = value / top * PLOT_HEIGHT
                x = left + slot * (index + 0.1) + width * number
                canvas.rect(x, canvas.plot_bottom - height, width, height, COLOURS[number])
    _category_labels(canvas, labels, left, slot, rotate=False)
    return to_data_uri(canvas.svg())
