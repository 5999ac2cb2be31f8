"""Small charts drawn on the server as inline SVG (no chart library, no external service).

Each function returns the geometry a template draws (templates/newsletter/admin/_*_chart.html):
numbers only, so the template owns the markup and its accessibility (role="img", title, desc and
a data table beside it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH = 640
HEIGHT = 240
PAD_LEFT = 48
PAD_RIGHT = 16
PAD_TOP = 16
PAD_BOTTOM = 40


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class Line:
    name: str
    css_class: str
    points: str  # the polyline's "x,y x,y …"
    dots: list[tuple[float, float, int]] = field(default_factory=list)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    label: str


@dataclass
class Chart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    lines: list[Line] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)


def nice_max(value: float) -> float:
    """A round top for the y axis (1, 2, 2.5 or 5 times a power of ten) at or above `value`."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _y_ticks(top: float, plot_top: float, plot_bottom: float, fmt, count: int = 4) -> list[Tick]:
    ticks = []
    for i in range(count + 1):
        value = top * i / count
        y = plot_bottom - (plot_bottom - plot_top) * i / count
        ticks.append(Tick(round(y, 1), fmt(value)))
    return ticks


def count_max(value: int, ticks: int = 4) -> int:
    """A top for an axis of counts whose `ticks` steps are whole numbers."""
    return max(1, math.ceil(nice_max(value) / ticks)) * ticks


def line_chart(labels: list[str], series: list[tuple[str, str, list[int]]], fmt=str) -> Chart:
    """Lines of counts over the same x labels; `series` is (name, css class, values)."""
    left, right = PAD_LEFT, WIDTH - PAD_RIGHT
    top, bottom = PAD_TOP, HEIGHT - PAD_BOTTOM
    peak = max((v for _n, _c, values in series for v in values), default=0)
    y_max = count_max(peak)
    steps = max(len(labels) - 1, 1)

    def x(i):
        return round(left + (right - left) * i / steps, 1)

    def y(v):
        return round(bottom - (bottom - top) * v / y_max, 1)

    lines = []
    for name, css_class, values in series:
        dots = [(x(i), y(v), v) for i, v in enumerate(values)]
        lines.append(Line(name, css_class, " ".join(f"{px},{py}" for px, py, _v in dots), dots))
    every = max(1, math.ceil(len(labels) / 8))
    x_ticks = [Tick(x(i), label) for i, label in enumerate(labels) if i % every == 0]
    return Chart(
        WIDTH,
        HEIGHT,
        left,
        right,
        top,
        bottom,
        _y_ticks(y_max, top, bottom, lambda v: fmt(round(v))),
        x_ticks,
        lines=lines,
    )


def bar_chart(
    labels: list[str], series: list[tuple[str, str, list[float]]], fmt=str, y_max=None
) -> Chart:
    """Grouped bars: one group per label, one bar per series; `fmt` writes a value."""
    left, right = PAD_LEFT, WIDTH - PAD_RIGHT
    top, bottom = PAD_TOP, HEIGHT - PAD_BOTTOM
    peak = max((v for _n, _c, values in series for v in values), default=0)
    y_max = y_max or nice_max(peak)
    groups = max(len(labels), 1)
    group_width = (right - left) / groups
    bar_width = group_width * 0.7 / max(len(series), 1)
    bars = []
    for g in range(len(labels)):
        start = left + group_width * g + group_width * 0.15
        for s, (name, css_class, values) in enumerate(series):
            value = values[g] if g < len(values) else 0
            height = (bottom - top) * min(value, y_max) / y_max
            bars.append(
                Bar(
                    x=round(start + bar_width * s, 1),
                    y=round(bottom - height, 1),
                    width=round(bar_width - 2, 1),
                    height=round(height, 1),
                    css_class=css_class,
                    label=f"{labels[g]}: {name} {fmt(value)}",
                )
            )
    x_ticks = [
        Tick(round(left + group_width * (g + 0.5), 1), label) for g, label in enumerate(labels)
    ]
    return Chart(
        WIDTH,
        HEIGHT,
        left,
        right,
        top,
        bottom,
        _y_ticks(y_max, top, bottom, fmt),
        x_ticks,
        bars=bars,
    )
