"""The reports' charts, drawn on the server as SVG by pygal and sent inline as ``data:`` images.

No script and nothing fetched from elsewhere: pygal's tooltips script (a CDN address by default)
is turned off, and an image cannot run script anyway. Every chart sits beside a table with the
same numbers, which is what screen readers read; the image's alt text says so.

Drawing costs: pygal takes tens of milliseconds a chart. Each drawn chart is kept by a hash of
everything it shows (its kind, title, labels and numbers, so the language is part of the key):
a dashboard whose figures did not change since the last view draws nothing.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec
from xml.etree import ElementTree

import pygal
from pygal.style import Style

# Calm colours with enough contrast against white; the same order on every chart.
_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4e89", "#00a6a6", "#f49d37", "#7d5ba6", "#d64550", "#3f8f29", "#8c6d46", "#5c5c5c"),
    font_family="system-ui, sans-serif",
)
# The most series one chart draws; the table beside it lists every value.
MAX_SERIES = 8
# Charts kept per process: a dashboard has nine, in up to five languages and a few ranges.
KEPT_CHARTS = 256

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


def _config(title: str) -> dict[str, object]:
    return {
        "title": title,
        "style": _STYLE,
        "js": [],  # no tooltips script: pygal's default points at a CDN
        "width": 720,
        "height": 320,
        "show_legend": True,
        "legend_at_bottom": True,
        "truncate_legend": 30,
        "print_values": False,
        "no_data_text": "",
    }


def to_data_uri(chart: Any) -> str:
    """The chart as a ``data:image/svg+xml`` address for an ``<img>``, without pygal's inline
    configuration script (an image never runs it; the page should not carry it either)."""
    root = chart.render_tree()
    for parent in root.iter():
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    svg = ElementTree.tostring(root, encoding="utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@kept_by_data
def stacked_weeks(
    title: str, weeks: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> str:
    """Inquiries per week, one stacked colour per value (the first :data:`MAX_SERIES`)."""
    chart = pygal.StackedBar(**_config(title), x_label_rotation=30)
    chart.x_labels = list(weeks)
    for label, values in series[:MAX_SERIES]:
        chart.add(label, list(values))
    return to_data_uri(chart)


@kept_by_data
def horizontal_bars(title: str, bars: Sequence[tuple[str, float | None]]) -> str:
    """One bar per label (a funnel, a load per owner)."""
    chart = pygal.HorizontalBar(**{**_config(title), "show_legend": False})
    chart.x_labels = [label for label, _value in bars]
    chart.add(title, [value for _label, value in bars])
    return to_data_uri(chart)


@kept_by_data
def grouped_bars(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> str:
    """Bars side by side per label (median and 90th percentile per priority, a source's yield)."""
    chart = pygal.Bar(**_config(title))
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return to_data_uri(chart)
