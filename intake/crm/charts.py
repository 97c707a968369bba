"""The reports' charts, drawn on the server as SVG by pygal and served as images of their own.

No script and nothing fetched from elsewhere: pygal's tooltips script (a CDN address by default)
is turned off and its inline configuration script removed, and an image cannot run script
anyway. Each chart is an ``<img>`` from the staff endpoint ``crm.reports_chart``
(:mod:`intake.crm.report_views`), beside a table with the same numbers, which is what screen
readers read; the image's alt text names the chart and says so.

Drawing costs: pygal takes 15 to 40 ms a chart (more the more weeks), about 120-135 ms for the
dashboard's nine. The page therefore draws none: the browser asks for each chart separately,
and each drawn chart is kept by a hash of everything it shows (its kind, title, labels and
numbers, so the language is part of the key): figures that did not change draw nothing.
"""

from __future__ import annotations

import functools
import hashlib
import math
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
WIDTH = 720
HEIGHT = 320
# The most series one chart draws; the table beside it lists every value.
MAX_SERIES = 8
# The most week labels under a weekly chart (a year shows every 4th week; the table has all).
MAX_WEEK_LABELS = 14
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
        "width": WIDTH,
        "height": HEIGHT,
        "explicit_size": True,  # width and height on the <svg>: the image's own size
        "show_legend": True,
        "legend_at_bottom": True,
        "truncate_legend": 30,
        "print_values": False,
        "no_data_text": "",
    }


def to_svg(chart: Any) -> str:
    """The chart's SVG document, without pygal's inline configuration script (an image never
    runs it; the response should not carry it either)."""
    root = chart.render_tree()
    for parent in root.iter():
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return ElementTree.tostring(root, encoding="unicode")


@kept_by_data
def stacked_weeks(
    title: str, weeks: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> str:
    """Inquiries per week, one stacked colour per value (the first :data:`MAX_SERIES`)."""
    chart = pygal.StackedBar(
        **_config(title),
        x_label_rotation=30,
        # A long range labels every n-th week only (the table beside it has every week).
        x_labels_major_every=max(1, math.ceil(len(weeks) / MAX_WEEK_LABELS)),
        show_minor_x_labels=False,
    )
    chart.x_labels = list(weeks)
    for label, values in series[:MAX_SERIES]:
        chart.add(label, list(values))
    return to_svg(chart)


@kept_by_data
def horizontal_bars(title: str, bars: Sequence[tuple[str, float | None]]) -> str:
    """One bar per label (a funnel, a load per owner)."""
    chart = pygal.HorizontalBar(**{**_config(title), "show_legend": False})
    chart.x_labels = [label for label, _value in bars]
    chart.add(title, [value for _label, value in bars])
    return to_svg(chart)


@kept_by_data
def grouped_bars(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]
) -> str:
    """Bars side by side per label (median and 90th percentile per priority, a source's yield)."""
    chart = pygal.Bar(**_config(title))
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return to_svg(chart)
